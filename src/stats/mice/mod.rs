//! Multiple imputation by chained equations (van Buuren & Groothuis-Oudshoorn 2011), following R
//! `mice` 3.15 `mice()` with its default methods: predictive mean matching (`pmm`, 5 donors,
//! type-1 matching) for continuous variables and Bayesian logistic regression with augmentation
//! (`logreg`) for binary ones. Every other column predicts each incomplete one (mice's default
//! predictor matrix); the visit sequence is left to right over the incomplete columns unless
//! given; each chain starts from a random draw of the observed values (`mice.impute.sample`) and
//! runs `maxit` (default 5) iterations. Pool analyses of the completed data with
//! `stats::rubin::pool_scalar`.
//!
//! Seeded and thread-count independent: imputation `l` runs its whole chain on its own stream
//! (`rng::Stream::new(seed, l)`); chains run in parallel (rayon) and are collected in order.
//!
//! Convergence rule: none is tested (as `mice`): a fixed `maxit` iterations; the chain means of
//! the imputed values per iteration are returned for trace plots.
//!
//! Differences from R, on purpose:
//! * Random draws come from xoshiro256** streams, not R's Mersenne-Twister, so imputations differ
//!   from `mice`'s draw for draw; agreement is within Monte Carlo error (checked against `mice` in
//!   `tests/reference/mice_pmm.R`). The deterministic steps (least squares, the `beta*` draw given
//!   its variates, `matchindex` given its shuffle, `augment`) match R exactly.
//! * `remove.lindep` is applied in its first two steps (a predictor with variance <= 1e-4 among
//!   the observed rows, or correlation >= 0.99 with the observed target, is dropped; a target
//!   with variance < 1e-4 gets the intercept alone); its eigenvalue step for collinear sets of
//!   predictors is not, and a singular design falls back to the ridge (see `norm`).
//! * Categorical variables with more than two levels (mice's `polyreg` / `polr`) are not
//!   supported.
//!
//! Cost: O(m maxit v (n p^2 + n log n)) for `v` incomplete variables, `p` predictors, over
//! `m / threads` rounds; memory O(m n p) for the completed data sets.

pub mod logreg;
pub mod norm;
pub mod pmm;
mod rng;

use rayon::prelude::*;
use serde::Serialize;

use super::StatsError;
use rng::Stream;

/// How a column is modelled when it is incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// Imputed by predictive mean matching.
    Continuous,
    /// Coded 0/1; imputed by logistic regression.
    Binary,
}

/// One variable of the imputation model: `NaN` marks a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct MiceColumn {
    pub name: String,
    pub values: Vec<f64>,
    pub kind: VariableKind,
}

/// Options of a run; `Default` gives `mice(m = 5, maxit = 5, donors = 5)` with seed 1.
#[derive(Debug, Clone, PartialEq)]
pub struct MiceOptions {
    /// Number of imputations (R `m`).
    pub m: usize,
    /// Iterations per chain (R `maxit`).
    pub maxit: usize,
    pub seed: u64,
    /// PMM donors (R `donors`).
    pub donors: usize,
    /// Ridge used when the least-squares design is singular (R `ridge`, 1e-5).
    pub ridge: f64,
    /// Order in which the incomplete columns are imputed (column indices); `None`: left to right.
    pub visit_sequence: Option<Vec<usize>>,
}

impl Default for MiceOptions {
    fn default() -> Self {
        MiceOptions {
            m: 5,
            maxit: 5,
            seed: 1,
            donors: 5,
            ridge: 1e-5,
            visit_sequence: None,
        }
    }
}

/// Options checked against the data once ([`MiceOptions::validate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMice {
    options: MiceOptions,
    visit: Vec<usize>,
}

impl MiceOptions {
    /// Checks the options and the columns.
    ///
    /// # Errors
    /// `StatsError::InvalidInput` naming the column (and row) when: there are no columns or no
    /// rows, lengths differ, a value is infinite, a binary column holds something other than 0/1,
    /// an incomplete column has fewer than 2 observed values, `m` or `donors` is 0, the ridge is
    /// negative, or the visit sequence is not a permutation of the incomplete columns.
    pub fn validate(&self, columns: &[MiceColumn]) -> Result<ValidMice, StatsError> {
        let bad = |s: String| Err(StatsError::InvalidInput(s));
        if columns.is_empty() || columns[0].values.is_empty() {
            return bad("imputation: no columns or no rows".into());
        }
        let n = columns[0].values.len();
        for c in columns {
            if c.values.len() != n {
                return bad(format!(
                    "imputation: column `{}` has {} rows, expected {n}",
                    c.name,
                    c.values.len()
                ));
            }
            if let Some(i) = c.values.iter().position(|v| v.is_infinite()) {
                return bad(format!(
                    "imputation: column `{}` row {}: infinite value",
                    c.name,
                    i + 1
                ));
            }
            if c.kind == VariableKind::Binary {
                if let Some(i) = c
                    .values
                    .iter()
                    .position(|v| !v.is_nan() && *v != 0.0 && *v != 1.0)
                {
                    return bad(format!(
                        "imputation: binary column `{}` row {}: {} is not 0 or 1",
                        c.name,
                        i + 1,
                        c.values[i]
                    ));
                }
            }
            let observed = c.values.iter().filter(|v| !v.is_nan()).count();
            if observed < n && observed < 2 {
                return bad(format!(
                    "imputation: column `{}` has {observed} observed values (at least 2 needed)",
                    c.name
                ));
            }
        }
        if self.m == 0 || self.donors == 0 {
            return bad("imputation: m and donors must be at least 1".into());
        }
        if self.ridge.is_nan() || self.ridge < 0.0 {
            return bad(format!("imputation: ridge {} is negative", self.ridge));
        }
        let incomplete: Vec<usize> = (0..columns.len())
            .filter(|&j| columns[j].values.iter().any(|v| v.is_nan()))
            .collect();
        let visit = match &self.visit_sequence {
            None => incomplete,
            Some(v) => {
                let mut sorted = v.clone();
                sorted.sort_unstable();
                if sorted != incomplete {
                    return bad(format!(
                        "imputation: visit sequence {v:?} is not a permutation of the incomplete \
                         columns {incomplete:?}"
                    ));
                }
                v.clone()
            }
        };
        Ok(ValidMice {
            options: self.clone(),
            visit,
        })
    }
}

/// The `m` completed data sets of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Imputation {
    /// Column names, in input order.
    pub names: Vec<String>,
    /// `completed[l][j]`: column `j` of completed data set `l` (observed values kept).
    pub completed: Vec<Vec<Vec<f64>>>,
    /// `chain_mean[l][it][v]`: mean of the imputed values of the `v`-th visited column after
    /// iteration `it` of chain `l` (R `imp$chainMean`).
    pub chain_mean: Vec<Vec<Vec<f64>>>,
    /// Indices of the imputed columns, in visit order.
    pub visited: Vec<usize>,
}

/// Runs the chained equations; see the module documentation.
///
/// # Errors
/// A fit's error (`StatsError`) for the first imputation and variable where it happened, with the
/// variable named.
pub fn mice(columns: &[MiceColumn], valid: &ValidMice) -> Result<Imputation, StatsError> {
    let o = &valid.options;
    let chains: Vec<Result<Chain, StatsError>> = (0..o.m)
        .into_par_iter()
        .map(|l| chain(columns, valid, l))
        .collect();
    let mut completed = Vec::with_capacity(o.m);
    let mut chain_mean = Vec::with_capacity(o.m);
    for c in chains {
        let (data, means) = c?;
        completed.push(data);
        chain_mean.push(means);
    }
    Ok(Imputation {
        names: columns.iter().map(|c| c.name.clone()).collect(),
        completed,
        chain_mean,
        visited: valid.visit.clone(),
    })
}

/// One chain: initial draw, then `maxit` passes over the visit sequence.
type Chain = (Vec<Vec<f64>>, Vec<Vec<f64>>);

fn chain(columns: &[MiceColumn], valid: &ValidMice, l: usize) -> Result<Chain, StatsError> {
    let o = &valid.options;
    let mut rng = Stream::new(o.seed, l as u64);
    let mut data: Vec<Vec<f64>> = columns.iter().map(|c| c.values.clone()).collect();
    let observed: Vec<Vec<bool>> = columns
        .iter()
        .map(|c| c.values.iter().map(|v| !v.is_nan()).collect())
        .collect();
    // mice.impute.sample: a draw with replacement from the observed values.
    for &j in &valid.visit {
        let pool: Vec<f64> = columns[j]
            .values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        for v in data[j].iter_mut().filter(|v| v.is_nan()) {
            *v = pool[rng.below(pool.len())];
        }
    }
    let mut means = Vec::with_capacity(o.maxit);
    for _ in 0..o.maxit {
        let mut it = Vec::with_capacity(valid.visit.len());
        for &j in &valid.visit {
            let imputed = impute_one(&mut rng, &data, &observed[j], j, columns[j].kind, o)
                .map_err(|e| with_context(e, &columns[j].name, l))?;
            let mut sum = 0.0;
            for (slot, v) in (0..data[j].len())
                .filter(|&i| !observed[j][i])
                .zip(&imputed)
            {
                data[j][slot] = *v;
                sum += v;
            }
            it.push(sum / imputed.len() as f64);
        }
        means.push(it);
    }
    Ok((data, means))
}

fn with_context(e: StatsError, name: &str, l: usize) -> StatsError {
    let at = format!("imputing `{name}` (imputation {})", l + 1);
    match e {
        StatsError::InvalidInput(s) => StatsError::InvalidInput(format!("{at}: {s}")),
        StatsError::Separation(s) => StatsError::Separation(format!("{at}: {s}")),
        StatsError::Singular(s) => StatsError::Singular(format!("{at}: {s}")),
        StatsError::NonConvergence { iterations, detail } => StatsError::NonConvergence {
            iterations,
            detail: format!("{at}: {detail}"),
        },
    }
}

/// The predictors `mice:::remove.lindep` keeps for target `j` (its first two steps): every other
/// column whose variance among the observed rows exceeds 1e-4 and whose correlation with the
/// observed target is below 0.99; none when the observed target's variance is below 1e-4.
fn predictors(data: &[Vec<f64>], ry: &[bool], j: usize) -> Vec<usize> {
    const EPS: f64 = 1e-4;
    const MAXCOR: f64 = 0.99;
    let rows: Vec<usize> = (0..ry.len()).filter(|&i| ry[i]).collect();
    let moments = |c: &[f64]| {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|&i| c[i]).sum::<f64>() / n;
        let var = rows.iter().map(|&i| (c[i] - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    };
    let (ym, yv) = moments(&data[j]);
    if yv < EPS {
        return Vec::new();
    }
    (0..data.len())
        .filter(|&c| c != j)
        .filter(|&c| {
            let (xm, xv) = moments(&data[c]);
            if xv <= EPS {
                return false;
            }
            let cov = rows
                .iter()
                .map(|&i| (data[c][i] - xm) * (data[j][i] - ym))
                .sum::<f64>()
                / (rows.len() as f64 - 1.0);
            cov / (xv * yv).sqrt() < MAXCOR
        })
        .collect()
}

/// New values for the missing rows of column `j` (in row order) given the current data.
fn impute_one(
    rng: &mut Stream,
    data: &[Vec<f64>],
    ry: &[bool],
    j: usize,
    kind: VariableKind,
    o: &MiceOptions,
) -> Result<Vec<f64>, StatsError> {
    let keep = predictors(data, ry, j);
    let x: Vec<Vec<f64>> = keep.iter().map(|&c| data[c].clone()).collect();
    match kind {
        VariableKind::Binary => logreg::impute_logreg(rng, &data[j], ry, &x),
        VariableKind::Continuous => pmm::impute_pmm(rng, &data[j], ry, &x, o.ridge, o.donors),
    }
}
