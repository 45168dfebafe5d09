//! The outcome days of a mapped patients row: the canonical `death_day`, `last_day` and
//! `discharge_day` read as they are, or derived from a death indicator as the mapping states.
//!
//! - `within_days = N` (death by day N yes/no): the dead died on `death_day` (else on
//!   `stay_end`: death in hospital at the end of the stay); the others are known alive on day N,
//!   so `last_day` = max(N, `stay_end`) and `discharge_day` = `stay_end` (discharged alive). A
//!   death day after N is kept for a survivor of day N; one on or before N contradicts the
//!   indicator and is a problem.
//! - `in_hospital = true` (death before discharge yes/no): the dead died on `death_day` (else on
//!   `stay_end`); the others were discharged alive on `stay_end`, where follow-up ends (unless a
//!   later `death_day` is given).
//!
//! A derived day names, in messages, the source column it came from.

use super::{Ctx, Header};
use crate::load::mapping::{DayRef, Flag, Mapping, Outcome};
use crate::load::spec::{table_spec, TableKind};
use crate::load::validate::{ProblemKind, Stage};

/// A day read from a row: its text for the canonical cell, its number when it is one, and the
/// source column.
struct DayCell {
    text: Option<String>,
    num: Option<f64>,
    source: String,
}

type Prob = (String, ProblemKind, String);

/// Positions of the outcome days in the canonical patients columns.
#[derive(Clone, Copy)]
struct Idx {
    death: usize,
    last: usize,
    discharge: usize,
}

impl Idx {
    fn new() -> Idx {
        let spec = table_spec(TableKind::Patients);
        let i = |n: &str| spec.index_of(n).expect("a canonical patients column");
        Idx {
            death: i("death_day"),
            last: i("last_day"),
            discharge: i("discharge_day"),
        }
    }
}

/// The canonical patients cells being filled.
struct Cells<'a> {
    text: &'a mut [Option<String>],
    sources: &'a mut [String],
    idx: Idx,
}

impl Cells<'_> {
    fn set(&mut self, i: usize, c: Option<&DayCell>) {
        if let Some(c) = c {
            self.text[i] = c.text.clone();
            self.sources[i] = c.source.clone();
        }
    }
}

/// The outcome columns of the main file.
pub(super) struct OutcomeCols {
    died: Option<(usize, Flag)>,
    days: Vec<(DayRef, Option<usize>)>,
}

impl OutcomeCols {
    pub fn new(stage: &mut Stage, h: &mut Header, m: &Mapping) -> OutcomeCols {
        let mut refs: Vec<&DayRef> = Vec::new();
        let mut died = None;
        match &m.outcome {
            Outcome::Days {
                death_day,
                last_day,
                discharge_day,
            } => {
                refs.push(last_day);
                refs.extend(death_day.iter());
                refs.extend(discharge_day.iter());
            }
            Outcome::Within {
                died: d,
                death_day,
                stay_end,
                ..
            } => {
                died = Some(d);
                refs.extend(death_day.iter());
                refs.extend(stay_end.iter());
            }
            Outcome::InHospital {
                died: d,
                death_day,
                stay_end,
            } => {
                died = Some(d);
                refs.push(stay_end);
                refs.extend(death_day.iter());
            }
        }
        let died = died.and_then(|d| {
            h.required(stage, &d.column, "the death indicator")
                .map(|p| (p, d.clone()))
        });
        // Every mapped outcome column must be there: an absent death day would read as "alive".
        let days = refs
            .into_iter()
            .map(|r| (r.clone(), h.required(stage, r.column(), "an outcome day")))
            .collect();
        OutcomeCols { died, days }
    }

    fn day(&self, ctx: &Ctx, r: &DayRef, fields: &[String], pidx: u32) -> Result<DayCell, String> {
        let pos = self.days.iter().find(|(d, _)| d == r).and_then(|(_, p)| *p);
        let text = ctx.day_text(r, pos.map(|p| fields[p].as_str()), Some(pidx))?;
        Ok(DayCell {
            num: text.as_deref().and_then(|t| t.parse::<f64>().ok()),
            text,
            source: r.column().to_string(),
        })
    }

    /// Fills the outcome cells of `text` / `sources` (canonical patients order) for a row;
    /// problems of the derivation are reported here and set `own`.
    #[allow(clippy::too_many_arguments)]
    pub fn cells(
        &self,
        stage: &mut Stage,
        ctx: &Ctx,
        row: u64,
        pidx: u32,
        fields: &[String],
        text: &mut [Option<String>],
        sources: &mut [String],
        own: &mut Option<ProblemKind>,
    ) {
        let mut probs = Vec::new();
        let mut out = Cells {
            text,
            sources,
            idx: Idx::new(),
        };
        self.derive(ctx, pidx, fields, &mut out, &mut probs);
        if !probs.is_empty() && out.text[out.idx.last].is_none() {
            // The row is excluded for the problem just found; a placeholder keeps validation
            // from reporting the same gap again as a missing `last_day`.
            out.text[out.idx.last] = Some("1".into());
        }
        let file = stage.patient_file.to_string();
        for (col, kind, msg) in probs {
            stage.problems.push(&file, Some(row), Some(&col), kind, msg);
            own.get_or_insert(kind);
        }
    }

    fn read(
        &self,
        ctx: &Ctx,
        r: &Option<DayRef>,
        fields: &[String],
        pidx: u32,
        probs: &mut Vec<Prob>,
    ) -> Option<DayCell> {
        let r = r.as_ref()?;
        match self.day(ctx, r, fields, pidx) {
            Ok(c) => Some(c).filter(|c| c.text.is_some()),
            Err(msg) => {
                probs.push((r.column().to_string(), ProblemKind::WrongType, msg));
                None
            }
        }
    }

    fn derive(
        &self,
        ctx: &Ctx,
        pidx: u32,
        fields: &[String],
        out: &mut Cells,
        probs: &mut Vec<Prob>,
    ) {
        let idx = out.idx;
        match &ctx.m.outcome {
            Outcome::Days {
                death_day,
                last_day,
                discharge_day,
            } => {
                let d = self.read(ctx, death_day, fields, pidx, probs);
                let l = self.read(ctx, &Some(last_day.clone()), fields, pidx, probs);
                let dis = self.read(ctx, discharge_day, fields, pidx, probs);
                out.set(idx.death, d.as_ref());
                out.set(idx.last, l.as_ref());
                out.set(idx.discharge, dis.as_ref());
            }
            Outcome::Within {
                died,
                days,
                death_day,
                stay_end,
            } => {
                let Some(dead) = self.died(ctx, fields, died, probs) else {
                    return;
                };
                let before = probs.len();
                let dd = self.read(ctx, death_day, fields, pidx, probs);
                let se = self.read(ctx, stay_end, fields, pidx, probs);
                if probs.len() > before {
                    return;
                }
                let n = f64::from(*days);
                if dead {
                    let Some(day) = dd.or(se) else {
                        probs.push((
                            died.column.clone(),
                            ProblemKind::MissingValue,
                            format!(
                                "died by day {days} but no day of death: {} has no value",
                                self.day_names()
                            ),
                        ));
                        return;
                    };
                    if day.num.is_some_and(|x| x > n) {
                        probs.push((
                            day.source.clone(),
                            ProblemKind::InconsistentOutcome,
                            format!(
                                "`{}` says death by day {days} but the day of death is {}",
                                died.column,
                                day.text.as_deref().unwrap_or("")
                            ),
                        ));
                    }
                    out.set(idx.death, Some(&day));
                    out.set(idx.last, Some(&day));
                } else if let Some(d) = &dd {
                    if d.num.is_some_and(|x| x <= n) {
                        probs.push((
                            d.source.clone(),
                            ProblemKind::InconsistentOutcome,
                            format!(
                                "`{}` says alive on day {days} but the day of death is {}",
                                died.column,
                                d.text.as_deref().unwrap_or("")
                            ),
                        ));
                    }
                    out.set(idx.death, Some(d));
                    out.set(idx.last, Some(d));
                    if let Some(s) = se.as_ref().filter(|s| s.num < d.num) {
                        out.set(idx.discharge, Some(s));
                    }
                } else {
                    // Known alive on day N; observed to the end of the stay when that is later.
                    let later = se.as_ref().filter(|s| s.num.is_some_and(|x| x > n));
                    match later {
                        Some(s) => out.set(idx.last, Some(s)),
                        None => {
                            out.text[idx.last] = Some(days.to_string());
                            out.sources[idx.last] = died.column.clone();
                        }
                    }
                    out.set(idx.discharge, se.as_ref());
                }
            }
            Outcome::InHospital {
                died,
                death_day,
                stay_end,
            } => {
                let Some(dead) = self.died(ctx, fields, died, probs) else {
                    return;
                };
                let before = probs.len();
                let dd = self.read(ctx, death_day, fields, pidx, probs);
                let se = self.read(ctx, &Some(stay_end.clone()), fields, pidx, probs);
                if probs.len() > before {
                    return;
                }
                if dead {
                    let Some(day) = dd.or(se) else {
                        probs.push((
                            stay_end.column().to_string(),
                            ProblemKind::MissingValue,
                            "died in hospital but the day the stay ended is missing".into(),
                        ));
                        return;
                    };
                    out.set(idx.death, Some(&day));
                    out.set(idx.last, Some(&day));
                    return;
                }
                let Some(s) = se else {
                    probs.push((
                        stay_end.column().to_string(),
                        ProblemKind::MissingValue,
                        "missing value: the day of discharge is required".into(),
                    ));
                    return;
                };
                out.set(idx.discharge, Some(&s));
                match &dd {
                    None => out.set(idx.last, Some(&s)),
                    Some(d) if d.num.is_some_and(|x| s.num.is_some_and(|y| x > y)) => {
                        out.set(idx.death, Some(d));
                        out.set(idx.last, Some(d));
                    }
                    Some(d) => probs.push((
                        d.source.clone(),
                        ProblemKind::InconsistentOutcome,
                        format!(
                            "`{}` says discharged alive on day {} but the day of death is {}",
                            died.column,
                            s.text.as_deref().unwrap_or(""),
                            d.text.as_deref().unwrap_or("")
                        ),
                    )),
                }
            }
        }
    }

    /// The death indicator of a row (a problem and `None` when missing or not a code).
    fn died(
        &self,
        ctx: &Ctx,
        fields: &[String],
        died: &Flag,
        probs: &mut Vec<Prob>,
    ) -> Option<bool> {
        let (p, _) = self.died.as_ref()?;
        let t = fields[*p].trim();
        let codes = ctx.m.codes_of(&died.codes);
        let (kind, msg) = if ctx.is_missing(t) {
            (
                ProblemKind::MissingValue,
                "missing value: the death indicator is required (the outcome is unknown)"
                    .to_string(),
            )
        } else {
            match codes.read(t) {
                Some(b) => return Some(b),
                None => (
                    ProblemKind::WrongType,
                    format!("`{t}` is not a yes/no code ({})", codes.describe()),
                ),
            }
        };
        probs.push((died.column.clone(), kind, msg));
        None
    }

    fn day_names(&self) -> String {
        let names: Vec<String> = self
            .days
            .iter()
            .map(|(d, _)| format!("`{}`", d.column()))
            .collect();
        names.join(" nor ")
    }
}
