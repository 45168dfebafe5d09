#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::rcs` (Harrell's restricted cubic spline basis, R
# rms::rcs 6.5 / Hmisc::rcspline.eval 4.8) and `dicohort::stats::modifier` (exposure x rcs(m)
# inside a weighted, robust Cox model, survival::coxph 3.5).
# Regenerate (from the repository root):  Rscript tests/reference/stats_rcs.R
# Writes tests/reference/fixtures/rcs_basis.json (knots and basis of several data sets) and
# tests/reference/fixtures/rcs_cox_<case>.json (data, coefficients, robust variance, HR curve,
# Wald tests).
suppressPackageStartupMessages({library(survival); library(rms); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
vec <- function(x) I(as.numeric(x))
set.seed(17)

basis_case <- function(name, x, nk = NULL, knots = NULL) {
  b <- if (is.null(knots)) rcs(x, nk) else rcs(x, knots)
  list(name = name, x = vec(x), nk = if (is.null(nk)) NA else nk,
       given_knots = if (is.null(knots)) NULL else vec(knots),
       knots = vec(attr(b, "parms")),
       basis = lapply(seq_len(ncol(b)), function(j) vec(unclass(b)[, j])))
}
sofa <- pmin(pmax(round(rnorm(300, 9, 3.5)), 0), 20)
cases <- list(
  basis_case("normal_500_k4", rnorm(500, 50, 10), nk = 4),
  basis_case("normal_500_k5", rnorm(500, 50, 10), nk = 5),
  basis_case("normal_500_k3", rnorm(500), nk = 3),
  basis_case("normal_500_k7", rexp(500), nk = 7),
  basis_case("small_60_k4", runif(60, 0, 100), nk = 4),
  basis_case("sofa_300_k4", sofa, nk = 4),
  basis_case("sofa_300_k5", sofa, nk = 5),
  basis_case("zero_heavy_k4", c(rep(0, 40), round(runif(260, 0, 15), 1)), nk = 4),
  basis_case("top_heavy_k4", c(rep(20, 30), round(runif(270, 0, 19), 1)), nk = 4),
  basis_case("few_unique_k5", rep(1:6, 20), nk = 5),
  basis_case("given_knots", rnorm(200, 100, 30), knots = c(60, 90, 110, 150))
)
writeLines(toJSON(list(cases = cases), digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(outdir, "rcs_basis.json"))

cox_case <- function(case, d, nk, at, covariates = character(0), weights = TRUE, ties = "efron") {
  rhs <- paste(c(sprintf("x * rcs(m, %d)", nk), covariates), collapse = " + ")
  f <- as.formula(paste("Surv(time, status) ~", rhs))
  fit <- if (weights) coxph(f, data = d, weights = w, robust = TRUE, ties = ties)
         else coxph(f, data = d, robust = TRUE, ties = ties)
  b <- coef(fit); V <- vcov(fit); nm <- names(b)
  knots <- attr(rcs(d$m, nk), "parms")
  ix <- grep("^x:", nm); ix_nl <- ix[-1]
  bas <- rcspline.eval(at, knots = knots, inclx = TRUE)
  L <- matrix(0, length(at), length(b)); L[, 1] <- 1; L[, ix] <- bas
  lhr <- drop(L %*% b); se <- sqrt(diag(L %*% V %*% t(L)))
  wald <- function(idx) { s <- drop(t(b[idx]) %*% solve(V[idx, idx], b[idx]))
    list(statistic = s, df = length(idx), p = pchisq(s, length(idx), lower.tail = FALSE)) }
  out <- list(case = case, nk = nk, ties = ties, covariates = I(covariates),
              data = list(time = vec(d$time), status = I(as.integer(d$status)), x = vec(d$x),
                          m = vec(d$m), w = if (weights) vec(d$w) else NULL,
                          z = lapply(covariates, function(v) vec(d[[v]]))),
              knots = vec(knots), names = I(nm), coef = vec(b),
              se = vec(sqrt(diag(fit$naive.var))), robust_se = vec(sqrt(diag(V))),
              var = vec(V),
              at = vec(at), log_hr = vec(lhr), se_log_hr = vec(se), hr = vec(exp(lhr)),
              lower = vec(exp(lhr - qnorm(0.975) * se)), upper = vec(exp(lhr + qnorm(0.975) * se)),
              effect_modification = wald(ix), nonlinear_modification = wald(ix_nl),
              exposure_overall = wald(c(1, ix)))
  path <- file.path(outdir, sprintf("rcs_cox_%s.json", case))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
  cat("wrote", path, "\n")
}

# 1. simulated sepsis-like cohort: HR varying smoothly with SOFA, IPTW-like weights, day ties
n <- 600
m <- pmin(pmax(round(rnorm(n, 9, 3.5)), 0), 20)
age <- round(rnorm(n, 70, 12))
x <- rbinom(n, 1, plogis(-0.5 + 0.08 * (m - 9)))
loghr <- -0.6 * plogis((m - 10) / 1.5)
rate <- 0.02 * exp(0.12 * (m - 9) + 0.02 * (age - 70) + x * loghr)
t <- rexp(n, rate); cens <- runif(n, 5, 40)
d <- data.frame(time = pmin(ceiling(t), ceiling(cens), 28), m = m, x = x, age = age)
d$status <- as.integer(t <= cens & ceiling(t) <= 28)
d$w <- ifelse(x == 1, 1 / 0.4, 1 / 0.6) * runif(n, 0.8, 1.2)
cox_case("sim_sofa_k4", d, 4, at = c(2, 5, 8, 10, 12, 15, 18), covariates = "age")
cox_case("sim_sofa_k5", d, 5, at = c(3, 7, 9, 11, 16))
cox_case("sim_sofa_k4_breslow", d, 4, at = c(4, 9, 14), ties = "breslow")
# 2. lung: sex as the exposure, age as the modifier, unweighted, robust
l <- na.omit(lung[, c("time", "status", "sex", "age")])
d2 <- data.frame(time = l$time, status = as.integer(l$status == 2), x = as.numeric(l$sex == 2),
                 m = l$age)
cox_case("lung_age_k4", d2, 4, at = c(50, 60, 70), weights = FALSE)
