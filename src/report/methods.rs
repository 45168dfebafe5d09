//! The methods paragraph, generated from plain inputs (the analysis plan fills them) so the text
//! always states what was actually run.

use serde::Serialize;

use super::disclosure::DisclosureRule;
use crate::plot::theme::fixed;

/// A clinical score used by the analysis, with the options it was computed with.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ScoreUse {
    /// e.g. "JAAM DIC".
    pub name: String,
    /// e.g. "cohort definition", "baseline covariate", "subgroup".
    pub role: String,
    /// Option name and value as the user set them, e.g. ("platelet_drop", "30%").
    pub options: Vec<(String, String)>,
}

/// Everything the methods paragraph states.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MethodsInput {
    /// e.g. "the embedded synthetic registry (2,000 patients, seed 20240501)".
    pub data_source: String,
    pub scores: Vec<ScoreUse>,
    /// Options shared by every score, as (name, value).
    pub score_options: Vec<(String, String)>,
    /// e.g. "a JAAM DIC score of 4 or more on day 1 or day 2".
    pub cohort_definition: String,
    /// e.g. "anticoagulant therapy".
    pub exposure: String,
    pub exposure_drugs: Vec<String>,
    /// Days (inclusive) in which a start counts as exposure.
    pub exposure_window: [i32; 2],
    /// e.g. "death from any cause".
    pub outcome: String,
    pub horizon_days: i32,
    /// Competing event, e.g. "discharge alive".
    pub competing_event: Option<String>,
    /// e.g. "a landmark at day 3: patients who died or left before day 3 were excluded and
    /// exposure was classified by day 3".
    pub design: String,
    /// Each estimator as a phrase, e.g. "Kaplan-Meier curves compared with the log-rank test".
    pub estimators: Vec<String>,
    /// e.g. "logistic regression on age, sex, SOFA ...; stabilised ATE weights".
    pub propensity: Option<String>,
    pub subgroups: Vec<String>,
    pub conf_level: f64,
    /// e.g. "complete cases for the propensity covariates (exclusions in the flow diagram)".
    pub missing_data: String,
    pub disclosure: DisclosureRule,
}

/// "a", "a and b", "a, b and c".
pub fn english_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
    }
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut c = s.chars();
    let mut out = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => return String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The methods section as paragraphs, in a fixed order; parts with no input are left out.
pub fn methods_paragraphs(m: &MethodsInput) -> Vec<String> {
    let mut paras = Vec::new();
    let mut p1 = Vec::new();
    if !m.data_source.is_empty() {
        p1.push(sentence(&format!("Data came from {}", m.data_source)));
    }
    if !m.cohort_definition.is_empty() {
        p1.push(sentence(&format!(
            "The cohort comprised patients with {}",
            m.cohort_definition
        )));
    }
    if !m.scores.is_empty() {
        let scores: Vec<String> = m
            .scores
            .iter()
            .map(|s| {
                let mut t = s.name.clone();
                let mut inner = Vec::new();
                if !s.role.is_empty() {
                    inner.push(s.role.clone());
                }
                if !s.options.is_empty() {
                    let opts: Vec<String> = s
                        .options
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect();
                    inner.push(format!("options: {}", opts.join(", ")));
                }
                if !inner.is_empty() {
                    t.push_str(&format!(" ({})", inner.join("; ")));
                }
                t
            })
            .collect();
        p1.push(sentence(&format!(
            "Scores were computed from the daily laboratory and clinical records for each patient-day: {}",
            english_list(&scores)
        )));
    }
    if !m.score_options.is_empty() {
        let opts: Vec<String> = m
            .score_options
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        p1.push(sentence(&format!("Score options: {}", opts.join("; "))));
    }
    p1.push("The number of patients at each step, with every exclusion and its reason, is shown in the cohort flow diagram.".to_string());
    paras.push(p1.join(" "));

    let mut p2 = Vec::new();
    if !m.exposure.is_empty() {
        let drugs = if m.exposure_drugs.is_empty() {
            String::new()
        } else {
            format!(" ({})", english_list(&m.exposure_drugs))
        };
        p2.push(sentence(&format!(
            "Patients were classed as exposed to {}{} when it was started between day {} and day {} inclusive, and as unexposed otherwise",
            m.exposure, drugs, m.exposure_window[0], m.exposure_window[1]
        )));
    }
    if !m.outcome.is_empty() {
        let mut s = format!(
            "The outcome was {} within {} days",
            m.outcome, m.horizon_days
        );
        if let Some(c) = &m.competing_event {
            s.push_str(&format!(
                ", with {c} treated as a competing event in cumulative incidence analyses"
            ));
        }
        p2.push(sentence(&s));
    }
    if !m.design.is_empty() {
        p2.push(sentence(&format!("The primary design was {}", m.design)));
    }
    if !p2.is_empty() {
        paras.push(p2.join(" "));
    }

    let mut p3 = Vec::new();
    if !m.estimators.is_empty() {
        p3.push(sentence(&format!(
            "Estimators: {}",
            m.estimators.join("; ")
        )));
    }
    if m.estimators
        .iter()
        .any(|e| e.contains("small-sample corrected"))
    {
        p3.push(sentence(
            "A variance clustered by site is a sandwich estimated from as many cluster totals as there are sites; with few sites it is too small and too variable, so it is multiplied by G/(G-1) and intervals and p-values use the t distribution on G-1 degrees of freedom (G sites; Cameron and Miller 2015), which R's coxph(cluster = ) does not do",
        ));
    }
    if let Some(ps) = &m.propensity {
        p3.push(sentence(&format!(
            "The propensity score was estimated by {ps}"
        )));
    }
    if !m.subgroups.is_empty() {
        p3.push(sentence(&format!(
            "Effect modification was examined in subgroups defined by {}, each with a test of interaction",
            english_list(&m.subgroups)
        )));
    }
    if m.conf_level > 0.0 && m.conf_level < 1.0 {
        p3.push(sentence(&format!(
            "Confidence intervals are {}% two-sided intervals",
            fixed(
                100.0 * m.conf_level,
                if (100.0 * m.conf_level).fract() == 0.0 {
                    0
                } else {
                    1
                }
            )
        )));
    }
    if !m.missing_data.is_empty() {
        p3.push(sentence(&format!("Missing data: {}", m.missing_data)));
    }
    if !p3.is_empty() {
        paras.push(p3.join(" "));
    }
    paras.push(format!(
        "{} All analyses were run with dicohort {}; the options used are listed in full at the end of this report.",
        m.disclosure.statement(),
        env!("CARGO_PKG_VERSION")
    ));
    paras
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_paragraphs() {
        assert_eq!(
            english_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        let m = MethodsInput {
            exposure: "anticoagulant therapy".into(),
            exposure_drugs: vec!["heparin".into(), "antithrombin".into()],
            exposure_window: [0, 2],
            outcome: "death from any cause".into(),
            horizon_days: 28,
            scores: vec![ScoreUse {
                name: "JAAM DIC".into(),
                role: "cohort definition".into(),
                options: vec![("version".into(), "2016".into())],
            }],
            conf_level: 0.95,
            ..Default::default()
        };
        let p = methods_paragraphs(&m).join("\n");
        assert!(p.contains("exposed to anticoagulant therapy (heparin and antithrombin) when it was started between day 0 and day 2"));
        assert!(p.contains("JAAM DIC (cohort definition; options: version = 2016)"));
        assert!(p.contains("95% two-sided"));
        assert!(p.contains(env!("CARGO_PKG_VERSION")));
    }
}
