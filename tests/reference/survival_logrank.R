# Reference values for dicohort's log-rank / G-rho test (src/stats/logrank.rs) from R
# survival::survdiff. Run from the repository root:  Rscript tests/reference/survival_logrank.R
# Requires R with survival and jsonlite (Debian: apt-get install r-cran-survival r-cran-jsonlite).
# Writes tests/reference/fixtures/survival_logrank.json (NA as "NA").
suppressPackageStartupMessages({ library(survival); library(jsonlite) })

num <- function(x) as.numeric(x)

lr_case <- function(name, time, event, group, strata = NULL, rho = 0) {
  d <- data.frame(time = time, event = as.integer(event), group = as.character(group))
  if (is.null(strata)) {
    f <- survdiff(Surv(time, event) ~ group, data = d, rho = rho)
  } else {
    d$strata <- as.character(strata)
    f <- survdiff(Surv(time, event) ~ group + strata(strata), data = d, rho = rho)
  }
  obs <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  exp <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  df <- sum(exp > 0) - 1
  list(name = name, time = num(time), event = as.integer(event), group = as.character(group),
       strata = if (is.null(strata)) NULL else as.character(strata), rho = rho,
       levels = sub("^group=", "", names(f$n)), n = num(f$n),
       observed = num(obs), expected = num(exp), variance = num(f$var),
       chisq = num(f$chisq), df = df, p = pchisq(f$chisq, df, lower.tail = FALSE))
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x
add(lr_case("lung_sex", lung$time, lung$status == 2, lung$sex))
add(lr_case("lung_sex_rho1", lung$time, lung$status == 2, lung$sex, rho = 1))
add(lr_case("lung_sex_rho0.5", lung$time, lung$status == 2, lung$sex, rho = 0.5))
lc <- lung[!is.na(lung$ph.ecog), ]
add(lr_case("lung_sex_strata_ecog", lc$time, lc$status == 2, lc$sex, strata = lc$ph.ecog))
add(lr_case("lung_sex_strata_ecog_rho1", lc$time, lc$status == 2, lc$sex, strata = lc$ph.ecog, rho = 1))
add(lr_case("veteran_celltype", veteran$time, veteran$status, veteran$celltype))
add(lr_case("veteran_celltype_rho1", veteran$time, veteran$status, veteran$celltype, rho = 1))
add(lr_case("veteran_trt_strata_celltype", veteran$time, veteran$status, veteran$trt,
            strata = veteran$celltype))
add(lr_case("aml_x", aml$time, aml$status, aml$x))
add(lr_case("aml_x_rho1", aml$time, aml$status, aml$x, rho = 1))
# Ties between events and censorings, a time of 0, three groups, two strata; one group is
# absent from stratum "s2".
tt <- c(0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 5, 5, 8, 8, 8, 9, 12, 12, 15, 2, 4, 4, 6)
te <- c(1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1)
tg <- c(rep(c("a", "b", "c"), 6), "a", "b", "a", "b", "a", "b")
ts <- c(rep("s1", 12), rep("s2", 12))
ts[tg == "c"] <- "s1"
add(lr_case("tied_3groups", tt, te, tg))
add(lr_case("tied_3groups_strata", tt, te, tg, strata = ts))
add(lr_case("tied_3groups_strata_rho1", tt, te, tg, strata = ts, rho = 1))
# A group with no events: its expected count is positive, observed 0.
add(lr_case("group_without_events", c(1, 2, 3, 4, 5, 6, 7), c(1, 1, 0, 1, 0, 0, 0),
            c("a", "a", "b", "a", "b", "b", "b")))
# Times equal up to floating-point noise are merged (timefix).
add(lr_case("timefix", c(1, 1 + 1e-10, 2, 0.1 + 0.2, 0.3, 3, 4), c(1, 1, 0, 1, 1, 1, 1),
            c("a", "b", "a", "b", "a", "b", "a")))

out <- list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", null = "null"),
           "tests/reference/fixtures/survival_logrank.json")
