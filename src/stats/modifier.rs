//! Effect modification on a continuous scale: the hazard ratio of a binary exposure as a smooth
//! function of a modifier `m`, from the Cox model `exposure * rcs(m, k) + covariates`
//! (R: `coxph(Surv(t, d) ~ x * rcs(m, k) + z, weights = w, robust = TRUE)`, survival 3.5 and
//! rms 6.5's basis, [`super::rcs`]).
//!
//! * The design has R's column order: `x`, the `k - 1` spline columns of `m`, the covariates,
//!   then `x` times each spline column (`x:rcs(m, k)m`, ...).
//! * The log hazard ratio at `m0` is the contrast `c' beta` with `c = (1, 0.., 0.., s(m0))`
//!   (`s` the basis, [`RcsBasis::row`]); its standard error is `sqrt(c' V c)` with `V` the
//!   variance used by the fit (robust when robust, as R `vcov`); intervals are Wald on the log
//!   scale.
//! * Wald tests (with the same `V`): any effect modification (all `k - 1` interaction terms),
//!   non-linear effect modification (the `k - 2` non-linear interaction terms, rms `anova`'s
//!   "Nonlinear Interaction"), and any exposure effect (`x` and the interactions, `k` df).
//!
//! Convergence and ties are those of [`super::cox::coxph`]. Cost: one Cox fit with `2k - 1 + q`
//! columns, then O(p^2) per curve point.
//!
//! Differences from R, on purpose: none in the numbers; a singular term (e.g. a modifier with
//! too few distinct values among the exposed) is an error here rather than an `NA` coefficient,
//! because the curve would silently drop it.

use serde::Serialize;

use super::cox::{coxph, ChiSquareTest, CoxData, CoxFit, CoxOptions};
use super::dist::{pchisq_upper, qnorm};
use super::linalg::quadratic_form_inverse;
use super::rcs::RcsBasis;
use super::StatsError;

/// Input columns: survival outcome, exposure (0/1), modifier, adjustment covariates.
#[derive(Debug, Clone, Copy)]
pub struct ModifierData<'a> {
    /// Start of `(start, stop]` intervals, if counting-process data.
    pub start: Option<&'a [f64]>,
    pub stop: &'a [f64],
    pub event: &'a [bool],
    /// Exposure, 0 or 1.
    pub exposure: &'a [f64],
    /// The continuous effect modifier.
    pub modifier: &'a [f64],
    /// Adjustment covariates, column-major, and their names.
    pub covariates: &'a [Vec<f64>],
    pub covariate_names: &'a [String],
    pub strata: Option<&'a [u32]>,
    pub weights: Option<&'a [f64]>,
    pub cluster: Option<&'a [u32]>,
}

/// The hazard ratio at one modifier value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HrAt {
    pub modifier: f64,
    pub log_hr: f64,
    /// Standard error of `log_hr` (robust when the fit is).
    pub se: f64,
    pub hr: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The fitted spline-interaction model and its summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModifierFit {
    pub basis: RcsBasis,
    pub cox: CoxFit,
    /// Hazard ratio at each requested modifier value.
    pub curve: Vec<HrAt>,
    pub conf_level: f64,
    /// H0: no effect modification (all interaction terms 0), `k - 1` df.
    pub effect_modification: ChiSquareTest,
    /// H0: the log hazard ratio is linear in the modifier (non-linear interactions 0), `k - 2` df.
    pub nonlinear_modification: ChiSquareTest,
    /// H0: no exposure effect at any modifier value (`x` and the interactions 0), `k` df.
    pub exposure_overall: ChiSquareTest,
}

/// Fit `exposure * rcs(modifier)` (+ covariates) and evaluate the hazard-ratio curve at `at`.
///
/// # Formula
/// `log HR(m0) = beta_x + sum_j beta_{x:j} s_j(m0)`, `se = sqrt(c' V c)`,
/// `CI = exp(log HR -/+ z_{(1+level)/2} se)`; Wald `W = b_S' V_SS^{-1} b_S ~ chi^2_{|S|}`.
///
/// # Errors
/// `StatsError::InvalidInput` for mismatched lengths, an exposure other than 0/1, a
/// non-finite modifier or `level` outside (0, 1); the errors of [`coxph`]; and
/// `StatsError::Singular` when a model term is aliased (its coefficient `NaN`).
pub fn modifier_cox(
    data: &ModifierData,
    basis: &RcsBasis,
    at: &[f64],
    options: &CoxOptions,
    conf_level: f64,
) -> Result<ModifierFit, StatsError> {
    let n = data.stop.len();
    if data.exposure.len() != n || data.modifier.len() != n {
        return Err(StatsError::InvalidInput(format!(
            "exposure ({}) and modifier ({}) need one value per row ({n})",
            data.exposure.len(),
            data.modifier.len()
        )));
    }
    if let Some(i) = data.exposure.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "exposure must be 0 or 1: row {} is {}",
            i + 1,
            data.exposure[i]
        )));
    }
    if let Some(i) = data.modifier.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::InvalidInput(format!(
            "modifier is not finite at row {}",
            i + 1
        )));
    }
    if data.covariates.len() != data.covariate_names.len() {
        return Err(StatsError::InvalidInput(
            "one name per covariate is needed".into(),
        ));
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "conf_level must be in (0, 1), got {conf_level}"
        )));
    }
    let spline = basis.columns(data.modifier);
    let nb = spline.len();
    let mut x: Vec<Vec<f64>> = Vec::with_capacity(1 + 2 * nb + data.covariates.len());
    let mut names = vec!["x".to_string()];
    x.push(data.exposure.to_vec());
    for (col, name) in spline.iter().zip(basis.column_names("m")) {
        x.push(col.clone());
        names.push(name);
    }
    for (col, name) in data.covariates.iter().zip(data.covariate_names) {
        x.push(col.clone());
        names.push(name.clone());
    }
    let first_interaction = x.len();
    for (col, name) in spline.iter().zip(basis.column_names("m")) {
        x.push(col.iter().zip(data.exposure).map(|(s, e)| s * e).collect());
        names.push(format!("x:{name}"));
    }
    let mut opts = options.clone();
    opts.names = Some(names);
    let cox = coxph(
        &CoxData {
            start: data.start,
            stop: data.stop,
            event: data.event,
            x: &x,
            strata: data.strata,
            weights: data.weights,
            cluster: data.cluster,
        },
        &opts,
    )?;
    if let Some(j) = cox.coef.iter().position(|b| !b.is_finite()) {
        return Err(StatsError::Singular(format!(
            "term `{}` is aliased or constant; the modifier curve cannot be estimated",
            cox.names[j]
        )));
    }
    let p = cox.coef.len();
    let inter: Vec<usize> = (first_interaction..p).collect();
    let zq = qnorm(0.5 + conf_level / 2.0);
    let curve = at
        .iter()
        .map(|&m0| {
            let mut c = vec![0.0; p];
            c[0] = 1.0;
            for (k, s) in inter.iter().zip(basis.row(m0)) {
                c[*k] = s;
            }
            let log_hr: f64 = c.iter().zip(&cox.coef).map(|(a, b)| a * b).sum();
            let mut var = 0.0;
            for a in 0..p {
                for b in 0..p {
                    var += c[a] * cox.var[a * p + b] * c[b];
                }
            }
            let se = var.sqrt();
            HrAt {
                modifier: m0,
                log_hr,
                se,
                hr: log_hr.exp(),
                lower: (log_hr - zq * se).exp(),
                upper: (log_hr + zq * se).exp(),
            }
        })
        .collect();
    let mut overall = vec![0];
    overall.extend(&inter);
    Ok(ModifierFit {
        effect_modification: wald(&cox, &inter, opts.toler_chol),
        nonlinear_modification: wald(&cox, &inter[1..], opts.toler_chol),
        exposure_overall: wald(&cox, &overall, opts.toler_chol),
        basis: basis.clone(),
        cox,
        curve,
        conf_level,
    })
}

/// Wald chi-square of the coefficients `idx` with the fit's variance.
fn wald(cox: &CoxFit, idx: &[usize], toler: f64) -> ChiSquareTest {
    let p = cox.coef.len();
    let b: Vec<f64> = idx.iter().map(|&i| cox.coef[i]).collect();
    let v: Vec<f64> = idx
        .iter()
        .flat_map(|&i| idx.iter().map(move |&j| (i, j)))
        .map(|(i, j)| cox.var[i * p + j])
        .collect();
    let statistic = quadratic_form_inverse(&v, &b, toler);
    ChiSquareTest {
        statistic,
        df: idx.len(),
        p: pchisq_upper(statistic, idx.len() as f64),
    }
}
