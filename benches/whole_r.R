#!/usr/bin/env Rscript
# Whole-process side of `cargo bench --bench end_to_end` for R: CSV in, answer out, timed from
# the outside (process start to exit) by benches/end_to_end.rs.
# Usage: Rscript benches/whole_r.R km|cox|read DATA.csv
#   km:   data.table::fread, survfit(Surv(time, event) ~ group) and survdiff, printed
#   cox:  fread, coxph(Surv(time, event) ~ 6 covariates, ties = "efron"), printed
#   read: fread alone; prints the seconds fread took (system.time) on the last line
suppressPackageStartupMessages({library(data.table); library(survival)})
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]
if (task == "read") {
  t <- system.time(d <- fread(args[2]))[["elapsed"]]
  cat(nrow(d), "rows\n", t, "\n", sep = "")
  quit(status = 0)
}
d <- fread(args[2])
if (task == "km") {
  fit <- survfit(Surv(time, event) ~ group, data = d)
  print(summary(fit, times = c(7, 14, 28)))
  print(survdiff(Surv(time, event) ~ group, data = d))
} else {
  fit <- coxph(Surv(time, event) ~ group + age + apache + female + lactate + platelets,
               data = d, ties = "efron")
  print(summary(fit))
}
