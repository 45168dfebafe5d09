//! `hosp/prescriptions`, read in two streaming passes as mimic-code `medication/antibiotic.sql`
//! does: the distinct (drug, route) pairs are classified once (antibiotic, or an anticoagulant
//! of the import's vocabulary), then the rows of the classified pairs are read. Rows are orders,
//! not administrations (`hosp/emar` would confirm administration; it is not read).
//!
//! Cost: two streaming passes over `prescriptions` (the distinct pairs, then the classified
//! rows of the selected patients).

use polars::prelude::*;

use super::frames::{self, Kind, Table};
use super::MimicError;

/// What a (drug, route) pair is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Antibiotic,
    /// An anticoagulant of [`super::anticoagulants::VOCABULARY`].
    Anticoagulant(&'static str),
}

/// One classified prescription row.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub subject_id: i64,
    pub hadm_id: Option<i64>,
    pub start: i64,
    pub stop: Option<i64>,
    pub class: Class,
    pub drug: String,
    /// `dose_val_rx` times `doses_per_24_hrs` (NaN when either is not a number).
    pub daily_dose: f64,
    pub dose_unit: Option<String>,
}

/// mimic-code `antibiotic.sql`: the lower-case drug name contains one of these.
const ANTIBIOTIC_NAMES: &[&str] = &[
    "adoxa",
    "ala-tet",
    "alodox",
    "amikacin",
    "amikin",
    "amoxicill",
    "amphotericin",
    "anidulafungin",
    "ancef",
    "clavulanate",
    "ampicillin",
    "augmentin",
    "avelox",
    "avidoxy",
    "azactam",
    "azithromycin",
    "aztreonam",
    "axetil",
    "bactocill",
    "bactrim",
    "bactroban",
    "bethkis",
    "biaxin",
    "bicillin l-a",
    "cayston",
    "cefazolin",
    "cedax",
    "cefoxitin",
    "ceftazidime",
    "cefaclor",
    "cefadroxil",
    "cefdinir",
    "cefditoren",
    "cefepime",
    "cefotan",
    "cefotetan",
    "cefotaxime",
    "ceftaroline",
    "cefpodoxime",
    "cefpirome",
    "cefprozil",
    "ceftibuten",
    "ceftin",
    "ceftriaxone",
    "cefuroxime",
    "cephalexin",
    "cephalothin",
    "cephapririn",
    "chloramphenicol",
    "cipro",
    "ciprofloxacin",
    "claforan",
    "clarithromycin",
    "cleocin",
    "clindamycin",
    "cubicin",
    "dicloxacillin",
    "dirithromycin",
    "doryx",
    "doxycy",
    "duricef",
    "dynacin",
    "ery-tab",
    "eryped",
    "eryc",
    "erythrocin",
    "erythromycin",
    "factive",
    "flagyl",
    "fortaz",
    "furadantin",
    "garamycin",
    "gentamicin",
    "kanamycin",
    "keflex",
    "kefzol",
    "ketek",
    "levaquin",
    "levofloxacin",
    "lincocin",
    "linezolid",
    "macrobid",
    "macrodantin",
    "maxipime",
    "mefoxin",
    "metronidazole",
    "meropenem",
    "methicillin",
    "minocin",
    "minocycline",
    "monodox",
    "monurol",
    "morgidox",
    "moxatag",
    "moxifloxacin",
    "mupirocin",
    "myrac",
    "nafcillin",
    "neomycin",
    "nicazel doxy 30",
    "nitrofurantoin",
    "norfloxacin",
    "noroxin",
    "ocudox",
    "ofloxacin",
    "omnicef",
    "oracea",
    "oraxyl",
    "oxacillin",
    "pc pen vk",
    "pce dispertab",
    "panixine",
    "pediazole",
    "penicillin",
    "periostat",
    "pfizerpen",
    "piperacillin",
    "tazobactam",
    "primsol",
    "proquin",
    "raniclor",
    "rifadin",
    "rifampin",
    "rocephin",
    "smz-tmp",
    "septra",
    "septra ds",
    "solodyn",
    "spectracef",
    "streptomycin",
    "sulfadiazine",
    "sulfamethoxazole",
    "trimethoprim",
    "sulfatrim",
    "sulfisoxazole",
    "suprax",
    "synercid",
    "tazicef",
    "tetracycline",
    "timentin",
    "tobramycin",
    "unasyn",
    "vancocin",
    "vancomycin",
    "vantin",
    "vibativ",
    "vibra-tabs",
    "vibramycin",
    "zinacef",
    "zithromax",
    "zosyn",
    "zyvox",
];

/// mimic-code `antibiotic.sql`: routes and names that are not systemic antibiotics.
fn antibiotic_excluded(drug: &str, route: &str) -> bool {
    let d = drug.to_lowercase();
    let r = route.to_lowercase();
    ["OU", "OS", "OD", "AU", "AS", "AD", "TP"].contains(&route)
        || r.contains("ear")
        || r.contains("eye")
        || ["cream", "desensitization", "ophth oint", "gel"]
            .iter()
            .any(|x| d.contains(x))
}

/// The class of a (drug, route) pair of a non-`BASE` row, if any.
pub fn classify(drug: &str, route: &str) -> Option<Class> {
    let d = drug.to_lowercase();
    if !antibiotic_excluded(drug, route) && ANTIBIOTIC_NAMES.iter().any(|n| d.contains(n)) {
        return Some(Class::Antibiotic);
    }
    super::anticoagulants::classify_order(&d, route).map(Class::Anticoagulant)
}

/// Reads the antibiotic and anticoagulant orders of the admissions of `hadm_ids` (and, for
/// antibiotics, any order of `subject_ids`: mimic-code matches cultures by subject).
///
/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_orders(t: &Table, subject_ids: &[i64]) -> Result<Vec<Order>, MimicError> {
    let subjects = df!("subject_id" => subject_ids.to_vec()).expect("one column");
    let pairs = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("drug_type", Kind::Text),
                ("drug", Kind::Text),
                ("route", Kind::Text),
            ],
        )?
        // SQL `drug_type NOT IN ('BASE')` leaves out a missing drug_type too.
        .filter(col("drug_type").neq(lit("BASE")).fill_null(lit(false)))
        .group_by([col("drug"), col("route")])
        .agg([col("drug").count().alias("n")]),
    )?;
    let drugs = frames::texts(&pairs, "drug");
    let routes = frames::texts(&pairs, "route");
    let (mut kd, mut kr, mut kc) = (Vec::new(), Vec::new(), Vec::new());
    let mut classes = Vec::new();
    for (d, r) in drugs.iter().zip(&routes) {
        let (Some(d), Some(r)) = (d, r) else { continue };
        if let Some(c) = classify(d, r) {
            kd.push(d.clone());
            kr.push(r.clone());
            kc.push(classes.len() as u32);
            classes.push(c);
        }
    }
    let keys = df!("drug" => kd, "route" => kr, "class" => kc).expect("columns of equal length");
    let df = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("subject_id", Kind::Int),
                ("hadm_id", Kind::Int),
                ("starttime", Kind::Time),
                ("stoptime", Kind::Time),
                ("drug", Kind::Text),
                ("route", Kind::Text),
                ("dose_val_rx", Kind::Text),
                ("dose_unit_rx", Kind::Text),
                ("doses_per_24_hrs", Kind::Float),
            ],
        )?
        .inner_join(subjects.lazy(), col("subject_id"), col("subject_id"))
        .join(
            keys.lazy(),
            [col("drug"), col("route")],
            [col("drug"), col("route")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("starttime").is_not_null()),
    )?;
    let subject = frames::required_ints(t, &df, "subject_id")?;
    let hadm = frames::ints(&df, "hadm_id");
    let start = frames::required_ints(t, &df, "starttime")?;
    let stop = frames::ints(&df, "stoptime");
    let class = frames::ints(&df, "class");
    let drug = frames::texts(&df, "drug");
    let dose = frames::texts(&df, "dose_val_rx");
    let unit = frames::texts(&df, "dose_unit_rx");
    let per_day = frames::floats(&df, "doses_per_24_hrs");
    let mut out: Vec<Order> = (0..subject.len())
        .map(|i| Order {
            subject_id: subject[i],
            hadm_id: hadm[i],
            start: start[i],
            stop: stop[i],
            class: classes[class[i].expect("join key") as usize],
            drug: drug[i].clone().unwrap_or_default(),
            daily_dose: dose[i]
                .as_deref()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .map_or(f64::NAN, |d| d * per_day[i]),
            dose_unit: unit[i].clone(),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.subject_id, a.start, &a.drug, a.stop)
            .cmp(&(b.subject_id, b.start, &b.drug, b.stop))
            .then(a.daily_dose.total_cmp(&b.daily_dose))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn antibiotics_as_mimic_code_classifies_them() {
        assert_eq!(classify("Vancomycin", "IV"), Some(Class::Antibiotic));
        assert_eq!(
            classify("Piperacillin-Tazobactam", "IV"),
            Some(Class::Antibiotic)
        );
        assert_eq!(classify("Erythromycin Ophth Oint", "BOTH EYES"), None);
        assert_eq!(classify("Ciprofloxacin 0.3% Ophth Soln", "OU"), None);
        assert_eq!(classify("Acetaminophen", "PO"), None);
    }
}
