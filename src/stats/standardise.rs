//! Standardisation (the parametric g-formula, Robins 1986) of a binary outcome over a logistic
//! outcome model: the risk of the outcome had everyone been exposed, and had no one been, and
//! their difference and ratio. Point estimates as R
//! `fit <- glm(y ~ t + x, family = binomial, weights = w)`,
//! `weighted.mean(predict(fit, transform(d, t = a), type = "response"), w)` for `a = 1, 0`.
//!
//! Variance by the delta method over both sources of error (the "unconditional" variance of
//! Stata's `margins, vce(unconditional)` and R `stdReg`): the model coefficients (their
//! model-based covariance `Sigma` from `stats::logistic`) and the covariate distribution the risks
//! are averaged over (the sample, as an empirical mean): for the standardised risks `r_a`,
//! `Cov(r_a, r_b) = g_a' Sigma g_b + sum_i w_i (p_ia - r_a)(p_ib - r_b) / W^2` with
//! `p_ia` the predicted risk of row `i` under exposure `a`, `g_a = sum_i w_i p_ia (1 - p_ia) X_ia / W`
//! and `W = sum_i w_i`. The two parts are uncorrelated (the score of the outcome model has mean 0
//! given the covariates). Weights are frequencies (a bootstrap replicate's counts, or 1).
//!
//! Cost: one logistic fit (`stats::logistic`, IRLS) plus O(n p) for the predictions and O(p^2)
//! for the variance.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::Serialize;

use super::logistic::{LogisticDesign, LogisticFit, LogisticOptions};
use super::StatsError;

/// Standardised risks under exposure and under no exposure, with delta-method standard errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardisedRisks {
    /// Risk had everyone been exposed.
    pub risk_exposed: f64,
    /// Risk had no one been exposed.
    pub risk_unexposed: f64,
    /// `risk_exposed - risk_unexposed`.
    pub risk_difference: f64,
    /// `risk_exposed / risk_unexposed`.
    pub risk_ratio: f64,
    pub se_exposed: f64,
    pub se_unexposed: f64,
    pub se_difference: f64,
    /// Standard error of `log(risk_ratio)`.
    pub se_log_ratio: f64,
    /// Rows with a positive weight.
    pub n: usize,
}

/// The g-formula risks of `y` (0/1) under `treat` = 1 and 0, from the logistic model
/// `logit P(y = 1) = b0 + bt treat + b' x`; `weights` are frequencies (>= 0).
///
/// # Formula
/// `r_a = sum_i w_i expit(b0 + bt a + b' x_i) / sum_i w_i`, `RD = r_1 - r_0`, `RR = r_1 / r_0`;
/// variances as in the module documentation (`Var(log RR)` by the delta method from the
/// covariance of `(r_1, r_0)`).
///
/// # Errors
/// As `stats::logistic::logistic_regression` (separation, non-convergence, invalid input);
/// [`StatsError::Singular`] when the exposure coefficient is not estimable (aliased).
pub fn standardised_risks(
    y: &[f64],
    treat: &[bool],
    x: &[Vec<f64>],
    weights: Option<&[f64]>,
) -> Result<StandardisedRisks, StatsError> {
    Standardiser::new(y, treat, x)?.risks(weights, None)
}

/// The outcome model's design laid out once, for repeated fits with other frequency weights
/// (bootstrap replicates).
#[derive(Debug, Clone)]
pub struct Standardiser {
    y: Vec<f64>,
    treat: Vec<bool>,
    design: LogisticDesign,
    /// Covariate columns, column-major (for the gradients).
    x: Vec<Vec<f64>>,
}

impl Standardiser {
    /// # Errors
    /// [`StatsError::InvalidInput`] when the lengths differ or a value is not finite.
    pub fn new(y: &[f64], treat: &[bool], x: &[Vec<f64>]) -> Result<Standardiser, StatsError> {
        let n = y.len();
        if treat.len() != n {
            return Err(StatsError::InvalidInput(format!(
                "{} exposure values for {n} outcomes",
                treat.len()
            )));
        }
        let mut cols = Vec::with_capacity(x.len() + 1);
        cols.push(
            treat
                .iter()
                .map(|&t| f64::from(u8::from(t)))
                .collect::<Vec<f64>>(),
        );
        cols.extend(x.iter().cloned());
        Ok(Standardiser {
            y: y.to_vec(),
            treat: treat.to_vec(),
            design: LogisticDesign::new(n, &cols, None)?,
            x: x.to_vec(),
        })
    }

    /// The risks under frequency `weights` (all 1 when `None`), the outcome model fitted from
    /// `start` (its coefficients, intercept first) when given, else from R's starting values.
    ///
    /// # Errors
    /// As [`standardised_risks`].
    pub fn risks(
        &self,
        weights: Option<&[f64]>,
        start: Option<&[f64]>,
    ) -> Result<StandardisedRisks, StatsError> {
        let (y, treat) = (&self.y, &self.treat);
        let n = y.len();
        let fit = self
            .design
            .fit(y, weights, start, &LogisticOptions::default())?;
        self.risks_from_fit(&fit, weights, n, treat)
    }

    /// The outcome model fitted to all rows (unweighted): the base of
    /// [`Standardiser::linearised_risks`].
    ///
    /// # Errors
    /// As [`standardised_risks`].
    pub fn full_fit(&self) -> Result<LogisticFit, StatsError> {
        self.design
            .fit(&self.y, None, None, &LogisticOptions::default())
    }

    /// The standardised risks `(exposed, unexposed)` of a bootstrap replicate (`counts` per
    /// row) with the outcome model re-estimated by the estimating-function bootstrap
    /// ([`LogisticDesign::linearised_replicate`]) from `full` ([`Standardiser::full_fit`]).
    pub fn linearised_risks(&self, full: &LogisticFit, counts: &[u32]) -> [f64; 2] {
        let b = self.design.linearised_replicate(full, &self.y, counts);
        let eta = self.design.linear_predictor(&b);
        let bt = b[1];
        let expit = |e: f64| 1.0 / (1.0 + (-e).exp());
        let (mut s1, mut s0, mut w) = (0.0, 0.0, 0.0);
        for i in 0..eta.len() {
            if counts[i] == 0 {
                continue;
            }
            let c = f64::from(counts[i]);
            let base = eta[i] - if self.treat[i] { bt } else { 0.0 };
            s1 += c * expit(base + bt);
            s0 += c * expit(base);
            w += c;
        }
        [s1 / w, s0 / w]
    }

    /// The coefficients of the outcome model fitted to all rows (a starting point for
    /// replicates).
    ///
    /// # Errors
    /// As [`standardised_risks`].
    pub fn coefficients(&self) -> Result<Vec<f64>, StatsError> {
        let fit = self
            .design
            .fit(&self.y, None, None, &LogisticOptions::default())?;
        Ok(fit
            .coef
            .iter()
            .map(|c| if c.is_finite() { *c } else { 0.0 })
            .collect())
    }

    fn risks_from_fit(
        &self,
        fit: &LogisticFit,
        weights: Option<&[f64]>,
        n: usize,
        treat: &[bool],
    ) -> Result<StandardisedRisks, StatsError> {
        if !fit.coef[1].is_finite() {
            return Err(StatsError::Singular(
                "g-formula: the exposure coefficient of the outcome model is not estimable".into(),
            ));
        }
        let k = fit.coef.len();
        let bt = fit.coef[1];
        let w: Vec<f64> = weights.map_or_else(|| vec![1.0; n], <[f64]>::to_vec);
        let wsum: f64 = w.iter().sum();
        let expit = |e: f64| 1.0 / (1.0 + (-e).exp());
        // predicted risks under a = 1 and a = 0 from the fitted linear predictor
        let mut p1 = vec![0.0; n];
        let mut p0 = vec![0.0; n];
        for i in 0..n {
            let base = fit.linear_predictor[i] - if treat[i] { bt } else { 0.0 };
            p1[i] = expit(base + bt);
            p0[i] = expit(base);
        }
        let mean = |p: &[f64]| p.iter().zip(&w).map(|(p, w)| p * w).sum::<f64>() / wsum;
        let (r1, r0) = (mean(&p1), mean(&p0));
        // gradients of r_a with respect to the coefficients
        let grad = |p: &[f64], a: f64| -> Vec<f64> {
            let mut g = vec![0.0; k];
            for i in 0..n {
                let d = w[i] * p[i] * (1.0 - p[i]) / wsum;
                g[0] += d;
                g[1] += d * a;
                for c in 2..k {
                    g[c] += d * self.x[c - 2][i];
                }
            }
            g
        };
        let (g1, g0) = (grad(&p1, 1.0), grad(&p0, 0.0));
        let ok: Vec<usize> = (0..k).filter(|&c| fit.coef[c].is_finite()).collect();
        let quad = |a: &[f64], b: &[f64]| -> f64 {
            ok.iter()
                .map(|&i| {
                    ok.iter()
                        .map(|&j| a[i] * fit.cov[i * k + j] * b[j])
                        .sum::<f64>()
                })
                .sum()
        };
        let emp = |pa: &[f64], ra: f64, pb: &[f64], rb: f64| -> f64 {
            (0..n)
                .map(|i| w[i] * (pa[i] - ra) * (pb[i] - rb))
                .sum::<f64>()
                / (wsum * wsum)
        };
        let v11 = quad(&g1, &g1) + emp(&p1, r1, &p1, r1);
        let v00 = quad(&g0, &g0) + emp(&p0, r0, &p0, r0);
        let v10 = quad(&g1, &g0) + emp(&p1, r1, &p0, r0);
        Ok(StandardisedRisks {
            risk_exposed: r1,
            risk_unexposed: r0,
            risk_difference: r1 - r0,
            risk_ratio: r1 / r0,
            se_exposed: v11.sqrt(),
            se_unexposed: v00.sqrt(),
            se_difference: (v11 + v00 - 2.0 * v10).max(0.0).sqrt(),
            se_log_ratio: (v11 / (r1 * r1) + v00 / (r0 * r0) - 2.0 * v10 / (r1 * r0))
                .max(0.0)
                .sqrt(),
            n: w.iter().filter(|v| **v > 0.0).count(),
        })
    }
}
