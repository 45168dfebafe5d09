#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::mice` against R mice 3.15.
#
# Data: n = 600 synthetic septic patients (seed 2026): age, treat (anticoagulant), death (28-day)
# complete; platelets, inr, fibrinogen (continuous) and vent (binary) missing at random, the
# probability of missingness depending on the complete age, treat and death only (MAR).
#
# 1. Deterministic pieces, exact: for fibrinogen on the other (true) variables, estimice and
#    .norm.draw with the variates R draws (rchisq, rnorm); matchindex with its shuffle and ranks
#    (sample(n1), sample(1:5, n0, TRUE)), on predictions rounded to make ties; the whole
#    mice.impute.pmm and mice.impute.logreg (augment, glm.fit, the draw) given R's variates.
# 2. Monte Carlo parity: `mice(dat, m = 20, maxit = 5)` (default methods: pmm for the numeric
#    columns, logreg for the binary factor) with 25 seeds; in each, with(glm(death ~ ...,
#    binomial)) and with(lm(fibrinogen ~ ...)) pooled by pool(). Stored: per coefficient the mean
#    and SD over the 25 runs of the pooled estimate and of its pooled SE, and the complete-case
#    and full-data (before deletion) fits.
# Regenerate (from the repository root, ~1 min):  Rscript tests/reference/mice_pmm.R
# Writes tests/reference/fixtures/mice_pmm.json.
suppressPackageStartupMessages({library(mice); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
vec <- function(x) I(as.numeric(x))

set.seed(2026)
n <- 600
age <- round(rnorm(n, 65, 12))
vent <- rbinom(n, 1, plogis(-0.3 + 0.02 * (age - 65)))
platelets <- round(exp(rnorm(n, log(150) - 0.3 * vent, 0.5)))
inr <- round(1.2 + 0.3 * vent - 0.001 * (platelets - 150) + abs(rnorm(n, 0, 0.25)), 2)
fibrinogen <- round(pmax(50, 350 + 0.4 * (platelets - 150) - 90 * (inr - 1.3) + rnorm(n, 0, 80)))
treat <- rbinom(n, 1, plogis(-0.5 - 0.004 * (platelets - 150) + 0.8 * (inr - 1.3)))
death <- rbinom(n, 1, plogis(-1 + 0.03 * (age - 65) + 0.6 * vent - 0.003 * (platelets - 150) +
                             0.9 * (inr - 1.3) - 0.002 * (fibrinogen - 350) - 0.3 * treat))
full <- data.frame(age, treat, death, platelets, inr, fibrinogen, vent)
miss <- function(lp) runif(n) < plogis(lp)
dat <- full
dat$platelets[miss(-2.2 + 0.04 * (age - 65) + 0.8 * death)] <- NA
dat$inr[miss(-1.6 + 0.9 * treat + 0.3 * death)] <- NA
dat$fibrinogen[miss(-0.4 + 0.03 * (age - 65) - 0.7 * treat + 0.6 * death)] <- NA
dat$vent[miss(-1.8 + 0.7 * death)] <- NA

# 1. Deterministic pieces (fibrinogen on the other true columns, its own missingness).
y <- full$fibrinogen
ry <- !is.na(dat$fibrinogen)
x <- as.matrix(full[, c("age", "treat", "death", "platelets", "inr", "vent")])
X <- cbind(1, x)
est <- mice:::estimice(X[ry, ], y[ry])
set.seed(11)
chi2 <- rchisq(1, est$df); z <- rnorm(ncol(X))
set.seed(11)
nd <- mice:::.norm.draw(y, ry, X)
d <- round(drop(X[ry, ] %*% nd$coef), -1)   # rounded: ties between donors
t <- drop(X[!ry, ] %*% nd$beta)
set.seed(12)
shuffle <- sample(length(d)); h <- sample(1:5, length(t), replace = TRUE)
set.seed(12)
idx <- matchindex(d, t, 5)
set.seed(13)
pchi2 <- rchisq(1, est$df); pz <- rnorm(ncol(X))
pshuffle <- sample(sum(ry)); ph <- sample(1:5, sum(!ry), replace = TRUE)
set.seed(13)
pmm_imp <- mice.impute.pmm(y, ry, x)

yv <- full$vent; ryv <- !is.na(dat$vent)
xv <- as.matrix(full[, c("age", "treat", "death", "platelets", "inr", "fibrinogen")])
aug <- mice:::augment(yv, ryv, xv, !ryv)
Xa <- cbind(1, as.matrix(aug$x))
gf <- glm.fit(Xa[aug$ry, ], aug$y[aug$ry], family = quasibinomial(), weights = aug$w[aug$ry])
set.seed(14)
lz <- rnorm(ncol(Xa)); lu <- runif(sum(!ryv))
set.seed(14)
logreg_imp <- mice.impute.logreg(factor(yv), ryv, xv)

deterministic <- list(
  y = vec(y), ry = I(ry), x = lapply(seq_len(ncol(x)), function(j) vec(x[, j])),
  coef = vec(est$c), rss = sum(est$r^2), df = est$df, v = vec(t(est$v)),
  chi2 = chi2, z = vec(z), beta = vec(nd$beta), sigma = nd$sigma,
  match_d = vec(d), match_t = vec(t), shuffle = I(shuffle - 1L), h = I(h), match = I(idx - 1L),
  pmm_chi2 = pchi2, pmm_z = vec(pz), pmm_shuffle = I(pshuffle - 1L), pmm_h = I(ph),
  pmm_imputed = vec(pmm_imp),
  vent = vec(yv), vent_ry = I(ryv), vent_x = lapply(seq_len(ncol(xv)), function(j) vec(xv[, j])),
  augment_y = vec(aug$y[aug$ry]), augment_w = vec(aug$w[aug$ry]),
  augment_x = lapply(seq_len(ncol(xv)), function(j) vec(as.matrix(aug$x)[aug$ry, j])),
  logreg_coef = vec(coef(gf)), logreg_z = vec(lz), logreg_u = vec(lu),
  logreg_imputed = vec(as.integer(as.character(logreg_imp))))

# 2. Monte Carlo parity.
datf <- dat; datf$vent <- factor(datf$vent)
glm_f <- death ~ treat + age + platelets + inr + fibrinogen + vent
lm_f <- fibrinogen ~ platelets + inr + age + vent
runs <- 25
pooled <- lapply(seq_len(runs), function(r) {
  imp <- mice(datf, m = 20, maxit = 5, seed = 1000 + r, printFlag = FALSE)
  g <- summary(pool(with(imp, glm(death ~ treat + age + platelets + inr + fibrinogen + vent,
                                  family = binomial))))
  l <- summary(pool(with(imp, lm(fibrinogen ~ platelets + inr + age + vent))))
  list(glm_est = g$estimate, glm_se = g$std.error, lm_est = l$estimate, lm_se = l$std.error,
       glm_fmi = summary(pool(with(imp, glm(death ~ treat + age + platelets + inr + fibrinogen +
                                          vent, family = binomial))), type = "all")$fmi)
})
stat <- function(key) {
  M <- sapply(pooled, `[[`, key)
  list(mean = vec(rowMeans(M)), sd = vec(apply(M, 1, sd)))
}
cc_g <- summary(glm(glm_f, family = binomial, data = dat))$coefficients
cc_l <- summary(lm(lm_f, data = dat))$coefficients
fu_g <- summary(glm(glm_f, family = binomial, data = full))$coefficients
fu_l <- summary(lm(lm_f, data = full))$coefficients
out <- list(
  mice_version = as.character(packageVersion("mice")),
  data = lapply(as.list(dat), vec), names = names(dat),
  deterministic = deterministic,
  runs = runs, m = 20, maxit = 5,
  glm = list(terms = rownames(cc_g), estimate = stat("glm_est"), se = stat("glm_se"),
             fmi = stat("glm_fmi"),
             complete_case = vec(cc_g[, 1]), complete_case_se = vec(cc_g[, 2]),
             full_data = vec(fu_g[, 1]), full_data_se = vec(fu_g[, 2])),
  lm = list(terms = rownames(cc_l), estimate = stat("lm_est"), se = stat("lm_se"),
            complete_case = vec(cc_l[, 1]), complete_case_se = vec(cc_l[, 2]),
            full_data = vec(fu_l[, 1]), full_data_se = vec(fu_l[, 2])))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null"),
           file.path(outdir, "mice_pmm.json"))
cat("complete cases:", sum(complete.cases(dat)), "of", n, "\n")
print(data.frame(term = rownames(cc_g), mice = out$glm$estimate$mean, mc_sd = out$glm$estimate$sd,
                 cc = cc_g[, 1], full = fu_g[, 1]))
print(data.frame(term = rownames(cc_l), mice = out$lm$estimate$mean, mc_sd = out$lm$estimate$sd,
                 cc = cc_l[, 1], full = fu_l[, 1]))
