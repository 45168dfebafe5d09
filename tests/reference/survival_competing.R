# Reference values for dicohort's Aalen-Johansen cumulative incidence (src/stats/competing.rs)
# from R survival::survfit with a factor status (multi-state survfitCI; infinitesimal-jackknife
# Requires R with survival and jsonlite (Debian: apt-get install r-cran-survival r-cran-jsonlite).
# std.err). Run from the repository root:  Rscript tests/reference/survival_competing.R
# Writes tests/reference/fixtures/survival_competing.json (NA as "NA", Inf as "Inf").
suppressPackageStartupMessages({ library(survival); library(jsonlite) })

num <- function(x) as.numeric(x)

# cause: 0 = censored, 1 = death, 2 = discharge (or the data set's own competing event)
cr_case <- function(name, time, cause, weights = NULL, labels = c("censor", "death", "discharge")) {
  d <- data.frame(time = time, status = factor(cause, 0:2, labels = labels))
  d$w <- if (is.null(weights)) 1 else weights
  fits <- list()
  for (ct in c("log", "log-log", "plain")) {
    f <- if (is.null(weights)) survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
         else survfit(Surv(time, status) ~ 1, data = d, weights = w, conf.type = ct)
    st <- f$states
    s0 <- which(st == "(s0)")
    c1 <- which(st == labels[2]); c2 <- which(st == labels[3])
    fits[[ct]] <- list(states = st, time = num(f$time),
                       n_risk = num(f$n.risk[, s0]), n_censor = num(f$n.censor),
                       n_event = list(num(f$n.event[, c1]), num(f$n.event[, c2])),
                       surv = num(f$pstate[, s0]), surv_std_err = num(f$std.err[, s0]),
                       cif = list(num(f$pstate[, c1]), num(f$pstate[, c2])),
                       std_err = list(num(f$std.err[, c1]), num(f$std.err[, c2])),
                       lower = list(num(f$lower[, c1]), num(f$lower[, c2])),
                       upper = list(num(f$upper[, c1]), num(f$upper[, c2])))
  }
  list(name = name, time = num(time), cause = as.integer(cause),
       weights = if (is.null(weights)) NULL else num(weights), fits = fits)
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x
# mgus2: progression to plasma cell malignancy (cause 1) vs death (cause 2), survival vignette.
m <- mgus2
etime <- with(m, ifelse(pstat == 0, futime, ptime))
ecause <- with(m, ifelse(pstat == 0, 2 * death, 1))
add(cr_case("mgus2", etime, ecause, labels = c("censor", "pcm", "death")))
# Ties between causes and censorings, a time of 0, and the last row dies.
tt <- c(0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 5, 5, 8, 8, 8, 9, 12, 12, 15, 16)
tc <- c(1, 0, 2, 1, 0, 2, 0, 0, 1, 2, 0, 1, 2, 0, 0, 2, 1, 1, 0, 2, 1)
add(cr_case("tied", tt, tc))
set.seed(7)
add(cr_case("tied_weighted", tt, tc, weights = round(runif(length(tt), 0.3, 3), 3)))
# 28-day in-hospital style data: whole days, heavy ties, administrative censoring at 28.
set.seed(11)
n <- 300
day <- pmin(28, ceiling(rexp(n, 1 / 12)))
cz <- ifelse(day == 28, 0, ifelse(runif(n) < 0.4, 1, 2))
add(cr_case("days28", day, cz))
add(cr_case("days28_weighted", day, cz, weights = round(runif(n, 0.5, 4), 4)))
add(cr_case("all_censored", c(3, 1, 4, 1, 5), c(0, 0, 0, 0, 0)))

out <- list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", null = "null"),
           "tests/reference/fixtures/survival_competing.json")
