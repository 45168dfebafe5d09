//! Subgroup definitions: each splits patients into named levels (a partition); patients whose
//! level is unknown (missing data) belong to none and are counted.
//!
//! Kinds: DIC by a score over a day range, the three coagulation groups (Umemura Y et al.,
//! J Thromb Haemost 2016;14:518-530), bands of a numeric column (SOFA <=12 / 13-17 / >=18 as in
//! Yamakawa K et al., Crit Care 2016;20:229; APACHE II), antithrombin activity <= 70%, a
//! categorical column, and any user expression over patient columns (see [`super::expr`]).

use serde::{Deserialize, Serialize};

use super::expr;
use super::frame::{Column, PatientFrame};
use super::CohortError;

/// One subgroup definition as written in the plan (`[[subgroups]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SubgroupSpec {
    /// DIC positive by `score` on any day in `days` (inclusive) vs not.
    Dic {
        score: String,
        #[serde(default = "day_one")]
        days: [i32; 2],
        #[serde(default)]
        name: Option<String>,
    },
    /// Normal coagulation / sepsis-induced coagulopathy / DIC (by the plan's DIC definition).
    CoagulationGroups {
        #[serde(default)]
        name: Option<String>,
    },
    /// Bands of a numeric column: levels `x <= c1`, `c1 < x <= c2`, ..., `x > ck`. With
    /// `bounds = [lower_column, upper_column]` (e.g. the bounds of a partial score), a patient
    /// whose value is missing in `column` still gets a band when both bounds fall in it.
    Bands {
        column: String,
        cuts: Vec<f64>,
        #[serde(default)]
        bounds: Option<[String; 2]>,
        #[serde(default)]
        name: Option<String>,
    },
    /// Antithrombin activity on day 1 <= `threshold` % vs above.
    AntithrombinLow {
        #[serde(default = "seventy")]
        threshold: f64,
        #[serde(default)]
        name: Option<String>,
    },
    /// The levels of a categorical (or integer) column.
    Column {
        column: String,
        #[serde(default)]
        name: Option<String>,
    },
    /// A user expression over patient columns: levels "yes" / "no".
    Expression {
        expr: String,
        #[serde(default)]
        name: Option<String>,
    },
}

fn day_one() -> [i32; 2] {
    [1, 1]
}
fn seventy() -> f64 {
    70.0
}

/// Frame column holding DIC positivity (0/1/NaN) by `score` over `days`.
pub fn dic_column(score: &str, days: [i32; 2]) -> String {
    if days[0] == days[1] {
        format!("dic_{score}_day{}", days[0])
    } else {
        format!("dic_{score}_days{}_{}", days[0], days[1])
    }
}

/// Frame column holding the coagulation group (`normal` / `coagulopathy` / `dic`).
pub const COAGULATION_GROUP_COLUMN: &str = "coagulation_group";
/// Frame column holding the antithrombin activity (%) on day 1.
pub const ANTITHROMBIN_COLUMN: &str = "antithrombin_day1";

impl SubgroupSpec {
    /// The subgroup's display name.
    pub fn name(&self) -> String {
        let given = match self {
            SubgroupSpec::Dic { name, .. }
            | SubgroupSpec::CoagulationGroups { name }
            | SubgroupSpec::Bands { name, .. }
            | SubgroupSpec::AntithrombinLow { name, .. }
            | SubgroupSpec::Column { name, .. }
            | SubgroupSpec::Expression { name, .. } => name.clone(),
        };
        given.unwrap_or_else(|| match self {
            SubgroupSpec::Dic { score, days, .. } => {
                if days[0] == days[1] {
                    format!("{} DIC on day {}", score.to_uppercase(), days[0])
                } else {
                    format!(
                        "{} DIC on any of days {}-{}",
                        score.to_uppercase(),
                        days[0],
                        days[1]
                    )
                }
            }
            SubgroupSpec::CoagulationGroups { .. } => "coagulation group".into(),
            SubgroupSpec::Bands { column, .. } => format!("{column} band"),
            SubgroupSpec::AntithrombinLow { threshold, .. } => {
                format!("antithrombin activity <= {threshold}%")
            }
            SubgroupSpec::Column { column, .. } => column.clone(),
            SubgroupSpec::Expression { expr, .. } => expr.clone(),
        })
    }

    /// Frame columns this subgroup needs.
    pub fn required_columns(&self) -> Result<Vec<String>, CohortError> {
        Ok(match self {
            SubgroupSpec::Dic { score, days, .. } => vec![dic_column(score, *days)],
            SubgroupSpec::CoagulationGroups { .. } => vec![COAGULATION_GROUP_COLUMN.into()],
            SubgroupSpec::Bands { column, bounds, .. } => {
                let mut v = vec![column.clone()];
                if let Some([a, b]) = bounds {
                    v.push(a.clone());
                    v.push(b.clone());
                }
                v
            }
            SubgroupSpec::Column { column, .. } => vec![column.clone()],
            SubgroupSpec::AntithrombinLow { .. } => vec![ANTITHROMBIN_COLUMN.into()],
            SubgroupSpec::Expression { expr, .. } => expr::parse(expr)?.columns(),
        })
    }

    /// Splits the frame's patients into levels.
    pub fn partition(&self, f: &PatientFrame) -> Result<Partition, CohortError> {
        let name = self.name();
        match self {
            SubgroupSpec::Dic { score, days, .. } => {
                let v = f.num(&dic_column(score, *days))?;
                Ok(Partition::from_flags(name, v, "DIC", "no DIC"))
            }
            SubgroupSpec::CoagulationGroups { .. } => {
                let col = f.column(COAGULATION_GROUP_COLUMN)?;
                let Column::Cat(v) = col else {
                    return Err(CohortError::InvalidInput(format!(
                        "`{COAGULATION_GROUP_COLUMN}` must be categorical"
                    )));
                };
                let levels = vec!["normal".to_string(), "coagulopathy".into(), "dic".into()];
                Partition::from_text(name, v, Some(levels))
            }
            SubgroupSpec::Bands {
                column,
                cuts,
                bounds,
                ..
            } => {
                let mut p = Partition::bands(name.clone(), f.num(column)?, cuts)?;
                if let Some([a, b]) = bounds {
                    let lo = Partition::bands(name.clone(), f.num(a)?, cuts)?;
                    let hi = Partition::bands(name, f.num(b)?, cuts)?;
                    for i in 0..p.level.len() {
                        if p.level[i].is_none()
                            && lo.level[i].is_some()
                            && lo.level[i] == hi.level[i]
                        {
                            p.level[i] = lo.level[i];
                        }
                    }
                }
                Ok(p)
            }
            SubgroupSpec::AntithrombinLow { threshold, .. } => {
                let v = f.num(ANTITHROMBIN_COLUMN)?;
                let flags: Vec<f64> = v
                    .iter()
                    .map(|x| {
                        if x.is_nan() {
                            f64::NAN
                        } else if *x <= *threshold {
                            1.0
                        } else {
                            0.0
                        }
                    })
                    .collect();
                Ok(Partition::from_flags(
                    name,
                    &flags,
                    &format!("<= {threshold}%"),
                    &format!("> {threshold}%"),
                ))
            }
            SubgroupSpec::Column { column, .. } => match f.column(column)? {
                Column::Cat(v) => Partition::from_text(name, v, None),
                Column::Num(v) => {
                    let text: Vec<Option<String>> = v
                        .iter()
                        .map(|x| {
                            if x.is_nan() {
                                None
                            } else {
                                Some(format_num(*x))
                            }
                        })
                        .collect();
                    let mut lv: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    lv.sort_by(f64::total_cmp);
                    lv.dedup();
                    Partition::from_text(
                        name,
                        &text,
                        Some(lv.into_iter().map(format_num).collect()),
                    )
                }
            },
            SubgroupSpec::Expression { expr: src, .. } => {
                let e = expr::parse(src)?;
                let t = e.evaluate(f)?;
                let flags: Vec<f64> = t
                    .iter()
                    .map(|b| match b {
                        Some(true) => 1.0,
                        Some(false) => 0.0,
                        None => f64::NAN,
                    })
                    .collect();
                Ok(Partition::from_flags(name, &flags, "yes", "no"))
            }
        }
    }
}

fn format_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Patients split into levels; `level[i] = None` when unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partition {
    pub name: String,
    pub levels: Vec<String>,
    pub level: Vec<Option<u32>>,
}

impl Partition {
    /// Two levels from a 0/1/NaN flag, the positive level first.
    pub fn from_flags(name: String, v: &[f64], yes: &str, no: &str) -> Partition {
        Partition {
            name,
            levels: vec![yes.to_string(), no.to_string()],
            level: v
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        None
                    } else if *x != 0.0 {
                        Some(0)
                    } else {
                        Some(1)
                    }
                })
                .collect(),
        }
    }

    /// Levels from text; `order` fixes the level order (values outside it are an error), else
    /// levels appear sorted.
    pub fn from_text(
        name: String,
        v: &[Option<String>],
        order: Option<Vec<String>>,
    ) -> Result<Partition, CohortError> {
        let levels = match order {
            Some(o) => o,
            None => {
                let mut l: Vec<String> = v.iter().flatten().cloned().collect();
                l.sort();
                l.dedup();
                l
            }
        };
        let level = v
            .iter()
            .map(|x| match x {
                None => Ok(None),
                Some(s) => levels
                    .iter()
                    .position(|l| l == s)
                    .map(|k| Some(k as u32))
                    .ok_or_else(|| {
                        CohortError::InvalidInput(format!(
                            "subgroup `{name}`: unexpected level `{s}`"
                        ))
                    }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Partition {
            name,
            levels,
            level,
        })
    }

    /// Bands `x <= c1`, `c1 < x <= c2`, ..., `x > ck`; with integer cuts the labels read like
    /// `<=12`, `13-17`, `>=18` (exact for integer-valued columns such as scores).
    pub fn bands(name: String, v: &[f64], cuts: &[f64]) -> Result<Partition, CohortError> {
        if cuts.is_empty()
            || cuts.windows(2).any(|w| w[0] >= w[1])
            || cuts.iter().any(|c| !c.is_finite())
        {
            return Err(CohortError::Plan(format!(
                "subgroup `{name}`: cuts must be finite and strictly increasing"
            )));
        }
        let integer = cuts.iter().all(|c| c.fract() == 0.0)
            && v.iter().all(|x| x.is_nan() || x.fract() == 0.0);
        let mut levels = Vec::new();
        for k in 0..=cuts.len() {
            levels.push(if k == 0 {
                format!("<={}", format_num(cuts[0]))
            } else if k == cuts.len() {
                if integer {
                    format!(">={}", format_num(cuts[k - 1] + 1.0))
                } else {
                    format!(">{}", format_num(cuts[k - 1]))
                }
            } else if integer {
                let (a, b) = (cuts[k - 1] + 1.0, cuts[k]);
                if a == b {
                    format_num(a)
                } else {
                    format!("{}-{}", format_num(a), format_num(b))
                }
            } else {
                format!(">{}-{}", format_num(cuts[k - 1]), format_num(cuts[k]))
            });
        }
        let level = v
            .iter()
            .map(|x| {
                if x.is_nan() {
                    None
                } else {
                    Some(cuts.iter().filter(|c| *x > **c).count() as u32)
                }
            })
            .collect();
        Ok(Partition {
            name,
            levels,
            level,
        })
    }

    /// Patients (row indices) in level `k`.
    pub fn members(&self, k: u32) -> Vec<usize> {
        self.level
            .iter()
            .enumerate()
            .filter(|(_, l)| **l == Some(k))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn n_missing(&self) -> usize {
        self.level.iter().filter(|l| l.is_none()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sofa_bands_as_in_the_registry_literature() {
        let p = Partition::bands(
            "sofa".into(),
            &[3.0, 12.0, 13.0, 17.0, 18.0, f64::NAN],
            &[12.0, 17.0],
        )
        .unwrap();
        assert_eq!(p.levels, vec!["<=12", "13-17", ">=18"]);
        assert_eq!(
            p.level,
            vec![Some(0), Some(0), Some(1), Some(1), Some(2), None]
        );
        assert_eq!(p.members(1), vec![2, 3]);
        assert_eq!(p.n_missing(), 1);
        let q = Partition::bands("x".into(), &[0.5, 1.5], &[1.0]).unwrap();
        assert_eq!(q.levels, vec!["<=1", ">1"]);
        assert!(Partition::bands("x".into(), &[1.0], &[2.0, 1.0]).is_err());
    }

    #[test]
    fn bands_from_bounds_of_a_partial_score() {
        let mut f = PatientFrame::new(4);
        f.insert(
            "sofa_day1",
            Column::Num(vec![10.0, f64::NAN, f64::NAN, f64::NAN]),
        )
        .unwrap();
        f.insert(
            "sofa_lo_day1",
            Column::Num(vec![10.0, 13.0, 11.0, f64::NAN]),
        )
        .unwrap();
        f.insert(
            "sofa_hi_day1",
            Column::Num(vec![10.0, 16.0, 14.0, f64::NAN]),
        )
        .unwrap();
        let spec = SubgroupSpec::Bands {
            column: "sofa_day1".into(),
            cuts: vec![12.0, 17.0],
            bounds: Some(["sofa_lo_day1".into(), "sofa_hi_day1".into()]),
            name: None,
        };
        let p = spec.partition(&f).unwrap();
        assert_eq!(p.level, vec![Some(0), Some(1), None, None]);
        assert_eq!(spec.required_columns().unwrap().len(), 3);
    }

    #[test]
    fn specs_partition_a_frame() {
        let mut f = PatientFrame::new(4);
        f.insert("dic_jaam_day1", Column::Num(vec![1.0, 0.0, f64::NAN, 1.0]))
            .unwrap();
        f.insert(
            ANTITHROMBIN_COLUMN,
            Column::Num(vec![70.0, 71.0, 50.0, f64::NAN]),
        )
        .unwrap();
        f.insert("apache2", Column::Num(vec![30.0, 10.0, 25.0, 26.0]))
            .unwrap();
        f.insert(
            COAGULATION_GROUP_COLUMN,
            Column::Cat(vec![
                Some("dic".into()),
                Some("normal".into()),
                None,
                Some("coagulopathy".into()),
            ]),
        )
        .unwrap();
        let toml_src = r#"
            [[s]]
            kind = "dic"
            score = "jaam"
            [[s]]
            kind = "antithrombin_low"
            [[s]]
            kind = "expression"
            expr = "apache2 >= 25"
            name = "APACHE II >= 25"
            [[s]]
            kind = "coagulation_groups"
        "#;
        #[derive(Deserialize)]
        struct W {
            s: Vec<SubgroupSpec>,
        }
        let w: W = toml::from_str(toml_src).unwrap();
        let p = w.s[0].partition(&f).unwrap();
        assert_eq!(p.name, "JAAM DIC on day 1");
        assert_eq!(p.level, vec![Some(0), Some(1), None, Some(0)]);
        let p = w.s[1].partition(&f).unwrap();
        assert_eq!(p.level, vec![Some(0), Some(1), Some(0), None]);
        let p = w.s[2].partition(&f).unwrap();
        assert_eq!(p.name, "APACHE II >= 25");
        assert_eq!(p.level, vec![Some(0), Some(1), Some(0), Some(0)]);
        let p = w.s[3].partition(&f).unwrap();
        assert_eq!(p.level, vec![Some(2), Some(0), None, Some(1)]);
        let bad = SubgroupSpec::Dic {
            score: "isth".into(),
            days: [1, 3],
            name: None,
        };
        assert!(
            matches!(bad.partition(&f), Err(CohortError::UnknownColumn(c)) if c == "dic_isth_days1_3")
        );
    }
}
