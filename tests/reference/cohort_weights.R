#!/usr/bin/env Rscript
# Reference values for the weighting, matching, clustering and absolute-risk estimators of
# `dicohort::cohort::estimate` (the pipeline functions run on one population):
#  * overlap weights (ATO: T(1-e) + (1-T)e) and matching weights (ATM: min(e,1-e)/(Te+(1-T)(1-e))),
#    computed by hand (PSweight is not installed), Cox fitted with weights and robust = TRUE, and
#    the same with the variance clustered by site (coxph(..., cluster = site));
#  * marginal mean weighting through 10 propensity strata (MMWS, Hong 2010) by hand, weighted Cox;
#  * the J-Septic quintile-stratified Cox clustered by site;
#  * 1:1 greedy matching closest pair first within a 0.2 SD caliper on the logit (a hand-written
#    O(n^2) matcher: repeatedly the closest available treated-control pair, ties to the smaller
#    treated row then control row), Cox in the pairs clustered on pairs;
#  * risks at day 28: IPTW-weighted Kaplan-Meier (survfit with weights) and Aalen-Johansen with
#    discharge competing (survfit with a factor status and weights), the g-formula (glm +
#    predict by hand) and the crude Kaplan-Meier.
# Regenerate (from the repository root):  Rscript tests/reference/cohort_weights.R
# Writes tests/reference/fixtures/cohort_weights.json.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")

set.seed(20251201)
n <- 900
sites <- paste0("S", 1:8)
site <- factor(sample(sites, n, replace = TRUE))
age <- round(rnorm(n, 70, 12))
apache2 <- round(pmax(0, rnorm(n, 22, 7)))
shift <- setNames(seq(-0.6, 0.8, length.out = 8), sites)
lp_t <- -1.2 + 0.02 * (age - 70) + 0.09 * (apache2 - 22) + shift[as.character(site)]
treat <- rbinom(n, 1, plogis(lp_t))
frail <- rnorm(8, 0, 0.3)[as.integer(site)]
h_d <- 0.012 * exp(0.03 * (age - 70) + 0.07 * (apache2 - 22) - 0.3 * treat + frail)
h_c <- 0.05
# whole days 1..28: death, discharge (competing) or still in hospital at 28
td <- ceiling(rexp(n, h_d)); tc <- ceiling(rexp(n, h_c))
status <- ifelse(td <= pmin(tc, 28), 1L, ifelse(tc <= 28, 2L, 0L))
cr_time <- pmin(td, tc, 28)
# alive-to-horizon: discharged alive are followed to day 28
time <- ifelse(status == 1, cr_time, 28)
event <- as.integer(status == 1)
dead <- event
siteid <- as.integer(site)
df <- data.frame(age, apache2, site, treat, time, event, cr_time, status, siteid)

ps_fit <- glm(treat ~ age + apache2 + site, family = binomial, data = df)
ps <- unname(fitted(ps_fit))
p1 <- mean(treat)
w_iptw <- ifelse(treat == 1, p1 / ps, (1 - p1) / (1 - ps))
w_ato <- ifelse(treat == 1, 1 - ps, ps)
w_atm <- pmin(ps, 1 - ps) / ifelse(treat == 1, ps, 1 - ps)
# MMWS, 10 strata (cut at type-7 quantiles, lowest interval closed)
q10 <- cut(ps, quantile(ps, 0:10 / 10), include.lowest = TRUE, labels = FALSE)
tab <- table(q10, treat)
w_mmws <- numeric(n)
for (i in seq_len(n)) {
  s <- q10[i]; z <- treat[i]
  n_s <- sum(tab[s, ]); n_sz <- tab[s, as.character(z)]
  w_mmws[i] <- n_s * mean(treat == z) / n_sz
}
q5 <- cut(ps, quantile(ps, 0:5 / 5), include.lowest = TRUE, labels = FALSE)

cox_out <- function(fit) list(coef = unname(coef(fit))[1],
                              se = unname(sqrt(diag(fit$var)))[1])
fits <- list(
  iptw = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_iptw, robust = TRUE)),
  iptw_site = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_iptw, cluster = site)),
  overlap = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_ato, robust = TRUE)),
  overlap_site = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_ato, cluster = site)),
  matching = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_atm, robust = TRUE)),
  matching_site = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_atm, cluster = site)),
  mmws = cox_out(coxph(Surv(time, event) ~ treat, data = df, weights = w_mmws, robust = TRUE)),
  quintiles_site = cox_out(coxph(Surv(time, event) ~ treat + strata(q5), data = df, cluster = site)),
  unadjusted_site = cox_out(coxph(Surv(time, event) ~ treat, data = df, cluster = site))
)

# closest-pair-first greedy matching within the caliper
# rounded to 10 significant digits, so that the fixture (15 digits) carries the exact values
# matched on and near-ties order alike in R and Rust
lg <- signif(qlogis(ps), 10)
caliper <- 0.2 * sd(lg)
tr <- which(treat == 1); co <- which(treat == 0)
D <- abs(outer(lg[tr], lg[co], "-"))
D[D > caliper] <- Inf
pairs <- matrix(integer(0), ncol = 2)
repeat {
  m <- min(D)
  if (!is.finite(m)) break
  hit <- which(D == m, arr.ind = TRUE)
  hit <- hit[order(tr[hit[, 1]], co[hit[, 2]]), , drop = FALSE][1, ]
  pairs <- rbind(pairs, c(tr[hit[1]], co[hit[2]]))
  D[hit[1], ] <- Inf; D[, hit[2]] <- Inf
}
md <- df[c(pairs[, 1], pairs[, 2]), ]
md$subclass <- c(seq_len(nrow(pairs)), seq_len(nrow(pairs)))
fits$matched <- cox_out(coxph(Surv(time, event) ~ treat, data = md, cluster = subclass))

# risks at day 28
at28 <- function(fit) summary(fit, times = 28, extend = TRUE)
km_w <- at28(survfit(Surv(time, event) ~ treat, data = df, weights = w_iptw))
km_c <- at28(survfit(Surv(time, event) ~ treat, data = df))
aj_w <- survfit(Surv(cr_time, factor(status, 0:2)) ~ treat, data = df, weights = w_iptw)
aj_s <- summary(aj_w, times = 28, extend = TRUE)
death_col <- which(aj_s$states == "1")
gfit <- glm(dead ~ treat + age + apache2 + site, family = binomial, data = df)
g1 <- mean(predict(gfit, transform(df, treat = 1), type = "response"))
g0 <- mean(predict(gfit, transform(df, treat = 0), type = "response"))
# strata rows are treat = 0 then treat = 1
risks <- list(
  iptw_km = list(exposed = 1 - km_w$surv[2], unexposed = 1 - km_w$surv[1],
                 se_exposed = km_w$std.err[2], se_unexposed = km_w$std.err[1]),
  crude_km = list(exposed = 1 - km_c$surv[2], unexposed = 1 - km_c$surv[1]),
  iptw_aj = list(exposed = aj_s$pstate[2, death_col], unexposed = aj_s$pstate[1, death_col]),
  g_formula = list(exposed = g1, unexposed = g0)
)

out <- list(
  data = list(age = I(age), apache2 = I(apache2), site = I(siteid), treat = I(treat),
              time = I(time), event = I(event), cr_time = I(cr_time), status = I(status)),
  ps = I(ps), logit_ps = I(lg), w_overlap = I(w_ato), w_matching = I(w_atm), w_mmws = I(w_mmws),
  caliper = caliper, pairs_treated = I(pairs[, 1]), pairs_control = I(pairs[, 2]),
  fits = fits, risks = risks,
  r_version = R.version.string, survival_version = as.character(packageVersion("survival")))
write(toJSON(out, auto_unbox = TRUE, digits = NA), file.path(outdir, "cohort_weights.json"))
cat("wrote", file.path(outdir, "cohort_weights.json"), ":", nrow(pairs), "pairs\n")
