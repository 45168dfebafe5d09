#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::logistic::logistic_regression` from R
# glm(family = binomial). Regenerate (from the repository root):  Rscript tests/reference/logistic.R
# Writes tests/reference/fixtures/logistic_<case>.json: the data used and R's coef, se, z, p,
# fitted probabilities, linear predictor, deviance, null deviance, AIC, iterations.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
vec <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NA; I(x) }

write_case <- function(case, df, yname, covs, weights = NULL) {
  fml <- as.formula(paste(yname, "~", paste(covs, collapse = " + ")))
  fit <- if (is.null(weights)) glm(fml, family = binomial, data = df) else
    glm(fml, family = binomial, data = df, weights = df[[weights]])
  s <- summary(fit)$coefficients
  cf <- coef(fit)
  # rows of the coefficient table exist only for non-NA coefficients
  se <- z <- p <- rep(NA_real_, length(cf)); names(se) <- names(cf)
  se[rownames(s)] <- s[, 2]; z[match(rownames(s), names(cf))] <- s[, 3]
  p[match(rownames(s), names(cf))] <- s[, 4]
  data <- list(y = vec(df[[yname]]), x = lapply(covs, function(v) vec(df[[v]])), names = I(covs))
  if (!is.null(weights)) data$weights <- vec(df[[weights]])
  expected <- list(coef = vec(cf), se = vec(se), z = vec(z), p = vec(p),
                   fitted = vec(fitted(fit)), linear_predictor = vec(fit$linear.predictors),
                   deviance = fit$deviance, null_deviance = fit$null.deviance, aic = fit$aic,
                   df_residual = fit$df.residual, df_null = fit$df.null, iter = fit$iter)
  path <- file.path(outdir, sprintf("logistic_%s.json", case))
  writeLines(toJSON(list(case = case, data = data, expected = expected), digits = NA,
                    auto_unbox = TRUE, na = "null"), path)
  cat("wrote", path, "\n")
}

lung2 <- na.omit(lung[, c("status", "age", "sex", "ph.ecog", "wt.loss")])
lung2$dead <- as.integer(lung2$status == 2)
write_case("lung", lung2, "dead", c("age", "sex", "ph.ecog", "wt.loss"))
write_case("mtcars", mtcars, "vs", c("mpg", "am"))
inf <- infert; inf$w <- 1 + (seq_len(nrow(inf)) %% 3)
write_case("infert_weighted", inf, "case", c("age", "parity", "induced", "spontaneous"), weights = "w")
lc <- lung2; lc$const <- 3
write_case("constant", lc, "dead", c("age", "const", "sex"))
