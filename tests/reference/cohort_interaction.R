#!/usr/bin/env Rscript
# Reference values for `dicohort::cohort::estimate::interaction::interaction_test`: the Wald test
# of exposure x subgroup level in a weighted Cox model stratified by level, with the robust
# variance (each patient a cluster) and clustered by site, and the few-clusters correction
# dicohort applies to the clustered one (variance x G/(G-1), F on (k-1, G-1) df; Cameron and
# Miller 2015), which R's coxph does not: the corrected values are computed here from R's
# coefficients and robust variance.
# Regenerate (from the repository root):  Rscript tests/reference/cohort_interaction.R
# Writes tests/reference/fixtures/cohort_interaction.json.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")

set.seed(20261202)
n <- 800
site <- sample(1:9, n, replace = TRUE)
level <- sample(0:2, n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
treat <- rbinom(n, 1, 0.4)
w <- round(runif(n, 0.5, 3), 3)
h <- 0.02 * exp(c(-0.4, 0.1, -0.1)[level + 1] * treat + 0.3 * (level == 2) +
                  rnorm(9, 0, 0.3)[site])
td <- ceiling(rexp(n, h))
time <- pmin(td, 28)
event <- as.integer(td <= 28)
lev <- factor(level)
x1 <- treat * (level == 1); x2 <- treat * (level == 2)

wald <- function(fit) {
  b <- coef(fit)[c("x1", "x2")]
  v <- vcov(fit)[c("x1", "x2"), c("x1", "x2")]
  drop(t(b) %*% solve(v) %*% b)
}
robust <- coxph(Surv(time, event) ~ treat + x1 + x2 + strata(lev), weights = w, robust = TRUE,
                ties = "efron")
clustered <- coxph(Surv(time, event) ~ treat + x1 + x2 + strata(lev), weights = w,
                   cluster = site, ties = "efron")
g <- length(unique(site))
w_r <- wald(robust)
w_c <- wald(clustered)
f_c <- w_c * (g - 1) / (g * 2)

out <- list(
  data = list(time = time, event = event, treat = treat, level = level, weight = w,
              site = site),
  robust = list(coef = unname(coef(robust)[c("x1", "x2")]), statistic = w_r, df = 2,
                p = pchisq(w_r, 2, lower.tail = FALSE)),
  clustered = list(coef = unname(coef(clustered)[c("x1", "x2")]), clusters = g,
                   wald_uncorrected = w_c, statistic = f_c, df = 2, df_denominator = g - 1,
                   p = pf(f_c, 2, g - 1, lower.tail = FALSE)),
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival"))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE),
           file.path(outdir, "cohort_interaction.json"))
