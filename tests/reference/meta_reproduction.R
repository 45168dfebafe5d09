#!/usr/bin/env Rscript
# R metafor's value of every pooled figure that README.md's meta-analysis section and
# notebooks/01-meta-analysis-by-population.ipynb print, next to the published figure it is
# compared with (tests/it/meta_reproduce.rs runs the same `dicohort meta` command for each case
# and compares, 1e-6 relative).
# Regenerate from the repository root:   Rscript tests/reference/meta_reproduction.R
# Writes tests/reference/fixtures/meta_reproduction.json. Needs r-cran-metafor, r-cran-jsonlite.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })

d <- read.csv("data/anticoagulant-trials.csv", stringsAsFactors = FALSE)
stopifnot(nrow(d) == 11)
d$ai <- d$events_treated; d$n1i <- d$total_treated; d$ci <- d$events_control; d$n2i <- d$total_control

num <- function(x) as.numeric(x)[1]

summarise <- function(res) {
  pr <- predict(res)
  list(estimate = num(res$beta), se = num(res$se), ci_lower = num(res$ci.lb),
       ci_upper = num(res$ci.ub), p = num(res$pval), tau2 = num(res$tau2), i2 = num(res$I2),
       q = num(res$QE), q_p = num(res$QEp), k = res$k,
       pi_lower = if (is.null(pr$pi.lb)) NA_real_ else num(pr$pi.lb),
       pi_upper = if (is.null(pr$pi.ub)) NA_real_ else num(pr$pi.ub),
       weights = as.numeric(weights(res)), studies = as.character(res$slab))
}

# escalc/rma.uni and rma.mh with metafor's defaults (drop00 = FALSE / TRUE).
fit <- function(rows, method, measure = "RR", test = "z") {
  if (method == "MH") {
    return(rma.mh(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = rows,
                  slab = study))
  }
  rma(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = rows, slab = study,
      method = if (method == "IV") "FE" else method, test = test)
}

rows_of <- function(studies) d[is.element(d$study, studies), ]
kyber_sub <- c("KyberSept no-heparin (Hoffmann)", "KyberSept no-heparin DIC (Kienast)",
               "KyberSept no-heparin non-DIC (Kienast)")

cases <- list()
# `pool`: where the CLI's JSON holds the result (NULL: top level; a subgroup value; "overall").
add <- function(name, args, res, published, pool = NULL) {
  cases[[length(cases) + 1]] <<- list(name = name, args = args, published = published,
                                      pool = pool, result = summarise(res))
}

# 1. The rTM (thrombomodulin) pool: our three rows (SCARLET, ART-123 phase 2b, Hagiwara).
rtm <- d[d$drug_class == "thrombomodulin", ]
stopifnot(nrow(rtm) == 3)
for (method in c("REML", "DL", "MH")) {
  add(paste("rtm", method), c("--bundled", "--filter", "drug_class=thrombomodulin", "--method", method),
      fit(rtm, method),
      "Yamakawa 2015 (3 RCTs, 838 patients): RR 0.81 (0.62-1.06); Yamakawa 2019 (5 RCTs, 1,762): RR 0.87 (0.74-1.03), I2 = 0%; Valeriani 2020 (3 RCTs, 1,633): RR 0.88 (0.74-1.04)")
}
# The trials before 2015 only (Yamakawa 2015 could not include SCARLET 2019 or Hagiwara 2016).
add("rtm before 2015 REML",
    c("--bundled", "--filter", "drug_class=thrombomodulin", "--exclude", "SCARLET (Vincent)",
      "--exclude", "Hagiwara", "--method", "REML"),
    fit(rtm[rtm$year < 2015, ], "REML"), "Yamakawa 2015: RR 0.81 (0.62-1.06)")

# 2. Antithrombin without heparin, with and without DIC (Kienast 2006), and the no-heparin
#    stratum (Hoffmann 2006).
for (pop in c("dic", "non-dic")) {
  rows <- d[d$drug_class == "antithrombin" & d$population == pop, ]
  stopifnot(nrow(rows) == 1)
  for (measure in c("RR", "RD")) {
    add(paste("antithrombin no-heparin", pop, measure),
        c("--bundled", "--filter", "drug_class=antithrombin", "--filter", paste0("population=", pop),
          "--measure", measure, "--method", "IV"),
        fit(rows, "IV", measure),
        if (pop == "dic") "Kienast 2006: 25.4% vs 40.0% (-14.6 points), P = 0.02" else "Kienast 2006: -0.1 points")
  }
}
add("antithrombin no-heparin (Hoffmann)",
    c("--bundled", "--filter", "study=KyberSept no-heparin (Hoffmann)", "--method", "IV"),
    fit(rows_of("KyberSept no-heparin (Hoffmann)"), "IV"),
    "Hoffmann 2006: RR 0.860 (0.725-1.019)")

# 3. Every class, by population (Umemura 2016: benefit only in DIC), with the CLI's default
#    nested-row rule: Hoffmann leaves `sepsis` (it holds the whole trial, Warren); the Kienast
#    DIC and non-DIC rows stay in their populations.
for (method in c("REML", "MH")) {
  for (pop in sort(unique(d$population))) {
    rows <- d[d$population == pop & !(pop == "sepsis" & d$study == kyber_sub[1]), ]
    add(paste("population", pop, method),
        c("--bundled", "--subgroup", "population", "--method", method),
        fit(rows, method), "Umemura 2016: anticoagulants reduced mortality only in DIC", pool = pop)
  }
  add(paste("population overall", method),
      c("--bundled", "--subgroup", "population", "--method", method),
      fit(d[!is.element(d$study, kyber_sub), ], method), "Umemura 2016 (24 RCTs, 14,767 patients)",
      pool = "overall")
}

writeLines(toJSON(list(metafor = as.character(packageVersion("metafor")), cases = cases),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/reference/fixtures/meta_reproduction.json")
cat("wrote tests/reference/fixtures/meta_reproduction.json (", length(cases), "cases )\n")
for (c in cases) {
  r <- c$result
  bt <- if (grepl(" RD$", c$name)) identity else exp
  cat(sprintf("%-40s %.3f (%.3f-%.3f) k=%d I2=%.1f\n", c$name, bt(r$estimate), bt(r$ci_lower),
              bt(r$ci_upper), r$k, r$i2))
}
