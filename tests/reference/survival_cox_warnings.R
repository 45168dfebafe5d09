#!/usr/bin/env Rscript
# R's "Loglik converged before variable j; coefficient may be infinite" warning is a WARNING:
# coxph still returns the fit. It fires for true separation (the coefficient diverges) and also,
# spuriously, for a coefficient close to 0 whose first Newton step already meets the convergence
# rule (an exposure with a null effect and ~15% prevalence). This script writes both kinds of
# case, with R's fit and its warning, for `dicohort::stats::cox` (which returns the fit, copies
# the warning and flags only the diverging coefficient).
# The null data sets were found by searching seeds of the simulation below for R's warning.
# Regenerate (from the repository root):  Rscript tests/reference/survival_cox_warnings.R
# Writes tests/reference/fixtures/cox_warnings.json.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
num <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NA; x }
vec <- function(x) I(num(x))

null_data <- function(seed) {
  set.seed(seed)
  n <- 2000
  z <- rnorm(n)
  ps <- plogis(-1.9 + 0.8 * z)
  x <- rbinom(n, 1, ps)
  t <- pmin(ceiling(rexp(n, 0.01 * exp(0.6 * z))), 25)
  ev <- as.integer(t < 25)
  w <- ifelse(x == 1, mean(x) / ps, (1 - mean(x)) / (1 - ps))
  q <- cut(ps, quantile(ps, 0:5 / 5), include.lowest = TRUE, labels = FALSE)
  data.frame(time = t, event = ev, x = x, w = w, q = q)
}

fit_case <- function(name, df, formula, weights = NULL, robust = FALSE, strata = FALSE) {
  warn <- character(0)
  args <- list(formula = formula, data = df, robust = robust)
  if (!is.null(weights)) args$weights <- df[[weights]]
  fit <- withCallingHandlers(do.call(coxph, args),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  naive <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  data <- list(time = vec(df$time), event = I(as.integer(df$event)), x = list(vec(df$x)))
  if (!is.null(weights)) data$weights <- vec(df[[weights]])
  if (strata) data$strata <- I(as.integer(df$q))
  list(name = name, robust = robust, data = data,
       expected = list(coef = vec(coef(fit)), hr = vec(exp(coef(fit))), se = vec(sqrt(diag(naive))),
                       robust_se = if (robust) vec(sqrt(diag(fit$var))) else NULL,
                       loglik = vec(fit$loglik), iter = fit$iter, warnings = I(warn)))
}

cases <- list(
  # IPTW (stabilised ATE weights from the true score), robust variance: R HR 1.000289, 1 iteration.
  fit_case("weighted_robust_null", null_data(327), Surv(time, event) ~ x, weights = "w", robust = TRUE),
  # Cox stratified by score quintiles, model-based variance: R HR 1.000132, 1 iteration.
  fit_case("strata_null", null_data(27), Surv(time, event) ~ x + strata(q), strata = TRUE),
  # True separation: every event in the exposed group (R: 19 iterations, coefficient 19.8, the
  # log-likelihood converged toward its supremum).
  fit_case("separated", local({
    set.seed(14); n <- 40; x <- rep(0:1, each = 20); t <- round(rexp(n), 3)
    data.frame(time = t, event = ifelse(x == 1, rbinom(n, 1, 0.7), 0), x = x)
  }), Surv(time, event) ~ x)
)
path <- file.path(outdir, "cox_warnings.json")
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
cat("wrote", path, "\n")
