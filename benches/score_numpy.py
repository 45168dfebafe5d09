#!/usr/bin/env python3
"""The vectorised NumPy implementation of the daily scores that a user would write, timed on the
same data as `cargo bench --bench score` (which runs this file as a subprocess).

    python3 benches/score_numpy.py DIR

DIR holds one raw little-endian file per column, written by the bench: `patient.u32`, `day.i32`,
`<measure>.f64` (NaN = missing; flags as 1.0 / 0.0 / NaN) and `hm.f64`, `liver_failure.f64`
(already joined to the day rows). Prints one JSON line with the seconds spent scoring (loading
excluded) and writes `out_<score>_{min,max,dx}.i8` so the bench can check that both
implementations agree row for row.
"""

import json
import os
import sys
import time

import numpy as np

COLS = [
    "platelets", "pt_inr", "pt_ratio", "pt_sec_prolongation", "fibrinogen", "fdp", "d_dimer",
    "antithrombin", "tat_x_uln", "temperature", "heart_rate", "resp_rate", "paco2", "wbc",
    "immature_pct", "pao2_fio2", "ventilated", "map", "dopamine", "dobutamine", "epinephrine",
    "norepinephrine", "gcs", "bilirubin", "creatinine", "urine_output", "bleeding",
    "organ_failure", "hm", "liver_failure",
]
POS, NEG, IND = 1, 0, 2


def item(x, pts, hi, lo=0):
    """Bounds of an item from its points when known; [lo, hi] when x is missing."""
    m = np.isnan(x)
    return np.where(m, lo, pts), np.where(m, hi, pts)


def crit(any_met, all_known):
    """A 0/1 criterion: met -> 1; not met and all alternatives known -> 0; else [0, 1]."""
    mn = any_met.astype(np.int8)
    mx = np.where(any_met | all_known, mn, 1)
    return mn, mx


def add(*items):
    return sum(i[0] for i in items), sum(i[1] for i in items)


def dx(mn, mx, thr):
    return np.where(mn >= thr, POS, np.where(mx >= thr, IND, NEG)).astype(np.int8)


def score(d):
    nan = np.isnan
    out = {}
    plt = d["platelets"]
    # SIRS
    t, hr, rr, pc = d["temperature"], d["heart_rate"], d["resp_rate"], d["paco2"]
    w, im = d["wbc"], d["immature_pct"]
    sirs = add(
        crit((t > 38) | (t < 36), ~nan(t)),
        crit(hr > 90, ~nan(hr)),
        crit((rr > 20) | (pc < 32), ~nan(rr) & ~nan(pc)),
        crit((w > 12) | (w < 4) | (im > 10), ~nan(w) & ~nan(im)),
    )
    out["sirs"] = sirs
    # SOFA
    pf, vent = d["pao2_fio2"], d["ventilated"]
    base = np.select([pf < 300, pf < 400], [2, 1], 0)
    v_pts = np.where(pf < 100, 4, 3)
    low = pf < 200
    resp_min = np.where(low & (vent == 1), v_pts, base)
    resp_max = np.where(low & (vent != 0), v_pts, base)  # ventilation unknown: up to v_pts
    resp_max = np.where(nan(pf), np.where(vent == 0, 2, 4), resp_max)
    resp_min = np.where(nan(pf), 0, resp_min)
    coag = item(plt, np.select([plt < 20, plt < 50, plt < 100, plt < 150], [4, 3, 2, 1], 0), 4)
    b = d["bilirubin"]
    liver = item(b, np.select([b >= 12, b >= 6, b >= 2, b >= 1.2], [4, 3, 2, 1], 0), 4)
    g = d["gcs"]
    cns = item(g, np.select([g < 6, g < 10, g < 13, g < 15], [4, 3, 2, 1], 0), 4)
    mp, dop, dob = d["map"], d["dopamine"], d["dobutamine"]
    epi, ne = d["epinephrine"], d["norepinephrine"]
    cv_parts = [
        item(mp, (mp < 70).astype(np.int8), 1),
        item(dop, np.select([dop > 15, dop > 5, dop > 0], [4, 3, 2], 0), 4),
        item(dob, np.where(dob > 0, 2, 0), 2),
        item(epi, np.select([epi > 0.1, epi > 0], [4, 3], 0), 4),
        item(ne, np.select([ne > 0.1, ne > 0], [4, 3], 0), 4),
    ]
    cardio = (np.maximum.reduce([p[0] for p in cv_parts]), np.maximum.reduce([p[1] for p in cv_parts]))
    c, uo = d["creatinine"], d["urine_output"]
    ren_c = item(c, np.select([c >= 5, c >= 3.5, c >= 2, c >= 1.2], [4, 3, 2, 1], 0), 4)
    ren_u = item(uo, np.select([uo < 200, uo < 500], [4, 3], 0), 4)
    renal = (np.maximum(ren_c[0], ren_u[0]), np.maximum(ren_c[1], ren_u[1]))
    sofa4 = add((resp_min, resp_max), cardio, liver, renal)
    out["sofa"] = add(sofa4, coag, cns)
    out["sofa4"] = sofa4
    # 24-hour platelet fall: previous calendar day of the same patient.
    pid, day = d["patient"], d["day"]
    first = np.r_[True, pid[1:] != pid[:-1]]
    consec = np.r_[False, (pid[1:] == pid[:-1]) & (day[1:] == day[:-1] + 1)]
    prev = np.where(consec, np.r_[np.nan, plt[:-1]], np.nan)
    R = np.floor(prev * 1000 + 0.5)
    C = np.floor(plt * 1000 + 0.5)
    ge30 = (R > 0) & (10 * (R - C) >= 3 * R)
    gt50 = (R > 0) & (2 * (R - C) > R)
    unknown = ~first & (nan(prev) | nan(plt))
    f30 = (ge30.astype(np.int8), np.where(unknown, 1, ge30).astype(np.int8))
    f50 = (gt50.astype(np.int8), np.where(unknown, 1, gt50).astype(np.int8))
    # JAAM / JAAM-2
    cnt = item(plt, np.select([plt < 80, plt < 120], [3, 1], 0), 3)
    jp = (np.maximum(cnt[0], np.maximum(f30[0], 3 * f50[0])), np.maximum(cnt[1], np.maximum(f30[1], 3 * f50[1])))
    r, f = d["pt_ratio"], d["fdp"]
    jpt = item(r, (r >= 1.2).astype(np.int8), 1)
    jfdp = item(f, np.select([f >= 25, f >= 10], [3, 1], 0), 3)
    jaam2 = add(jp, jpt, jfdp)
    jaam = add(((sirs[0] >= 3).astype(np.int8), (sirs[1] >= 3).astype(np.int8)), jaam2)
    out["jaam"] = jaam + (dx(*jaam, 4),)
    out["jaam2"] = jaam2 + (dx(*jaam2, 3),)
    # ISTH overt (fdp-jp)
    s, fib = d["pt_sec_prolongation"], d["fibrinogen"]
    isth = add(
        item(plt, np.select([plt < 50, plt < 100], [2, 1], 0), 2),
        item(f, np.select([f >= 25, f >= 10], [3, 2], 0), 3),
        item(s, np.select([s >= 6, s >= 3], [2, 1], 0), 2),
        item(fib, (fib < 100).astype(np.int8), 1),
    )
    out["isth"] = isth + (dx(*isth, 5),)
    # SIC
    inr = d["pt_inr"]
    spt = item(inr, np.select([inr > 1.4, inr > 1.2], [2, 1], 0), 2)
    splt = item(plt, np.select([plt < 100, plt < 150], [2, 1], 0), 2)
    ssofa = (np.minimum(sofa4[0], 2), np.minimum(sofa4[1], 2))
    sic = add(spt, splt, ssofa)
    coag2 = add(spt, splt)
    sic_dx = np.where((sic[0] >= 4) & (coag2[0] > 2), POS, np.where((sic[1] >= 4) & (coag2[1] > 2), IND, NEG))
    out["sic"] = sic + (sic_dx.astype(np.int8),)
    # JMHW
    hm = d["hm"]
    flag = lambda x: (np.where(x == 1, 1, 0), np.where(x == 0, 0, 1))
    bleed = flag(d["bleeding"])
    mplt = item(plt, np.select([plt <= 50, plt <= 80, plt <= 120], [3, 2, 1], 0), 3)
    fdp3 = item(f, np.select([f >= 40, f >= 20, f >= 10], [3, 2, 1], 0), 3)
    pt2 = item(r, np.select([r >= 1.67, r >= 1.25], [2, 1], 0), 2)
    others = add((1, 1), flag(d["organ_failure"]), fdp3, item(fib, np.select([fib <= 100, fib <= 150], [2, 1], 0), 2), pt2)
    full = add(others, bleed, mplt)
    dx_hm, dx_full = dx(*others, 4), dx(*full, 7)
    jm_min = np.where(hm == 0, full[0], others[0])
    jm_max = np.where(hm == 1, others[1], full[1])
    jm_dx = np.where(hm == 1, dx_hm, np.where(hm == 0, dx_full, np.where(dx_hm == dx_full, dx_hm, IND)))
    out["jmhw"] = (jm_min, jm_max, jm_dx.astype(np.int8))
    # JSTH 2017 infectious type
    base = np.select([plt <= 50, plt <= 80, plt <= 120], [3, 2, 1], 0)
    above = plt > 50
    jsp = (
        np.where(nan(plt), 0, np.minimum(base + (above & (f30[0] == 1)), 3)),
        np.where(nan(plt), 3, np.minimum(base + (above & (f30[1] == 1)), 3)),
    )
    lf = d["liver_failure"]
    jsth = add(
        jsp,
        fdp3,
        pt2,
        item(d["antithrombin"], (d["antithrombin"] <= 70).astype(np.int8), 1),
        item(d["tat_x_uln"], (d["tat_x_uln"] >= 2).astype(np.int8), 1),
        (np.where(lf == 0, 0, -3), np.where(lf == 1, -3, 0)),
    )
    out["jsth"] = jsth + (dx(*jsth, 5),)
    return out


def main():
    src = sys.argv[1]
    d = {c: np.fromfile(os.path.join(src, c + ".f64"), dtype="<f8") for c in COLS}
    d["patient"] = np.fromfile(os.path.join(src, "patient.u32"), dtype="<u4")
    d["day"] = np.fromfile(os.path.join(src, "day.i32"), dtype="<i4")
    t0 = time.perf_counter()
    out = score(d)
    secs = time.perf_counter() - t0
    for name, v in out.items():
        for tag, arr in zip(["min", "max", "dx"], v):
            np.asarray(arr, dtype=np.int8).tofile(os.path.join(src, f"out_{name}_{tag}.i8"))
    print(json.dumps({"seconds": secs, "rows": int(len(d["day"])), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
