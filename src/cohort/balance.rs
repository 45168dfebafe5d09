//! Covariate balance and sensitivity to unmeasured confounding.
//!
//! Standardised mean differences follow R `tableone` (`CreateTableOne` unweighted,
//! `svyCreateTableOne` weighted; Yang D & Dalton JE, SAS Global Forum 2012, paper 335):
//! - continuous: `(m1 - m0) / sqrt((v1 + v0) / 2)`, weighted means and `survey::svyvar`
//!   variances `sum w (x - m)^2 / sum w * n / (n - 1)` (equal to `var()` with unit weights);
//! - binary (a 0/1 column): `(p1 - p0) / sqrt((p1 (1 - p1) + p0 (1 - p0)) / 2)`;
//! - categorical with k levels: the Mahalanobis distance `sqrt(T' S^+ T)` between the two
//!   profiles of level proportions without the reference level, `S` the mean of the two
//!   multinomial covariance matrices and `S^+` the Moore-Penrose inverse (`MASS::ginv`).
//!
//! Continuous and binary SMDs keep their sign (exposed minus unexposed); the categorical one is a
//! distance (unsigned). Missing values are left out per variable. Degenerate cases differ from
//! tableone on purpose: when both groups have zero spread the SMD is 0 if the profiles are equal
//! and infinite otherwise (tableone: NaN), and two categorical profiles on disjoint supports give
//! an infinite SMD (tableone: a finite number, because `T` is not in the image of `S`).
//! Rows with zero weight are left out (as after trimming or unmatched).

use serde::{Deserialize, Serialize};

/// Weighted mean and `survey::svyvar` variance of `x` over rows in `rows` with positive weight
/// and non-missing `x`; returns `(mean, variance, n)`.
fn mean_var(x: &[f64], w: Option<&[f64]>, rows: impl Iterator<Item = usize>) -> (f64, f64, usize) {
    let mut sw = 0.0;
    let mut swx = 0.0;
    let mut n = 0usize;
    let mut used = Vec::new();
    for i in rows {
        let wi = w.map_or(1.0, |w| w[i]);
        if x[i].is_nan() || wi.is_nan() || wi <= 0.0 {
            continue;
        }
        sw += wi;
        swx += wi * x[i];
        n += 1;
        used.push(i);
    }
    if n == 0 {
        return (f64::NAN, f64::NAN, 0);
    }
    let m = swx / sw;
    let mut ss = 0.0;
    for &i in &used {
        let wi = w.map_or(1.0, |w| w[i]);
        ss += wi * (x[i] - m) * (x[i] - m);
    }
    let v = if n > 1 {
        ss / sw * n as f64 / (n as f64 - 1.0)
    } else {
        f64::NAN
    };
    (m, v, n)
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else if num == 0.0 {
        0.0
    } else {
        num.signum() * f64::INFINITY
    }
}

/// Summary of one numeric variable in one group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    pub mean: f64,
    pub sd: f64,
    /// Non-missing rows (with positive weight).
    pub n: usize,
}

/// Weighted mean / SD per group of a numeric column.
pub fn group_stats(x: &[f64], treat: &[bool], w: Option<&[f64]>, group: bool) -> GroupStats {
    let (m, v, n) = mean_var(x, w, (0..x.len()).filter(|&i| treat[i] == group));
    GroupStats {
        mean: m,
        sd: v.sqrt(),
        n,
    }
}

/// SMD of a continuous variable (signed, exposed minus unexposed).
pub fn smd_continuous(x: &[f64], treat: &[bool], w: Option<&[f64]>) -> f64 {
    let a = mean_var(x, w, (0..x.len()).filter(|&i| treat[i]));
    let b = mean_var(x, w, (0..x.len()).filter(|&i| !treat[i]));
    if a.2 == 0 || b.2 == 0 {
        return f64::NAN;
    }
    ratio(a.0 - b.0, ((a.1 + b.1) / 2.0).sqrt())
}

/// SMD of a 0/1 variable (signed).
pub fn smd_binary(x: &[f64], treat: &[bool], w: Option<&[f64]>) -> f64 {
    let a = mean_var(x, w, (0..x.len()).filter(|&i| treat[i]));
    let b = mean_var(x, w, (0..x.len()).filter(|&i| !treat[i]));
    if a.2 == 0 || b.2 == 0 {
        return f64::NAN;
    }
    let (p1, p0) = (a.0, b.0);
    ratio(p1 - p0, ((p1 * (1.0 - p1) + p0 * (1.0 - p0)) / 2.0).sqrt())
}

/// Weighted level proportions per group of a categorical variable coded `0..k` (`None` missing).
fn proportions(
    codes: &[Option<u32>],
    k: usize,
    treat: &[bool],
    w: Option<&[f64]>,
    group: bool,
) -> Option<Vec<f64>> {
    let mut p = vec![0.0; k];
    let mut sw = 0.0;
    for i in 0..codes.len() {
        let wi = w.map_or(1.0, |w| w[i]);
        if treat[i] != group || wi.is_nan() || wi <= 0.0 {
            continue;
        }
        if let Some(c) = codes[i] {
            p[c as usize] += wi;
            sw += wi;
        }
    }
    if sw == 0.0 {
        return None;
    }
    p.iter_mut().for_each(|x| *x /= sw);
    Some(p)
}

/// Level proportions of a categorical variable in each group, `(exposed, unexposed)`.
pub fn level_proportions(
    codes: &[Option<u32>],
    k: usize,
    treat: &[bool],
    w: Option<&[f64]>,
) -> (Option<Vec<f64>>, Option<Vec<f64>>) {
    (
        proportions(codes, k, treat, w, true),
        proportions(codes, k, treat, w, false),
    )
}

/// SMD of a categorical variable coded `0..k` (Yang & Dalton's Mahalanobis distance).
pub fn smd_categorical(codes: &[Option<u32>], k: usize, treat: &[bool], w: Option<&[f64]>) -> f64 {
    match level_proportions(codes, k, treat, w) {
        (Some(p1), Some(p0)) => smd_profiles(&p1, &p0),
        _ => f64::NAN,
    }
}

/// Mahalanobis SMD between two level-proportion profiles (each summing to 1).
pub fn smd_profiles(p1: &[f64], p0: &[f64]) -> f64 {
    // Levels present in either group, without the first of them (the reference).
    let present: Vec<usize> = (0..p1.len())
        .filter(|&j| p1[j] > 0.0 || p0[j] > 0.0)
        .collect();
    if present.len() < 2 {
        return 0.0;
    }
    let keep = &present[1..];
    let m = keep.len();
    let t: Vec<f64> = keep.iter().map(|&j| p1[j] - p0[j]).collect();
    let mut s = vec![0.0; m * m];
    for (a, &ja) in keep.iter().enumerate() {
        for (b, &jb) in keep.iter().enumerate() {
            let cov = |p: &[f64]| {
                if a == b {
                    p[ja] * (1.0 - p[ja])
                } else {
                    -p[ja] * p[jb]
                }
            };
            s[a * m + b] = (cov(p1) + cov(p0)) / 2.0;
        }
    }
    let (vals, vecs) = jacobi_eigen(&mut s, m);
    let tt: f64 = t.iter().map(|x| x * x).sum();
    if tt == 0.0 {
        return 0.0;
    }
    let max = vals.iter().cloned().fold(0.0, f64::max);
    let tol = f64::EPSILON.sqrt() * max;
    let mut d2 = 0.0;
    let mut projected = 0.0;
    for (j, &l) in vals.iter().enumerate() {
        if l > tol && l > 0.0 {
            let c: f64 = (0..m).map(|r| vecs[r * m + j] * t[r]).sum();
            d2 += c * c / l;
            projected += c * c;
        }
    }
    // T outside the image of S: the profiles live on disjoint supports; the distance is infinite.
    if tt - projected > 1e-10 * tt.max(1e-300) {
        return f64::INFINITY;
    }
    d2.sqrt()
}

/// Eigen-decomposition of a symmetric `m x m` matrix (row-major) by cyclic Jacobi rotations:
/// returns eigenvalues and the eigenvectors as columns of a row-major matrix.
fn jacobi_eigen(a: &mut [f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        v[i * m + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j] * a[i * m + j])
            .sum();
        let scale: f64 = (0..m).map(|i| a[i * m + i] * a[i * m + i]).sum::<f64>() + off;
        if off <= 1e-30 * scale.max(1e-300) {
            break;
        }
        for p in 0..m {
            for q in (p + 1)..m {
                let apq = a[p * m + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let akp = a[k * m + p];
                    let akq = a[k * m + q];
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let apk = a[p * m + k];
                    let aqk = a[q * m + k];
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for k in 0..m {
                    let vkp = v[k * m + p];
                    let vkq = v[k * m + q];
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..m).map(|i| a[i * m + i]).collect(), v)
}

/// The measure an E-value is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectMeasure {
    RiskRatio,
    /// Hazard ratio; with a common outcome (>= 15% by the end of follow-up) it is first
    /// converted to an approximate risk ratio `(1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))`.
    HazardRatio {
        rare_outcome: bool,
    },
    /// Odds ratio; with a common outcome converted to `sqrt(OR)`.
    OddsRatio {
        rare_outcome: bool,
    },
}

/// E-values of a point estimate and of its confidence limit closest to the null.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EValue {
    pub point: f64,
    /// 1 when the interval includes the null.
    pub ci: f64,
}

/// The E-value of a risk ratio: `RR + sqrt(RR (RR - 1))` after inverting RR < 1
/// (VanderWeele TJ & Ding P, Ann Intern Med 2017;167:268-274; R `EValue::evalues.RR`).
pub fn e_value_rr(rr: f64) -> f64 {
    if rr.is_nan() || rr <= 0.0 || !rr.is_finite() {
        return f64::NAN;
    }
    let r = if rr < 1.0 { 1.0 / rr } else { rr };
    r + (r * (r - 1.0)).sqrt()
}

fn to_rr(x: f64, measure: EffectMeasure) -> f64 {
    match measure {
        EffectMeasure::RiskRatio
        | EffectMeasure::HazardRatio { rare_outcome: true }
        | EffectMeasure::OddsRatio { rare_outcome: true } => x,
        EffectMeasure::HazardRatio {
            rare_outcome: false,
        } => (1.0 - 0.5f64.powf(x.sqrt())) / (1.0 - 0.5f64.powf((1.0 / x).sqrt())),
        EffectMeasure::OddsRatio {
            rare_outcome: false,
        } => x.sqrt(),
    }
}

/// E-values of an estimate with its interval (R `EValue::evalues.RR` / `evalues.HR` /
/// `evalues.OR` with `true = 1`).
pub fn e_value(estimate: f64, lower: f64, upper: f64, measure: EffectMeasure) -> EValue {
    let (e, lo, hi) = (
        to_rr(estimate, measure),
        to_rr(lower, measure),
        to_rr(upper, measure),
    );
    let point = e_value_rr(e);
    let ci = if !(lo.is_finite() && hi.is_finite()) {
        f64::NAN
    } else if lo <= 1.0 && hi >= 1.0 {
        1.0
    } else if e < 1.0 {
        e_value_rr(hi)
    } else {
        e_value_rr(lo)
    };
    EValue { point, ci }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuous_and_binary_by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0, 6.0, f64::NAN];
        let t = [true, true, true, false, false, false];
        // m1 = 2, v1 = 1; m0 = 5, v0 = 2.
        let smd = smd_continuous(&x, &t, None);
        assert!((smd - (-3.0 / 1.5f64.sqrt())).abs() < 1e-15);
        // Unit weights equal unweighted.
        let w = [1.0; 6];
        assert_eq!(smd_continuous(&x, &t, Some(&w)), smd);
        let b = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let p1: f64 = 2.0 / 3.0;
        let p0: f64 = 1.0 / 3.0;
        let want = (p1 - p0) / ((p1 * (1.0 - p1) + p0 * (1.0 - p0)) / 2.0).sqrt();
        assert!((smd_binary(&b, &t, None) - want).abs() < 1e-15);
        // Constant and equal: 0; constant and different: infinite.
        assert_eq!(
            smd_binary(&[1.0, 1.0, 1.0, 1.0], &[true, true, false, false], None),
            0.0
        );
        assert_eq!(
            smd_binary(&[1.0, 1.0, 0.0, 0.0], &[true, true, false, false], None),
            f64::INFINITY
        );
    }

    #[test]
    fn categorical_two_levels_equals_binary() {
        let codes = [Some(0), Some(1), Some(1), Some(0), Some(0), Some(1), None];
        let t = [true, true, true, false, false, false, true];
        let flags: Vec<f64> = codes
            .iter()
            .map(|c| c.map_or(f64::NAN, |c| c as f64))
            .collect();
        let a = smd_categorical(&codes, 2, &t, None);
        let b = smd_binary(&flags, &t, None);
        assert!((a - b.abs()).abs() < 1e-12, "{a} {b}");
    }

    #[test]
    fn categorical_empty_and_disjoint_levels() {
        // An empty declared level changes nothing.
        let a = smd_profiles(&[0.2, 0.3, 0.5], &[0.4, 0.4, 0.2]);
        let b = smd_profiles(&[0.2, 0.0, 0.3, 0.5], &[0.4, 0.0, 0.4, 0.2]);
        assert!((a - b).abs() < 1e-12);
        // Reference level empty too.
        let c = smd_profiles(&[0.0, 0.2, 0.3, 0.5], &[0.0, 0.4, 0.4, 0.2]);
        assert!((a - c).abs() < 1e-12);
        // Disjoint supports: infinite; both constant on different levels: infinite; equal: 0.
        assert_eq!(
            smd_profiles(&[0.5, 0.5, 0.0, 0.0], &[0.0, 0.0, 0.5, 0.5]),
            f64::INFINITY
        );
        assert_eq!(smd_profiles(&[1.0, 0.0], &[0.0, 1.0]), f64::INFINITY);
        assert_eq!(smd_profiles(&[0.0, 1.0], &[0.0, 1.0]), 0.0);
        // Overlapping but one group constant: finite.
        assert!(smd_profiles(&[0.0, 1.0, 0.0], &[0.0, 0.5, 0.5]).is_finite());
    }

    #[test]
    fn e_values_from_the_paper() {
        // VanderWeele & Ding 2017: RR 3.9 -> E-value 7.26; lower limit 1.8 -> 3.0.
        let e = e_value(3.9, 1.8, 8.7, EffectMeasure::RiskRatio);
        assert!((e.point - (3.9 + (3.9f64 * 2.9).sqrt())).abs() < 1e-12);
        assert!((e.point - 7.26).abs() < 0.005);
        assert!((e.ci - 3.0).abs() < 0.005);
        // Protective: invert; CI crossing 1 -> 1.
        let e = e_value(0.8, 0.6, 1.05, EffectMeasure::RiskRatio);
        assert!((e.point - e_value_rr(1.25)).abs() < 1e-12);
        assert_eq!(e.ci, 1.0);
        let e = e_value(
            0.6,
            0.45,
            0.8,
            EffectMeasure::HazardRatio {
                rare_outcome: false,
            },
        );
        let rr = (1.0 - 0.5f64.powf(0.6f64.sqrt())) / (1.0 - 0.5f64.powf((1.0 / 0.6f64).sqrt()));
        assert!((e.point - e_value_rr(rr)).abs() < 1e-12);
        assert!(e.ci > 1.0 && e.ci < e.point);
    }
}
