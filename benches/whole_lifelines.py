#!/usr/bin/env python3
"""Whole-process side of `cargo bench --bench end_to_end` for Python lifelines: CSV in, answer
out, timed from the outside (process start to exit) by benches/end_to_end.rs.

Usage: python3 benches/whole_lifelines.py km|cox DATA.csv
  km:  pandas.read_csv, KaplanMeierFitter per group and logrank_test, printed
  cox: pandas.read_csv, CoxPHFitter on the 6 covariates (Efron ties), printed
"""
import sys

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test

task, path = sys.argv[1], sys.argv[2]
d = pd.read_csv(path)
if task == "km":
    g = d["group"]
    for level in sorted(g.unique()):
        kmf = KaplanMeierFitter()
        kmf.fit(d.loc[g == level, "time"], d.loc[g == level, "event"], label=f"group={level}")
        print(kmf.survival_function_at_times([7, 14, 28]))
    a, b = d[g == 0], d[g == 1]
    print(logrank_test(a["time"], b["time"], a["event"], b["event"]).summary)
else:
    covs = ["group", "age", "apache", "female", "lactate", "platelets"]
    cph = CoxPHFitter()
    cph.fit(d[covs + ["time", "event"]], duration_col="time", event_col="event")
    cph.print_summary()
