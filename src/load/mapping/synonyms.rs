//! The synonym dictionary of `dicohort mapping init`: how exports name the canonical columns.
//! Names are compared after [`norm`] (lower case, letters and digits only, so `D-dimer`,
//! `d_dimer` and `DDimer` are one name). Japanese registry headers are included.

/// A name reduced for comparison: lower case, letters and digits only.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Patients columns (not the outcome).
pub const PATIENTS: &[(&str, &[&str])] = &[
    (
        "patient_id",
        &[
            "patientid",
            "id",
            "pid",
            "patient",
            "subjectid",
            "subject",
            "caseid",
            "studyid",
            "recordid",
            "admid",
            "admissionid",
            "encounterid",
            "stayid",
            "hadmid",
            "episodeid",
            "症例id",
            "患者id",
            "症例番号",
        ],
    ),
    (
        "site_id",
        &[
            "siteid",
            "site",
            "hospital",
            "hospitalid",
            "facility",
            "facilityid",
            "hospcode",
            "hospitalcode",
            "sitecode",
            "facilitycode",
            "centre",
            "center",
            "centreid",
            "centerid",
            "institution",
            "施設",
            "施設id",
            "施設名",
        ],
    ),
    ("age", &["age", "ageyears", "ageyr", "年齢"]),
    ("sex", &["sex", "gender", "性別"]),
    (
        "apache2",
        &[
            "apache2",
            "apacheii",
            "apache",
            "apacheiiscore",
            "apache2score",
        ],
    ),
    (
        "haematological_malignancy",
        &[
            "haematologicalmalignancy",
            "hematologicalmalignancy",
            "hematomalignancy",
            "hemato",
            "hm",
            "haemmalignancy",
            "血液悪性腫瘍",
        ],
    ),
    (
        "liver_failure",
        &[
            "liverfailure",
            "lf",
            "hepaticfailure",
            "cirrhosis",
            "livercirrhosis",
            "肝不全",
        ],
    ),
];

/// Outcome day columns (numbers or dates).
pub const DEATH_DAY: &[&str] = &[
    "deathday",
    "dayofdeath",
    "daystodeath",
    "deathdays",
    "dod",
    "deathdate",
    "dateofdeath",
    "死亡日",
];
pub const LAST_DAY: &[&str] = &[
    "lastday",
    "followupday",
    "followupdays",
    "lastobservedday",
    "lastfollowup",
    "followup",
];
pub const STAY_END: &[&str] = &[
    "dischargeday",
    "dischday",
    "los",
    "lengthofstay",
    "losdays",
    "hospitallos",
    "staydays",
    "dischargedate",
    "dischdate",
    "discdate",
    "stayend",
    "dateofdischarge",
    "退院日",
    "在院日数",
];
pub const ADMISSION: &[&str] = &[
    "admissiondate",
    "admdate",
    "admission",
    "dateofadmission",
    "icuadmissiondate",
    "admitdate",
    "入院日",
    "icu入室日",
];
/// Words of a death indicator's name.
pub const DIED_WORDS: &[&str] = &["death", "died", "dead", "mortality", "死亡", "expired"];
/// Words that make a death indicator in-hospital.
pub const IN_HOSPITAL_WORDS: &[&str] = &["hosp", "inhospital", "院内", "discharge"];

/// Day measurements (wide stems, patient_day columns, long test names).
pub const MEASURES: &[(&str, &[&str])] = &[
    (
        "platelets",
        &["plt", "platelet", "platelets", "pltcount", "plc", "血小板"],
    ),
    ("pt_inr", &["ptinr", "inr"]),
    ("pt_ratio", &["ptratio", "ptr", "pt"]),
    (
        "pt_sec_prolongation",
        &["ptsec", "ptprolong", "ptsecprolongation", "ptprolongation"],
    ),
    (
        "fibrinogen",
        &["fib", "fibrinogen", "fbg", "fg", "フィブリノゲン"],
    ),
    ("fdp", &["fdp"]),
    ("d_dimer", &["dd", "ddimer", "dimer", "dダイマー"]),
    (
        "antithrombin",
        &["at", "at3", "atiii", "antithrombin", "at活性"],
    ),
    ("tat_x_uln", &["tat", "tatxuln"]),
    (
        "temperature",
        &[
            "bt",
            "temp",
            "temperature",
            "bodytemp",
            "bodytemperature",
            "体温",
        ],
    ),
    ("heart_rate", &["hr", "heartrate", "pulse"]),
    ("resp_rate", &["rr", "resprate", "respiratoryrate"]),
    ("paco2", &["paco2"]),
    (
        "wbc",
        &["wbc", "leukocytes", "leucocytes", "whitecells", "白血球"],
    ),
    (
        "immature_pct",
        &["imm", "immature", "immaturepct", "bands", "band"],
    ),
    ("pao2_fio2", &["pf", "pfratio", "pao2fio2"]),
    (
        "ventilated",
        &["vent", "ventilated", "mv", "mechanicalventilation"],
    ),
    ("map", &["map", "meanbp", "meanarterialpressure"]),
    ("dopamine", &["dopa", "dopamine", "doa"]),
    ("dobutamine", &["dobu", "dobutamine", "dob"]),
    ("epinephrine", &["epi", "epinephrine", "adrenaline"]),
    (
        "norepinephrine",
        &["norepi", "norepinephrine", "noradrenaline", "nad", "ne"],
    ),
    ("gcs", &["gcs"]),
    (
        "bilirubin",
        &[
            "tbil",
            "bil",
            "bili",
            "bilirubin",
            "tbili",
            "tb",
            "totalbilirubin",
        ],
    ),
    ("creatinine", &["cre", "cr", "creat", "creatinine", "crea"]),
    ("urine_output", &["uo", "urine", "urineoutput"]),
    ("bleeding", &["bleed", "bleeding"]),
    ("organ_failure", &["of", "organfailure"]),
];

/// Anticoagulants: canonical drug and the prefixes exports give its columns.
pub const DRUGS: &[(&str, &[&str])] = &[
    ("antithrombin", &["at", "at3", "atiii", "antithrombin"]),
    (
        "thrombomodulin",
        &["tm", "rtm", "rhtm", "thrombomodulin", "artm", "recomodulin"],
    ),
    ("heparin", &["hep", "heparin", "ufh", "lmwh"]),
    (
        "protease_inhibitor",
        &[
            "pi",
            "nafamostat",
            "gabexate",
            "protease",
            "proteaseinhibitor",
        ],
    ),
];

/// Suffixes of treatment columns: which part of a course they hold.
pub const COURSE_PARTS: &[(&str, &[&str])] = &[
    (
        "given",
        &["given", "use", "used", "yn", "flag", "admin", "投与"],
    ),
    (
        "start_day",
        &[
            "startday",
            "start",
            "startdate",
            "dayfrom",
            "from",
            "開始日",
        ],
    ),
    (
        "end_day",
        &[
            "endday",
            "end",
            "enddate",
            "stop",
            "stopday",
            "dayto",
            "to",
            "終了日",
        ],
    ),
    ("dose", &["dose", "dosage", "量"]),
];

/// Scores some exports carry that dicohort recomputes from the day table.
pub const SCORES: &[&str] = &["sofa", "jaam", "isth", "sirs", "sic", "qsofa"];

/// The canonical name `name` stands for in `table`, if any.
pub fn lookup(table: &[(&'static str, &[&str])], name: &str) -> Option<&'static str> {
    let n = norm(name);
    table
        .iter()
        .find(|(_, syn)| syn.contains(&n.as_str()))
        .map(|(c, _)| *c)
}

/// Whether `name` is one of `list`.
pub fn is(list: &[&str], name: &str) -> bool {
    list.contains(&norm(name).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(lookup(MEASURES, "PLT"), Some("platelets"));
        assert_eq!(lookup(MEASURES, "D-dimer"), Some("d_dimer"));
        assert_eq!(lookup(MEASURES, "AT III"), Some("antithrombin"));
        assert_eq!(lookup(PATIENTS, "APACHE II"), Some("apache2"));
        assert_eq!(lookup(PATIENTS, "施設"), Some("site_id"));
        assert!(is(ADMISSION, "Admission_Date"));
        assert_eq!(lookup(MEASURES, "unknown"), None);
    }
}
