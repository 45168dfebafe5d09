//! "Methods": the methods paragraphs ([`crate::report::methods`]) with the inputs the plan and
//! the result imply.

use crate::cohort::plan::Plan;
use crate::cohort::propensity::Estimand;
use crate::plot::theme::fixed;
use crate::report::counts::count;
use crate::report::document::{Block, Section};
use crate::report::methods::{methods_paragraphs, MethodsInput, ScoreUse};

use super::{Ctx, SectionResult};

/// "Methods".
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let mut s = Section::new("methods", "Methods");
    if let Some(d) = ctx.primary() {
        let e = &d.estimand;
        s.push(Block::Paragraph(format!(
            "Estimand of the primary design (the target trial it emulates). Population: {}. Treatment strategies: {}. Time zero: {}. Outcome: {}. Contrast: {}. Estimator: {}.",
            e.population, e.strategies, e.time_zero, e.outcome, e.contrast, e.estimator
        )));
        if let Some(l) = &e.limitation {
            s.push(Block::Paragraph(format!("Limitation of the design: {l}.")));
        }
    }
    for p in methods_paragraphs(&methods_input(ctx)) {
        s.push(Block::Paragraph(p));
    }
    Ok(Some(s))
}

/// The scores a plan uses and what for, in a fixed order.
fn scores_used(plan: &Plan) -> Vec<ScoreUse> {
    const SCORES: [&str; 9] = [
        "sirs", "sofa", "sofa4", "jaam", "jaam2", "isth", "sic", "jmhw", "jsth",
    ];
    let uses = |col: &str, s: &str| {
        col.starts_with(&format!("{s}_")) || col.starts_with(&format!("dic_{s}_"))
    };
    let t1: Vec<String> = plan.table1.variables.clone().unwrap_or_default();
    let subgroups = serde_json::to_string(&plan.subgroups).unwrap_or_default();
    let mut out = Vec::new();
    for s in SCORES {
        let mut roles = Vec::new();
        if plan.dic.score.as_str() == s {
            roles.push(if plan.dic.days[0] == plan.dic.days[1] {
                format!("DIC definition: positive on day {}", plan.dic.days[0])
            } else {
                format!(
                    "DIC definition: positive on any recorded day {}-{}",
                    plan.dic.days[0], plan.dic.days[1]
                )
            });
        }
        if plan.propensity.covariates.iter().any(|c| uses(c, s)) {
            roles.push("propensity model".to_string());
        }
        if t1.iter().any(|c| uses(c, s)) {
            roles.push("baseline characteristics".to_string());
        }
        if subgroups.contains(&format!("\"{s}\"")) || subgroups.contains(&format!("\"{s}_")) {
            roles.push("subgroups".to_string());
        }
        if !roles.is_empty() {
            out.push(ScoreUse {
                name: s.to_uppercase(),
                role: roles.join(", "),
                options: Vec::new(),
            });
        }
    }
    out
}

/// The methods paragraph inputs implied by the plan and the result.
pub fn methods_input(ctx: &Ctx) -> MethodsInput {
    let r = ctx.r;
    let plan = &r.plan;
    let score_opts: Vec<(String, String)> = serde_json::to_value(plan.scores)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        match v {
                            serde_json::Value::String(s) => s,
                            serde_json::Value::Object(o) => o
                                .into_iter()
                                .map(|(k, v)| match v {
                                    serde_json::Value::String(s) => format!("{k} {s}"),
                                    other => format!("{k} {other}"),
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            other => other.to_string(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let primary = ctx.primary();
    let mut estimators = vec![
        "Kaplan-Meier curves by exposure compared with the log-rank test".to_string(),
        "Aalen-Johansen cumulative incidence of death with discharge alive as a competing event"
            .to_string(),
        "risk ratio, risk difference and odds ratio of death by the horizon".to_string(),
    ];
    if let Some(d) = primary {
        let labels: Vec<String> = d
            .overall
            .hazard_ratios
            .iter()
            .map(|h| h.estimator.clone())
            .collect();
        if !labels.is_empty() {
            estimators.push(format!(
                "hazard ratios of death from Cox proportional hazards models ({}; variance: {})",
                labels.join("; "),
                super::hazard_ratios::variances(ctx).join("; ")
            ));
        }
    }
    let ps = &plan.propensity;
    let propensity = Some(format!(
        "logistic regression of exposure on {} (main effects){}; {} weights{}, 1:1 nearest-neighbour matching within a caliper of {} SD of the logit of the score, and stratification into {} quantile groups{}",
        ps.covariates.iter().map(|c| ctx.label(c)).collect::<Vec<_>>().join("; "),
        if ps.within_subgroups { ", refitted within each subgroup level" } else { "" },
        match ps.estimand {
            Estimand::Ate => "ATE",
            Estimand::Att => "ATT",
        },
        if ps.stabilised { " (stabilised)" } else { "" },
        fixed(ps.caliper_sd, 2),
        ps.strata,
        ps.trim.map_or(String::new(), |[lo, hi]| format!(", after trimming scores outside [{}, {}]", fixed(lo, 2), fixed(hi, 2))),
    ));
    MethodsInput {
        data_source: match &plan.cohort.path {
            Some(p) => format!("the cohort folder `{p}`"),
            None => "the embedded synthetic registry of dicohort (simulated patients; no real patient data)".to_string(),
        },
        scores: scores_used(plan),
        score_options: score_opts,
        cohort_definition: format!(
            "sepsis in the source data, {} of them analysed in the primary design",
            primary.map_or("all".to_string(), |_| count(ctx.dc.sample))
        ),
        exposure: r.exposure.name.clone(),
        exposure_drugs: r.exposure.drugs.iter().map(|d| d.replace('_', " ")).collect(),
        exposure_window: r.exposure.window,
        outcome: "death from any cause".to_string(),
        horizon_days: plan.outcome.horizon,
        competing_event: Some("discharge alive".to_string()),
        design: primary.map_or(String::new(), |d| d.label.clone()),
        estimators,
        propensity,
        subgroups: primary.map(|d| d.subgroups.iter().map(|s| s.name.clone()).collect()).unwrap_or_default(),
        conf_level: plan.conf_level,
        missing_data: "patients missing any propensity covariate were excluded from the adjusted analyses (complete case), and are counted in the cohort flow; missing values are never read as zero".to_string(),
        disclosure: *ctx.rule(),
    }
}
