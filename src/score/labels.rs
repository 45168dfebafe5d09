//! Patient-level labels derived from the daily scores, for the cohort-analysis layer: DIC on day
//! 1, DIC at any time in days 1-3, the first DIC day, the worst score, and the three coagulation
//! groups of Umemura Y et al. (J Thromb Haemost 2016;14:518-530): sepsis with normal coagulation /
//! sepsis-induced coagulopathy (abnormal coagulation without DIC) / sepsis-induced DIC. Plus
//! concordance cross-tables between two diagnostic scores.
//!
//! Days that are not recorded are not scored: "DIC in days 1-3" is positive if any recorded day
//! 1-3 is positive, negative if every recorded day 1-3 is negative, else indeterminate.

use serde::{Deserialize, Serialize};

use super::engine::ScoreTable;
use super::{Dx, ScoreError, ScoreName};
use crate::schema::DayTable;

/// What counts as coagulopathy (abnormal coagulation without DIC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CoagulopathyRule {
    /// SIC-positive (default; scoring-rules.md).
    #[default]
    SicPositive,
    /// SIC-positive, or any single coagulation item abnormal: platelets < 150 x10^3/uL,
    /// PT-INR above 1.2, PT ratio >= 1.2, FDP >= 10 ug/mL or fibrinogen <= 150 mg/dL (the first
    /// abnormal class of SIC, JAAM and JMHW).
    SicOrAnyCoagulationItem,
}

/// Options of the patient-level labels (echo them with every output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelConfig {
    /// The DIC definition: a diagnostic score (default `jaam`).
    pub dic_score: ScoreName,
    /// Coagulation groups are taken over days 1..=`group_window_days` (default 1: admission).
    pub group_window_days: i32,
    pub coagulopathy: CoagulopathyRule,
}

impl Default for LabelConfig {
    fn default() -> Self {
        LabelConfig {
            dic_score: ScoreName::Jaam,
            group_window_days: 1,
            coagulopathy: CoagulopathyRule::SicPositive,
        }
    }
}

/// Coagulation group of a patient (Umemura 2016).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoagGroup {
    Normal,
    Coagulopathy,
    Dic,
    /// Missing data leave the group open (or no recorded day in the window).
    Indeterminate,
}

impl CoagGroup {
    pub const fn as_str(self) -> &'static str {
        match self {
            CoagGroup::Normal => "normal",
            CoagGroup::Coagulopathy => "coagulopathy",
            CoagGroup::Dic => "dic",
            CoagGroup::Indeterminate => "indeterminate",
        }
    }
}

/// One entry per patient that has at least one day row, in day-table order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatientLabels {
    pub config: LabelConfig,
    /// Row index into `PatientTable`.
    pub patient: Vec<u32>,
    /// DIC on day 1; `None` when day 1 is not recorded.
    pub dic_day1: Vec<Option<Dx>>,
    /// DIC on any recorded day 1-3; `None` when none of days 1-3 is recorded.
    pub dic_days_1_3: Vec<Option<Dx>>,
    /// First day scored DIC-positive (any day); `None` if never. Earlier indeterminate days
    /// may hide an earlier onset: see `first_dic_day_certain`.
    pub first_dic_day: Vec<Option<i32>>,
    /// Whether every day before `first_dic_day` (or every day, when never positive) is negative.
    pub first_dic_day_certain: Vec<bool>,
    /// Worst (highest) daily score of the DIC definition over all days: bounds.
    pub worst_min: Vec<i8>,
    pub worst_max: Vec<i8>,
    pub group: Vec<CoagGroup>,
}

/// "Any day positive" over several days (Kleene or).
#[inline]
fn any_positive(acc: Option<Dx>, d: Dx) -> Option<Dx> {
    Some(match (acc, d) {
        (Some(Dx::Positive), _) | (_, Dx::Positive) => Dx::Positive,
        (Some(Dx::Indeterminate), _) | (_, Dx::Indeterminate) => Dx::Indeterminate,
        _ => Dx::Negative,
    })
}

/// Whether any single coagulation item is abnormal on row `i` (see
/// [`CoagulopathyRule::SicOrAnyCoagulationItem`]).
fn any_coagulation_item(days: &DayTable, i: usize) -> Dx {
    let checks = [
        (days.platelets[i], days.platelets[i] < 150.0),
        (days.pt_inr[i], days.pt_inr[i] > 1.2),
        (days.pt_ratio[i], days.pt_ratio[i] >= 1.2),
        (days.fdp[i], days.fdp[i] >= 10.0),
        (days.fibrinogen[i], days.fibrinogen[i] <= 150.0),
    ];
    if checks.iter().any(|(_, abnormal)| *abnormal) {
        Dx::Positive
    } else if checks.iter().all(|(x, _)| !x.is_nan()) {
        Dx::Negative
    } else {
        Dx::Indeterminate
    }
}

/// Patient-level labels for the DIC definition `cfg.dic_score` from a scored day table.
pub fn patient_labels(
    days: &DayTable,
    scores: &ScoreTable,
    cfg: &LabelConfig,
) -> Result<PatientLabels, ScoreError> {
    let dic = scores.dx(cfg.dic_score)?;
    let cols = scores.get(cfg.dic_score)?;
    let sic = scores.dx(ScoreName::Sic)?;
    let ranges = days.patient_ranges();
    let n = ranges.len();
    let mut out = PatientLabels {
        config: *cfg,
        patient: Vec::with_capacity(n),
        dic_day1: Vec::with_capacity(n),
        dic_days_1_3: Vec::with_capacity(n),
        first_dic_day: Vec::with_capacity(n),
        first_dic_day_certain: Vec::with_capacity(n),
        worst_min: Vec::with_capacity(n),
        worst_max: Vec::with_capacity(n),
        group: Vec::with_capacity(n),
    };
    for (start, end) in ranges {
        let mut day1 = None;
        let mut d13 = None;
        let mut first = None;
        let mut certain = true;
        let mut worst = (i8::MIN, i8::MIN);
        let mut dic_w = None;
        let mut coag_w = None;
        for i in start..end {
            let day = days.day[i];
            let d = dic[i];
            if day == 1 {
                day1 = Some(d);
            }
            if (1..=3).contains(&day) {
                d13 = any_positive(d13, d);
            }
            if first.is_none() {
                match d {
                    Dx::Positive => first = Some(day),
                    Dx::Indeterminate => certain = false,
                    Dx::Negative => {}
                }
            }
            worst = (worst.0.max(cols.min[i]), worst.1.max(cols.max[i]));
            if (1..=cfg.group_window_days).contains(&day) {
                dic_w = any_positive(dic_w, d);
                coag_w = any_positive(coag_w, sic[i]);
                if cfg.coagulopathy == CoagulopathyRule::SicOrAnyCoagulationItem {
                    coag_w = any_positive(coag_w, any_coagulation_item(days, i));
                }
            }
        }
        let group = match (dic_w, coag_w) {
            (Some(Dx::Positive), _) => CoagGroup::Dic,
            (Some(Dx::Negative), Some(Dx::Positive)) => CoagGroup::Coagulopathy,
            (Some(Dx::Negative), Some(Dx::Negative)) => CoagGroup::Normal,
            _ => CoagGroup::Indeterminate,
        };
        out.patient.push(days.patient[start]);
        out.dic_day1.push(day1);
        out.dic_days_1_3.push(d13);
        out.first_dic_day.push(first);
        out.first_dic_day_certain.push(certain);
        out.worst_min.push(worst.0);
        out.worst_max.push(worst.1);
        out.group.push(group);
    }
    Ok(out)
}

/// Cross-table of two diagnoses: `counts[a][b]` with index 0 = positive, 1 = negative,
/// 2 = indeterminate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrossTable {
    pub a: String,
    pub b: String,
    pub counts: [[u64; 3]; 3],
}

impl CrossTable {
    /// Row/column index of a diagnosis: positive 0, negative 1, indeterminate 2.
    pub const fn index(d: Dx) -> usize {
        match d {
            Dx::Positive => 0,
            Dx::Negative => 1,
            Dx::Indeterminate => 2,
        }
    }
    /// Count pairs `(a[i], b[i])`; pairs where either is `None` are skipped.
    pub fn tabulate<A, B>(a_name: &str, b_name: &str, a: A, b: B) -> CrossTable
    where
        A: IntoIterator<Item = Option<Dx>>,
        B: IntoIterator<Item = Option<Dx>>,
    {
        let mut counts = [[0u64; 3]; 3];
        for (x, y) in a.into_iter().zip(b) {
            if let (Some(x), Some(y)) = (x, y) {
                counts[Self::index(x)][Self::index(y)] += 1;
            }
        }
        CrossTable {
            a: a_name.to_string(),
            b: b_name.to_string(),
            counts,
        }
    }
    pub fn get(&self, a: Dx, b: Dx) -> u64 {
        self.counts[Self::index(a)][Self::index(b)]
    }
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }
    /// Proportion of agreement among pairs where both are determinate (NaN if none).
    pub fn agreement(&self) -> f64 {
        let agree = self.counts[0][0] + self.counts[1][1];
        let n = agree + self.counts[0][1] + self.counts[1][0];
        agree as f64 / n as f64
    }
}

/// Patient-day concordance of two diagnostic scores (e.g. JAAM vs ISTH).
pub fn concordance_days(
    scores: &ScoreTable,
    a: ScoreName,
    b: ScoreName,
) -> Result<CrossTable, ScoreError> {
    let da = scores.dx(a)?;
    let db = scores.dx(b)?;
    Ok(CrossTable::tabulate(
        a.as_str(),
        b.as_str(),
        da.iter().copied().map(Some),
        db.iter().copied().map(Some),
    ))
}

/// Patient-level concordance of two DIC labels (e.g. `dic_days_1_3` under JAAM and under ISTH);
/// patients where either label is `None` are skipped.
pub fn concordance_patients(
    a: &PatientLabels,
    b: &PatientLabels,
    label: fn(&PatientLabels) -> &[Option<Dx>],
) -> CrossTable {
    CrossTable::tabulate(
        a.config.dic_score.as_str(),
        b.config.dic_score.as_str(),
        label(a).iter().copied(),
        label(b).iter().copied(),
    )
}
