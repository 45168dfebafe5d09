#!/usr/bin/env Rscript
# What R survival::coxph does with degenerate covariates, for `dicohort cox` (issue 14).
# Regenerate (from the repository root):  Rscript tests/reference/cox_sparse_level.R
# Writes tests/reference/fixtures/cox_sparse_level.json: the data (rows as the CSV holds them)
# and, per case, R's coefficients, standard errors, log-likelihoods, tests and warnings:
#   sparse_no_events   a factor level of 2 rows, both censored after every event: R warns
#                      "Loglik converged before variable 3; coefficient may be infinite" and
#                      prints the value where it stopped (about -19.7, se about 7000);
#   sparse_first_events  a level of 2 rows that are the first two events: R gives NA (the
#                      information of its dummy vanishes), no warning;
#   huge_value         one age of 1e308: R stops with "missing value where TRUE/FALSE needed";
#   scaled_1e300       age times 1e300: R gives se 0, z -Inf, p 0.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

set.seed(1)
n <- 40
base <- data.frame(time = round(rexp(n) * 10, 4), status = rbinom(n, 1, 0.7),
                   age = round(rnorm(n, 60, 10)), grp = sample(c("a", "b"), n, TRUE))
sparse <- function(time, status) {
  rbind(base, data.frame(time = time, status = status, age = c(50, 70), grp = "c"))
}
data_of <- function(d) list(time = I(d$time), status = I(d$status), age = I(d$age),
                            grp = I(d$grp))

fit_case <- function(d) {
  warnings <- character(0)
  fit <- withCallingHandlers(
    coxph(Surv(time, status) ~ age + grp, data = d),
    warning = function(w) {
      warnings <<- c(warnings, trimws(conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  s <- summary(fit)$coefficients
  list(names = I(rownames(s)), coef = I(unname(coef(fit))), se = I(unname(sqrt(diag(fit$var)))),
       p = I(unname(s[, "Pr(>|z|)"])), loglik = I(fit$loglik), iter = fit$iter,
       lr = list(statistic = 2 * diff(fit$loglik), df = sum(!is.na(coef(fit)))),
       wald = list(statistic = unname(fit$wald.test), df = sum(!is.na(coef(fit)))),
       score = list(statistic = unname(fit$score), df = sum(!is.na(coef(fit)))),
       warnings = I(warnings))
}

error_of <- function(d) {
  tryCatch({ suppressWarnings(coxph(Surv(time, status) ~ age + grp, data = d)); "" },
           error = function(e) conditionMessage(e))
}

no_events <- sparse(c(100, 101), c(0, 0))
first_events <- sparse(c(0.001, 0.002), c(1, 1))
huge <- base; huge$age[3] <- 1e308
scaled <- base; scaled$age <- scaled$age * 1e300
scaled_fit <- suppressWarnings(coxph(Surv(time, status) ~ age + grp, data = scaled))

out <- list(
  r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
  base = data_of(base),
  sparse_no_events = list(data = data_of(no_events), fit = fit_case(no_events)),
  sparse_first_events = list(data = data_of(first_events), fit = fit_case(first_events)),
  huge_value = list(row = 3, value = 1e308, r_error = error_of(huge)),
  scaled_1e300 = list(factor = 1e300, r_se = unname(sqrt(diag(scaled_fit$var)))[1],
                      r_p = unname(summary(scaled_fit)$coefficients[1, "Pr(>|z|)"])))
path <- file.path(outdir, "cox_sparse_level.json")
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
cat("wrote", path, "\n")
