#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::zph::cox_zph` from R survival::cox.zph (3.5), the score
# test of proportional hazards: per-term and global chi-square, df and p, for the transforms km
# (the default), identity, rank and log.
# Regenerate (from the repository root):  Rscript tests/reference/survival_zph.R
# Writes tests/reference/fixtures/zph_<case>.json: the data (model matrix columns as fitted), the
# terms (columns of each term, 0-based), R's coefficients and the cox.zph tables.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
num <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NA; x }
vec <- function(x) I(num(x))

write_case <- function(case, fit, df, start = NULL, strata = NULL, weights = NULL) {
  X <- model.matrix(fit)
  asgn <- attr(X, "assign")
  terms <- lapply(unique(asgn), function(a) I(which(asgn == a) - 1L))
  names(terms) <- NULL
  tables <- list()
  for (tr in c("km", "identity", "rank", "log")) {
    z <- cox.zph(fit, transform = tr)
    tables[[tr]] <- list(term = I(rownames(z$table)), chisq = vec(z$table[, "chisq"]),
                         df = vec(z$table[, "df"]), p = vec(z$table[, "p"]))
  }
  y <- fit$y
  data <- list(stop = vec(y[, ncol(y) - 1]), event = I(as.integer(y[, ncol(y)])),
               x = lapply(seq_len(ncol(X)), function(j) vec(X[, j])), names = I(colnames(X)))
  if (!is.null(start)) data$start <- vec(y[, 1])
  if (!is.null(strata)) data$strata <- I(as.integer(as.factor(df[[strata]])))
  if (!is.null(weights)) data$weights <- vec(df[[weights]])
  out <- list(case = case, ties = fit$method, data = data,
              terms = terms, term_names = I(attr(terms(fit), "term.labels")),
              coef = vec(coef(fit)), tables = tables)
  path <- file.path(outdir, sprintf("zph_%s.json", case))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
  cat("wrote", path, "\n")
}

# lung: right-censored, Efron, three terms
lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")])
lung2$event <- as.integer(lung2$status == 2)
write_case("lung", coxph(Surv(time, event) ~ age + sex + ph.ecog, data = lung2, x = TRUE), lung2)
# veteran: a factor term (celltype, three columns) and karno, Breslow
vet <- veteran
write_case("veteran", coxph(Surv(time, status) ~ trt + celltype + karno, data = vet,
                            ties = "breslow", x = TRUE), vet)
# weighted, tied (times in whole months) and stratified, Efron
set.seed(7)
lw <- lung2
lw$month <- ceiling(lw$time / 30.44)
lw$w <- round(runif(nrow(lw), 0.5, 3), 3)
write_case("weighted_tied_strata",
           coxph(Surv(month, event) ~ age + ph.ecog + wt.loss + strata(sex), data = lw,
                 weights = w, x = TRUE), lw, strata = "sex", weights = "w")
# counting process (start, stop]: Stanford heart transplant
write_case("heart", coxph(Surv(start, stop, event) ~ age + year + surgery + transplant,
                          data = heart, x = TRUE), heart, start = "start")
