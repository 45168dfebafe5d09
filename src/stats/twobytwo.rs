//! Measures of association from 2x2 tables: risk ratio, risk difference and odds ratio with Wald
//! intervals (log scale for ratios), the Koopman (1984) score interval for the risk ratio, the
//! number needed to treat with Altman's (1998) interval, and across strata the Mantel-Haenszel
//! risk ratio (Greenland-Robins 1985 variance), odds ratio (Robins-Breslow-Greenland 1986
//! variance) and risk difference (Sato 1989 variance), the Cochran-Mantel-Haenszel test and the
//! Breslow-Day homogeneity test with Tarone's correction, all as R `metafor::rma.mh` and
//! `metafor::escalc` compute them.
//!
//! Layout: `a` exposed with outcome, `b` exposed without, `c` unexposed with outcome, `d`
//! unexposed without. Risks are `a / (a + b)` and `c / (c + d)`; differences and ratios are
//! exposed versus unexposed.
//!
//! Zero cells (single table): when any cell is 0, 0.5 is added to every cell (Haldane-Anscombe)
//! before the RR, RD and OR and their Wald intervals are computed, as `escalc(add = 1/2,
//! to = "only0")`; the result says so in `correction`. The Koopman interval and the
//! Mantel-Haenszel estimates use the raw counts (as `rma.mh`).

use serde::{Deserialize, Serialize};

use super::dist::{pchisq_upper, pnorm, z_two_sided};
use super::StatsError;

/// A 2x2 table of (possibly weighted) counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TwoByTwo {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
}

/// The zero-cell correction applied to an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroCellCorrection {
    /// No cell was zero: raw counts.
    None,
    /// Some cell was zero: 0.5 added to all four cells (Haldane-Anscombe).
    Haldane,
}

/// A point estimate with its interval and standard error (on the log scale for ratios).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// Standard error of `log(estimate)` for ratios, of the estimate for differences.
    pub se: f64,
}

/// Risk ratio, risk difference and odds ratio of one table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TableMeasures {
    pub table: TwoByTwo,
    pub risk_exposed: f64,
    pub risk_unexposed: f64,
    pub correction: ZeroCellCorrection,
    pub risk_ratio: Estimate,
    /// Koopman score interval for the risk ratio (raw counts; `estimate` is the raw ratio).
    pub risk_ratio_koopman: Estimate,
    pub risk_difference: Estimate,
    pub odds_ratio: Estimate,
    pub nnt: NumberNeeded,
}

/// Whether the exposure (treatment) lowers or raises the risk of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NntKind {
    /// Risk lower with exposure: number needed to treat for one to benefit (NNTB).
    Benefit,
    /// Risk higher with exposure: number needed to treat for one to be harmed (NNTH).
    Harm,
    /// Risk difference exactly 0: infinite NNT.
    None,
}

/// Number needed to treat, `1 / |RD|`, with Altman's (BMJ 1998) interval from the RD interval:
/// when the RD interval excludes 0 the limits are `1 / |RD limits|` (`lower`, `upper`); when it
/// includes 0 the interval runs from NNTB `nntb_bound` through infinity to NNTH `nnth_bound`, and
/// `lower` / `upper` are NaN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NumberNeeded {
    pub kind: NntKind,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub crosses_zero: bool,
    pub nntb_bound: f64,
    pub nnth_bound: f64,
}

impl TwoByTwo {
    /// Counts from row-wise exposure and outcome flags.
    pub fn from_flags(exposure: &[bool], outcome: &[bool]) -> Result<TwoByTwo, StatsError> {
        if exposure.len() != outcome.len() {
            return Err(StatsError::InvalidInput(format!(
                "exposure has {} values but outcome has {}",
                exposure.len(),
                outcome.len()
            )));
        }
        let mut t = TwoByTwo {
            a: 0.0,
            b: 0.0,
            c: 0.0,
            d: 0.0,
        };
        for (&e, &o) in exposure.iter().zip(outcome) {
            match (e, o) {
                (true, true) => t.a += 1.0,
                (true, false) => t.b += 1.0,
                (false, true) => t.c += 1.0,
                (false, false) => t.d += 1.0,
            }
        }
        Ok(t)
    }

    fn check(&self) -> Result<(), StatsError> {
        for (name, x) in [("a", self.a), ("b", self.b), ("c", self.c), ("d", self.d)] {
            if !(x.is_finite() && x >= 0.0) {
                return Err(StatsError::InvalidInput(format!(
                    "cell {name} is {x}: counts must be finite and >= 0"
                )));
            }
        }
        if self.a + self.b == 0.0 {
            return Err(StatsError::InvalidInput("no exposed rows".into()));
        }
        if self.c + self.d == 0.0 {
            return Err(StatsError::InvalidInput("no unexposed rows".into()));
        }
        Ok(())
    }

    fn has_zero(&self) -> bool {
        self.a == 0.0 || self.b == 0.0 || self.c == 0.0 || self.d == 0.0
    }

    fn plus(&self, x: f64) -> TwoByTwo {
        TwoByTwo {
            a: self.a + x,
            b: self.b + x,
            c: self.c + x,
            d: self.d + x,
        }
    }
}

/// All single-table measures at confidence level `conf_level`.
pub fn table_measures(t: &TwoByTwo, conf_level: f64) -> Result<TableMeasures, StatsError> {
    t.check()?;
    check_level(conf_level)?;
    let z = z_two_sided(conf_level);
    let (correction, u) = if t.has_zero() {
        (ZeroCellCorrection::Haldane, t.plus(0.5))
    } else {
        (ZeroCellCorrection::None, *t)
    };
    let rr = risk_ratio_wald(&u, z);
    let rd = risk_difference_wald(&u, z);
    let or = odds_ratio_wald(&u, z);
    let (klo, khi) = koopman_interval(t, conf_level)?;
    let n1 = t.a + t.b;
    let n0 = t.c + t.d;
    Ok(TableMeasures {
        table: *t,
        risk_exposed: t.a / n1,
        risk_unexposed: t.c / n0,
        correction,
        risk_ratio: rr,
        risk_ratio_koopman: Estimate {
            estimate: (t.a / n1) / (t.c / n0),
            lower: klo,
            upper: khi,
            se: f64::NAN,
        },
        risk_difference: rd,
        odds_ratio: or,
        nnt: number_needed_to_treat(&rd),
    })
}

fn check_level(conf_level: f64) -> Result<(), StatsError> {
    if conf_level > 0.0 && conf_level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidInput(format!(
            "conf level {conf_level} must be in (0, 1)"
        )))
    }
}

/// Risk ratio (exposed / unexposed) with the Wald interval on the log scale, applying the
/// zero-cell rule of this module (0.5 added to every cell only when a cell is 0).
pub fn risk_ratio(
    t: &TwoByTwo,
    conf_level: f64,
) -> Result<(Estimate, ZeroCellCorrection), StatsError> {
    corrected(t, conf_level, risk_ratio_wald)
}

/// Odds ratio with the Wald (Woolf) interval on the log scale, with the zero-cell rule.
pub fn odds_ratio(
    t: &TwoByTwo,
    conf_level: f64,
) -> Result<(Estimate, ZeroCellCorrection), StatsError> {
    corrected(t, conf_level, odds_ratio_wald)
}

/// Risk difference (exposed - unexposed) with the Wald interval, with the zero-cell rule.
pub fn risk_difference(
    t: &TwoByTwo,
    conf_level: f64,
) -> Result<(Estimate, ZeroCellCorrection), StatsError> {
    corrected(t, conf_level, risk_difference_wald)
}

fn corrected(
    t: &TwoByTwo,
    conf_level: f64,
    f: fn(&TwoByTwo, f64) -> Estimate,
) -> Result<(Estimate, ZeroCellCorrection), StatsError> {
    t.check()?;
    check_level(conf_level)?;
    let z = z_two_sided(conf_level);
    Ok(if t.has_zero() {
        (f(&t.plus(0.5), z), ZeroCellCorrection::Haldane)
    } else {
        (f(t, z), ZeroCellCorrection::None)
    })
}

/// Risk ratio with the Wald interval on the log scale (raw counts, no zero-cell correction;
/// `z` is the normal critical value).
pub fn risk_ratio_wald(t: &TwoByTwo, z: f64) -> Estimate {
    let n1 = t.a + t.b;
    let n0 = t.c + t.d;
    let est = (t.a / n1) / (t.c / n0);
    let se = (1.0 / t.a - 1.0 / n1 + 1.0 / t.c - 1.0 / n0).sqrt();
    log_interval(est, se, z)
}

/// Odds ratio with the Wald (Woolf) interval on the log scale (raw counts).
pub fn odds_ratio_wald(t: &TwoByTwo, z: f64) -> Estimate {
    let est = (t.a * t.d) / (t.b * t.c);
    let se = (1.0 / t.a + 1.0 / t.b + 1.0 / t.c + 1.0 / t.d).sqrt();
    log_interval(est, se, z)
}

/// Risk difference (exposed minus unexposed) with the Wald interval (raw counts).
pub fn risk_difference_wald(t: &TwoByTwo, z: f64) -> Estimate {
    let n1 = t.a + t.b;
    let n0 = t.c + t.d;
    let p1 = t.a / n1;
    let p0 = t.c / n0;
    let est = p1 - p0;
    let se = (p1 * (1.0 - p1) / n1 + p0 * (1.0 - p0) / n0).sqrt();
    Estimate {
        estimate: est,
        lower: est - z * se,
        upper: est + z * se,
        se,
    }
}

fn log_interval(est: f64, se: f64, z: f64) -> Estimate {
    let l = est.ln();
    Estimate {
        estimate: est,
        lower: (l - z * se).exp(),
        upper: (l + z * se).exp(),
        se,
    }
}

/// Koopman (1984) score interval for the risk ratio: the set of ratios `theta` whose Pearson
/// chi-square, with risks re-estimated under `p1 = theta p0` (Miettinen-Nurminen's constrained
/// MLE, without their N/(N-1) factor), is at most `qnorm(1 - alpha/2)^2`. Same interval as
/// `PropCIs::koopman` / `epiR`'s score interval (closed-form cubic); found here by bisection to
/// machine precision. Limits are 0 and infinity when no events on one side.
pub fn koopman_interval(t: &TwoByTwo, conf_level: f64) -> Result<(f64, f64), StatsError> {
    t.check()?;
    check_level(conf_level)?;
    let z = z_two_sided(conf_level);
    let crit = z * z;
    let (x1, n1, x0, n0) = (t.a, t.a + t.b, t.c, t.c + t.d);
    if x1 == 0.0 && x0 == 0.0 {
        return Ok((0.0, f64::INFINITY));
    }
    let stat = |theta: f64| koopman_stat(theta, x1, n1, x0, n0);
    let rr = (x1 / n1) / (x0 / n0);
    let lower = if x1 == 0.0 {
        0.0
    } else {
        // stat decreases on (0, rr]: bracket [lo, rr]
        let mut lo = rr.min(1.0) / 2.0;
        while stat(lo) < crit {
            lo /= 2.0;
        }
        // with no unexposed events the MLE is infinite: bracket from above where stat < crit
        let mut top = rr;
        if top.is_infinite() {
            top = 2.0 * lo;
            while stat(top) >= crit {
                top *= 2.0;
            }
        }
        bisect_log(&stat, crit, lo, top, true)
    };
    let upper = if x0 == 0.0 {
        f64::INFINITY
    } else {
        let mut hi = rr.max(1.0) * 2.0;
        while stat(hi) < crit {
            hi *= 2.0;
        }
        // with no exposed events the MLE is 0: bracket from below where stat < crit
        let mut bottom = rr;
        if bottom == 0.0 {
            bottom = hi / 2.0;
            while stat(bottom) >= crit {
                bottom /= 2.0;
            }
        }
        bisect_log(&stat, crit, bottom, hi, false)
    };
    Ok((lower, upper))
}

/// Pearson chi-square for RR = theta with risks at the constrained MLE.
fn koopman_stat(theta: f64, x1: f64, n1: f64, x0: f64, n0: f64) -> f64 {
    let n = n1 + n0;
    let m = x1 + x0;
    let a = n * theta;
    let b = -(n1 * theta + x1 + n0 + x0 * theta);
    let disc = (b * b - 4.0 * a * m).max(0.0);
    let p0 = (-b - disc.sqrt()) / (2.0 * a);
    let p1 = theta * p0;
    let term = |x: f64, nn: f64, p: f64| {
        let dev = x - nn * p;
        let v = nn * p * (1.0 - p);
        if dev == 0.0 {
            0.0
        } else {
            dev * dev / v
        }
    };
    term(x1, n1, p1) + term(x0, n0, p0)
}

/// Bisection on log(theta) for stat(theta) = crit; `decreasing` tells the side of the MLE.
fn bisect_log(stat: &dyn Fn(f64) -> f64, crit: f64, lo: f64, hi: f64, decreasing: bool) -> f64 {
    let (mut l, mut h) = (lo.ln(), hi.ln());
    for _ in 0..200 {
        let mid = 0.5 * (l + h);
        if mid == l || mid == h {
            break;
        }
        let above = stat(mid.exp()) > crit;
        // decreasing branch: above crit means we are left of the root
        if above == decreasing {
            l = mid;
        } else {
            h = mid;
        }
    }
    (0.5 * (l + h)).exp()
}

/// Number needed to treat from a risk difference and its interval (Altman 1998).
pub fn number_needed_to_treat(rd: &Estimate) -> NumberNeeded {
    let kind = if rd.estimate < 0.0 {
        NntKind::Benefit
    } else if rd.estimate > 0.0 {
        NntKind::Harm
    } else {
        NntKind::None
    };
    let estimate = 1.0 / rd.estimate.abs();
    let crosses_zero = rd.lower <= 0.0 && rd.upper >= 0.0;
    let (mut lower, mut upper, mut nntb_bound, mut nnth_bound) =
        (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    if crosses_zero {
        if rd.lower < 0.0 {
            nntb_bound = 1.0 / rd.lower.abs();
        }
        if rd.upper > 0.0 {
            nnth_bound = 1.0 / rd.upper;
        }
    } else {
        let (x, y) = (1.0 / rd.lower.abs(), 1.0 / rd.upper.abs());
        lower = x.min(y);
        upper = x.max(y);
    }
    NumberNeeded {
        kind,
        estimate,
        lower,
        upper,
        crosses_zero,
        nntb_bound,
        nnth_bound,
    }
}

/// Mantel-Haenszel summaries over strata and the homogeneity tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MantelHaenszel {
    pub strata: usize,
    /// MH risk ratio; `se` is the Greenland-Robins (1985) standard error of its log.
    pub risk_ratio: Estimate,
    /// MH odds ratio; `se` is the Robins-Breslow-Greenland (1986) standard error of its log.
    pub odds_ratio: Estimate,
    /// MH risk difference; `se` is Sato's (1989) standard error (as `rma.mh`), valid in sparse
    /// and large strata.
    pub risk_difference: Estimate,
    /// The same MH risk difference with the Greenland-Robins (1985) large-strata standard error
    /// `sqrt(sum w^2 (p1 q1 / n1 + p0 q0 / n0)) / sum w`, `w = n1 n0 / N` (as epiR's
    /// `ARisk.mh.green`); NaN when a stratum has an empty arm.
    pub risk_difference_gr: Estimate,
    /// Cochran-Mantel-Haenszel test of OR = 1 without continuity correction
    /// (`mantelhaen.test(correct = FALSE)`), df 1.
    pub cmh_chisq: f64,
    pub cmh_p: f64,
    /// Breslow-Day test of a common odds ratio, over strata with a positive expected count and
    /// both margins non-zero (as `rma.mh`); df = those strata - 1.
    pub breslow_day: Test,
    /// Breslow-Day with Tarone's (1985) correction.
    pub tarone: Test,
}

/// A chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Test {
    pub chisq: f64,
    pub df: usize,
    pub p: f64,
}

/// Mantel-Haenszel estimates across strata (raw counts, as `metafor::rma.mh`). A ratio whose
/// numerator or denominator sum is 0 is NaN.
pub fn mantel_haenszel(tables: &[TwoByTwo], conf_level: f64) -> Result<MantelHaenszel, StatsError> {
    check_level(conf_level)?;
    if tables.is_empty() {
        return Err(StatsError::InvalidInput("no strata".into()));
    }
    for t in tables {
        for x in [t.a, t.b, t.c, t.d] {
            if !(x.is_finite() && x >= 0.0) {
                return Err(StatsError::InvalidInput(format!(
                    "stratum counts must be finite and >= 0, got {x}"
                )));
            }
        }
    }
    let tabs: Vec<&TwoByTwo> = tables
        .iter()
        .filter(|t| t.a + t.b + t.c + t.d > 0.0)
        .collect();
    let z = z_two_sided(conf_level);
    let nan = Estimate {
        estimate: f64::NAN,
        lower: f64::NAN,
        upper: f64::NAN,
        se: f64::NAN,
    };

    // Risk ratio (Greenland-Robins).
    let (mut r, mut s, mut v) = (0.0, 0.0, 0.0);
    let (mut sum_a, mut sum_c) = (0.0, 0.0);
    for t in &tabs {
        let (n1, n0) = (t.a + t.b, t.c + t.d);
        let n = n1 + n0;
        r += t.a * (n0 / n);
        s += t.c * (n1 / n);
        v += (n1 / n) * (n0 / n) * (t.a + t.c) - (t.a / n) * t.c;
        sum_a += t.a;
        sum_c += t.c;
    }
    let risk_ratio = if sum_a == 0.0 || sum_c == 0.0 {
        nan
    } else {
        log_interval(r / s, (v / (r * s)).sqrt(), z)
    };

    // Odds ratio (Robins-Breslow-Greenland).
    let (mut rr, mut ss, mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for t in &tabs {
        let n = t.a + t.b + t.c + t.d;
        let p = t.a / n + t.d / n;
        let q = t.b / n + t.c / n;
        let ri = (t.a / n) * t.d;
        let si = (t.b / n) * t.c;
        rr += ri;
        ss += si;
        pr += p * ri;
        ps_qr += p * si + q * ri;
        qs += q * si;
    }
    let odds_ratio = if rr == 0.0 || ss == 0.0 {
        nan
    } else {
        let se = (0.5 * (pr / (rr * rr) + ps_qr / (rr * ss) + qs / (ss * ss))).sqrt();
        log_interval(rr / ss, se, z)
    };

    // Risk difference (Sato).
    let (mut num, mut den, mut sa, mut sb) = (0.0, 0.0, 0.0, 0.0);
    for t in &tabs {
        let (n1, n0) = (t.a + t.b, t.c + t.d);
        let n = n1 + n0;
        num += t.a * (n0 / n) - t.c * (n1 / n);
        den += n1 * (n0 / n);
        sa +=
            t.c * (n1 / n).powi(2) - t.a * (n0 / n).powi(2) + (n1 / n) * (n0 / n) * (n0 - n1) / 2.0;
        sb += t.a * (n0 - t.c) / n + t.c * (n1 - t.a) / n;
    }
    let risk_difference = if den == 0.0 {
        nan
    } else {
        let est = num / den;
        let se = ((est * sa + sb / 2.0) / (den * den)).sqrt();
        Estimate {
            estimate: est,
            lower: est - z * se,
            upper: est + z * se,
            se,
        }
    };

    // Risk difference with the Greenland-Robins large-strata variance.
    let risk_difference_gr = if den == 0.0 {
        nan
    } else {
        let est = risk_difference.estimate;
        let mut v = 0.0;
        for t in &tabs {
            let (n1, n0) = (t.a + t.b, t.c + t.d);
            let w = n1 * n0 / (n1 + n0);
            let (p1, p0) = (t.a / n1, t.c / n0);
            v += w * w * (p1 * (1.0 - p1) / n1 + p0 * (1.0 - p0) / n0);
        }
        let se = v.sqrt() / den;
        Estimate {
            estimate: est,
            lower: est - z * se,
            upper: est + z * se,
            se,
        }
    };

    // Cochran-Mantel-Haenszel (no continuity correction).
    let (mut dev, mut var) = (0.0, 0.0);
    for t in &tabs {
        let (n1, n0) = (t.a + t.b, t.c + t.d);
        let n = n1 + n0;
        let xt = t.a + t.c;
        let yt = t.b + t.d;
        dev += t.a - (n1 / n) * xt;
        if n > 1.0 {
            var += (n1 / n) * (n0 / n) * (xt * (yt / (n - 1.0)));
        }
    }
    let (cmh_chisq, cmh_p) = if var > 0.0 {
        let x = dev * dev / var;
        (x, pchisq_upper(x, 1.0))
    } else {
        (f64::NAN, f64::NAN)
    };

    // Breslow-Day and Tarone, at the MH odds ratio.
    let psi = odds_ratio.estimate;
    let (breslow_day, tarone) = if psi.is_nan() {
        let t = Test {
            chisq: f64::NAN,
            df: 0,
            p: f64::NAN,
        };
        (t, t)
    } else {
        let (mut bd, mut sum_dev, mut sum_var, mut k_pos) = (0.0, 0.0, 0.0, 0usize);
        for t in &tabs {
            let (n1, n0) = (t.a + t.b, t.c + t.d);
            let n = n1 + n0;
            let xt = t.a + t.c;
            let yt = t.b + t.d;
            let e11 = if psi == 1.0 {
                (n1 / n) * xt
            } else {
                let aa = psi * (n1 + xt) + (n0 - xt);
                let bb = (aa * aa - 4.0 * n1 * xt * psi * (psi - 1.0)).sqrt();
                (aa - bb) / (2.0 * (psi - 1.0))
            };
            if !(e11 > 0.0 && xt > 0.0 && yt > 0.0) {
                continue;
            }
            k_pos += 1;
            let e12 = n1 - e11;
            let e21 = xt - e11;
            let e22 = e11 - n1 - xt + n;
            let vinv = 1.0 / e11 + 1.0 / e12 + 1.0 / e21 + 1.0 / e22;
            bd += (t.a - e11).powi(2) * vinv;
            sum_dev += t.a - e11;
            sum_var += 1.0 / vinv;
        }
        let bd = bd.max(0.0);
        let ta = (bd - sum_dev * sum_dev / sum_var).max(0.0);
        let df = k_pos.saturating_sub(1);
        let p = |x: f64| {
            if k_pos > 1 {
                pchisq_upper(x, df as f64)
            } else {
                f64::NAN
            }
        };
        (
            Test {
                chisq: bd,
                df,
                p: p(bd),
            },
            Test {
                chisq: ta,
                df,
                p: p(ta),
            },
        )
    };

    Ok(MantelHaenszel {
        strata: tabs.len(),
        risk_ratio,
        odds_ratio,
        risk_difference,
        risk_difference_gr,
        cmh_chisq,
        cmh_p,
        breslow_day,
        tarone,
    })
}

/// Two-sided Wald p-value for an estimate on its analysis scale (log for ratios).
pub fn wald_p(estimate_on_scale: f64, se: f64) -> f64 {
    2.0 * pnorm(-(estimate_on_scale / se).abs())
}
