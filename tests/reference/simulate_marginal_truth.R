#!/usr/bin/env Rscript
# Reference values for the simulator's marginal truth (`truth.json` `marginal_hazard_ratio`):
# R survival::coxph (Efron ties) on the pooled potential outcomes of the landmark population of
# `dicohort simulate --patients 3000 --seed 21`, one row per patient and arm (time since the end
# of day 3, death, arm), in four groups (DIC / non-DIC by the simulated day-1 JAAM, and as
# decided from the written data).
# Input: tests/reference/fixtures/simulate_counterfactual_counts.csv (group, arm, time, n, deaths),
# written by `DICOHORT_WRITE_FIXTURES=1 cargo test --test it simulate_registry::marginal_truth`.
# Regenerate (from the repository root):  Rscript tests/reference/simulate_marginal_truth.R
# Writes tests/reference/fixtures/simulate_marginal_truth.json.
suppressPackageStartupMessages({ library(survival); library(jsonlite) })
outdir <- file.path("tests", "reference", "fixtures")
counts <- read.csv(file.path(outdir, "simulate_counterfactual_counts.csv"))
groups <- c("dic", "non_dic", "dic_as_decided_in_data", "non_dic_as_decided_in_data")
hr <- list(); n <- list()
for (g in 0:3) {
  cg <- counts[counts$group == g, ]
  rows <- cg[rep(seq_len(nrow(cg)), cg$n), c("arm", "time", "n", "deaths")]
  # Within each (arm, time) cell the first `deaths` rows are deaths.
  rows$k <- ave(rows$time, rows$arm, rows$time, FUN = seq_along)
  rows$event <- as.integer(rows$k <= rows$deaths)
  fit <- coxph(Surv(time, event) ~ arm, data = rows, ties = "efron")
  hr[[groups[g + 1]]] <- unname(exp(coef(fit)))
  n[[groups[g + 1]]] <- nrow(rows) / 2
}
out <- list(
  source = sprintf("R %s, survival %s: coxph(Surv(time, event) ~ arm, ties = 'efron')",
                   getRversion(), packageVersion("survival")),
  hr = hr, n = n
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(outdir, "simulate_marginal_truth.json"))
