#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::cox::coxph` from R survival::coxph.
# Regenerate (from the repository root):  Rscript tests/reference/survival_cox.R
# Writes tests/reference/fixtures/cox_<case>_<ties>.json holding the data used (complete cases)
# and R's results: coef, se, robust se, loglik, score / Wald / LR / robust score tests, iterations.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NA; x }
# vectors stay JSON arrays even with one element
vec <- function(x) I(num(x))

write_case <- function(case, df, covs, ties, start = NULL, strata = NULL, weights = NULL,
                       cluster = NULL, expect_warning = FALSE) {
  lhs <- if (is.null(start)) "Surv(time, event)" else "Surv(start, time, event)"
  rhs <- paste(covs, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  fml <- as.formula(paste(lhs, "~", rhs))
  args <- list(formula = fml, data = df, ties = ties)
  if (!is.null(weights)) args$weights <- df[[weights]]
  if (!is.null(cluster)) args$cluster <- df[[cluster]]
  fit <- do.call(coxph, args)
  s <- summary(fit)
  robust <- !is.null(fit$naive.var)
  naive <- if (robust) fit$naive.var else fit$var
  data <- list(time = vec(df$time), event = I(as.integer(df$event)),
               x = lapply(covs, function(v) vec(df[[v]])), names = I(covs))
  if (!is.null(start)) data$start <- vec(df[[start]])
  if (!is.null(strata)) data$strata <- I(as.integer(as.factor(df[[strata]])))
  if (!is.null(weights)) data$weights <- vec(df[[weights]])
  if (!is.null(cluster)) data$cluster <- I(as.integer(as.factor(df[[cluster]])))
  expected <- list(
    coef = vec(coef(fit)),
    se = vec(sqrt(diag(naive))),
    robust_se = if (robust) vec(sqrt(diag(fit$var))) else NULL,
    loglik = num(fit$loglik),
    score = num(fit$score),
    wald = num(fit$wald.test),
    lr = num(2 * diff(fit$loglik)),
    rscore = if (robust) num(fit$rscore) else NULL,
    df = sum(!is.na(coef(fit))),
    p_wald_terms = vec(s$coefficients[, ncol(s$coefficients)]),
    lower = vec(s$conf.int[, "lower .95"]),
    upper = vec(s$conf.int[, "upper .95"]),
    p_score = num(s$sctest["pvalue"]),
    p_lr = num(s$logtest["pvalue"]),
    p_wald = num(s$waldtest["pvalue"]),
    iter = fit$iter, n = fit$n, nevent = fit$nevent)
  out <- list(case = case, ties = ties, robust = robust, data = data, expected = expected)
  path <- file.path(outdir, sprintf("cox_%s_%s.json", case, ties))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
  cat("wrote", path, "\n")
}

# lung: right-censored, no ties handling issues, complete cases on age, sex, ph.ecog
lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
lung2$event <- as.integer(lung2$status == 2)
# veteran: stratified by cell type
vet <- veteran; vet$event <- vet$status
# aml: heavy ties between events and censorings, a factor covariate as a 0/1 dummy
aml2 <- aml; aml2$event <- aml2$status; aml2$maintained <- as.integer(aml2$x == "Maintained")
# heart (jasa1): counting process (start, stop], clustered by patient
hrt <- heart; hrt$time <- hrt$stop; hrt$w <- 1 + (hrt$id %% 3) / 4
# tied (months), weighted, stratified, clustered lung
lw <- na.omit(lung[, c("inst", "time", "status", "age", "sex", "ph.ecog", "wt.loss")])
lw$time <- ceiling(lw$time / 30.4375)
lw$event <- as.integer(lw$status == 2)
lw$w <- 0.5 + (seq_len(nrow(lw)) %% 4) / 3
# small data with a time of 0 and ties between events and censorings
tz <- data.frame(time = c(0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 8),
                 event = c(1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1),
                 z = c(1.2, 0.3, -0.5, 0.8, 0.1, -1.1, 0.6, 0.2, -0.3, 1.5, -0.7, 0.4, 0.9, -0.2, 0.0, 0.5),
                 g = c(0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0))
# whole days over 28 days (heavy ties, few distinct times), integer weights, 3 sites
set.seed(20251121)
nd <- 400
dd <- data.frame(trt = rbinom(nd, 1, 0.5), age = round(rnorm(nd, 65, 12)),
                 site = sample(1:3, nd, TRUE))
tt <- rexp(nd, 0.03 * exp(-0.4 * dd$trt + 0.02 * (dd$age - 65)))
cc <- rexp(nd, 0.01)
dd$time <- pmin(ceiling(pmin(tt, cc)), 28)
dd$event <- as.integer(tt <= pmin(cc, 28))
dd$w <- 1 + (seq_len(nd) %% 3)
# constant covariate (R: coefficient NA)
amlc <- aml2; amlc$const <- 2

for (ties in c("efron", "breslow")) {
  write_case("lung", lung2, c("age", "sex", "ph.ecog"), ties)
  write_case("veteran", vet, c("trt", "karno", "diagtime", "age", "prior"), ties, strata = "celltype")
  write_case("aml", aml2, c("maintained"), ties)
  write_case("heart", hrt, c("age", "year", "surgery", "transplant"), ties, start = "start",
             cluster = "id")
  write_case("heart_strata_weighted", hrt, c("age", "year", "transplant"), ties, start = "start",
             strata = "surgery", weights = "w", cluster = "id")
  write_case("lung_weighted", lw, c("age", "ph.ecog", "wt.loss"), ties, strata = "sex",
             weights = "w", cluster = "inst")
  write_case("lung_weighted_robust", lw, c("age", "sex", "ph.ecog", "wt.loss"), ties, weights = "w")
  # sex is constant within the strata: R reports NA for it
  write_case("strata_aliased", lw, c("age", "sex", "ph.ecog"), ties, strata = "sex")
  write_case("time_zero", tz, c("z", "g"), ties)
  write_case("days", dd, c("trt", "age"), ties)
  write_case("days_strata_weighted", dd, c("trt", "age"), ties, strata = "site", weights = "w")
  write_case("constant", amlc, c("maintained", "const"), ties)
}
