#!/usr/bin/env Rscript
# Reference values for `dicohort::stats::finegray`: the Fine-Gray subdistribution hazards model
# from cmprsk::crr (2.2-11) and from survival::finegray + weighted coxph (survival 3.5), and the
# cause-specific Cox model (coxph with the competing event as censoring).
# Regenerate (from the repository root):  Rscript tests/reference/stats_finegray.R
# Writes tests/reference/fixtures/finegray_<case>.json.
suppressPackageStartupMessages({library(survival); library(cmprsk); library(jsonlite)})
outdir <- file.path("tests", "reference", "fixtures")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
vec <- function(x) I(as.numeric(x))
set.seed(1729)

fg_case <- function(case, time, status, X, w = NULL, expansion = FALSE, cif = FALSE) {
  X <- as.matrix(X)
  c1 <- crr(time, status, X, failcode = 1, cencode = 0)
  d <- data.frame(time = time, status = factor(status, 0:max(status)), X, id = seq_along(time))
  if (!is.null(w)) d$w <- w
  cov <- colnames(X)
  fgf <- as.formula(paste("Surv(time, status) ~", paste(c(cov, "id"), collapse = " + ")))
  fg <- if (is.null(w)) finegray(fgf, data = d, etype = "1")
        else finegray(fgf, data = d, etype = "1", weights = w)
  rhs <- paste(cov, collapse = " + ")
  fgfit <- function(ties, robust) {
    f <- as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", rhs))
    fit <- if (robust) coxph(f, data = fg, weights = fgwt, ties = ties, cluster = id)
           else coxph(f, data = fg, weights = fgwt, ties = ties)
    list(coef = vec(coef(fit)), se = vec(sqrt(diag(fit$naive.var %||% fit$var))),
         robust_se = if (robust) vec(sqrt(diag(fit$var))) else NULL, loglik = vec(fit$loglik))
  }
  `%||%` <- function(a, b) if (is.null(a)) b else a
  cs <- function(ties) {
    f <- as.formula(paste("Surv(time, status == 1) ~", rhs))
    fit <- if (is.null(w)) coxph(f, data = transform(d, status = as.integer(as.character(status))), ties = ties)
           else coxph(f, data = transform(d, status = as.integer(as.character(status))), ties = ties, weights = w)
    # coxph makes the variance robust by default for non-integer weights: keep both
    list(coef = vec(coef(fit)), se = vec(sqrt(diag(fit$naive.var %||% fit$var))))
  }
  out <- list(case = case, names = I(cov),
              data = list(time = vec(time), status = I(as.integer(status)),
                          x = lapply(cov, function(v) vec(X[, v])), w = if (is.null(w)) NULL else vec(w)),
              crr = if (is.null(w)) list(coef = vec(c1$coef), se = vec(sqrt(diag(c1$var))), var = vec(c1$var),
                                         loglik = c1$loglik, loglik_null = c1$loglik.null) else NULL,
              finegray = list(n_rows = nrow(fg), weight_sum = sum(fg$fgwt), n_event = sum(fg$fgstatus),
                              efron = fgfit("efron", FALSE), breslow = fgfit("breslow", FALSE),
                              efron_robust = fgfit("efron", TRUE)),
              cause_specific = list(efron = cs("efron"), breslow = cs("breslow")))
  if (cif) {
    sf <- if (is.null(w)) survfit(Surv(time, status) ~ x, data = d) else survfit(Surv(time, status) ~ x, data = d, weights = w)
    sm <- summary(sf, times = c(7, 14, 28))
    out$cif <- list(group = I(sub("x=", "", as.character(sm$strata))), time = vec(sm$time),
                    cif = vec(sm$pstate[, 2]), std_err = vec(sm$std.err[, 2]))
  }
  if (expansion) out$expansion <- list(row = I(fg$id - 1L), start = vec(fg$fgstart), stop = vec(fg$fgstop),
                                       event = I(as.integer(fg$fgstatus)), weight = vec(fg$fgwt))
  path <- file.path(outdir, sprintf("finegray_%s.json", case))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), path)
  cat("wrote", path, "\n")
}

# 1. continuous times, no ties: crr and finegray + Breslow coxph agree
n <- 300
x <- rbinom(n, 1, 0.5); age <- rnorm(n, 65, 10)
t1 <- rexp(n, 0.05 * exp(-0.4 * x + 0.02 * (age - 65)))
t2 <- rexp(n, 0.04 * exp(0.3 * x))
cz <- runif(n, 5, 60)
tt <- pmin(t1, t2, cz); st <- ifelse(tt == cz, 0L, ifelse(tt == t1, 1L, 2L))
fg_case("continuous", tt, st, cbind(x = x, age = age), expansion = TRUE)
# 2. whole days (ties among events and censorings, administrative censoring at 28), 3 causes
dd <- pmin(ceiling(tt), 28L); sd <- ifelse(ceiling(tt) > 28, 0L, st)
sd[sample(which(sd == 2), 10)] <- 3L
fg_case("days", dd, sd, cbind(x = x, age = age), expansion = TRUE, cif = TRUE)
# 3. the same days data with IPTW-like weights (finegray + weighted coxph only; crr has no weights)
wt <- ifelse(x == 1, 2, 1.5) * runif(n, 0.7, 1.3)
fg_case("days_weighted", dd, sd, cbind(x = x, age = age), w = wt, cif = TRUE)
# 4. mgus2: time to plasma cell malignancy with death as the competing event
m <- na.omit(mgus2[, c("ptime", "pstat", "futime", "death", "age", "sex", "mspike")])
etime <- with(m, ifelse(pstat == 0, futime, ptime))
event <- with(m, ifelse(pstat == 0, 2L * death, 1L))
fg_case("mgus2", etime, event, cbind(age = m$age, male = as.numeric(m$sex == "M"), mspike = m$mspike))
