//! Pooling the selected trials ([`super::trials::select`]): one pool of every trial, or one
//! pool per subgroup value plus the overall pool with the test of subgroup differences; the
//! nested-row rule; leave-one-out; and the notices and warnings the output must carry.
//!
//! **Nested rows.** A row is *nested* in a pool when its `nested_in` column names, directly or
//! through another row's `nested_in`, a study that is in the same pool: the containing study
//! already counts its patients. By default such a row is left out of that pool (and only that
//! pool) with a notice; `include_nested` keeps it and warns that patients are counted twice. In
//! the bundled trials this leaves KyberSept's no-heparin stratum (Hoffmann) out of the `sepsis`
//! pool, which holds the whole trial (Warren), while the Kienast DIC and non-DIC rows stay in
//! their own populations; in the overall pool only the whole trial stays.
//!
//! When subgroups share patients (a row of one subgroup is nested in a row of another), the
//! test for subgroup differences, which assumes independent subgroups, is flagged.

use serde::Serialize;

use super::subgroup::{between_subgroup_test, BetweenSubgroupTest, Subgroup};
use super::trials::{Selection, Trial, Trials};
use super::{meta_analysis, Measure, MetaAnalysis, MetaError, MetaOptions, Pooled, TwoByTwo};

/// A row left out of a pool by the nested-row rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NestedOut {
    /// Index into [`TrialAnalysis::trials`].
    pub trial: usize,
    /// The study of the same pool that contains it.
    pub within: String,
}

/// One pooled set of trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pool {
    /// The subgroup value; `None` for the pool of every trial.
    pub label: Option<String>,
    /// Trials pooled (indices into [`TrialAnalysis::trials`]), in file order. The studies of
    /// `analysis.effects.study` index into this list.
    pub trials: Vec<usize>,
    pub nested_out: Vec<NestedOut>,
    pub analysis: MetaAnalysis,
}

impl Pool {
    /// The trial (index into [`TrialAnalysis::trials`]) of the `j`-th kept study effect.
    pub fn effect_trial(&self, j: usize) -> usize {
        self.trials[self.analysis.effects.study[j]]
    }

    /// Trials dropped as double-zero studies (indices into [`TrialAnalysis::trials`]).
    pub fn dropped_double_zero(&self) -> Vec<usize> {
        self.analysis
            .effects
            .dropped_double_zero
            .iter()
            .map(|&i| self.trials[i])
            .collect()
    }
}

/// A subgroup that could not be pooled (e.g. every study double-zero), with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPooled {
    pub label: String,
    pub trials: Vec<usize>,
    pub nested_out: Vec<NestedOut>,
    pub reason: String,
}

/// The pooled result without one trial (metafor `leave1out`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    /// Index into [`TrialAnalysis::trials`].
    pub trial: usize,
    pub pooled: Option<Pooled>,
}

/// A complete meta-analysis of a trial file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialAnalysis {
    pub file: String,
    pub measure: Measure,
    pub options: MetaOptions,
    pub selection: Selection,
    pub trials: Vec<Trial>,
    pub filtered_out: Vec<String>,
    pub excluded: Vec<String>,
    /// Studies omitted for missing values (file row and why).
    pub omitted: Vec<super::trials::Omitted>,
    /// Every trial (after the nested-row rule).
    pub overall: Pool,
    /// One pool per subgroup value (sorted as R sorts the levels of ASCII labels).
    pub subgroups: Vec<Pool>,
    pub not_pooled: Vec<NotPooled>,
    pub between: Option<BetweenSubgroupTest>,
    pub leave_one_out: Option<Vec<LeftOut>>,
    /// What was left out and by which rule, for the reader.
    pub notices: Vec<String>,
    /// What makes a result questionable (patients counted twice, dependent subgroups).
    pub warnings: Vec<String>,
}

/// Pools the selected trials.
///
/// # Errors
/// [`MetaError::InvalidInput`] for leave-one-out with subgroups; the pooling errors of
/// [`meta_analysis`] for the overall pool (a subgroup that cannot be pooled is reported in
/// [`TrialAnalysis::not_pooled`] instead).
pub fn analyse(
    selected: Trials,
    selection: &Selection,
    measure: Measure,
    options: MetaOptions,
    leave_one_out: bool,
) -> Result<TrialAnalysis, MetaError> {
    if leave_one_out && selection.subgroup.is_some() {
        return Err(MetaError::InvalidInput(
            "--leave-one-out refits one pool: use it without --subgroup".into(),
        ));
    }
    let trials = selected.trials;
    let all: Vec<usize> = (0..trials.len()).collect();
    let (rows, nested_out) = nested_rule(&trials, &all, selection.include_nested);
    let overall = Pool {
        label: None,
        analysis: meta_analysis(&tables(&trials, &rows), measure, options)?,
        trials: rows,
        nested_out,
    };
    let mut subgroups = Vec::new();
    let mut not_pooled = Vec::new();
    if selection.subgroup.is_some() {
        let mut levels: Vec<&str> = trials
            .iter()
            .filter_map(|t| t.subgroup.as_deref())
            .collect();
        levels.sort_unstable();
        levels.dedup();
        for level in levels {
            let members: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| trials[i].subgroup.as_deref() == Some(level))
                .collect();
            let (rows, nested_out) = nested_rule(&trials, &members, selection.include_nested);
            match meta_analysis(&tables(&trials, &rows), measure, options) {
                Ok(analysis) => subgroups.push(Pool {
                    label: Some(level.to_string()),
                    trials: rows,
                    nested_out,
                    analysis,
                }),
                Err(e) => not_pooled.push(NotPooled {
                    label: level.to_string(),
                    trials: rows,
                    nested_out,
                    reason: e.to_string(),
                }),
            }
        }
    }
    let between = selection.subgroup.as_ref().map(|_| {
        let groups: Vec<Subgroup> = subgroups
            .iter()
            .map(|p| Subgroup {
                label: p.label.clone().unwrap_or_default(),
                n_studies: p.trials.len(),
                analysis: p.analysis.clone(),
            })
            .collect();
        between_subgroup_test(&groups)
    });
    let loo = if leave_one_out {
        let tabs = tables(&trials, &overall.trials);
        let rows = super::leave_one_out(&tabs, measure, options)?;
        Some(
            rows.into_iter()
                .map(|l| LeftOut {
                    trial: overall.trials[l.omitted],
                    pooled: l.pooled,
                })
                .collect(),
        )
    } else {
        None
    };
    let mut out = TrialAnalysis {
        file: selected.file,
        measure,
        options,
        selection: selection.clone(),
        trials,
        filtered_out: selected.filtered_out,
        excluded: selected.excluded,
        omitted: selected.omitted,
        overall,
        subgroups,
        not_pooled,
        between,
        leave_one_out: loo,
        notices: Vec::new(),
        warnings: Vec::new(),
    };
    out.notices = notices(&out);
    out.warnings = warnings(&out);
    Ok(out)
}

fn tables(trials: &[Trial], rows: &[usize]) -> Vec<TwoByTwo> {
    rows.iter().map(|&i| trials[i].table).collect()
}

/// The pool's members minus the rows nested in another member (unless `include_nested`).
fn nested_rule(
    trials: &[Trial],
    members: &[usize],
    include_nested: bool,
) -> (Vec<usize>, Vec<NestedOut>) {
    if include_nested {
        return (members.to_vec(), Vec::new());
    }
    let nested = |i: usize| {
        trials[i]
            .within
            .iter()
            .any(|w| members.iter().any(|&m| &trials[m].study == w))
    };
    let (kept, left): (Vec<usize>, Vec<usize>) = members.iter().partition(|&&i| !nested(i));
    // Name the kept study that contains each row left out (one exists: `nested_in` has no
    // cycles, so following it ends at a row of the pool that is nested in none).
    let out = left
        .into_iter()
        .map(|i| NestedOut {
            trial: i,
            within: trials[i]
                .within
                .iter()
                .find(|w| kept.iter().any(|&k| &trials[k].study == *w))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    (kept, out)
}

fn scope(label: Option<&str>) -> String {
    label.map_or("the overall pool".to_string(), |l| {
        format!("subgroup `{l}`")
    })
}

fn notices(a: &TrialAnalysis) -> Vec<String> {
    let mut out = Vec::new();
    let t = &a.trials;
    if !a.selection.filters.is_empty() {
        let f: Vec<String> = a.selection.filters.iter().map(|f| f.to_string()).collect();
        out.push(format!(
            "--filter {}: {} row(s) left out ({})",
            f.join(" "),
            a.filtered_out.len(),
            a.filtered_out.join("; ")
        ));
    }
    for s in &a.excluded {
        out.push(format!("`{s}` left out (--exclude)"));
    }
    for o in &a.omitted {
        out.push(format!(
            "`{}` (row {}) omitted: {} (as metafor omits studies with missing values)",
            o.study, o.row, o.reason
        ));
    }
    let pools = std::iter::once((a.overall.label.as_deref(), &a.overall.nested_out))
        .chain(
            a.subgroups
                .iter()
                .map(|p| (p.label.as_deref(), &p.nested_out)),
        )
        .chain(
            a.not_pooled
                .iter()
                .map(|p| (Some(p.label.as_str()), &p.nested_out)),
        );
    let mut any_nested = false;
    for (label, nested) in pools {
        for n in nested {
            any_nested = true;
            out.push(format!(
                "`{}` (row {}) left out of {}: nested in `{}`, which is in the same pool",
                t[n.trial].study,
                t[n.trial].row,
                scope(label),
                n.within
            ));
        }
    }
    if any_nested {
        out.push(
            "nested rows: a row is left out of a pool when its `nested_in` column names (directly \
             or through another row) a study of the same pool, whose patients include its own; \
             --include-nested keeps them"
                .into(),
        );
    }
    let pooled = std::iter::once(&a.overall).chain(&a.subgroups);
    for p in pooled {
        for i in p.dropped_double_zero() {
            out.push(format!(
                "`{}` (row {}) dropped from {}: no events (or only events) in both arms \
                 (drop00 = TRUE)",
                t[i].study,
                t[i].row,
                scope(p.label.as_deref())
            ));
        }
    }
    out
}

fn warnings(a: &TrialAnalysis) -> Vec<String> {
    let t = &a.trials;
    let mut out = Vec::new();
    let pools: Vec<(Option<&str>, &[usize])> = std::iter::once(&a.overall)
        .chain(&a.subgroups)
        .map(|p| (p.label.as_deref(), p.trials.as_slice()))
        .collect();
    // Rows kept together with a study that contains them (include_nested).
    for (label, members) in &pools {
        for &i in *members {
            for w in &t[i].within {
                if members.iter().any(|&m| &t[m].study == w) {
                    out.push(format!(
                        "`{}` is a subset of `{w}`, both in {}: patients counted twice, studies \
                         not independent",
                        t[i].study,
                        scope(*label)
                    ));
                }
            }
        }
    }
    // Subgroups sharing patients.
    if a.subgroups.len() > 1 {
        for (ga, pa) in a.subgroups.iter().enumerate() {
            for pb in &a.subgroups[ga + 1..] {
                let shared = pa.trials.iter().find_map(|&i| {
                    pb.trials.iter().find_map(|&j| {
                        if t[i].within.contains(&t[j].study) {
                            Some((i, j))
                        } else if t[j].within.contains(&t[i].study) {
                            Some((j, i))
                        } else {
                            None
                        }
                    })
                });
                if let Some((inner, outer)) = shared {
                    out.push(format!(
                        "subgroups `{}` and `{}` share patients (`{}` is part of `{}`): the test \
                         for subgroup differences assumes independent subgroups",
                        pa.label.as_deref().unwrap_or(""),
                        pb.label.as_deref().unwrap_or(""),
                        t[inner].study,
                        t[outer].study
                    ));
                }
            }
        }
    }
    out
}
