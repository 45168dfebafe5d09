#!/usr/bin/env python3
"""Timing side of `cargo bench --bench survival` for Python lifelines (called by
benches/survival.rs).

Usage: python3 benches/survival_lifelines.py DATA.csv OUT.json REPS
Times only the computation (time.perf_counter around the calls), not start-up or reading.
CoxPHFitter handles ties by Efron's method (lifelines' only method).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import lifelines
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test



def finite(x):
    """JSON has no infinity: an undefined median (curve never below 0.5) becomes null."""
    x = float(x)
    return x if np.isfinite(x) else None


path, out_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = pd.read_csv(path)
covs = ["group", "age", "apache", "female", "lactate", "platelets"]
T = d["time"].to_numpy()
E = d["event"].to_numpy().astype(bool)
g = d["group"].to_numpy()

best_km = best_cox = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    fits = []
    for level in (0, 1):
        kmf = KaplanMeierFitter()
        kmf.fit(T[g == level], E[g == level])
        fits.append(kmf)
    lr = logrank_test(T[g == 0], T[g == 1], E[g == 0], E[g == 1])
    t1 = time.perf_counter()
    cph = CoxPHFitter()
    cph.fit(d[covs + ["time", "event"]], duration_col="time", event_col="event")
    t2 = time.perf_counter()
    best_km = min(best_km, t1 - t0)
    best_cox = min(best_cox, t2 - t1)

out = {
    "tool": "lifelines",
    "version": lifelines.__version__,
    "km_logrank_seconds": best_km,
    "cox_seconds": best_cox,
    "logrank_chisq": float(lr.test_statistic),
    "km_last_surv": [float(f.survival_function_.iloc[-1, 0]) for f in fits],
    "km_median": [finite(f.median_survival_time_) for f in fits],
    "cox_coef": [float(cph.params_[c]) for c in covs],
    "cox_se": [float(cph.standard_errors_[c]) for c in covs],
    "cox_loglik": [None, float(cph.log_likelihood_)],
}
with open(out_path, "w") as f:
    json.dump(out, f)
