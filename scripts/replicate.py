#!/usr/bin/env python3
"""Coverage and bias of every adjusted estimator of the default analysis, by replication.

Simulates registries under the null (true HR 1) and under an effect (true HR 0.7 in DIC, 1 in
non-DIC), runs the default analysis plan on each with a release binary (`dicohort simulate`,
`dicohort analyze`), and compares every adjusted estimate of the JAAM-DIC-on-day-1 subgroup
levels (and, under the null, of the whole landmark population) with the planted truth that
`simulate` writes to truth.json:

  estimator                      its truth (truth.json)
  iptw, ps_strata_weighted       marginal_hazard_ratio (ATE: whole landmark population)
  overlap                        marginal_hazard_ratio_overlap (ATO)
  matching_weights, ps_matched   marginal_hazard_ratio_matching (ATM; 1:1 matching approximately)
  covariate_adjusted,            true_hazard_ratio (the planted conditional HR; conditional on the
  iptw_adjusted                  measured covariates, not on the latent severity, so under an
                                 effect it is only approximately the target)
  ps_stratified                  marginal_hazard_ratio (the labelled J-Septic quintile
                                 replication: residually confounded, never the answer)
  unadjusted                     marginal_hazard_ratio (crude, shown as the bias to remove)
  g_formula, iptw_km             marginal_risk difference (risk difference at the horizon)

Prints, per scenario, population and estimator: replicates, coverage of the truth by the 95%
interval, mean bias (log HR, or risk difference) with its Monte Carlo standard error, and the
empirical SD of the estimates. Per-replicate rows go to OUT/replicates.csv, so a run can be
resumed (replicates already there are not run again) and the summary recomputed with
--summary-only.

Usage (release binary; about 15 s per replicate of 20,000 patients on one core):
  cargo build --release
  python3 scripts/replicate.py --bin target/release/dicohort --reps 50 --patients 20000 \\
      --out /tmp/replicate
"""

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed

HR_TRUTH = {
    "unadjusted": "marginal_hazard_ratio",
    "covariate_adjusted": "true_hazard_ratio",
    "iptw": "marginal_hazard_ratio",
    "iptw_adjusted": "true_hazard_ratio",
    "overlap": "marginal_hazard_ratio_overlap",
    "matching_weights": "marginal_hazard_ratio_matching",
    "ps_matched": "marginal_hazard_ratio_matching",
    "ps_strata_weighted": "marginal_hazard_ratio",
    "ps_stratified": "marginal_hazard_ratio",
}
RD_METHODS = ("g_formula", "iptw_km")
ORDER = [
    "iptw",
    "overlap",
    "matching_weights",
    "ps_matched",
    "ps_strata_weighted",
    "covariate_adjusted",
    "iptw_adjusted",
    "g_formula",
    "iptw_km",
    "ps_stratified",
    "unadjusted",
]
LABEL = {
    "iptw": "IPTW Cox (ATE)",
    "overlap": "overlap-weighted Cox (ATO)",
    "matching_weights": "matching-weighted Cox (ATM)",
    "ps_matched": "1:1 PS-matched Cox",
    "ps_strata_weighted": "PS strata (MMWS, 20 strata)",
    "covariate_adjusted": "covariate-adjusted Cox",
    "iptw_adjusted": "IPTW + covariates (doubly robust)",
    "g_formula": "g-formula risk difference",
    "iptw_km": "IPTW Kaplan-Meier risk difference",
    "ps_stratified": "PS quintiles (J-Septic replication)",
    "unadjusted": "crude Cox (not adjusted)",
}
SUBGROUP = "JAAM DIC on day 1"
LEVELS = {"DIC": "dic", "no DIC": "non_dic"}
FIELDS = [
    "scenario", "seed", "population", "method", "estimate", "lower", "upper", "truth", "scale",
]


def truth_value(truth, key, group):
    """The planted truth of one estimator in one group ('dic' / 'non_dic')."""
    if key == "true_hazard_ratio":
        return truth[key][group]
    return truth[key][group + "_as_decided_in_data"]


def one_replicate(args, scenario, hr, seed):
    """Simulate, analyse and return the comparison rows of one registry."""
    work = tempfile.mkdtemp(prefix="dicohort-rep-", dir=args.tmp)
    try:
        sim = os.path.join(work, "registry")
        subprocess.run(
            [args.bin, "simulate", "--patients", str(args.patients), "--seed", str(seed),
             "--out", sim, "--true-hr", str(hr),
             "--effect-from-day", str(args.effect_from_day)],
            check=True, stdout=subprocess.DEVNULL)
        plan = os.path.join(work, "plan.toml")
        with open(plan, "w") as f:
            f.write('[cohort]\npath = "registry"\n')
        out = os.path.join(work, "out")
        subprocess.run([args.bin, "analyze", plan, "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(sim, "truth.json")) as f:
            truth = json.load(f)
        rows = []
        with open(os.path.join(out, "results", "estimates.csv")) as f:
            for r in csv.DictReader(f):
                if r["design"] != "landmark" or r["method"] not in HR_TRUTH:
                    continue
                pop = population(r, scenario)
                if pop is None:
                    continue
                t = 1.0 if pop == "all" else truth_value(truth, HR_TRUTH[r["method"]],
                                                         LEVELS[r["level"]])
                rows.append(row(scenario, seed, pop, r["method"], r["hr"], r["lower"],
                                r["upper"], t, "log_hr"))
        with open(os.path.join(out, "results", "risks.csv")) as f:
            for r in csv.DictReader(f):
                if r["design"] != "landmark" or r["method"] not in RD_METHODS:
                    continue
                pop = population(r, scenario)
                if pop is None:
                    continue
                t = 0.0 if pop == "all" else truth["marginal_risk"][
                    LEVELS[r["level"]] + "_as_decided_in_data"]["difference"]
                rows.append(row(scenario, seed, pop, r["method"], r["risk_difference"],
                                r["rd_lower"], r["rd_upper"], t, "rd"))
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def population(r, scenario):
    if r["subgroup"] == SUBGROUP and r["level"] in LEVELS:
        return r["level"]
    if r["subgroup"] == "" and r["level"] == "all" and scenario == "null":
        return "all"  # the whole population's truth is known only under the null
    return None


def row(scenario, seed, pop, method, est, lo, hi, truth, scale):
    return {"scenario": scenario, "seed": seed, "population": pop, "method": method,
            "estimate": est, "lower": lo, "upper": hi, "truth": repr(truth), "scale": scale}


def summarise(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["scenario"], r["population"], r["method"]), []).append(r)
    scen_order = {"null": 0, "effect": 1}
    pop_order = {"all": 0, "DIC": 1, "no DIC": 2}
    keys = sorted(groups, key=lambda k: (scen_order.get(k[0], 9), pop_order.get(k[1], 9),
                                         ORDER.index(k[2]) if k[2] in ORDER else 99))
    print(f"{'scenario':8} {'population':10} {'estimator':38} {'reps':>4} {'cover':>7} "
          f"{'mean bias (MCSE)':>19} {'emp SD':>7} {'truth':>8}")
    last = None
    for k in keys:
        g = groups[k]
        if last is not None and last != k[:2]:
            print()
        last = k[:2]
        rd = g[0]["scale"] == "rd"
        bias, cover, truths = [], 0, []
        for r in g:
            est, lo, hi, t = (float(r[c]) for c in ("estimate", "lower", "upper", "truth"))
            truths.append(t)
            if rd:
                bias.append(est - t)
            else:
                bias.append(math.log(est) - math.log(t))
            cover += lo <= t <= hi
        n = len(bias)
        mean = sum(bias) / n
        sd = math.sqrt(sum((b - mean) ** 2 for b in bias) / (n - 1)) if n > 1 else float("nan")
        what = "RD" if rd else "log HR"
        tr = sum(truths) / n
        print(f"{k[0]:8} {k[1]:10} {LABEL.get(k[2], k[2]):38} {n:4d} {cover / n:7.1%} "
              f"{mean:+9.4f} ({sd / math.sqrt(n):.4f}) {sd:7.4f} {tr:8.4f} {what}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", default="target/release/dicohort")
    p.add_argument("--reps", type=int, default=50, help="replicates per scenario")
    p.add_argument("--patients", type=int, default=20000)
    p.add_argument("--effect-hr", type=float, default=0.7)
    p.add_argument("--out", default="replicate-out")
    p.add_argument("--tmp", default=None, help="folder for the temporary registries")
    p.add_argument("--summary-only", action="store_true")
    p.add_argument("--effect-from-day", type=int, default=1,
                   help="first day the treatment acts (4: no effect before the day-3 landmark, "
                        "the check of landmark selection)")
    p.add_argument("--scenarios", default="null,effect",
                   help="which scenarios to run (comma-separated: null, effect)")
    p.add_argument("--jobs", type=int, default=1, help="replicates run at once")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "replicates.csv")
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            rows = list(csv.DictReader(f))
    if not args.summary_only:
        done = {(r["scenario"], int(r["seed"])) for r in rows}
        new = not os.path.exists(path)
        with open(path, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            if new:
                w.writeheader()
            # Null seeds 1..reps, effect seeds 100001..: distinct registries.
            wanted = set(args.scenarios.split(","))
            todo = [(scenario, hr, seed)
                    for i in range(args.reps)
                    for scenario, hr, seed in (("null", 1.0, 1 + i),
                                               ("effect", args.effect_hr, 100001 + i))
                    if scenario in wanted and (scenario, seed) not in done]
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                futures = {pool.submit(one_replicate, args, sc, hr, seed): (sc, seed)
                           for sc, hr, seed in todo}
                for fut in as_completed(futures):
                    scenario, seed = futures[fut]
                    rep = fut.result()
                    w.writerows(rep)
                    f.flush()
                    rows.extend({k: str(v) for k, v in r.items()} for r in rep)
                    print(f"{scenario} seed {seed}: {len(rep)} estimates", file=sys.stderr)
    print(f"{args.patients if not args.summary_only else ''} patients per registry; truth from "
          "truth.json; coverage of the 95% interval; bias on the log-HR scale (RD: absolute)")
    summarise(rows)


if __name__ == "__main__":
    main()
