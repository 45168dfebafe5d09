//! Kaplan-Meier estimator with R `survival::survfit` parity (survival 3.5): Greenwood variance,
//! `plain` / `log` / `log-log` intervals (`survfit_confint`), the median by `print.survfit`'s rule,
//! restricted mean survival time as `print(fit, rmean = tau)`, and case weights. With non-integer
//! case weights R switches to the infinitesimal-jackknife (robust) variance; so does this module
//! (see [`KmVariance`]).
//!
//! Counting: with at most 4096 distinct times (whole-day follow-up) the times are hashed and the
//! rows counted per (group, time) in one pass, O(n); otherwise one sort by time carrying the
//! group and event bits, then one pass per curve, O(n log n). Both give the same numbers
//! ([`Counting`] forces the sort, for tests and benchmarks).

use serde::Serialize;

use super::dist::z_two_sided;
use super::survtime::{few_distinct_times, sorted_rows, validate, validate_labels, FEW_DISTINCT};
use super::StatsError;

/// Confidence interval transformation, as R `survfit(conf.type = ...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfType {
    /// `S +- z se(S)`, clipped to [0, 1].
    Plain,
    /// `exp(log S +- z se(log S))`, upper clipped to 1 (R's default).
    Log,
    /// `exp(-exp(log(-log S) +- z se(log S) / log S))`.
    LogLog,
}

impl std::str::FromStr for ConfType {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "plain" => Ok(ConfType::Plain),
            "log" => Ok(ConfType::Log),
            "log-log" => Ok(ConfType::LogLog),
            other => Err(StatsError::InvalidInput(format!(
                "unknown conf type `{other}` (expected log, log-log or plain)"
            ))),
        }
    }
}

/// Which variance `std_err` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KmVariance {
    /// Greenwood: `std_err` is the standard error of the cumulative hazard `-log S`,
    /// `sqrt(sum d / (n (n - d)))` with weighted counts (R `survfit` without robust variance).
    Greenwood,
    /// Infinitesimal jackknife, each row its own cluster: `std_err` is the standard error of `S`
    /// itself, as R's `survfit` `std.err` when `robust = TRUE` (R's default for non-integer
    /// weights; R sets `logse = FALSE`).
    InfinitesimalJackknife,
}

/// How rows are grouped by distinct time; every path gives the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counting {
    /// Hash the times when there are at most 4096 distinct ones (whole-day follow-up), else sort.
    #[default]
    Auto,
    /// Always sort the rows by time (radix sort).
    Sort,
}

/// Options of [`kaplan_meier`].
#[derive(Debug, Clone, PartialEq)]
pub struct KmOptions {
    pub conf_type: ConfType,
    pub conf_level: f64,
    /// `None`: R's rule (robust iff some weight is not an integer). `Some(b)` forces it.
    pub robust: Option<bool>,
    /// R `timefix = TRUE`: merge times equal up to floating-point noise (`aeqSurv`).
    pub timefix: bool,
    /// Counting path (for tests and benchmarks; results are the same).
    pub counting: Counting,
}

impl Default for KmOptions {
    fn default() -> Self {
        KmOptions {
            conf_type: ConfType::Log,
            conf_level: 0.95,
            robust: None,
            timefix: true,
            counting: Counting::Auto,
        }
    }
}

/// A Kaplan-Meier curve: one entry per distinct time (event or censoring), like
/// `summary(survfit(...), censored = TRUE)`. Counts are weighted sums when weights are given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KmFit {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub surv: Vec<f64>,
    /// R's `survfit` `std.err`; its scale depends on [`KmFit::variance`].
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Number of rows used (R `n`).
    pub n: usize,
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub variance: KmVariance,
}

/// A quantile of the survival distribution with its interval (NaN = not reached, R's `NA`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvQuantile {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Restricted mean survival time to `tau` with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rmst {
    pub tau: f64,
    pub estimate: f64,
    pub se: f64,
}

/// One row of a risk table / `summary(fit, times = ..., extend = TRUE)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmSummaryRow {
    pub time: f64,
    /// At risk at `time` (rows with follow-up >= `time`).
    pub n_risk: f64,
    /// Events in (previous requested time, `time`].
    pub n_event: f64,
    /// Censorings in (previous requested time, `time`].
    pub n_censor: f64,
    pub surv: f64,
    /// Standard error of `surv` itself, as `summary.survfit`'s `std.err`.
    pub se_surv: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Kaplan-Meier estimate as R `survfit(Surv(time, event) ~ 1, weights = weights)`.
///
/// # Formula
/// `S(t) = prod_{t_i <= t} (1 - d_i / n_i)` over the distinct event times (`d_i`, `n_i`
/// weighted when weights are given); Greenwood variance `var(log S(t)) = sum d_i / (n_i (n_i -
/// d_i))`, or the infinitesimal jackknife with fractional weights (R's `robust` default); the
/// interval on the scale of `opts.conf_type` (R's default `log`).
///
/// # Errors
/// [`StatsError::InvalidInput`] for slices of different lengths, a non-finite or negative time,
/// a negative or non-finite weight, or a confidence level outside (0, 1).
pub fn kaplan_meier(
    time: &[f64],
    event: &[bool],
    weights: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<KmFit, StatsError> {
    validate(time, event.len(), weights)?;
    check_opts(opts)?;
    let mut fits = km_groups(time, event, weights, None, 1, opts);
    Ok(fits.pop().expect("one curve"))
}

/// One Kaplan-Meier curve per group (`group` in `0..n_groups`), as R
/// `survfit(Surv(time, event) ~ group)`: the tie correction is computed on all rows together,
/// then each group is fitted. A group without rows gives an empty curve.
///
/// # Errors
/// As [`kaplan_meier`], and for a group id outside `0..n_groups`.
pub fn kaplan_meier_by_group(
    time: &[f64],
    event: &[bool],
    weights: Option<&[f64]>,
    group: &[u32],
    n_groups: usize,
    opts: &KmOptions,
) -> Result<Vec<KmFit>, StatsError> {
    validate(time, event.len(), weights)?;
    validate_labels("group", group, time.len(), n_groups)?;
    if n_groups > (u32::MAX >> 1) as usize {
        return Err(StatsError::InvalidInput(format!(
            "{n_groups} groups is too many"
        )));
    }
    check_opts(opts)?;
    Ok(km_groups(time, event, weights, Some(group), n_groups, opts))
}

/// Few distinct times: hash them and count per (group, time) in one pass over the rows.
/// Otherwise sort once, carrying (group, event) bits (or the row, with weights) through the
/// sort, and make one pass per group over the sorted rows.
fn km_groups(
    time: &[f64],
    event: &[bool],
    weights: Option<&[f64]>,
    group: Option<&[u32]>,
    n_groups: usize,
    opts: &KmOptions,
) -> Vec<KmFit> {
    let robust = opts
        .robust
        .unwrap_or_else(|| has_fractional_weights(weights));
    if opts.counting == Counting::Auto {
        if let Some(tr) = few_distinct_times(time, FEW_DISTINCT, opts.timefix) {
            // counts per (group, time): at most 2^18 cells (16 MB)
            if n_groups.saturating_mul(tr.times.len()) <= 1 << 18 {
                let m = tr.times.len();
                let runs = runs_by_rank(&tr.rank, m, event, weights, group, n_groups);
                return km_from_rank_runs(&runs, &tr.times, n_groups, robust, opts);
            }
        }
    }
    let g_of = |i: usize| group.map_or(0, |g| g[i]);
    let sorted = match weights {
        None => sorted_rows(
            time,
            opts.timefix,
            |i| (g_of(i) << 1) | u32::from(event[i]),
            n_groups,
            |a| (a >> 1) as usize,
        ),
        Some(_) => sorted_rows(
            time,
            opts.timefix,
            |i| i as u32,
            n_groups,
            |a| g_of(a as usize) as usize,
        ),
    };
    let o = &sorted.offsets;
    (0..n_groups)
        .map(|g| {
            let r = o[g]..o[g + 1];
            km_sorted(
                &sorted.time[r.clone()],
                &sorted.aux[r],
                event,
                weights,
                robust,
                opts,
            )
        })
        .collect()
}

fn check_opts(opts: &KmOptions) -> Result<(), StatsError> {
    if !(opts.conf_level > 0.0 && opts.conf_level < 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "conf level {} must be in (0, 1)",
            opts.conf_level
        )));
    }
    Ok(())
}

fn has_fractional_weights(weights: Option<&[f64]>) -> bool {
    weights.is_some_and(|w| w.iter().any(|x| x.fract() != 0.0))
}

/// Per distinct time sums gathered in the counting pass.
#[derive(Default, Clone, Copy)]
struct Run {
    rows: u64,
    d0: u64,
    d1: f64,
    c1: f64,
    w: f64,
    w2_event: f64,
    w2_cens: f64,
}

/// The counting pass over rows already sorted by time: `ts` sorted times, `rows` the values
/// carried through the sort (the event bit without weights, the row with weights).
fn km_sorted(
    ts: &[f64],
    rows: &[u32],
    event: &[bool],
    weights: Option<&[f64]>,
    robust: bool,
    opts: &KmOptions,
) -> KmFit {
    let n_rows = ts.len();
    // capacity for the worst case (all times distinct); untouched pages cost nothing
    let mut times: Vec<f64> = Vec::with_capacity(n_rows);
    let mut runs: Vec<Run> = Vec::with_capacity(n_rows);
    let mut j = 0;
    while j < n_rows {
        let t = ts[j];
        let mut cur = Run::default();
        match weights {
            None => {
                let (mut d0, mut c) = (0u64, 0u64);
                // without weights the event flag travels in the low bit of `rows`
                while j < n_rows && ts[j] == t {
                    if rows[j] & 1 == 1 {
                        d0 += 1;
                    } else {
                        c += 1;
                    }
                    j += 1;
                }
                cur.rows = d0 + c;
                cur.d0 = d0;
                cur.d1 = d0 as f64;
                cur.c1 = c as f64;
                cur.w = (d0 + c) as f64;
                cur.w2_event = cur.d1;
                cur.w2_cens = cur.c1;
            }
            Some(wv) => {
                while j < n_rows && ts[j] == t {
                    let i = rows[j] as usize;
                    let w = wv[i];
                    cur.rows += 1;
                    cur.w += w;
                    if event[i] {
                        cur.d0 += 1;
                        cur.d1 += w;
                        cur.w2_event += w * w;
                    } else {
                        cur.c1 += w;
                        cur.w2_cens += w * w;
                    }
                    j += 1;
                }
            }
        }
        times.push(t);
        runs.push(cur);
    }
    times.shrink_to_fit();
    km_from_runs(times, &runs, n_rows, robust, opts)
}

/// Counts per (group, distinct time) in one pass over the rows, given each row's time rank.
fn runs_by_rank(
    ranks: &[u32],
    m: usize,
    event: &[bool],
    weights: Option<&[f64]>,
    group: Option<&[u32]>,
    n_groups: usize,
) -> Vec<Run> {
    let mut runs = vec![Run::default(); n_groups * m];
    let g_of = |i: usize| group.map_or(0, |g| g[i] as usize);
    match weights {
        None => {
            for (i, (&r, &e)) in ranks.iter().zip(event).enumerate() {
                let run = &mut runs[g_of(i) * m + r as usize];
                run.rows += 1;
                run.d0 += u64::from(e);
            }
            for run in runs.iter_mut() {
                run.d1 = run.d0 as f64;
                run.c1 = (run.rows - run.d0) as f64;
                run.w = run.rows as f64;
                run.w2_event = run.d1;
                run.w2_cens = run.c1;
            }
        }
        Some(wv) => {
            for (i, (&r, &e)) in ranks.iter().zip(event).enumerate() {
                let w = wv[i];
                let run = &mut runs[g_of(i) * m + r as usize];
                run.rows += 1;
                run.w += w;
                if e {
                    run.d0 += 1;
                    run.d1 += w;
                    run.w2_event += w * w;
                } else {
                    run.c1 += w;
                    run.w2_cens += w * w;
                }
            }
        }
    }
    runs
}

/// Curves from per-(group, time) counts: the times where the group has rows.
fn km_from_rank_runs(
    runs: &[Run],
    times: &[f64],
    n_groups: usize,
    robust: bool,
    opts: &KmOptions,
) -> Vec<KmFit> {
    let m = times.len();
    (0..n_groups)
        .map(|g| {
            let block = &runs[g * m..(g + 1) * m];
            let keep: Vec<usize> = (0..m).filter(|&r| block[r].rows > 0).collect();
            let n_rows = keep.iter().map(|&r| block[r].rows as usize).sum();
            let ts = keep.iter().map(|&r| times[r]).collect();
            let rs: Vec<Run> = keep.iter().map(|&r| block[r]).collect();
            km_from_runs(ts, &rs, n_rows, robust, opts)
        })
        .collect()
}

/// Estimates, variances and limits from the per-time sums (survfitkm.c).
fn km_from_runs(
    times: Vec<f64>,
    runs: &[Run],
    n_rows: usize,
    robust: bool,
    opts: &KmOptions,
) -> KmFit {
    let m = runs.len();
    // Number at risk accumulated from the end, as survfitkm.c does.
    let mut n_risk = vec![0.0; m];
    let mut acc = 0.0;
    for j in (0..m).rev() {
        acc += runs[j].w;
        n_risk[j] = acc;
    }
    let mut surv = Vec::with_capacity(m);
    let mut std_err = Vec::with_capacity(m);
    let mut km = 1.0;
    let variance = if robust {
        KmVariance::InfinitesimalJackknife
    } else {
        KmVariance::Greenwood
    };
    if !robust {
        let mut v = 0.0;
        for (j, r) in runs.iter().enumerate() {
            if r.d0 > 0 && r.d1 > 0.0 {
                let n = n_risk[j];
                km *= (n - r.d1) / n;
                v += r.d1 / (n * (n - r.d1));
            }
            surv.push(km);
            std_err.push(v.sqrt());
        }
    } else {
        // Infinitesimal jackknife (survfitkm.c, type 1, one cluster per row), in closed form:
        // a row still at risk after event time i has influence S_i w G_i, a row that left at
        // time j has S_i w (G_j - delta / (n_j - d_j)), with G_i = sum d / (n (n - d)).
        // Var(S_i) = S_i^2 (G_i^2 sum_{at risk} w^2 + sum_{left} w^2 c^2).
        let mut w2_after = vec![0.0; m];
        let mut acc = 0.0;
        for j in (0..m).rev() {
            w2_after[j] = acc;
            acc += runs[j].w2_event + runs[j].w2_cens;
        }
        let mut g = 0.0;
        let mut gone = 0.0;
        let mut v = 0.0;
        let mut dead = false;
        for (j, r) in runs.iter().enumerate() {
            let n = n_risk[j];
            if r.d0 > 0 && r.d1 > 0.0 && !dead {
                km *= (n - r.d1) / n;
                if n - r.d1 > 0.0 {
                    g += r.d1 / (n * (n - r.d1));
                    let ce = g - 1.0 / (n - r.d1);
                    gone += r.w2_event * ce * ce + r.w2_cens * g * g;
                    v = km * km * (g * g * w2_after[j] + gone);
                } else {
                    dead = true;
                    v = 0.0;
                }
            } else if !dead {
                gone += r.w2_cens * g * g + r.w2_event * g * g;
            }
            surv.push(km);
            std_err.push(v.sqrt());
        }
    }
    let (lower, upper) = confint(&surv, &std_err, variance, opts.conf_type, opts.conf_level);
    KmFit {
        time: times,
        n_risk,
        n_event: runs.iter().map(|r| r.d1).collect(),
        n_censor: runs.iter().map(|r| r.c1).collect(),
        surv,
        std_err,
        lower,
        upper,
        n: n_rows,
        conf_type: opts.conf_type,
        conf_level: opts.conf_level,
        variance,
    }
}

/// Pointwise limits as R `survfit_confint` (conf.lower = "usual"); NaN where R gives `NA`.
fn confint(
    surv: &[f64],
    std_err: &[f64],
    variance: KmVariance,
    conf_type: ConfType,
    conf_level: f64,
) -> (Vec<f64>, Vec<f64>) {
    let z = z_two_sided(conf_level);
    let mut lower = Vec::with_capacity(surv.len());
    let mut upper = Vec::with_capacity(surv.len());
    let mut prev = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    for (&p, &se) in surv.iter().zip(std_err) {
        // censoring-only times repeat the previous estimate: reuse its limits
        if p == prev.0 && se == prev.1 {
            lower.push(prev.2);
            upper.push(prev.3);
            continue;
        }
        let se_raw = se;
        let se = match variance {
            KmVariance::Greenwood => se,
            KmVariance::InfinitesimalJackknife => {
                if se == 0.0 {
                    0.0
                } else {
                    se / p
                }
            }
        };
        let (lo, hi) = ci_one(p, se, z, conf_type);
        lower.push(lo);
        upper.push(hi);
        prev = (p, se_raw, lo, hi);
    }
    (lower, upper)
}

/// One interval from `S` and the standard error of `log S`.
pub(crate) fn ci_one(p: f64, se: f64, z: f64, conf_type: ConfType) -> (f64, f64) {
    match conf_type {
        ConfType::Plain => {
            let se2 = se * p * z;
            (pmax(p - se2, 0.0), pmin(p + se2, 1.0))
        }
        ConfType::Log => {
            if p == 0.0 {
                return (f64::NAN, f64::NAN);
            }
            // exp(log p -+ z se) = p exp(-+ z se): one exp instead of a log and two exps
            let f = (z * se).exp();
            (p / f, pmin(p * f, 1.0))
        }
        ConfType::LogLog => {
            if p == 0.0 || p == 1.0 {
                return (f64::NAN, f64::NAN);
            }
            let se2 = z * se / p.ln();
            let ll = (-p.ln()).ln();
            ((-(ll - se2).exp()).exp(), (-(ll + se2).exp()).exp())
        }
    }
}

/// R `pmax` / `pmin`: NaN (R `NA`) propagates.
fn pmax(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        a
    } else {
        a.max(b)
    }
}

fn pmin(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        a
    } else {
        a.min(b)
    }
}

impl KmFit {
    /// Number of distinct times.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when the curve has no rows.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Limits for another interval type or level (same estimate and variance).
    pub fn confint(&self, conf_type: ConfType, conf_level: f64) -> (Vec<f64>, Vec<f64>) {
        confint(
            &self.surv,
            &self.std_err,
            self.variance,
            conf_type,
            conf_level,
        )
    }

    /// Median survival and its interval by `print.survfit`'s rule (`survmean`'s `minmin`): the
    /// first time the curve is below 0.5 (+ sqrt(eps)); when the curve is exactly 0.5 on a flat
    /// segment, the midpoint of that segment. The limits apply the same rule to the lower and
    /// upper curves. NaN (R `NA`) when not reached.
    pub fn median(&self) -> SurvQuantile {
        SurvQuantile {
            estimate: minmin(&self.surv, &self.time),
            lower: minmin(&self.lower, &self.time),
            upper: minmin(&self.upper, &self.time),
        }
    }

    /// Restricted mean survival time to `tau` and its standard error, as
    /// `print(survfit(...), rmean = tau)` (R `survmean`; start time 0).
    pub fn rmst(&self, tau: f64) -> Rmst {
        let start = 0.0;
        let keep = self.time.partition_point(|&t| t <= tau);
        let mut area_total = 0.0;
        // rectangles: delta_j * S(previous), from start to tau
        let mut rect = Vec::with_capacity(keep + 1);
        let mut prev_t = start;
        let mut prev_s = 1.0;
        for j in 0..keep {
            rect.push((self.time[j] - prev_t) * prev_s);
            prev_t = self.time[j];
            prev_s = self.surv[j];
        }
        rect.push((tau - prev_t) * prev_s);
        for r in &rect {
            area_total += r;
        }
        // variance: sum_j hh_j (area from time_j to tau)^2 over kept times
        let mut var = 0.0;
        let mut tail = 0.0;
        for j in (0..keep).rev() {
            tail += rect[j + 1];
            let n = self.n_risk[j];
            let d = self.n_event[j];
            let hh = if n - d == 0.0 { 0.0 } else { d / (n * (n - d)) };
            var += tail * tail * hh;
        }
        Rmst {
            tau,
            estimate: area_total + start,
            se: var.sqrt(),
        }
    }

    /// Risk table at requested times, as R `summary(fit, times = times, extend = TRUE)`:
    /// estimates from the last distinct time <= t (1 before the first), number at risk at t,
    /// events and censorings since the previous requested time. `times` are sorted first.
    pub fn summary_at(&self, times: &[f64]) -> Vec<KmSummaryRow> {
        let mut ts: Vec<f64> = times.iter().copied().filter(|t| !t.is_nan()).collect();
        ts.sort_by(f64::total_cmp);
        let mut out = Vec::with_capacity(ts.len());
        let mut from = 0usize;
        for &t in &ts {
            let upto = self.time.partition_point(|&x| x <= t);
            let n_risk = self
                .n_risk
                .get(self.time.partition_point(|&x| x < t))
                .copied()
                .unwrap_or(0.0);
            let (mut ev, mut ce) = (0.0, 0.0);
            for j in from..upto.max(from) {
                ev += self.n_event[j];
                ce += self.n_censor[j];
            }
            from = from.max(upto);
            let (surv, se_surv, lower, upper) = if upto == 0 {
                (1.0, 0.0, 1.0, 1.0)
            } else {
                let j = upto - 1;
                let se = match self.variance {
                    KmVariance::Greenwood => self.std_err[j] * self.surv[j],
                    KmVariance::InfinitesimalJackknife => self.std_err[j],
                };
                (self.surv[j], se, self.lower[j], self.upper[j])
            };
            out.push(KmSummaryRow {
                time: t,
                n_risk,
                n_event: ev,
                n_censor: ce,
                surv,
                se_surv,
                lower,
                upper,
            });
        }
        out
    }
}

/// `survmean`'s `minmin(y, x)` with tolerance sqrt(.Machine$double.eps).
fn minmin(y: &[f64], x: &[f64]) -> f64 {
    let tol = f64::EPSILON.sqrt();
    let mut kept = y
        .iter()
        .zip(x)
        .filter(|(yy, _)| !yy.is_nan() && **yy < 0.5 + tol);
    let Some((&y1, &x1)) = kept.next() else {
        return f64::NAN;
    };
    if (y1 - 0.5).abs() < tol {
        if let Some((_, &x2)) = kept.find(|(yy, _)| **yy < y1) {
            return (x1 + x2) / 2.0;
        }
    }
    x1
}
