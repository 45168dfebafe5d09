//! Named patient-level columns: the patient table plus derived variables (score labels, first-day
//! laboratory values). Subgroup expressions, covariate lists and Table 1 refer to these names.

use crate::schema::{PatientTable, Sex};

use super::CohortError;

/// One patient-level column. Numbers use NaN for missing; flags are numbers 1/0/NaN.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numeric (continuous, count or 0/1 flag).
    Num(Vec<f64>),
    /// Categorical (text levels; `None` = missing).
    Cat(Vec<Option<String>>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Num(v) => v.len(),
            Column::Cat(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The columns one after the other (all of one kind, as the parts of one derived column
    /// are; an empty list gives an empty numeric column).
    pub fn concat(parts: Vec<Column>) -> Column {
        let mut it = parts.into_iter();
        let Some(mut out) = it.next() else {
            return Column::Num(Vec::new());
        };
        for p in it {
            match (&mut out, p) {
                (Column::Num(a), Column::Num(b)) => a.extend(b),
                (Column::Cat(a), Column::Cat(b)) => a.extend(b),
                _ => unreachable!("the parts of a derived column are of one kind"),
            }
        }
        out
    }
    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Num(v) => v[i].is_nan(),
            Column::Cat(v) => v[i].is_none(),
        }
    }
    /// True for a numeric column whose non-missing values are all 0 or 1 (a flag).
    pub fn is_binary(&self) -> bool {
        match self {
            Column::Num(v) => v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0),
            Column::Cat(_) => false,
        }
    }
}

/// Patient-level columns in insertion order, all of the same length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientFrame {
    n: usize,
    names: Vec<String>,
    columns: Vec<Column>,
}

fn flag(x: &Option<bool>) -> f64 {
    match x {
        Some(true) => 1.0,
        Some(false) => 0.0,
        None => f64::NAN,
    }
}

impl PatientFrame {
    /// An empty frame of `n` rows.
    pub fn new(n: usize) -> Self {
        PatientFrame {
            n,
            names: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// The canonical patient columns: `age`, `sex` (M/F), `female` (0/1), `apache2`,
    /// `haematological_malignancy`, `liver_failure` (0/1), the outcome days, `site_id`, and every
    /// extra column (numeric when all its non-empty cells are numbers, else categorical).
    pub fn from_patients(p: &PatientTable) -> Self {
        let n = p.len();
        let mut f = PatientFrame::new(n);
        let num = |v: &Vec<f64>| Column::Num(v.clone());
        f.insert("age", num(&p.age)).ok();
        let sex: Vec<Option<String>> = p
            .sex
            .iter()
            .map(|s| {
                s.map(|s| match s {
                    Sex::M => "M".to_string(),
                    Sex::F => "F".to_string(),
                })
            })
            .collect();
        let female: Vec<f64> = p
            .sex
            .iter()
            .map(|s| match s {
                Some(Sex::F) => 1.0,
                Some(Sex::M) => 0.0,
                None => f64::NAN,
            })
            .collect();
        f.insert("sex", Column::Cat(sex)).ok();
        f.insert("female", Column::Num(female)).ok();
        f.insert("apache2", num(&p.apache2)).ok();
        f.insert(
            "haematological_malignancy",
            Column::Num(p.haematological_malignancy.iter().map(flag).collect()),
        )
        .ok();
        f.insert(
            "liver_failure",
            Column::Num(p.liver_failure.iter().map(flag).collect()),
        )
        .ok();
        f.insert("death_day", num(&p.death_day)).ok();
        f.insert("last_day", num(&p.last_day)).ok();
        f.insert("discharge_day", num(&p.discharge_day)).ok();
        f.insert(
            "site_id",
            Column::Cat(p.site_id.iter().map(|s| Some(s.clone())).collect()),
        )
        .ok();
        for e in &p.extra {
            let numeric = e
                .values
                .iter()
                .zip(&e.text)
                .all(|(v, t)| !v.is_nan() || t.as_deref().is_none_or(|s| s.trim().is_empty()));
            let col = if numeric {
                Column::Num(e.values.clone())
            } else {
                Column::Cat(
                    e.text
                        .iter()
                        .map(|t| t.clone().filter(|s| !s.trim().is_empty()))
                        .collect(),
                )
            };
            // An extra column never shadows a canonical one.
            f.insert(&e.name, col).ok();
        }
        f
    }

    pub fn n_rows(&self) -> usize {
        self.n
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Adds a column; an existing name or a length mismatch is an error.
    pub fn insert(&mut self, name: &str, col: Column) -> Result<(), CohortError> {
        if col.len() != self.n {
            return Err(CohortError::InvalidInput(format!(
                "column `{name}` has {} rows, the frame {}",
                col.len(),
                self.n
            )));
        }
        if self.names.iter().any(|x| x == name) {
            return Err(CohortError::InvalidInput(format!(
                "column `{name}` already exists"
            )));
        }
        self.names.push(name.to_string());
        self.columns.push(col);
        Ok(())
    }

    /// Adds or replaces a column.
    pub fn set(&mut self, name: &str, col: Column) -> Result<(), CohortError> {
        if let Some(i) = self.names.iter().position(|x| x == name) {
            if col.len() != self.n {
                return Err(CohortError::InvalidInput(format!(
                    "column `{name}` has {} rows, the frame {}",
                    col.len(),
                    self.n
                )));
            }
            self.columns[i] = col;
            Ok(())
        } else {
            self.insert(name, col)
        }
    }

    pub fn get(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|x| x == name)
            .map(|i| &self.columns[i])
    }

    /// The column or [`CohortError::UnknownColumn`].
    pub fn column(&self, name: &str) -> Result<&Column, CohortError> {
        self.get(name)
            .ok_or_else(|| CohortError::UnknownColumn(name.to_string()))
    }

    /// A numeric column or an error naming it.
    pub fn num(&self, name: &str) -> Result<&[f64], CohortError> {
        match self.column(name)? {
            Column::Num(v) => Ok(v),
            Column::Cat(_) => Err(CohortError::InvalidInput(format!(
                "column `{name}` is categorical where a number is needed"
            ))),
        }
    }

    /// The rows `idx` of every column, in order.
    pub fn subset(&self, idx: &[usize]) -> PatientFrame {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Num(v) => Column::Num(idx.iter().map(|&i| v[i]).collect()),
                Column::Cat(v) => Column::Cat(idx.iter().map(|&i| v[i].clone()).collect()),
            })
            .collect();
        PatientFrame {
            n: idx.len(),
            names: self.names.clone(),
            columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_from_patients_maps_flags_and_sex() {
        let p = PatientTable {
            patient_id: vec!["a".into(), "b".into()],
            site_id: vec!["s1".into(), "s2".into()],
            age: vec![70.0, f64::NAN],
            sex: vec![Some(Sex::F), None],
            apache2: vec![20.0, 30.0],
            haematological_malignancy: vec![Some(true), None],
            liver_failure: vec![Some(false), Some(true)],
            death_day: vec![5.0, f64::NAN],
            last_day: vec![5.0, 40.0],
            discharge_day: vec![f64::NAN, 40.0],
            extra: vec![],
        };
        let f = PatientFrame::from_patients(&p);
        assert_eq!(f.n_rows(), 2);
        assert_eq!(f.num("female").unwrap()[0], 1.0);
        assert!(f.num("female").unwrap()[1].is_nan());
        assert_eq!(f.num("haematological_malignancy").unwrap()[0], 1.0);
        assert!(f.num("haematological_malignancy").unwrap()[1].is_nan());
        assert_eq!(f.num("liver_failure").unwrap(), &[0.0, 1.0]);
        assert!(f.num("sex").is_err());
        assert!(matches!(
            f.column("nope"),
            Err(CohortError::UnknownColumn(_))
        ));
        let s = f.subset(&[1]);
        assert_eq!(s.num("apache2").unwrap(), &[30.0]);
    }
}
