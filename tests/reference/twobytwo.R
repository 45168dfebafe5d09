# Reference values for dicohort's 2x2 measures (src/stats/twobytwo.rs).
# Run from the repository root:  Rscript tests/reference/twobytwo.R
# Requires R with metafor, epiR and jsonlite (Debian: apt-get install r-cran-metafor r-cran-epir
# r-cran-jsonlite).
# Writes tests/reference/fixtures/twobytwo.json (NA as "NA", Inf as "Inf").
# Oracles: metafor::escalc (RR, OR, RD with add = 1/2, to = "only0": the Haldane correction
# only when a cell is 0), epiR's score interval for the RR (Koopman 1984, closed-form cubic as in
# PropCIs::koopman), metafor::rma.mh (MH RR/OR/RD, Breslow-Day, Tarone), stats::mantelhaen.test
# (MH OR and its Robins-Breslow-Greenland interval, CMH statistic). The NNT interval (Altman 1998)
# is derived by hand below from the RD limits (clearly labelled: not an independent package).
suppressPackageStartupMessages({ library(metafor); library(jsonlite); library(epiR) })

num <- function(x) as.numeric(x)
z <- qnorm(0.975)

single <- function(name, a, b, c, d) {
  est <- function(measure) {
    e <- escalc(measure = measure, ai = a, bi = b, ci = c, di = d)
    yi <- num(e$yi); se <- sqrt(num(e$vi))
    if (measure == "RD") list(estimate = yi, lower = yi - z * se, upper = yi + z * se, se = se)
    else list(estimate = exp(yi), lower = exp(yi - z * se), upper = exp(yi + z * se), se = se)
  }
  rd <- est("RD")
  k <- epiR:::zRRscore(c(a, b, c, d), 0.95)
  # Altman's NNT interval, by hand from the RD limits.
  crosses <- rd$lower <= 0 && rd$upper >= 0
  nnt <- list(estimate = 1 / abs(rd$estimate), crosses_zero = crosses,
              lower = if (crosses) NA else min(1 / abs(rd$lower), 1 / abs(rd$upper)),
              upper = if (crosses) NA else max(1 / abs(rd$lower), 1 / abs(rd$upper)),
              nntb_bound = if (crosses && rd$lower < 0) 1 / abs(rd$lower) else NA,
              nnth_bound = if (crosses && rd$upper > 0) 1 / rd$upper else NA)
  list(name = name, a = a, b = b, c = c, d = d,
       corrected = (a == 0 || b == 0 || c == 0 || d == 0),
       rr = est("RR"), or = est("OR"), rd = rd,
       koopman = list(estimate = num(k[1]), lower = num(k[2]), upper = num(k[3])),
       nnt = nnt)
}

stratified <- function(name, a, b, c, d) {
  mh <- function(measure) {
    f <- rma.mh(ai = a, bi = b, ci = c, di = d, measure = measure)
    if (measure == "RD") list(estimate = num(f$b), lower = num(f$ci.lb), upper = num(f$ci.ub), se = num(f$se), fit = f)
    else list(estimate = exp(num(f$b)), lower = exp(num(f$ci.lb)), upper = exp(num(f$ci.ub)), se = num(f$se), fit = f)
  }
  rr <- mh("RR"); or <- mh("OR"); rd <- mh("RD")
  arr <- array(rbind(a, b, c, d), dim = c(2, 2, length(a)))  # [exposed/unexposed rows? see below]
  # mantelhaen.test expects x[i, j, k] with i = exposure, j = outcome: rows (exposed, unexposed),
  # columns (event, no event); column-major fill of (a, c, b, d) per stratum gives that.
  arr <- array(rbind(a, c, b, d), dim = c(2, 2, length(a)))
  mt <- mantelhaen.test(arr, correct = FALSE)
  f <- or$fit
  gr <- epiR:::zMHRD.GR(array(rbind(a, c, b, d), dim = c(2, 2, length(a))), 0.95, 1)
  list(name = name, a = a, b = b, c = c, d = d,
       rr = rr[1:4], or = or[1:4], rd = rd[1:4],
       rd_gr = list(estimate = num(gr[1]), lower = num(gr[2]), upper = num(gr[3])),
       mantelhaen = list(estimate = num(mt$estimate), lower = num(mt$conf.int[1]),
                         upper = num(mt$conf.int[2]), chisq = num(mt$statistic), p = num(mt$p.value)),
       breslow_day = list(chisq = num(f$BD), p = num(f$BDp), df = num(f$k.pos) - 1),
       tarone = list(chisq = num(f$TA), p = num(f$TAp), df = num(f$k.pos) - 1))
}

singles <- list(
  single("basic", 15, 85, 30, 70),
  single("protective_crosses", 12, 88, 15, 85),
  single("harmful", 40, 60, 20, 80),
  single("zero_a", 0, 20, 6, 14),
  single("zero_c", 5, 15, 0, 20),
  single("zero_b", 10, 0, 4, 6),
  single("unbalanced", 3, 997, 1, 1999),
  single("large", 1234, 8766, 1001, 8999)
)
ucb <- UCBAdmissions  # Admit x Gender x Dept
# exposure = Female, outcome = Rejected
ua <- num(ucb["Rejected", "Female", ]); ub <- num(ucb["Admitted", "Female", ])
uc <- num(ucb["Rejected", "Male", ]); ud <- num(ucb["Admitted", "Male", ])
strat <- list(
  stratified("ucb_admissions", ua, ub, uc, ud),
  stratified("three_strata", c(12, 5, 20), c(88, 45, 80), c(20, 9, 25), c(80, 41, 75)),
  stratified("with_zero_cell_stratum", c(12, 0, 20, 3), c(88, 30, 80, 7), c(20, 2, 25, 0), c(80, 28, 75, 10))
)
out <- list(r_version = R.version.string, metafor = as.character(packageVersion("metafor")),
            epiR = as.character(packageVersion("epiR")), singles = singles, strata = strat)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", null = "null"),
           "tests/reference/fixtures/twobytwo.json")
