#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::rubin::pool_scalar`: Rubin's rules with Barnard-Rubin
# degrees of freedom as R mice 3.15 computes them. Each case stores the per-imputation estimates
# and variances that went into mice, and what `pool()` (through `summary(..., type = "all",
# conf.int = TRUE)`) or `pool.scalar()` returned, so the Rust side pools the same numbers.
# Cases: a linear lm on mice's nhanes2 (m = 7, dfcom = df.residual, 90% intervals), a logistic
# glm and a coxph on lung (m = 5; dfcom = events - p, and Inf), pool.scalar with n and k, between-imputation variance 0 (lambda
# floored in df) and a tiny dfcom.
# Regenerate (from the repository root):  Rscript tests/reference/mice_rubin.R
# Writes tests/reference/fixtures/mice_rubin.json.
suppressPackageStartupMessages({library(mice); library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")

from_mira <- function(fit, dfcom = NULL, level = 0.95) {
  est <- summary(fit$analyses[[1]]) # force evaluation
  terms <- names(coef(fit$analyses[[1]]))
  Q <- sapply(fit$analyses, coef)
  U <- sapply(fit$analyses, function(a) diag(vcov(a)))
  if (is.null(dim(Q))) { Q <- matrix(Q, nrow = 1); U <- matrix(U, nrow = 1) }
  p <- summary(pool(fit, dfcom = dfcom), type = "all", conf.int = TRUE, conf.level = level)
  lapply(seq_along(terms), function(i) list(
    term = terms[i], estimates = I(unname(Q[i, ])), variances = I(unname(U[i, ])),
    level = level, dfcom = if (is.infinite(p$dfcom[i])) "Inf" else p$dfcom[i],
    estimate = p$estimate[i], ubar = p$ubar[i], b = p$b[i], t = p$t[i], std_error = p$std.error[i],
    df = p$df[i], riv = p$riv[i], lambda = p$lambda[i], fmi = p$fmi[i],
    statistic = p$statistic[i], p_value = p$p.value[i],
    conf_low = p[[paste0(100 * (1 - level) / 2, " %")]][i],
    conf_high = p[[paste0(100 * (1 + level) / 2, " %")]][i]))
}

imp <- mice(nhanes2, m = 7, seed = 123, printFlag = FALSE)
lm_fit <- with(imp, lm(chl ~ age + bmi))

lung2 <- lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")]
impl <- mice(lung2, m = 5, seed = 7, printFlag = FALSE)
glm_fit <- with(impl, glm(I(status == 2) ~ age + sex + ph.ecog + wt.loss, family = binomial))
cox_fit <- with(impl, coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss))

scalar_case <- function(Q, U, n, k, level = 0.95) {
  s <- pool.scalar(Q, U, n = n, k = k)
  t <- s$t; se <- sqrt(t); q <- qt((1 + level) / 2, s$df)
  list(term = "scalar", estimates = I(Q), variances = I(U), level = level,
       dfcom = if (is.infinite(n - k)) "Inf" else n - k,
       estimate = s$qbar, ubar = s$ubar, b = s$b, t = t, std_error = se, df = s$df, riv = s$r,
       lambda = (1 + 1 / s$m) * s$b / t, fmi = s$fmi, statistic = s$qbar / se,
       p_value = 2 * pt(abs(s$qbar / se), pmax(s$df, 0.001), lower.tail = FALSE),
       conf_low = s$qbar - q * se, conf_high = s$qbar + q * se)
}
set.seed(5)
Q <- rnorm(20, 0.3, 0.05); U <- rchisq(20, 30) / 30 * 0.01
cases <- c(
  lapply(from_mira(glm_fit), function(x) c(model = "glm_lung", x)),
  lapply(from_mira(lm_fit, level = 0.9), function(x) c(model = "lm_nhanes2_90", x)),
  lapply(from_mira(cox_fit), function(x) c(model = "coxph_lung", x)),
  lapply(from_mira(cox_fit, dfcom = Inf), function(x) c(model = "coxph_lung_dfcom_inf", x)),
  list(c(model = "scalar_n_k", scalar_case(Q, U, n = 120, k = 4))),
  list(c(model = "scalar_inf", scalar_case(Q, U, n = Inf, k = 1))),
  list(c(model = "scalar_b_zero", scalar_case(rep(1.5, 5), c(0.2, 0.3, 0.25, 0.2, 0.1), n = 50, k = 3))),
  list(c(model = "scalar_tiny_dfcom", scalar_case(c(0.1, 0.5, -0.2), c(0.04, 0.05, 0.03), n = 4, k = 2)))
)
writeLines(toJSON(list(mice_version = as.character(packageVersion("mice")), cases = cases),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(outdir, "mice_rubin.json"))
