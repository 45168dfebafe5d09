//! Runs the estimators on one population, in the order the results list them, turning each
//! failure into a note (a missing estimate is always explained): the 2x2 table (not in the
//! time-varying design, where "ever exposed" would reintroduce immortal time), the curves and
//! the log-rank test (not in the time-varying design), the Cox hazard ratios unadjusted and
//! covariate-adjusted, then the propensity model and the methods built on it: IPTW (and doubly
//! robust), and for the primary design also the weighted curves, matching, propensity strata and
//! the balance table. Also the subgroup runner: one population per level, then the test of
//! interaction.

use super::super::fingerprint::population_fingerprint;
use super::super::frame::PatientFrame;
use super::super::landmark::{CountingProcess, Design, StudySample};
use super::super::result::{PopulationResult, SubgroupResult};
use super::super::subgroup::ValidSubgroup;
use super::super::CohortError;
use super::interaction::{interaction_test, InteractionInput};
use super::iptw::Scheme;
use super::propensity_fit::fit_propensity;
use super::{
    balance_table, binary, cox_adjusted, dropped_note, iptw, matching, ph_tests, ps_strata, risks,
    survival_curves, Clusters, EstimateOptions, Population, Weighted,
};

/// One design's analysed sample, as the estimators see it.
#[derive(Debug, Clone, Copy)]
pub struct DesignData<'a> {
    pub design: Design,
    pub sample: &'a StudySample,
    /// Time-varying design: the counting-process rows of the sample.
    pub counting: Option<&'a CountingProcess>,
    /// Names of the covariate design-matrix columns.
    pub x_names: &'a [String],
    /// Covariate columns by sample position.
    pub x: &'a [Vec<f64>],
    pub options: EstimateOptions,
    /// All methods (weighted curves, matching, PS strata, balance, risks, PH tests): the primary
    /// design.
    pub full_methods: bool,
    /// The clusters of robust variances, by sample position.
    pub clusters: Option<&'a Clusters>,
}

impl<'a> DesignData<'a> {
    /// The population of the sample positions `rows`.
    pub fn population(&self, rows: &[usize]) -> Population<'a> {
        let s = self.sample;
        let pick_f = |v: &[f64]| -> Vec<f64> { rows.iter().map(|&i| v[i]).collect() };
        let counting = match (self.design, self.counting) {
            (Design::TimeVarying, Some(cp)) => {
                let mut pos = vec![usize::MAX; s.len()];
                for (k, &i) in rows.iter().enumerate() {
                    pos[i] = k;
                }
                let mut out = CountingProcess::default();
                for j in (0..cp.len()).filter(|&j| pos[cp.subject[j]] != usize::MAX) {
                    out.subject.push(pos[cp.subject[j]]);
                    out.start.push(cp.start[j]);
                    out.stop.push(cp.stop[j]);
                    out.event.push(cp.event[j]);
                    out.exposed.push(cp.exposed[j]);
                }
                Some(out)
            }
            _ => None,
        };
        let mut p = Population {
            design: self.design,
            exposed: rows.iter().map(|&i| s.exposed[i]).collect(),
            time: pick_f(&s.time),
            event: rows.iter().map(|&i| s.event[i] == 1.0).collect(),
            dead: rows.iter().map(|&i| s.dead[i]).collect(),
            cr_time: pick_f(&s.cr_time),
            cr_status: rows.iter().map(|&i| s.cr_status[i]).collect(),
            x_names: self.x_names,
            x: self.x.iter().map(|v| pick_f(v)).collect(),
            counting,
            cluster: self.clusters.map(|c| c.pick(rows)),
            origin: s.origin,
            rare_outcome: false,
            options: self.options,
        };
        let (e1, n1, e0, n0, _) = binary::death_counts(&p);
        p.rare_outcome = ((e1 + e0) as f64 / (n1 + n0).max(1) as f64) < 0.15;
        p
    }
}

/// Analyses the population `rows` (positions in the sample). Returns the result and the IPTW
/// weights by population position (NaN where trimmed or without a model), for the test of
/// interaction.
pub fn analyse_population(
    d: &DesignData,
    name: &str,
    rows: &[usize],
) -> (PopulationResult, Vec<f64>) {
    let s = d.sample;
    let arm_rows = |arm: bool| -> Vec<usize> {
        rows.iter()
            .filter(|&&i| s.exposed[i] == arm)
            .map(|&i| s.patients[i])
            .collect()
    };
    let n_exposed = rows.iter().filter(|&&i| s.exposed[i]).count();
    let mut r = PopulationResult {
        population: name.to_string(),
        n: rows.len(),
        n_exposed,
        n_unexposed: rows.len() - n_exposed,
        fingerprint: [
            population_fingerprint(arm_rows(true)),
            population_fingerprint(arm_rows(false)),
        ],
        binary: None,
        km: Vec::new(),
        km_weighted: Vec::new(),
        logrank: None,
        competing: Vec::new(),
        hazard_ratios: Vec::new(),
        risks: Vec::new(),
        ph_tests: Vec::new(),
        propensity: None,
        balance: Vec::new(),
        notes: Vec::new(),
    };
    let mut weights = vec![f64::NAN; rows.len()];
    if n_exposed == 0 || n_exposed == rows.len() {
        r.notes
            .push("only one exposure group: no comparison".into());
        return (r, weights);
    }
    let p = d.population(rows);
    let notes = &mut r.notes;
    if d.design == Design::TimeVarying {
        // Exposure changes during follow-up: no 2x2 table or curves by baseline exposure, and
        // the hazard ratios come from the counting-process rows.
        notes.extend(dropped_note(&p));
        for adjusted in [false, true] {
            r.hazard_ratios
                .extend(noted(cox_adjusted::time_varying(&p, adjusted), notes));
        }
        return (r, weights);
    }
    r.binary = noted(binary::mortality_2x2(&p), notes);
    r.km = noted(survival_curves::kaplan_meier(&p), notes).unwrap_or_default();
    r.logrank = noted(survival_curves::log_rank(&p), notes);
    for arm in [true, false] {
        r.competing
            .extend(noted(survival_curves::cumulative_incidence(&p, arm), notes));
    }
    r.hazard_ratios
        .extend(noted(cox_adjusted::unadjusted(&p), notes));
    notes.extend(dropped_note(&p));
    r.hazard_ratios
        .extend(noted(cox_adjusted::covariate_adjusted(&p), notes));
    let fit = match fit_propensity(&p) {
        Ok(f) => f,
        Err(e) => {
            notes.push(format!("propensity score: {e}"));
            return (r, weights);
        }
    };
    for (k, &i) in fit.kept.iter().enumerate() {
        weights[i] = fit.weights[k];
    }
    let w = Weighted {
        population: &p,
        fit: &fit,
    };
    r.hazard_ratios.extend(noted(iptw::iptw_cox(&w), notes));
    r.hazard_ratios
        .extend(noted(iptw::iptw_adjusted_cox(&w), notes));
    for scheme in [Scheme::Overlap, Scheme::Matching] {
        r.hazard_ratios
            .extend(noted(iptw::weighted_cox(&w, scheme), notes));
    }
    if d.full_methods {
        r.km_weighted = noted(iptw::weighted_kaplan_meier(&w), notes).unwrap_or_default();
        r.hazard_ratios
            .extend(noted(matching::matched_cox(&w), notes).flatten());
        r.hazard_ratios
            .extend(noted(ps_strata::mmws_cox(&w), notes));
        if fit.summary.n_mmws_dropped > 0 {
            notes.push(format!(
                "MMWS: {} patients in propensity strata lacking one arm are left out",
                fit.summary.n_mmws_dropped
            ));
        }
        if p.options.quintile_replication {
            r.hazard_ratios
                .extend(noted(ps_strata::stratified_cox(&w), notes));
        }
        r.balance = balance_table::balance(&w);
        r.risks.extend(noted(risks::crude(&p), notes));
        let (g, i) = risks::adjusted(&w);
        r.risks.extend(noted(g, notes));
        r.risks.extend(noted(i, notes));
        r.ph_tests
            .extend(noted(ph_tests::covariate_adjusted(&p), notes));
        r.ph_tests.extend(noted(ph_tests::iptw(&w), notes));
    }
    r.propensity = Some(fit.summary);
    (r, weights)
}

/// The estimate, or `None` with the reason added to `notes`.
fn noted<T>(res: Result<T, CohortError>, notes: &mut Vec<String>) -> Option<T> {
    match res {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    }
}

/// Analyses every level of a subgroup and tests the interaction.
///
/// # Errors
/// As [`ValidSubgroup::partition`] (a column missing or of the wrong kind). An interaction test
/// that cannot be made is a note, not an error.
pub fn analyse_subgroup(
    d: &DesignData,
    spec: &ValidSubgroup,
    frame: &PatientFrame,
) -> Result<SubgroupResult, CohortError> {
    let s = d.sample;
    let part = spec.partition(frame)?;
    let mut levels = Vec::new();
    let mut notes = Vec::new();
    let mut weights = vec![f64::NAN; s.len()];
    for (k, name) in part.levels.iter().enumerate() {
        let rows = part.members(k as u32);
        let (res, w) = analyse_population(d, name, &rows);
        for (j, &i) in rows.iter().enumerate() {
            weights[i] = w[j];
        }
        levels.push(res);
    }
    let input = InteractionInput {
        design: d.design,
        sample: s,
        counting: d.counting,
        x: d.x,
        level: &part.level,
        n_levels: part.levels.len(),
        weights: &weights,
        clusters: d.clusters,
    };
    let interaction = match interaction_test(&input) {
        Ok(t) => Some(t),
        Err(e) => {
            notes.push(format!("interaction test: {e}"));
            None
        }
    };
    let leftover = |arm: bool| -> Vec<usize> {
        (part.level.iter().enumerate())
            .filter(|&(i, l)| l.is_none() && s.exposed[i] == arm)
            .map(|(i, _)| s.patients[i])
            .collect()
    };
    Ok(SubgroupResult {
        name: part.name.clone(),
        n_missing: part.n_missing(),
        remainder_fingerprint: [
            population_fingerprint(leftover(true)),
            population_fingerprint(leftover(false)),
        ],
        levels,
        interaction,
        notes,
    })
}
