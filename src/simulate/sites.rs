//! The twelve sites of the synthetic registry: case mix (weight, severity, coagulopathy),
//! treatment preference, and measurement and unit habits (D-dimer units, fibrinogen in mg/dL,
//! FDP missing on day 1, antithrombin measured, TAT, vasopressors left blank, the thromboplastin's
//! ISI). `model_description` writes them into `truth.json`.

/// A site's case mix and habits.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub id: &'static str,
    /// Relative number of patients.
    pub weight: f64,
    /// Shift of latent severity `z`.
    pub severity: f64,
    /// Shift of latent coagulopathy `c`.
    pub coag: f64,
    /// Shift of the log-odds of anticoagulant treatment.
    pub treat: f64,
    /// Whether the site measures D-dimer at all.
    pub d_dimer: bool,
    /// Registry-wide export: D-dimer reported on the DDU basis (else FEU).
    pub d_dimer_ddu: bool,
    /// Registry-wide export: fibrinogen in mg/dL (else g/L).
    pub fibrinogen_mg_dl: bool,
    /// Probability that day-1 FDP is not measured.
    pub fdp_missing_day1: f64,
    /// Probability that antithrombin is measured on a day.
    pub antithrombin_rate: f64,
    /// Whether TAT / soluble fibrin is measured (as x ULN).
    pub tat: bool,
    /// Vasopressors not given are left empty (missing) instead of 0.
    pub vaso_blank: bool,
    /// International sensitivity index of the site's thromboplastin (INR = ratio^ISI).
    pub isi: f64,
}

/// Twelve sites modelled on a Japanese multicentre ICU registry.
pub const SITES: [Site; 12] = [
    site(
        "J01", 1.6, 0.10, 0.10, 0.3, true, false, false, 0.03, 0.55, true, false, 1.00,
    ),
    site(
        "J02", 1.3, 0.00, 0.00, 0.0, true, false, false, 0.02, 0.40, false, false, 1.05,
    ),
    site(
        "J03", 1.2, 0.25, 0.20, 0.4, false, false, false, 0.05, 0.30, false, false, 1.10,
    ),
    site(
        "J04", 1.0, -0.20, -0.10, -0.3, true, true, false, 0.04, 0.20, false, false, 1.00,
    ),
    site(
        "J05", 1.0, 0.05, 0.30, 0.6, true, false, true, 0.02, 0.60, true, false, 1.20,
    ),
    site(
        "J06", 0.9, -0.10, 0.00, -0.2, true, true, false, 0.06, 0.25, false, true, 1.00,
    ),
    site(
        "J07", 0.8, 0.30, 0.10, 0.2, true, false, false, 0.03, 0.45, false, false, 1.15,
    ),
    site(
        "J08", 0.8, -0.30, -0.20, -0.5, true, false, true, 0.08, 0.15, false, false, 1.00,
    ),
    site(
        "J09", 0.7, 0.15, 0.15, 0.1, false, false, false, 0.04, 0.35, false, true, 1.25,
    ),
    site(
        "J10", 0.6, 0.00, 0.05, 0.5, true, true, false, 0.02, 0.50, true, false, 1.05,
    ),
    site(
        "J11", 0.5, 0.40, 0.25, 0.0, true, false, false, 0.05, 0.30, false, false, 1.00,
    ),
    site(
        "J12", 0.4, -0.15, -0.05, -0.4, true, false, true, 0.03, 0.20, false, false, 1.10,
    ),
];

#[allow(clippy::too_many_arguments)]
const fn site(
    id: &'static str,
    weight: f64,
    severity: f64,
    coag: f64,
    treat: f64,
    d_dimer: bool,
    d_dimer_ddu: bool,
    fibrinogen_mg_dl: bool,
    fdp_missing_day1: f64,
    antithrombin_rate: f64,
    tat: bool,
    vaso_blank: bool,
    isi: f64,
) -> Site {
    Site {
        id,
        weight,
        severity,
        coag,
        treat,
        d_dimer,
        d_dimer_ddu,
        fibrinogen_mg_dl,
        fdp_missing_day1,
        antithrombin_rate,
        tat,
        vaso_blank,
        isi,
    }
}
