#!/usr/bin/env Rscript
# Timing side of `cargo bench --bench survival` for R survival (called by benches/survival.rs).
# Usage: Rscript benches/survival_r.R DATA.csv OUT.json REPS
# Times only the computation (system.time around the calls), not start-up or reading the file.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
reps <- as.integer(args[3])
covs <- c("group", "age", "apache", "female", "lactate", "platelets")
fml <- as.formula(paste("Surv(time, event) ~", paste(covs, collapse = " + ")))
best_km <- Inf; best_cox <- Inf
for (r in seq_len(reps)) {
  t_km <- system.time({
    km <- survfit(Surv(time, event) ~ group, data = d)
    lr <- survdiff(Surv(time, event) ~ group, data = d)
  })[["elapsed"]]
  t_cox <- system.time(fit <- coxph(fml, data = d, ties = "efron"))[["elapsed"]]
  best_km <- min(best_km, t_km); best_cox <- min(best_cox, t_cox)
}
sk <- summary(km)
last_surv <- sapply(split(km$surv, rep(seq_along(km$strata), km$strata)), function(s) s[length(s)])
med <- unname(summary(km)$table[, "median"])
out <- list(tool = "R survival", version = as.character(packageVersion("survival")),
            km_logrank_seconds = best_km, cox_seconds = best_cox,
            logrank_chisq = lr$chisq, logrank_observed = I(as.numeric(lr$obs)),
            logrank_expected = I(as.numeric(lr$exp)),
            km_last_surv = I(unname(last_surv)), km_median = I(med),
            cox_coef = I(unname(coef(fit))), cox_se = I(unname(sqrt(diag(fit$var)))),
            cox_loglik = I(fit$loglik), cox_iter = fit$iter)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), args[2])
