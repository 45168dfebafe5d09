//! Table 1: baseline characteristics by exposure, with missingness per variable and the SMD
//! (definitions in [`super::balance`], as R `tableone::CreateTableOne(..., smd = TRUE)`).
//! Continuous: mean (SD) and median [Q1, Q3] (R `quantile` type 7); binary (0/1): n (% of
//! non-missing); categorical: n (%) per level.

use serde::{Deserialize, Serialize};

use super::balance::{smd_binary, smd_categorical, smd_continuous};
use super::fingerprint::population_fingerprint;
use super::frame::{Column, PatientFrame};
use super::propensity::quantile_type7;
use super::subgroup::Partition;
use super::CohortError;

/// How a variable is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarKind {
    Continuous,
    Binary,
    Categorical,
}

/// One arm's summary of one variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    pub n: usize,
    pub n_missing: usize,
    /// Continuous only (NaN otherwise).
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    /// Binary: patients with 1. Categorical: per level, in `levels` order.
    pub counts: Vec<usize>,
    /// Fingerprint of the patients behind each entry of `counts` (binary: those with 1, then
    /// those with 0)
    /// ([`crate::cohort::fingerprint::population_fingerprint`] of their patient-table rows), so the
    /// report's disclosure control can give a count printed here and elsewhere (e.g. a subgroup
    /// level's arm) one decision. Serialised, so a report rendered from `analysis.json` takes the
    /// same decisions.
    pub fingerprints: Vec<u64>,
    /// Fingerprint of the patients with a missing value (as `fingerprints`).
    pub fingerprint_missing: u64,
}

/// One row group of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Variable {
    pub name: String,
    pub kind: VarKind,
    /// Categorical levels (empty otherwise).
    pub levels: Vec<String>,
    pub exposed: ArmSummary,
    pub unexposed: ArmSummary,
    pub overall: ArmSummary,
    /// Standardised mean difference (signed for continuous/binary, a distance for categorical).
    pub smd: f64,
}

/// Table 1 of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1 {
    pub n_exposed: usize,
    pub n_unexposed: usize,
    /// Fingerprint of each arm's patients (exposed, unexposed), as
    /// [`crate::cohort::result::PopulationResult::fingerprint`].
    pub fingerprint: [u64; 2],
    pub variables: Vec<Table1Variable>,
}

fn summarise(
    col: &Column,
    rows: &[usize],
    kind: VarKind,
    codes: Option<&Partition>,
    patient_rows: &[usize],
) -> ArmSummary {
    let fp = |keep: &dyn Fn(usize) -> bool| -> u64 {
        population_fingerprint(
            rows.iter()
                .filter(|&&i| keep(i))
                .map(|&i| patient_rows[i])
                .collect(),
        )
    };
    let mut s = ArmSummary {
        n: rows.len(),
        n_missing: rows.iter().filter(|&&i| col.is_missing(i)).count(),
        mean: f64::NAN,
        sd: f64::NAN,
        median: f64::NAN,
        q1: f64::NAN,
        q3: f64::NAN,
        counts: Vec::new(),
        fingerprints: Vec::new(),
        fingerprint_missing: fp(&|i| col.is_missing(i)),
    };
    match (kind, col) {
        (VarKind::Continuous, Column::Num(v)) => {
            let x: Vec<f64> = rows.iter().map(|&i| v[i]).filter(|x| !x.is_nan()).collect();
            if !x.is_empty() {
                let m = x.iter().sum::<f64>() / x.len() as f64;
                s.mean = m;
                if x.len() > 1 {
                    s.sd = (x.iter().map(|a| (a - m) * (a - m)).sum::<f64>()
                        / (x.len() as f64 - 1.0))
                        .sqrt();
                }
                let q = quantile_type7(&x, &[0.5, 0.25, 0.75]);
                (s.median, s.q1, s.q3) = (q[0], q[1], q[2]);
            }
        }
        (VarKind::Binary, Column::Num(v)) => {
            s.counts = vec![rows.iter().filter(|&&i| v[i] == 1.0).count()];
            s.fingerprints = vec![fp(&|i| v[i] == 1.0), fp(&|i| v[i] == 0.0)];
        }
        (VarKind::Categorical, _) => {
            let p = codes.expect("categorical codes");
            let mut c = vec![0usize; p.levels.len()];
            for &i in rows {
                if let Some(k) = p.level[i] {
                    c[k as usize] += 1;
                }
            }
            s.counts = c;
            s.fingerprints = (0..p.levels.len())
                .map(|k| fp(&|i| p.level[i] == Some(k as _)))
                .collect();
        }
        _ => {}
    }
    s
}

/// Table 1 of the frame's rows by `exposed` (one flag per frame row); the frame's rows are
/// taken as the patient-table rows for the fingerprints.
pub fn table1(
    frame: &PatientFrame,
    exposed: &[bool],
    variables: &[String],
) -> Result<Table1, CohortError> {
    let rows: Vec<usize> = (0..frame.n_rows()).collect();
    table1_with_rows(frame, exposed, variables, &rows)
}

/// As [`table1`], where frame row `i` is patient-table row `patient_rows[i]` (e.g. a sample's
/// `patients`), so the fingerprints match those of the analysis populations.
pub fn table1_with_rows(
    frame: &PatientFrame,
    exposed: &[bool],
    variables: &[String],
    patient_rows: &[usize],
) -> Result<Table1, CohortError> {
    if exposed.len() != frame.n_rows() || patient_rows.len() != frame.n_rows() {
        return Err(CohortError::InvalidInput(
            "exposure, patient rows and frame lengths differ".into(),
        ));
    }
    let rows1: Vec<usize> = (0..exposed.len()).filter(|&i| exposed[i]).collect();
    let rows0: Vec<usize> = (0..exposed.len()).filter(|&i| !exposed[i]).collect();
    let all: Vec<usize> = (0..exposed.len()).collect();
    let mut out = Vec::new();
    for name in variables {
        let col = frame.column(name)?;
        let (kind, part) = match col {
            Column::Cat(v) => (
                VarKind::Categorical,
                Some(Partition::from_text(name.clone(), v, None)?),
            ),
            Column::Num(_) if col.is_binary() => (VarKind::Binary, None),
            Column::Num(_) => (VarKind::Continuous, None),
        };
        // A coagulation group reads best in its clinical order.
        let part = match (name.as_str(), part) {
            ("coagulation_group", Some(_)) => {
                let Column::Cat(v) = col else { unreachable!() };
                let order: Vec<String> = ["normal", "coagulopathy", "dic"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                Some(Partition::from_text(name.clone(), v, Some(order))?)
            }
            (_, p) => p,
        };
        let smd = match (kind, col) {
            (VarKind::Continuous, Column::Num(v)) => smd_continuous(v, exposed, None),
            (VarKind::Binary, Column::Num(v)) => smd_binary(v, exposed, None),
            _ => {
                let p = part.as_ref().expect("categorical");
                smd_categorical(&p.level, p.levels.len(), exposed, None)
            }
        };
        out.push(Table1Variable {
            name: name.clone(),
            kind,
            levels: part.as_ref().map(|p| p.levels.clone()).unwrap_or_default(),
            exposed: summarise(col, &rows1, kind, part.as_ref(), patient_rows),
            unexposed: summarise(col, &rows0, kind, part.as_ref(), patient_rows),
            overall: summarise(col, &all, kind, part.as_ref(), patient_rows),
            smd,
        });
    }
    let arm_fp =
        |rows: &[usize]| population_fingerprint(rows.iter().map(|&i| patient_rows[i]).collect());
    Ok(Table1 {
        n_exposed: rows1.len(),
        n_unexposed: rows0.len(),
        fingerprint: [arm_fp(&rows1), arm_fp(&rows0)],
        variables: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_missingness_and_smd() {
        let mut f = PatientFrame::new(6);
        f.insert(
            "age",
            Column::Num(vec![60.0, 70.0, f64::NAN, 50.0, 55.0, 65.0]),
        )
        .unwrap();
        f.insert("flag", Column::Num(vec![1.0, 0.0, 1.0, 0.0, f64::NAN, 0.0]))
            .unwrap();
        f.insert(
            "grp",
            Column::Cat(vec![
                Some("b".into()),
                Some("a".into()),
                Some("b".into()),
                Some("a".into()),
                None,
                Some("a".into()),
            ]),
        )
        .unwrap();
        let t = [true, true, true, false, false, false];
        let vars: Vec<String> = ["age", "flag", "grp"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let tab = table1(&f, &t, &vars).unwrap();
        let age = &tab.variables[0];
        assert_eq!(age.kind, VarKind::Continuous);
        assert_eq!(age.exposed.n_missing, 1);
        assert_eq!(age.exposed.mean, 65.0);
        assert_eq!(age.unexposed.median, 55.0);
        assert_eq!(age.overall.q1, 55.0);
        assert!((age.smd - smd_continuous(f.num("age").unwrap(), &t, None)).abs() < 1e-15);
        let flag = &tab.variables[1];
        assert_eq!(flag.kind, VarKind::Binary);
        assert_eq!(flag.exposed.counts, vec![2]);
        assert_eq!(flag.unexposed.n_missing, 1);
        let grp = &tab.variables[2];
        assert_eq!(grp.levels, vec!["a", "b"]);
        assert_eq!(grp.exposed.counts, vec![1, 2]);
        assert_eq!(grp.unexposed.counts, vec![2, 0]);
        assert!(grp.smd > 0.0);
        // Fingerprints of the level sets: exposed "a" is row 1, unexposed "a" rows 3 and 5.
        assert_eq!(grp.exposed.fingerprints[0], population_fingerprint(vec![1]));
        assert_eq!(
            grp.unexposed.fingerprints[0],
            population_fingerprint(vec![5, 3])
        );
        assert_eq!(tab.fingerprint[1], population_fingerprint(vec![3, 4, 5]));
        assert_eq!(
            grp.unexposed.fingerprint_missing,
            population_fingerprint(vec![4])
        );
        assert_eq!(
            age.exposed.fingerprint_missing,
            population_fingerprint(vec![2])
        );
        let shifted = table1_with_rows(&f, &t, &vars, &[10, 11, 12, 13, 14, 15]).unwrap();
        assert_eq!(
            shifted.variables[2].exposed.fingerprints[1],
            population_fingerprint(vec![10, 12])
        );
        assert_eq!(
            shifted.variables[1].exposed.fingerprints[0],
            population_fingerprint(vec![10, 12])
        );
        assert!(table1(&f, &t, &["nope".to_string()]).is_err());
    }
}
