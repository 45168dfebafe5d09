//! Subgroup definitions: each splits patients into named levels (a partition); patients whose
//! level is unknown (missing data) belong to none and are counted.
//!
//! Kinds: DIC by a score over a day range, the three coagulation groups (Umemura Y et al.,
//! J Thromb Haemost 2016;14:518-530), bands of a numeric column (SOFA <=12 / 13-17 / >=18 as in
//! Yamakawa K et al., Crit Care 2016;20:229; APACHE II), antithrombin activity <= 70%, a
//! categorical column, and any user expression over patient columns (see [`super::expr`]).

use crate::format::integer_or_shortest;
use serde::{Deserialize, Serialize};

use super::expr::{self, Expr};
use super::frame::{Column, PatientFrame};
use super::valid_plan::{bad, diagnostic_score, finite, not_blank, DayRange};
use super::CohortError;
use crate::score::ScoreName;

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

    /// Checks the definition (`key` is its path in the plan, e.g. `subgroups[2]`; `horizon`
    /// bounds DIC day ranges).
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] naming the key: a blank name or column, a DIC score that is not
    /// diagnostic, DIC days not `1 <= first <= last <= horizon`, band cuts that are empty, not
    /// finite or not strictly increasing, an antithrombin threshold outside (0, 200] %, an
    /// expression that does not parse.
    pub fn check(&self, key: &str, horizon: i32) -> Result<ValidSubgroup, CohortError> {
        let given = match self {
            SubgroupSpec::Dic { name, .. }
            | SubgroupSpec::CoagulationGroups { name }
            | SubgroupSpec::Bands { name, .. }
            | SubgroupSpec::AntithrombinLow { name, .. }
            | SubgroupSpec::Column { name, .. }
            | SubgroupSpec::Expression { name, .. } => name,
        };
        if let Some(n) = given {
            not_blank(&format!("{key}.name"), n)?;
        }
        let column = |c: &str, k: &str| not_blank(&format!("{key}.{k}"), c).map(|_| c.to_string());
        let kind = match self {
            SubgroupSpec::Dic { score, days, .. } => {
                let k = format!("{key}.days");
                let r = DayRange::new(&k, *days)?;
                if r.last() > horizon {
                    return Err(bad(
                        &k,
                        format!("must end by the outcome horizon (day {horizon}), got {days:?}"),
                    ));
                }
                SubgroupKind::Dic {
                    score: diagnostic_score(&format!("{key}.score"), score)?,
                    days: r,
                }
            }
            SubgroupSpec::CoagulationGroups { .. } => SubgroupKind::CoagulationGroups,
            SubgroupSpec::Bands {
                column: c,
                cuts,
                bounds,
                ..
            } => SubgroupKind::Bands {
                column: column(c, "column")?,
                cuts: Cuts::new(&format!("{key}.cuts"), cuts)?,
                bounds: match bounds {
                    Some([a, b]) => Some([column(a, "bounds[0]")?, column(b, "bounds[1]")?]),
                    None => None,
                },
            },
            SubgroupSpec::AntithrombinLow { threshold, .. } => {
                let k = format!("{key}.threshold");
                let t = finite(&k, *threshold)?;
                if !(t > 0.0 && t <= 200.0) {
                    return Err(bad(&k, format!("must be in (0, 200] %, got {t}")));
                }
                SubgroupKind::AntithrombinLow { threshold: t }
            }
            SubgroupSpec::Column { column: c, .. } => SubgroupKind::Column {
                column: column(c, "column")?,
            },
            SubgroupSpec::Expression { expr, .. } => SubgroupKind::Expression {
                expr: expr::parse(expr).map_err(|e| bad(&format!("{key}.expr"), e.to_string()))?,
            },
        };
        Ok(ValidSubgroup {
            name: self.name(),
            kind,
        })
    }
}

/// Band cut points, checked: at least one, finite, strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct Cuts(Vec<f64>);

impl Cuts {
    /// Checks `cuts` for plan key `key`.
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] unless `cuts` is non-empty, finite and strictly increasing.
    pub fn new(key: &str, cuts: &[f64]) -> Result<Cuts, CohortError> {
        if cuts.is_empty() {
            return Err(bad(key, "must hold at least one cut point"));
        }
        for (i, c) in cuts.iter().enumerate() {
            finite(&format!("{key}[{i}]"), *c)?;
        }
        if cuts.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad(
                key,
                format!("must be strictly increasing, got {cuts:?}"),
            ));
        }
        Ok(Cuts(cuts.to_vec()))
    }
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }
}

/// A checked subgroup definition ([`SubgroupSpec::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSubgroup {
    name: String,
    kind: SubgroupKind,
}

/// The kinds of [`SubgroupSpec`] with checked values (expressions parsed).
#[derive(Debug, Clone, PartialEq)]
enum SubgroupKind {
    Dic {
        score: ScoreName,
        days: DayRange,
    },
    CoagulationGroups,
    Bands {
        column: String,
        cuts: Cuts,
        bounds: Option<[String; 2]>,
    },
    AntithrombinLow {
        threshold: f64,
    },
    Column {
        column: String,
    },
    Expression {
        expr: Expr,
    },
}

impl ValidSubgroup {
    /// The subgroup's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Frame columns this subgroup needs.
    pub fn required_columns(&self) -> Vec<String> {
        match &self.kind {
            SubgroupKind::Dic { score, days } => vec![dic_column(score.as_str(), days.as_array())],
            SubgroupKind::CoagulationGroups => vec![COAGULATION_GROUP_COLUMN.into()],
            SubgroupKind::Bands { column, bounds, .. } => {
                let mut v = vec![column.clone()];
                if let Some([a, b]) = bounds {
                    v.push(a.clone());
                    v.push(b.clone());
                }
                v
            }
            SubgroupKind::Column { column } => vec![column.clone()],
            SubgroupKind::AntithrombinLow { .. } => vec![ANTITHROMBIN_COLUMN.into()],
            SubgroupKind::Expression { expr } => expr.columns(),
        }
    }

    /// Splits the frame's patients into levels.
    ///
    /// # Errors
    /// [`CohortError::UnknownColumn`] for a column the frame lacks;
    /// [`CohortError::InvalidInput`] for a column of the wrong kind, a level outside the fixed
    /// levels, or an expression that cannot be evaluated.
    pub fn partition(&self, f: &PatientFrame) -> Result<Partition, CohortError> {
        let name = self.name.clone();
        match &self.kind {
            SubgroupKind::Dic { score, days } => {
                let v = f.num(&dic_column(score.as_str(), days.as_array()))?;
                Ok(Partition::from_flags(name, v, "DIC", "no DIC"))
            }
            SubgroupKind::CoagulationGroups => {
                let col = f.column(COAGULATION_GROUP_COLUMN)?;
                let Column::Cat(v) = col else {
                    return Err(CohortError::InvalidInput(format!(
                        "`{COAGULATION_GROUP_COLUMN}` must be categorical"
                    )));
                };
                let levels = vec!["normal".to_string(), "coagulopathy".into(), "dic".into()];
                Partition::from_text(name, v, Some(levels))
            }
            SubgroupKind::Bands {
                column,
                cuts,
                bounds,
            } => {
                let mut p = Partition::bands(name.clone(), f.num(column)?, cuts);
                if let Some([a, b]) = bounds {
                    let lo = Partition::bands(name.clone(), f.num(a)?, cuts);
                    let hi = Partition::bands(name, f.num(b)?, cuts);
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
            SubgroupKind::AntithrombinLow { threshold } => {
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
            SubgroupKind::Column { column } => match f.column(column)? {
                Column::Cat(v) => Partition::from_text(name, v, None),
                Column::Num(v) => {
                    let text: Vec<Option<String>> = v
                        .iter()
                        .map(|x| {
                            if x.is_nan() {
                                None
                            } else {
                                Some(integer_or_shortest(*x))
                            }
                        })
                        .collect();
                    let mut lv: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    lv.sort_by(f64::total_cmp);
                    lv.dedup();
                    Partition::from_text(
                        name,
                        &text,
                        Some(lv.into_iter().map(integer_or_shortest).collect()),
                    )
                }
            },
            SubgroupKind::Expression { expr } => {
                let t = expr.evaluate(f)?;
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
    pub fn bands(name: String, v: &[f64], cuts: &Cuts) -> Partition {
        let cuts = cuts.as_slice();
        let integer = cuts.iter().all(|c| c.fract() == 0.0)
            && v.iter().all(|x| x.is_nan() || x.fract() == 0.0);
        let mut levels = Vec::new();
        for k in 0..=cuts.len() {
            levels.push(if k == 0 {
                format!("<={}", integer_or_shortest(cuts[0]))
            } else if k == cuts.len() {
                if integer {
                    format!(">={}", integer_or_shortest(cuts[k - 1] + 1.0))
                } else {
                    format!(">{}", integer_or_shortest(cuts[k - 1]))
                }
            } else if integer {
                let (a, b) = (cuts[k - 1] + 1.0, cuts[k]);
                if a == b {
                    integer_or_shortest(a)
                } else {
                    format!("{}-{}", integer_or_shortest(a), integer_or_shortest(b))
                }
            } else {
                format!(
                    ">{}-{}",
                    integer_or_shortest(cuts[k - 1]),
                    integer_or_shortest(cuts[k])
                )
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
        Partition {
            name,
            levels,
            level,
        }
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
        let cuts = |c: &[f64]| Cuts::new("cuts", c);
        let p = Partition::bands(
            "sofa".into(),
            &[3.0, 12.0, 13.0, 17.0, 18.0, f64::NAN],
            &cuts(&[12.0, 17.0]).unwrap(),
        );
        assert_eq!(p.levels, vec!["<=12", "13-17", ">=18"]);
        assert_eq!(
            p.level,
            vec![Some(0), Some(0), Some(1), Some(1), Some(2), None]
        );
        assert_eq!(p.members(1), vec![2, 3]);
        assert_eq!(p.n_missing(), 1);
        let q = Partition::bands("x".into(), &[0.5, 1.5], &cuts(&[1.0]).unwrap());
        assert_eq!(q.levels, vec!["<=1", ">1"]);
        assert!(cuts(&[2.0, 1.0]).is_err());
        assert!(cuts(&[]).is_err());
        assert!(cuts(&[1.0, f64::INFINITY]).is_err());
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
        let spec = spec.check("subgroups[0]", 28).unwrap();
        let p = spec.partition(&f).unwrap();
        assert_eq!(p.level, vec![Some(0), Some(1), None, None]);
        assert_eq!(spec.required_columns().len(), 3);
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
        struct W<T> {
            s: Vec<T>,
        }
        let w: W<SubgroupSpec> = toml::from_str(toml_src).unwrap();
        let w = W {
            s: w.s
                .iter()
                .map(|s| s.check("s", 28).unwrap())
                .collect::<Vec<_>>(),
        };
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
        let bad = bad.check("s", 28).unwrap();
        assert!(
            matches!(bad.partition(&f), Err(CohortError::UnknownColumn(c)) if c == "dic_isth_days1_3")
        );
    }
}
