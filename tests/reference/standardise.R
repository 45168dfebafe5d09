#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::standardise::standardised_risks`: the g-formula risks
# of a binary outcome under exposure and under no exposure from a logistic outcome model, by hand
# in R (glm + predict, then the weighted means), and their delta-method standard errors (model
# coefficients through vcov(glm) plus the empirical variance of the predictions), written out as
# matrix algebra below. The frequency-weighted fit equals the fit of the rows duplicated.
# Regenerate (from the repository root):  Rscript tests/reference/standardise.R
# Writes tests/reference/fixtures/standardise.json.
suppressPackageStartupMessages(library(jsonlite))
outdir <- file.path("tests", "reference", "fixtures")
num <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NA; x }
vec <- function(x) I(num(x))

set.seed(31)
n <- 800
age <- round(rnorm(n, 68, 12))
apache2 <- round(pmax(0, rnorm(n, 22, 7)))
site <- factor(sample(c("A", "B", "C"), n, replace = TRUE))
treat <- rbinom(n, 1, plogis(-2 + 0.06 * (apache2 - 22) + c(A = 0, B = 0.7, C = -0.5)[as.character(site)]))
y <- rbinom(n, 1, plogis(-1.2 + 0.03 * (age - 68) + 0.08 * (apache2 - 22) - 0.4 * treat))
siteB <- as.integer(site == "B"); siteC <- as.integer(site == "C")
freq <- rpois(n, 1)  # frequency weights, as a bootstrap replicate

gformula <- function(w) {
  d <- data.frame(y, treat, age, apache2, siteB, siteC)
  fit <- suppressWarnings(glm(y ~ treat + age + apache2 + siteB + siteC, family = binomial,
                              data = d, weights = w))
  d1 <- transform(d, treat = 1); d0 <- transform(d, treat = 0)
  p1 <- predict(fit, d1, type = "response"); p0 <- predict(fit, d0, type = "response")
  W <- sum(w); r1 <- sum(w * p1) / W; r0 <- sum(w * p0) / W
  X1 <- model.matrix(~ treat + age + apache2 + siteB + siteC, d1)
  X0 <- model.matrix(~ treat + age + apache2 + siteB + siteC, d0)
  g1 <- colSums(w * p1 * (1 - p1) * X1) / W; g0 <- colSums(w * p0 * (1 - p0) * X0) / W
  V <- vcov(fit)
  v11 <- drop(t(g1) %*% V %*% g1) + sum(w * (p1 - r1)^2) / W^2
  v00 <- drop(t(g0) %*% V %*% g0) + sum(w * (p0 - r0)^2) / W^2
  v10 <- drop(t(g1) %*% V %*% g0) + sum(w * (p1 - r1) * (p0 - r0)) / W^2
  list(risk_exposed = r1, risk_unexposed = r0, risk_difference = r1 - r0, risk_ratio = r1 / r0,
       se_exposed = sqrt(v11), se_unexposed = sqrt(v00), se_difference = sqrt(v11 + v00 - 2 * v10),
       se_log_ratio = sqrt(v11 / r1^2 + v00 / r0^2 - 2 * v10 / (r1 * r0)))
}
unweighted <- gformula(rep(1, n))
weighted <- gformula(freq)
# the frequency-weighted point estimates are those of the duplicated rows
idx <- rep(seq_len(n), freq)
dup <- glm(y[idx] ~ treat[idx] + age[idx] + apache2[idx] + siteB[idx] + siteC[idx], family = binomial)
stopifnot(abs(coef(dup)[2] - coef(glm(y ~ treat + age + apache2 + siteB + siteC, family = binomial,
                                      weights = freq))[2]) < 1e-8)
out <- list(data = list(y = vec(y), treat = I(as.integer(treat)),
                        x = list(vec(age), vec(apache2), vec(siteB), vec(siteC)), freq = vec(freq)),
            unweighted = unweighted, weighted = weighted)
path <- file.path(outdir, "standardise.json")
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), path)
cat("wrote", path, "\n")
