#!/usr/bin/env python3
"""Independent reference for the clinical scores (src/score/), written from
../shared/scoring-rules.md and the source tables, not from the Rust code.

Method (deliberately different from the Rust interval arithmetic): every item is a plain
function of complete inputs; a missing input is *imputed* by every value of a candidate grid
that covers every class of every cut-off, and the achievable points of each item are collected
over all imputations. A total's achievable values are the sum-set of its items' (items of one
score use disjoint inputs); min/max are the extremes of that set, and the diagnosis is positive
(negative) when every combination of achievable item values is positive (negative). SIC's rule
(total >= 4 and PT + platelet points > 2) and JMHW's haematological-malignancy reading are
checked over the combinations directly.

Writes tests/reference/fixtures/score_reference.json: a random boundary-heavy cohort (values at
and around each cut-off, missingness, exact 30% / 50% platelet falls, gaps between days) and the
expected min / max / dx of every score under two configurations.

    python3 tests/reference/score_reference.py      # regenerate the fixture
"""

import itertools
import json
import os
from fractions import Fraction

import numpy as np
import pandas as pd

SEED = 20261121
N_PATIENTS = 420
NAN = float("nan")

# ----------------------------------------------------------------------------- cohort

# Cut-offs per column (canonical units) and the small steps used around them.
CUTS = {
    "temperature": ([36.0, 38.0], [0.1]),
    "heart_rate": ([90.0], [1.0]),
    "resp_rate": ([20.0], [1.0]),
    "paco2": ([32.0], [0.1]),
    "wbc": ([4.0, 12.0], [0.1]),
    "immature_pct": ([10.0], [0.1]),
    "pao2_fio2": ([100.0, 200.0, 300.0, 400.0], [1.0]),
    "bilirubin": ([1.2, 2.0, 6.0, 12.0], [0.01, 0.1]),
    "map": ([70.0], [1.0]),
    "gcs": ([6.0, 10.0, 13.0, 15.0], [1.0]),
    "creatinine": ([1.2, 2.0, 3.5, 5.0], [0.01, 0.1]),
    "urine_output": ([200.0, 500.0], [1.0]),
    "pt_inr": ([1.2, 1.4], [0.01]),
    "pt_ratio": ([1.2, 1.25, 1.67], [0.01]),
    "pt_sec_prolongation": ([3.0, 6.0], [0.1]),
    "fibrinogen": ([100.0, 150.0], [1.0]),
    "fdp": ([10.0, 20.0, 25.0, 40.0], [0.1]),
    "d_dimer": ([1.0, 2.0, 0.5], [0.01]),
    "antithrombin": ([70.0], [1.0]),
    "tat_x_uln": ([2.0], [0.1]),
}
PLATELET_CUTS = [20.0, 50.0, 80.0, 100.0, 120.0, 150.0]


def boundary_value(rng, cuts, steps):
    c = cuts[rng.integers(len(cuts))]
    s = steps[rng.integers(len(steps))]
    return round(c + s * rng.integers(-1, 2), 4)


def make_cohort(rng):
    rows = []
    patients = {"haematological_malignancy": [], "liver_failure": []}
    flag = lambda p_missing=0.15: (None if rng.random() < p_missing else bool(rng.random() < 0.4))
    for pid in range(N_PATIENTS):
        patients["haematological_malignancy"].append(flag())
        patients["liver_failure"].append(flag())
        n_days = int(rng.integers(1, 8))
        day = int(rng.integers(1, 3))  # most start on day 1, some on day 2
        prev_plt = NAN
        for _ in range(n_days):
            r = {"patient": pid, "day": day}
            for col, (cuts, steps) in CUTS.items():
                u = rng.random()
                if u < 0.12:
                    r[col] = NAN
                elif u < 0.8:
                    r[col] = boundary_value(rng, cuts, steps)
                else:
                    lo, hi = min(cuts) * 0.5, max(cuts) * 1.5
                    r[col] = round(float(rng.uniform(lo, hi)), 2)
            if not np.isnan(r["gcs"]):
                r["gcs"] = float(min(15, max(3, round(r["gcs"]))))  # an integer scale
            # Vasopressors: 0 = recorded as not given (common), near their cut-offs, or missing.
            for col, cuts in [
                ("dopamine", [5.0, 15.0]),
                ("dobutamine", [2.5]),
                ("epinephrine", [0.1]),
                ("norepinephrine", [0.1]),
            ]:
                u = rng.random()
                if u < 0.12:
                    r[col] = NAN
                elif u < 0.6:
                    r[col] = 0.0
                else:
                    step = 0.01 if cuts[0] < 1 else 0.1
                    r[col] = boundary_value(rng, cuts, [step])
            for col in ["ventilated", "bleeding", "organ_failure"]:
                r[col] = flag(0.12)
            # Platelets: around the cut-offs, or an exact 30% / 50% fall from the day before.
            u = rng.random()
            if u < 0.1:
                plt = NAN
            elif u < 0.35 and not np.isnan(prev_plt) and prev_plt > 0:
                frac = Fraction(7, 10) if rng.random() < 0.5 else Fraction(1, 2)
                k = rng.integers(-1, 2)  # exactly at the fall cut-off, or one step either side
                exact = Fraction(str(prev_plt)) * frac + Fraction(int(k), 100)
                plt = float(round(exact, 2))
            elif u < 0.45:
                plt = round(float(rng.uniform(100, 400)), 1)
            else:
                plt = boundary_value(rng, PLATELET_CUTS, [0.1, 1.0])
            r["platelets"] = plt
            rows.append(r)
            prev_plt = plt
            day += 1 if rng.random() < 0.9 else 2  # occasional unrecorded day
    return pd.DataFrame(rows), patients


# ----------------------------------------------------------------------------- items

GRID = [0.0] + [float(1.2**k) for k in range(0, 75)]  # 1 .. ~8.6e5, ratio 1.2

CANDIDATES = {
    "temperature": [35.0, 37.0, 39.0],
    "heart_rate": [80.0, 100.0],
    "resp_rate": [15.0, 25.0],
    "paco2": [30.0, 40.0],
    "wbc": [2.0, 8.0, 15.0],
    "immature_pct": [5.0, 15.0],
    "pao2_fio2": [50.0, 150.0, 250.0, 350.0, 450.0],
    "ventilated": [0.0, 1.0],
    "platelets": GRID,
    "prev_platelets": GRID,
    "bilirubin": [0.5, 1.5, 3.0, 8.0, 15.0],
    "map": [60.0, 80.0],
    "dopamine": [0.0, 3.0, 10.0, 20.0],
    "dobutamine": [0.0, 5.0],
    "epinephrine": [0.0, 0.05, 0.5],
    "norepinephrine": [0.0, 0.05, 0.5],
    "gcs": [3.0, 8.0, 11.0, 14.0, 15.0],
    "creatinine": [0.5, 1.5, 3.0, 4.0, 6.0],
    "urine_output": [100.0, 300.0, 1000.0],
    "pt_inr": [1.0, 1.3, 1.5],
    "pt_ratio": [1.0, 1.22, 1.3, 1.8],
    "pt_sec_prolongation": [1.0, 4.0, 7.0],
    "fibrinogen": [50.0, 120.0, 200.0],
    "fdp": [5.0, 15.0, 22.0, 30.0, 50.0],
    "d_dimer": [0.1, 1.5, 3.0, 10.0],
    "antithrombin": [50.0, 90.0],
    "tat_x_uln": [1.0, 3.0],
    "bleeding": [0.0, 1.0],
    "organ_failure": [0.0, 1.0],
    "liver_failure": [0.0, 1.0],
}

# "Not met" values for the observed-suffices choice.
NOT_MET = {
    "resp_rate": 10.0,
    "paco2": 40.0,
    "wbc": 8.0,
    "immature_pct": 0.0,
    "map": 90.0,
    "dopamine": 0.0,
    "dobutamine": 0.0,
    "epinephrine": 0.0,
    "norepinephrine": 0.0,
    "creatinine": 0.5,
    "urine_output": 2000.0,
}
ALTERNATIVE_GROUPS = [
    ["resp_rate", "paco2"],
    ["wbc", "immature_pct"],
    ["map", "dopamine", "dobutamine", "epinephrine", "norepinephrine"],
    ["creatinine", "urine_output"],
]


class Achievable:
    """Per-row set of achievable integer points: a boolean matrix over [lo, lo + width)."""

    def __init__(self, lo, mat):
        self.lo, self.mat = lo, mat

    def values(self):
        return range(self.lo, self.lo + self.mat.shape[1])

    def __add__(self, other):
        n = self.mat.shape[0]
        w = self.mat.shape[1] + other.mat.shape[1] - 1
        out = np.zeros((n, w), dtype=bool)
        for i in range(self.mat.shape[1]):
            for j in range(other.mat.shape[1]):
                out[:, i + j] |= self.mat[:, i] & other.mat[:, j]
        return Achievable(self.lo + other.lo, out)

    def map(self, f):
        vals = [f(v) for v in self.values()]
        lo, hi = min(vals), max(vals)
        out = np.zeros((self.mat.shape[0], hi - lo + 1), dtype=bool)
        for k, v in enumerate(vals):
            out[:, v - lo] |= self.mat[:, k]
        return Achievable(lo, out)

    def union(self, other, use_other):
        """Row-wise union with `other` on rows where use_other is true."""
        lo = min(self.lo, other.lo)
        hi = max(self.lo + self.mat.shape[1], other.lo + other.mat.shape[1])
        out = np.zeros((self.mat.shape[0], hi - lo), dtype=bool)
        out[:, self.lo - lo : self.lo - lo + self.mat.shape[1]] |= self.mat
        o = other.mat & use_other[:, None]
        out[:, other.lo - lo : other.lo - lo + other.mat.shape[1]] |= o
        return Achievable(lo, out)

    def min(self):
        return np.array([self.lo + np.flatnonzero(r)[0] for r in self.mat])

    def max(self):
        return np.array([self.lo + np.flatnonzero(r)[-1] for r in self.mat])


def enumerate_item(fn, data, inputs, lo, hi):
    """Achievable points of item `fn` over every imputation of the missing `inputs`."""
    n = len(data["day"])
    mat = np.zeros((n, hi - lo + 1), dtype=bool)
    rows = np.arange(n)
    for combo in itertools.product(*[CANDIDATES[k] for k in inputs]):
        sub = dict(data)
        for k, c in zip(inputs, combo):
            x = data[k]
            sub[k] = np.where(np.isnan(x), c, x)
        pts = np.asarray(fn(sub), dtype=np.int64)
        assert pts.min() >= lo and pts.max() <= hi, (fn.__name__, pts.min(), pts.max())
        mat[rows, pts - lo] = True
    return Achievable(lo, mat)


def fall_classes(d, large_inclusive):
    """(fall >= 30%, large fall) from today's and the previous day's platelets. Exact for the
    recorded pairs (decimal fractions), floating point for imputed grid values."""
    cur, ref = d["platelets"], d["prev_platelets"]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(ref > 0, (ref - cur) / ref, 0.0)
    ge30 = frac >= 0.3
    large = frac >= 0.5 if large_inclusive else frac > 0.5
    exact = d["_exact_fall"]  # 0 < 30%, 1 in [30%, 50%), 2 == 50%, 3 > 50%; -1 unknown
    ok = exact >= 0
    ge30 = np.where(ok, exact >= 1, ge30)
    large = np.where(ok, (exact >= 2) if large_inclusive else (exact >= 3), large)
    first = d["_first"]
    return ge30 & ~first, large & ~first


# --- SIRS (Bone 1992)
def sirs_temperature(d):
    return (d["temperature"] > 38) | (d["temperature"] < 36)


def sirs_heart_rate(d):
    return d["heart_rate"] > 90


def sirs_respiration(d):
    return (d["resp_rate"] > 20) | (d["paco2"] < 32)


def sirs_white_cells(d):
    return (d["wbc"] > 12) | (d["wbc"] < 4) | (d["immature_pct"] > 10)


# --- SOFA (Vincent 1996)
def sofa_respiration(d):
    pf, v = d["pao2_fio2"], d["ventilated"] == 1
    return np.select(
        [(pf < 100) & v, (pf < 200) & v, pf < 300, pf < 400], [4, 3, 2, 1], 0
    )


def sofa_coagulation(d):
    p = d["platelets"]
    return np.select([p < 20, p < 50, p < 100, p < 150], [4, 3, 2, 1], 0)


def sofa_liver(d):
    b = d["bilirubin"]
    return np.select([b >= 12, b >= 6, b >= 2, b >= 1.2], [4, 3, 2, 1], 0)


def sofa_cardiovascular(d):
    dop, dob = d["dopamine"], d["dobutamine"]
    epi, ne = d["epinephrine"], d["norepinephrine"]
    return np.select(
        [
            (dop > 15) | (epi > 0.1) | (ne > 0.1),
            (dop > 5) | ((epi > 0) & (epi <= 0.1)) | ((ne > 0) & (ne <= 0.1)),
            ((dop > 0) & (dop <= 5)) | (dob > 0),
            d["map"] < 70,
        ],
        [4, 3, 2, 1],
        0,
    )


def sofa_cns(d):
    # Bands 13-14, 10-12, 6-9, < 6 of an integer scale, read as [13, 15), [10, 13), [6, 10).
    g = d["gcs"]
    return np.select([g < 6, g < 10, g < 13, g < 15], [4, 3, 2, 1], 0)


def sofa_renal(d):
    c, u = d["creatinine"], d["urine_output"]
    return np.select(
        [(c >= 5) | (u < 200), (c >= 3.5) | (u < 500), c >= 2, c >= 1.2], [4, 3, 2, 1], 0
    )


# --- JAAM (Gando 2006)
def make_jaam_platelets(large_inclusive):
    def jaam_platelets(d):
        ge30, large = fall_classes(d, large_inclusive)
        p = d["platelets"]
        return np.select([(p < 80) | large, (p < 120) | ge30], [3, 1], 0)

    return jaam_platelets


def jaam_pt(d):
    return np.where(d["pt_ratio"] >= 1.2, 1, 0)


def jaam_fdp(d):
    f = d["fdp"]
    return np.select([f >= 25, f >= 10], [3, 1], 0)


# --- ISTH overt (Taylor 2001)
def isth_platelets(d):
    p = d["platelets"]
    return np.select([p < 50, p < 100], [2, 1], 0)


def make_isth_marker(preset, uln):
    def isth_marker(d):
        if preset == "fdp-jp":
            f = d["fdp"]
            return np.select([f >= 25, f >= 10], [3, 2], 0)
        x = d["d_dimer"]
        return np.select([x > 4 * uln, x >= 2 * uln], [3, 2], 0)

    return isth_marker


def isth_pt(d):
    s = d["pt_sec_prolongation"]
    return np.select([s >= 6, s >= 3], [2, 1], 0)


def isth_fibrinogen(d):
    return np.where(d["fibrinogen"] < 100, 1, 0)


# --- SIC (Iba 2017)
def sic_pt(d):
    i = d["pt_inr"]
    return np.select([i > 1.4, i > 1.2], [2, 1], 0)


def sic_platelets(d):
    p = d["platelets"]
    return np.select([p < 100, p < 150], [2, 1], 0)


# --- JMHW (Kobayashi 1983)
def jmhw_flag(col):
    def f(d):
        return np.where(d[col] == 1, 1, 0)

    f.__name__ = "jmhw_" + col
    return f


def jmhw_platelets(d):
    p = d["platelets"]
    return np.select([p <= 50, p <= 80, p <= 120], [3, 2, 1], 0)


def fdp_10_20_40(d):
    f = d["fdp"]
    return np.select([f >= 40, f >= 20, f >= 10], [3, 2, 1], 0)


def jmhw_fibrinogen(d):
    f = d["fibrinogen"]
    return np.select([f <= 100, f <= 150], [2, 1], 0)


def pt_ratio_125_167(d):
    r = d["pt_ratio"]
    return np.select([r >= 1.67, r >= 1.25], [2, 1], 0)


# --- JSTH 2017 infectious type (Asakura 2017, Table 1)
def jsth_platelets(d):
    ge30, _ = fall_classes(d, False)
    p = d["platelets"]
    base = np.select([p <= 50, p <= 80, p <= 120], [3, 2, 1], 0)
    plus = np.where((p > 50) & ge30, 1, 0)
    return np.minimum(base + plus, 3)


def jsth_antithrombin(d):
    return np.where(d["antithrombin"] <= 70, 1, 0)


def jsth_tat(d):
    return np.where(d["tat_x_uln"] >= 2, 1, 0)


def jsth_liver(d):
    return np.where(d["liver_failure"] == 1, -3, 0)


# ----------------------------------------------------------------------------- scores


def dx_threshold(total, thr):
    vals = list(total.values())
    pos_any = np.zeros(total.mat.shape[0], dtype=bool)
    neg_any = np.zeros(total.mat.shape[0], dtype=bool)
    for k, v in enumerate(vals):
        if v >= thr:
            pos_any |= total.mat[:, k]
        else:
            neg_any |= total.mat[:, k]
    return np.where(pos_any & ~neg_any, "positive", np.where(neg_any & ~pos_any, "negative", "indeterminate"))


def compute(df, patients, config):
    flags = ("patient", "day", "ventilated", "bleeding", "organ_failure")
    d = {c: df[c].to_numpy(dtype=float) for c in df.columns if c not in flags}
    d["day"] = df["day"].to_numpy()
    pid = df["patient"].to_numpy()
    for col in ["ventilated", "bleeding", "organ_failure"]:
        d[col] = np.array([NAN if v is None else float(v) for v in df[col]], dtype=float)
    hm = np.array([patients["haematological_malignancy"][p] for p in pid], dtype=object)
    d["liver_failure"] = np.array(
        [NAN if patients["liver_failure"][p] is None else float(patients["liver_failure"][p]) for p in pid]
    )
    # Previous calendar day's platelets: first recorded day -> no fall; gap -> unknown.
    first = np.r_[True, pid[1:] != pid[:-1]]
    consecutive = np.r_[False, (pid[1:] == pid[:-1]) & (d["day"][1:] == d["day"][:-1] + 1)]
    prev = np.r_[NAN, d["platelets"][:-1]]
    d["prev_platelets"] = np.where(consecutive, prev, NAN)
    d["_first"] = first
    exact = np.full(len(pid), -1)
    for i in range(len(pid)):
        c, r = d["platelets"][i], d["prev_platelets"][i]
        if first[i] or np.isnan(c) or np.isnan(r):
            continue
        C, R = Fraction(repr(float(c))), Fraction(repr(float(r)))
        if R <= 0:
            exact[i] = 0
            continue
        f = (R - C) / R
        exact[i] = 3 if f > Fraction(1, 2) else 2 if f == Fraction(1, 2) else 1 if f >= Fraction(3, 10) else 0
    d["_exact_fall"] = exact
    # First day: the previous value plays no role; give it a value so it is not enumerated.
    d["prev_platelets"] = np.where(first, 1.0, d["prev_platelets"])

    if config["alternatives"] == "observed-suffices":
        for group in ALTERNATIVE_GROUPS:
            any_obs = np.zeros(len(pid), dtype=bool)
            for k in group:
                any_obs |= ~np.isnan(d[k])
            for k in group:
                d[k] = np.where(np.isnan(d[k]) & any_obs, NOT_MET[k], d[k])

    large_incl = config["jaam_fall_50"] == "scores-three"
    marker = config["isth_marker"]
    E = lambda fn, inputs, lo, hi: enumerate_item(fn, d, inputs, lo, hi)

    sirs = (
        E(sirs_temperature, ["temperature"], 0, 1)
        + E(sirs_heart_rate, ["heart_rate"], 0, 1)
        + E(sirs_respiration, ["resp_rate", "paco2"], 0, 1)
        + E(sirs_white_cells, ["wbc", "immature_pct"], 0, 1)
    )
    resp = E(sofa_respiration, ["pao2_fio2", "ventilated"], 0, 4)
    cardio = E(
        sofa_cardiovascular, ["map", "dopamine", "dobutamine", "epinephrine", "norepinephrine"], 0, 4
    )
    liver = E(sofa_liver, ["bilirubin"], 0, 4)
    renal = E(sofa_renal, ["creatinine", "urine_output"], 0, 4)
    sofa4 = resp + cardio + liver + renal
    sofa = sofa4 + E(sofa_coagulation, ["platelets"], 0, 4) + E(sofa_cns, ["gcs"], 0, 4)

    plt_fall = ["platelets", "prev_platelets"]
    jaam_plt = E(make_jaam_platelets(large_incl), plt_fall, 0, 3)
    jaam_rest = E(jaam_pt, ["pt_ratio"], 0, 1) + E(jaam_fdp, ["fdp"], 0, 3)
    jaam2 = jaam_plt + jaam_rest
    jaam = sirs.map(lambda s: 1 if s >= 3 else 0) + jaam2

    isth_marker = make_isth_marker(marker["preset"], marker.get("uln"))
    isth = (
        E(isth_platelets, ["platelets"], 0, 2)
        + E(isth_marker, ["fdp", "d_dimer"], 0, 3)
        + E(isth_pt, ["pt_sec_prolongation"], 0, 2)
        + E(isth_fibrinogen, ["fibrinogen"], 0, 1)
    )

    sic_a = E(sic_pt, ["pt_inr"], 0, 2)
    sic_b = E(sic_platelets, ["platelets"], 0, 2)
    sic_c = sofa4.map(lambda s: min(s, 2))
    sic = sic_a + sic_b + sic_c
    pos_any = np.zeros(len(pid), dtype=bool)
    neg_any = np.zeros(len(pid), dtype=bool)
    for (i, a), (j, b), (k, c) in itertools.product(
        enumerate(sic_a.values()), enumerate(sic_b.values()), enumerate(sic_c.values())
    ):
        ok = sic_a.mat[:, i] & sic_b.mat[:, j] & sic_c.mat[:, k]
        if a + b + c >= 4 and a + b > 2:
            pos_any |= ok
        else:
            neg_any |= ok
    sic_dx = np.where(pos_any & ~neg_any, "positive", np.where(neg_any & ~pos_any, "negative", "indeterminate"))

    # JMHW: underlying disease always 1; haematological malignancy drops bleeding and platelets
    # and lowers the threshold to 4. Missing flag: both readings.
    underlying = Achievable(1, np.ones((len(pid), 1), dtype=bool))
    common = (
        underlying
        + E(jmhw_flag("organ_failure"), ["organ_failure"], 0, 1)
        + E(fdp_10_20_40, ["fdp"], 0, 3)
        + E(jmhw_fibrinogen, ["fibrinogen"], 0, 2)
        + E(pt_ratio_125_167, ["pt_ratio"], 0, 2)
    )
    not_hm = common + E(jmhw_flag("bleeding"), ["bleeding"], 0, 1) + E(jmhw_platelets, ["platelets"], 0, 3)
    can_hm = np.array([h is None or h is True for h in hm])
    can_not = np.array([h is None or h is False for h in hm])
    dx_hm = dx_threshold(common, 4)
    dx_not = dx_threshold(not_hm, 7)
    jm_dx = np.where(
        can_hm & can_not,
        np.where(dx_hm == dx_not, dx_hm, "indeterminate"),
        np.where(can_hm, dx_hm, dx_not),
    )
    empty = Achievable(not_hm.lo, np.zeros_like(not_hm.mat))
    jm = empty.union(not_hm, can_not).union(common, can_hm)

    jsth = (
        E(jsth_platelets, plt_fall, 0, 3)
        + E(fdp_10_20_40, ["fdp"], 0, 3)
        + E(pt_ratio_125_167, ["pt_ratio"], 0, 2)
        + E(jsth_antithrombin, ["antithrombin"], 0, 1)
        + E(jsth_tat, ["tat_x_uln"], 0, 1)
        + E(jsth_liver, ["liver_failure"], -3, 0)
    )

    out = {}
    for name, tot, dx in [
        ("sirs", sirs, None),
        ("sofa", sofa, None),
        ("sofa4", sofa4, None),
        ("jaam", jaam, dx_threshold(jaam, 4)),
        ("jaam2", jaam2, dx_threshold(jaam2, 3)),
        ("isth", isth, dx_threshold(isth, 5)),
        ("sic", sic, sic_dx),
        ("jmhw", jm, jm_dx),
        ("jsth", jsth, dx_threshold(jsth, 5)),
    ]:
        entry = {"min": tot.min().tolist(), "max": tot.max().tolist()}
        if dx is not None:
            entry["dx"] = list(map(str, dx))
        out[name] = entry
    return out


CONFIGS = [
    {
        "isth_marker": {"preset": "fdp-jp"},
        "fall_reference": "highest-previous24h",
        "jaam_fall_50": "scores-one",
        "alternatives": "bounds",
    },
    {
        "isth_marker": {"preset": "ddimer-uln", "uln": 0.5},
        "fall_reference": "closest24h-earlier",
        "jaam_fall_50": "scores-three",
        "alternatives": "observed-suffices",
    },
]


def main():
    rng = np.random.default_rng(SEED)
    df, patients = make_cohort(rng)
    num = lambda xs: [None if (isinstance(x, float) and np.isnan(x)) else x for x in xs]
    days = {"patient": df["patient"].tolist(), "day": df["day"].tolist()}
    for c in df.columns:
        if c in ("patient", "day"):
            continue
        vals = df[c].tolist()
        days[c] = [None if v is None else (bool(v) if isinstance(v, bool) else v) for v in num(vals)]
    expected = [{"config": cfg, "scores": compute(df, patients, cfg)} for cfg in CONFIGS]
    fixture = {
        "generator": "tests/reference/score_reference.py",
        "seed": SEED,
        "n_rows": len(df),
        "patients": patients,
        "days": days,
        "expected": expected,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "score_reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    for e in expected:
        counts = {k: pd.Series(v["dx"]).value_counts().to_dict() for k, v in e["scores"].items() if "dx" in v}
        print(e["config"]["alternatives"], counts)
    print(f"wrote {path}: {len(df)} rows")


if __name__ == "__main__":
    main()
