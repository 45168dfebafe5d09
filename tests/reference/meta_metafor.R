#!/usr/bin/env Rscript
# Reference values for `dicohort::meta` from R metafor (Viechtbauer 2010, J Stat Softw 36(3)).
# Regenerate from the repository root:   Rscript tests/reference/meta_metafor.R
# Needs Debian packages r-base-core r-cran-metafor r-cran-jsonlite. Writes
#   tests/reference/fixtures/meta_bcg.json            dat.bcg (13 BCG trials)
#   tests/reference/fixtures/meta_anticoagulant.json  data/anticoagulant-trials.csv, + subgroups
#   tests/reference/fixtures/meta_edge.json           edge cases (k = 1, k = 2, zero cells, ...)
# Each case stores its own 2x2 tables, so the Rust tests need nothing else.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })

out_dir <- "tests/reference/fixtures"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)[1]

# Zero cells: add = 1/2 to every cell of a study with a zero cell (to = "only0"). Double-zero
# studies: metafor's default unless a case says otherwise, i.e. kept by escalc()/rma.uni()
# (drop00 = FALSE) and dropped from the study-level effects by rma.mh()/rma.peto()
# (drop00 = TRUE). `double_zero` = "keep" | "drop" | "default".
resolve_dz <- function(method, double_zero) {
  if (double_zero == "default") return(if (is.element(method, c("MH", "PETO"))) "drop" else "keep")
  double_zero
}

fit_uni_es <- function(d, measure, double_zero = "keep") {
  escalc(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
         add = 1/2, to = "only0", drop00 = double_zero == "drop")
}

fit <- function(d, measure, method, test = "z", double_zero = "default") {
  dz <- resolve_dz(method, double_zero) == "drop"
  if (method == "MH") {
    return(rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, measure = measure, drop00 = dz))
  }
  if (method == "PETO") {
    return(rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, drop00 = dz))
  }
  es <- fit_uni_es(d, measure, if (dz) "drop" else "keep")
  rma(yi, vi, data = es, method = if (method == "IV") "FE" else method, test = test)
}

summarise <- function(res, method) {
  pr <- predict(res)
  tau2_ci <- c(NA_real_, NA_real_)
  if (!is.element(method, c("IV", "MH", "PETO")) && res$k > 1) {
    ci <- confint(res)
    tau2_ci <- as.numeric(ci$random["tau^2", c("ci.lb", "ci.ub")])
  }
  list(estimate = num(res$beta), se = num(res$se), statistic = num(res$zval), p = num(res$pval),
       ci_lower = num(res$ci.lb), ci_upper = num(res$ci.ub), tau2 = num(res$tau2),
       i2 = num(res$I2), h2 = num(res$H2), q = num(res$QE), q_p = num(res$QEp), k = res$k,
       pi_lower = num(pr$pi.lb), pi_upper = num(pr$pi.ub),
       tau2_ci_lower = tau2_ci[1], tau2_ci_upper = tau2_ci[2],
       yi = as.numeric(res$yi), vi = as.numeric(res$vi))
}

tables <- function(d) list(study = as.character(d$study), ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)

one_case <- function(name, d, measure, method, test = "z", loo = FALSE, double_zero = "default") {
  res <- tryCatch(fit(d, measure, method, test, double_zero), error = function(e) e)
  case <- list(name = name, measure = measure, method = method, test = test,
               double_zero = resolve_dz(method, double_zero), tables = tables(d))
  if (inherits(res, "error")) {
    case$error <- conditionMessage(res)
    return(case)
  }
  case$result <- summarise(res, method)
  if (loo) {
    l <- leave1out(res)
    case$leave1out <- list(estimate = as.numeric(l$estimate), se = as.numeric(l$se),
                           ci_lower = as.numeric(l$ci.lb), ci_upper = as.numeric(l$ci.ub),
                           q = as.numeric(l$Q), q_p = as.numeric(l$Qp), tau2 = as.numeric(l$tau2),
                           i2 = as.numeric(l$I2), h2 = as.numeric(l$H2))
  }
  case
}

grid <- function(prefix, d, measures = c("RR", "OR"), loo = FALSE, double_zero = "default") {
  cases <- list()
  for (measure in measures) {
    methods <- c("IV", "MH", "DL", "REML", "PM", "HS")
    if (measure == "OR") methods <- c(methods, "PETO")
    for (method in methods) {
      cases[[length(cases) + 1]] <- one_case(paste(prefix, measure, method, "z"), d, measure, method, "z", loo, double_zero)
      if (!is.element(method, c("MH", "PETO"))) {
        cases[[length(cases) + 1]] <- one_case(paste(prefix, measure, method, "knha"), d, measure, method, "knha", loo, double_zero)
      }
    }
  }
  cases
}

# Subgroups: each pooled separately (own tau^2); test of subgroup differences = Cochran's Q of
# the subgroup estimates with weights 1/se^2 (rma(b, sei = se, method = "FE")$QE).
# `drop_in`: optionally, per subgroup level, the studies left out of that subgroup's pool, and
# `overall_d` the rows of the overall pool (the CLI's nested-row rule; see src/meta/analysis.rs).
subgroup_case <- function(name, d, measure, method, test = "z", drop_in = list(), overall_d = d) {
  levels <- sort(unique(d$subgroup))
  groups <- list()
  b <- c(); s <- c(); used <- c()
  for (lv in levels) {
    sub <- d[d$subgroup == lv & !is.element(d$study, drop_in[[lv]]), ]
    res <- tryCatch(fit(sub, measure, method, test), error = function(e) e)
    if (inherits(res, "error")) {
      groups[[length(groups) + 1]] <- list(label = lv, error = conditionMessage(res))
      next
    }
    sm <- summarise(res, method)
    groups[[length(groups) + 1]] <- list(label = lv, result = sm)
    if (is.finite(sm$estimate) && is.finite(sm$se) && sm$se > 0) {
      b <- c(b, sm$estimate); s <- c(s, sm$se); used <- c(used, lv)
    }
  }
  between <- list(q = NA_real_, df = 0, p = NA_real_, groups = used)
  if (length(b) >= 2) {
    bt <- rma(yi = b, sei = s, method = "FE")
    between <- list(q = bt$QE, df = length(b) - 1, p = bt$QEp, groups = used)
  }
  case <- list(name = name, measure = measure, method = method, test = test,
               double_zero = resolve_dz(method, "default"),
               tables = tables(d), subgroup = d$subgroup, groups = groups, between = between,
               overall = summarise(fit(overall_d, measure, method, test), method))
  if (method == "IV" && test == "z") {
    # For the fixed-effect model the test equals the meta-regression omnibus test QM.
    es <- fit_uni_es(d, measure)
    mr <- rma(yi, vi, mods = ~ factor(subgroup), data = es, method = "FE")
    case$between_qm_mods <- list(qm = mr$QM, df = mr$QMdf[1], p = mr$QMp)
  }
  case
}

write_cases <- function(cases, file) {
  writeLines(toJSON(cases, auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE),
             file.path(out_dir, file))
  cat("wrote", file.path(out_dir, file), "(", length(cases$cases), "cases )\n")
}

meta_version <- as.character(packageVersion("metafor"))

# 1. dat.bcg
bcg <- data.frame(study = dat.bcg$author, ai = dat.bcg$tpos, n1i = dat.bcg$tpos + dat.bcg$tneg,
                  ci = dat.bcg$cpos, n2i = dat.bcg$cpos + dat.bcg$cneg, subgroup = dat.bcg$alloc)
bcg_cases <- grid("bcg", bcg, c("RR", "OR", "RD"), loo = TRUE)
bcg_cases[[length(bcg_cases) + 1]] <- subgroup_case("bcg alloc RR REML", bcg, "RR", "REML")
bcg_cases[[length(bcg_cases) + 1]] <- subgroup_case("bcg alloc RR IV", bcg, "RR", "IV")
write_cases(list(metafor = meta_version, cases = bcg_cases), "meta_bcg.json")

# 2. bundled anticoagulant trials, subgroups by population
ac_raw <- read.csv("data/anticoagulant-trials.csv", stringsAsFactors = FALSE)
stopifnot(nrow(ac_raw) == 11)
ac <- data.frame(study = ac_raw$study, ai = ac_raw$events_treated, n1i = ac_raw$total_treated,
                 ci = ac_raw$events_control, n2i = ac_raw$total_control,
                 subgroup = ac_raw$population, stringsAsFactors = FALSE)
ac_cases <- grid("anticoagulant", ac, c("RR", "OR", "RD"), loo = TRUE)
for (measure in c("RR", "OR")) {
  for (method in c("IV", "MH", "DL", "REML", "PM")) {
    ac_cases[[length(ac_cases) + 1]] <- subgroup_case(paste("anticoagulant population", measure, method, "z"), ac, measure, method, "z")
    if (method != "MH") {
      ac_cases[[length(ac_cases) + 1]] <- subgroup_case(paste("anticoagulant population", measure, method, "knha"), ac, measure, method, "knha")
    }
  }
}
# Independent rows only (the KyberSept whole-trial and no-heparin rows contain the Kienast rows).
ac_ind <- ac[!is.element(ac$study, c("KyberSept (Warren)", "KyberSept no-heparin (Hoffmann)")), ]
for (method in c("MH", "REML")) {
  ac_cases[[length(ac_cases) + 1]] <- subgroup_case(paste("anticoagulant independent population RR", method, "z"), ac_ind, "RR", method, "z")
}
ac_cases[[length(ac_cases) + 1]] <- subgroup_case("anticoagulant independent population RR REML knha", ac_ind, "RR", "REML", "knha")
# The CLI's default nested-row rule (`nested_in`): a row is left out of a pool holding a study
# that contains it. By population: Hoffmann leaves `sepsis` (Warren is there); overall: only
# Warren of the four KyberSept rows stays.
kyber_sub <- c("KyberSept no-heparin (Hoffmann)", "KyberSept no-heparin DIC (Kienast)",
               "KyberSept no-heparin non-DIC (Kienast)")
ac_overall <- ac[!is.element(ac$study, kyber_sub), ]
for (method in c("IV", "MH", "DL", "REML")) {
  for (test in if (method == "MH" || method == "IV") "z" else c("z", "knha")) {
    ac_cases[[length(ac_cases) + 1]] <- subgroup_case(
      paste("anticoagulant nested-rule population RR", method, test), ac, "RR", method, test,
      drop_in = list(sepsis = "KyberSept no-heparin (Hoffmann)"), overall_d = ac_overall)
  }
  ac_cases[[length(ac_cases) + 1]] <- one_case(paste("anticoagulant nested-rule all RR", method, "z"), ac_overall, "RR", method, "z")
}
write_cases(list(metafor = meta_version, cases = ac_cases), "meta_anticoagulant.json")

# 3. edge cases (synthetic tables; they exercise the algorithms, they are not data)
mk <- function(study, ai, n1i, ci, n2i, subgroup = rep("all", length(ai)))
  data.frame(study = study, ai = ai, n1i = n1i, ci = ci, n2i = n2i, subgroup = subgroup, stringsAsFactors = FALSE)
edge <- list(
  k1 = bcg[1, ],
  k2 = bcg[1:2, ],
  zero_cell = mk(c("z1", "z2", "z3", "z4"), c(0, 12, 7, 20), c(50, 100, 80, 150), c(5, 18, 9, 31), c(50, 100, 80, 150)),
  double_zero = mk(c("d1", "d2", "d3", "d4"), c(0, 12, 7, 20), c(30, 100, 80, 150), c(0, 18, 9, 31), c(30, 100, 80, 150)),
  identical = mk(c("i1", "i2", "i3"), c(10, 10, 10), c(100, 100, 100), c(20, 20, 20), c(100, 100, 100)),
  huge_heterogeneity = mk(c("h1", "h2", "h3", "h4", "h5"), c(5, 50, 10, 2, 70), c(100, 100, 100, 100, 100),
                          c(50, 5, 10, 60, 3), c(100, 100, 100, 100, 100))
)
edge_cases <- list()
for (nm in names(edge)) {
  edge_cases <- c(edge_cases, grid(paste("edge", nm), edge[[nm]], c("RR", "OR", "RD"), loo = nm != "k1"))
}
# Double-zero studies under both rules, for every method (metafor's default is in the grid above).
for (dz in c("keep", "drop")) {
  edge_cases <- c(edge_cases, grid(paste("edge double_zero", dz), edge$double_zero, c("RR", "OR", "RD"), loo = TRUE, double_zero = dz))
  edge_cases <- c(edge_cases, grid(paste("edge all double_zero", dz),
                                   mk(c("a1", "a2"), c(0, 0), c(30, 20), c(0, 0), c(30, 25)), c("RR", "OR", "RD"), double_zero = dz))
}
single <- mk(c("s1", "s2", "s3", "s4"), c(12, 7, 20, 30), c(100, 80, 150, 120), c(18, 9, 31, 29), c(100, 80, 150, 120),
             c("a", "a", "a", "b"))
for (method in c("IV", "MH", "DL", "REML", "PM")) {
  edge_cases[[length(edge_cases) + 1]] <- subgroup_case(paste("edge single-study subgroup RR", method, "z"), single, "RR", method, "z")
}
write_cases(list(metafor = meta_version, cases = edge_cases), "meta_edge.json")
