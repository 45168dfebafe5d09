//! Optional missingness of the day-1 coagulation labs (platelets, PT, fibrinogen), added after the
//! treatment decision and the outcome (so the cohort, its treatments and outcomes are those of
//! the same seed without it; only what is written changes), for studying multiple imputation.
//!
//! Each lab is deleted independently with
//! `logit P(missing) = a_lab + 0.8 (apache2 - 21) / 6.5 + 1.2 death28 - 0.5 treated`
//! under MAR (it depends only on values that stay written: APACHE II, the outcome and the
//! treatment), plus `- 0.8 (log(platelets) - log(150)) / 0.5` for platelets, `+ 0.8 (PT ratio -
//! 1.2) / 0.2` for PT and `- 0.8 (fibrinogen - 350) / 100` for fibrinogen under MNAR (it depends
//! on the value itself). `a` is -1.8 (platelets), -1.6 (PT: ratio, INR and seconds go together)
//! and -1.0 (fibrinogen). A lab the site did not record stays missing.
//!
//! The draws come from their own stream (`Rng::stream(seed ^ SALT, patient)`), so enabling the
//! option leaves every other simulated value unchanged.

use serde::Serialize;

use super::model::col;
use super::rng::Rng;

/// The missingness mechanism of the day-1 coagulation labs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabMissingness {
    /// Missing at random: depends on APACHE II, death by day 28 and treatment.
    Mar,
    /// Missing not at random: MAR plus the lab's own value.
    Mnar,
}

const SALT: u64 = 0x4D41_525F_4C41_4253;

/// What `truth.json` says about the mechanism.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingnessTruth {
    pub mechanism: LabMissingness,
    pub labs: Vec<&'static str>,
    pub model: String,
    /// Day-1 values deleted by the mechanism, per lab (platelets, pt, fibrinogen).
    pub deleted: [u64; 3],
}

impl LabMissingness {
    /// The statement for `truth.json`, with the realised deletion counts.
    pub fn truth(self, deleted: [u64; 3]) -> MissingnessTruth {
        MissingnessTruth {
            mechanism: self,
            labs: vec!["platelets", "pt (ratio, inr, seconds)", "fibrinogen"],
            model: "Day-1 labs deleted after treatment and outcome, each independently with \
                    logit P(missing) = a + 0.8 (apache2 - 21) / 6.5 + 1.2 death28 - 0.5 treated, \
                    a = -1.8 (platelets), -1.6 (pt), -1.0 (fibrinogen); under mnar also \
                    - 0.8 (ln platelets - ln 150) / 0.5, + 0.8 (pt_ratio - 1.2) / 0.2, \
                    - 0.8 (fibrinogen - 350) / 100 (the lab's simulated value). This overrides \
                    'always written' in effect_modifier; the treatment decision and \
                    jaam_lo_day1 of the model, and the groups 'as decided in data' of the \
                    marginal truths, use the day-1 values before this deletion."
                .into(),
            deleted,
        }
    }
}

/// What the MAR part of the mechanism depends on (all written).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub apache2: f64,
    /// Died by day 28.
    pub died: bool,
    /// Received the exposure.
    pub treated: bool,
}

/// Deletes day-1 labs of patient `index` in `day1` (written values; `truth` the simulated ones);
/// returns which of (platelets, PT, fibrinogen) were deleted here.
pub fn apply(
    mech: LabMissingness,
    (seed, index): (u64, u64),
    day1: &mut [f64; col::N],
    truth: &[f64; col::N],
    o: Observed,
) -> [bool; 3] {
    let Observed {
        apache2,
        died,
        treated,
    } = o;
    let mut rng = Rng::stream(seed ^ SALT, index);
    let base = 0.8 * (apache2 - 21.0) / 6.5
        + if died { 1.2 } else { 0.0 }
        + if treated { -0.5 } else { 0.0 };
    let own = |lab: usize| match (mech, lab) {
        (LabMissingness::Mar, _) => 0.0,
        (LabMissingness::Mnar, 0) => -0.8 * (truth[col::PLATELETS].ln() - 150f64.ln()) / 0.5,
        (LabMissingness::Mnar, 1) => 0.8 * (truth[col::PT_RATIO] - 1.2) / 0.2,
        (LabMissingness::Mnar, _) => -0.8 * (truth[col::FIBRINOGEN] - 350.0) / 100.0,
    };
    let groups: [&[usize]; 3] = [
        &[col::PLATELETS],
        &[col::PT_RATIO, col::PT_INR, col::PT_SEC],
        &[col::FIBRINOGEN],
    ];
    let intercept = [-1.8, -1.6, -1.0];
    let mut deleted = [false; 3];
    for (lab, cols) in groups.iter().enumerate() {
        let lp = intercept[lab] + base + own(lab);
        // Always draw, so one lab's value never shifts another lab's draw.
        let hit = rng.bernoulli(1.0 / (1.0 + (-lp).exp()));
        if hit && cols.iter().any(|&c| !day1[c].is_nan()) {
            for &c in cols.iter() {
                day1[c] = f64::NAN;
            }
            deleted[lab] = true;
        }
    }
    deleted
}
