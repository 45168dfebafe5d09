# Reference values for dicohort's Kaplan-Meier (src/stats/km.rs) from R survival::survfit.
# Run from the repository root:  Rscript tests/reference/survival_km.R
# Requires R with survival and jsonlite (Debian: apt-get install r-cran-survival r-cran-jsonlite).
# Writes tests/reference/fixtures/survival_km.json. NA is written as "NA", Inf as "Inf".
suppressPackageStartupMessages({ library(survival); library(jsonlite) })

num <- function(x) as.numeric(x)

# One case: the input columns plus survfit results for each conf.type.
km_case <- function(name, time, event, group = NULL, weights = NULL, tau = NULL, times = NULL) {
  d <- data.frame(time = time, event = as.integer(event))
  d$group <- if (is.null(group)) "all" else as.character(group)
  d$w <- if (is.null(weights)) 1 else weights
  levs <- sort(unique(d$group))
  fits <- list()
  for (ct in c("log", "log-log", "plain")) {
    if (is.null(weights)) {
      f <- if (is.null(group)) survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
           else survfit(Surv(time, event) ~ group, data = d, conf.type = ct)
    } else {
      f <- if (is.null(group)) survfit(Surv(time, event) ~ 1, data = d, weights = w, conf.type = ct)
           else survfit(Surv(time, event) ~ group, data = d, weights = w, conf.type = ct)
    }
    per <- list()
    for (g in seq_along(levs)) {
      fg <- if (is.null(f$strata)) f else f[g]
      tab <- summary(fg, rmean = if (is.null(tau)) "none" else tau)$table
      entry <- list(group = levs[g], time = num(fg$time), n_risk = num(fg$n.risk),
                    n_event = num(fg$n.event), n_censor = num(fg$n.censor),
                    surv = num(fg$surv), std_err = num(fg$std.err),
                    lower = num(fg$lower), upper = num(fg$upper), logse = fg$logse,
                    median = num(tab["median"]), median_lower = num(tab[grep("LCL", names(tab))]),
                    median_upper = num(tab[grep("UCL", names(tab))]))
      if (!is.null(tau)) {
        entry$rmst <- num(tab["rmean"]); entry$rmst_se <- num(tab["se(rmean)"])
      }
      if (!is.null(times)) {
        s <- summary(fg, times = times, extend = TRUE)
        entry$at <- list(time = num(s$time), n_risk = num(s$n.risk), n_event = num(s$n.event),
                         n_censor = num(s$n.censor), surv = num(s$surv), se_surv = num(s$std.err),
                         lower = num(s$lower), upper = num(s$upper))
      }
      per[[g]] <- entry
    }
    fits[[ct]] <- per
  }
  list(name = name, time = num(time), event = as.integer(event),
       group = if (is.null(group)) NULL else as.character(group),
       weights = if (is.null(weights)) NULL else num(weights),
       tau = tau, times = times, fits = fits)
}

cases <- list()
lung2 <- lung
cases[[length(cases) + 1]] <- km_case("lung", lung2$time, lung2$status == 2, tau = 365,
                                      times = c(0, 100, 200, 365, 500, 1000, 1100))
cases[[length(cases) + 1]] <- km_case("lung_by_sex", lung2$time, lung2$status == 2,
                                      group = lung2$sex, tau = 500, times = c(50, 250, 750))
cases[[length(cases) + 1]] <- km_case("veteran_by_trt", veteran$time, veteran$status == 1,
                                      group = veteran$trt, tau = 200, times = c(10, 100, 1000))
cases[[length(cases) + 1]] <- km_case("veteran_by_celltype", veteran$time, veteran$status == 1,
                                      group = veteran$celltype, tau = 100)
cases[[length(cases) + 1]] <- km_case("aml_by_x", aml$time, aml$status == 1, group = aml$x,
                                      tau = 48, times = c(0, 5, 13, 48, 200))
# Ties between events and censorings, a time of 0, integer (frequency) weights: Greenwood.
tied_t <- c(0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 5, 5, 8, 8, 8, 9, 12, 12, 15)
tied_e <- c(1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0)
tied_w <- c(1, 2, 1, 3, 1, 2, 1, 1, 4, 1, 2, 1, 1, 1, 2, 1, 3, 1, 1, 2)
tied_g <- rep(c("a", "b"), 10)
cases[[length(cases) + 1]] <- km_case("tied", tied_t, tied_e, tau = 10, times = c(0, 3, 7, 20))
cases[[length(cases) + 1]] <- km_case("tied_int_weights", tied_t, tied_e, weights = tied_w,
                                      tau = 10, times = c(0, 3, 7, 20))
# Non-integer (IPTW-like) weights: R uses the infinitesimal jackknife (robust) variance.
set.seed(20240601)
iw <- round(runif(length(tied_t), 0.3, 3), 3)
cases[[length(cases) + 1]] <- km_case("tied_frac_weights", tied_t, tied_e, weights = iw,
                                      tau = 10, times = c(0, 3, 7, 20))
cases[[length(cases) + 1]] <- km_case("tied_frac_weights_by_group", tied_t, tied_e,
                                      group = tied_g, weights = iw, tau = 10)
lw <- round(runif(nrow(lung), 0.2, 4), 4)
cases[[length(cases) + 1]] <- km_case("lung_frac_weights_by_sex", lung$time, lung$status == 2,
                                      group = lung$sex, weights = lw, tau = 400)
# The last subject dies: S reaches 0 (std.err Inf, log limits NA).
cases[[length(cases) + 1]] <- km_case("ends_in_death", c(1, 2, 2, 4, 6), c(1, 0, 1, 1, 1), tau = 5)
cases[[length(cases) + 1]] <- km_case("all_censored", c(3, 1, 4, 1, 5), c(0, 0, 0, 0, 0), tau = 4)
cases[[length(cases) + 1]] <- km_case("single_event", c(7), c(1), tau = 10)
cases[[length(cases) + 1]] <- km_case("single_censored", c(7), c(0), tau = 10)
# Curve exactly 0.5 on a flat segment: median is the midpoint.
cases[[length(cases) + 1]] <- km_case("median_flat_half", c(1, 2, 3, 4, 5, 6), c(1, 0, 1, 0, 1, 1), tau = 6)
cases[[length(cases) + 1]] <- km_case("median_mid", c(1, 2, 3, 4), c(1, 1, 1, 1), tau = 4)
# Times equal up to floating-point noise are merged by timefix (aeqSurv).
cases[[length(cases) + 1]] <- km_case("timefix", c(1, 1 + 1e-10, 2, 0.1 + 0.2, 0.3, 3),
                                      c(1, 1, 0, 1, 1, 1))

out <- list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", null = "null"),
           "tests/reference/fixtures/survival_km.json")
