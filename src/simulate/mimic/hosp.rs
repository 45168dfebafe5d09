//! `hosp/` rows of a simulated patient: patients, admissions, ICU stays, laboratory draws,
//! prescriptions and cultures.

use super::tables::*;
use super::{n, r1, r2, w, Writer, DAY, HOUR, MIN};
use crate::load::mimic::format_time;
use crate::simulate::model::col;

impl Writer<'_> {
    pub(super) fn patient_rows(&mut self) {
        let (p, x) = (self.p, self.x);
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        let died_in_hospital = p.death_day.is_some();
        let dod = if died_in_hospital {
            format_time(x.exit)[..10].to_string()
        } else {
            x.death_after_discharge
                .map(|d| format_time(self.day_start(d) + 12 * HOUR)[..10].to_string())
                .unwrap_or_default()
        };
        let year = &format_time(x.intime)[..4];
        w(
            &mut self.out[PATIENTS],
            format_args!(
                "{s},{},{},{year},2017 - 2019,{dod}\n",
                if p.male { "M" } else { "F" },
                p.age
            ),
        );
        let admit = x.intime - 5 * HOUR;
        let death = if died_in_hospital {
            format_time(x.exit)
        } else {
            String::new()
        };
        let disch_loc = if died_in_hospital { "DIED" } else { "HOME" };
        w(
            &mut self.out[ADMISSIONS],
            format_args!(
                "{s},{h},{},{},{death},EW EMER.,P00000,EMERGENCY ROOM,{disch_loc},Medicare,ENGLISH,MARRIED,WHITE,{},{},{}\n",
                format_time(admit),
                format_time(x.exit),
                format_time(admit - HOUR),
                format_time(admit),
                u8::from(died_in_hospital)
            ),
        );
        let unit = CARE_UNITS[p.site % CARE_UNITS.len()];
        let los = (x.exit - x.intime) as f64 / DAY as f64;
        w(
            &mut self.out[ICUSTAYS],
            format_args!(
                "{s},{h},{st},{unit},{unit},{},{},{}\n",
                format_time(x.intime),
                format_time(x.exit),
                r2(los * 1e4) / 1e4
            ),
        );
    }

    /// The two draws of day `d`: (time of draw A, time of draw B).
    fn draw_times(&self, d: u32) -> [i64; 2] {
        if d == 1 {
            [self.x.intime - 3 * HOUR, self.day_start(1) + 16 * HOUR]
        } else {
            [self.day_start(d) + 5 * HOUR, self.day_start(d) + 16 * HOUR]
        }
    }

    pub(super) fn labs_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let times = self.draw_times(d);
        // Which draw holds the registry (worst) value of each item: one bit per item.
        let bits = self.rng.next_u64();
        let worst = |k: u32| -> usize { ((bits >> k) & 1) as usize };
        let site_even = self.p.site % 2 == 0;
        for (draw, &t) in times.iter().enumerate() {
            let pick =
                |k: u32, worst_v: f64, better: f64| if worst(k) == draw { worst_v } else { better };
            // Complete blood count.
            let cbc = self.specimen();
            let plt = v[col::PLATELETS];
            if !plt.is_nan() {
                let x = pick(0, plt, (plt * 1.1).round() + 1.0);
                self.lab_num(cbc, 51265, t, &n(x), "K/uL");
            }
            let wbc = v[col::WBC];
            if !wbc.is_nan() {
                let x = pick(1, wbc, r1((wbc + 8.0) / 2.0));
                self.lab_num(cbc, 51301, t, &n(x), "K/uL");
            }
            for (id, val, uom) in [
                (51221, "31.2", "%"),
                (51222, "10.1", "g/dL"),
                (51248, "29.9", "pg"),
                (51249, "32.4", "%"),
                (51250, "92", "fL"),
                (51279, "3.38", "m/uL"),
                (51277, "15.1", "%"),
            ] {
                self.lab_num(cbc, id, t, val, uom);
            }
            let imm = v[col::IMMATURE];
            if !imm.is_nan() {
                let x = pick(2, imm, (imm * 0.8).floor());
                self.lab_num(cbc, 51144, t, &n(x), "%");
                for (id, val) in [(51256, "78.0"), (51244, "11.0"), (51254, "6.0")] {
                    self.lab_num(cbc, id, t, val, "%");
                }
            }
            // Coagulation.
            let coag = self.specimen();
            let (inr, sec) = (v[col::PT_INR], v[col::PT_SEC]);
            if !inr.is_nan() {
                let x = pick(3, inr, r2(inr * 0.9).max(0.8));
                self.lab(coag, 51237, t, &n(x), "", ("0.9", "1.1"));
            }
            if !sec.is_nan() {
                // PT seconds over a control of 11.5 s: the reference range's midpoint.
                let x = pick(4, 11.5 + sec, 11.5 + sec - 0.5);
                let s = format!("{x:.1}");
                self.lab(coag, 51274, t, &s, "sec", ("10.4", "12.6"));
            }
            self.lab(coag, 51275, t, "32.5", "sec", ("25", "36.5"));
            let fib = v[col::FIBRINOGEN];
            if !fib.is_nan() {
                let x = pick(5, fib, fib + 20.0);
                self.lab(coag, 51214, t, &n(x), "mg/dL", ("200", "400"));
            }
            let fdp = v[col::FDP];
            if !fdp.is_nan() {
                let x = pick(6, fdp, r1(fdp * 0.8));
                self.lab_num(coag, 51213, t, &n(x), "ug/mL");
            }
            let dd = v[col::D_DIMER];
            if !dd.is_nan() {
                let x = pick(7, dd, r1(dd * 0.8));
                let ng = (x * 1000.0).round();
                let (id, uom) = if site_even {
                    (51196, "ng/mL FEU")
                } else {
                    (50915, "ng/mL")
                };
                self.lab(coag, id, t, &n(ng), uom, ("0", "500"));
            }
            let at = v[col::ANTITHROMBIN];
            if !at.is_nan() {
                let x = pick(8, at, at + 5.0);
                self.lab(coag, 51140, t, &n(x), "%", ("80", "120"));
            }
            // Chemistry.
            let chem = self.specimen();
            let cre = v[col::CREATININE];
            if !cre.is_nan() {
                let x = pick(9, cre, r2(cre * 0.9));
                self.lab(chem, 50912, t, &n(x), "mg/dL", ("0.4", "1.1"));
            }
            let bili = v[col::BILIRUBIN];
            if !bili.is_nan() {
                let x = pick(10, bili, r1(bili * 0.8));
                self.lab(chem, 50885, t, &n(x), "mg/dL", ("0", "1.5"));
            }
            for (id, val, uom) in [
                (50983, "138", "mEq/L"),
                (50971, "4.1", "mEq/L"),
                (50902, "104", "mEq/L"),
                (50882, "22", "mEq/L"),
                (51006, "28", "mg/dL"),
                (50931, "131", "mg/dL"),
                (50868, "12", "mEq/L"),
                (50893, "8.4", "mg/dL"),
                (50960, "2.0", "mg/dL"),
                (50970, "3.6", "mg/dL"),
            ] {
                self.lab_num(chem, id, t, val, uom);
            }
            // Arterial blood gas.
            let (pf, pco2) = (v[col::PAO2_FIO2], v[col::PACO2]);
            if pf.is_nan() && pco2.is_nan() {
                continue;
            }
            let gas = self.specimen();
            self.lab_text(gas, 52033, t, "ART.");
            if !pco2.is_nan() {
                let x = pick(11, pco2, pco2 + 3.0);
                self.lab_num(gas, 50818, t, &n(x), "mm Hg");
            }
            if !pf.is_nan() {
                let ratio = pick(12, pf, pf + 40.0);
                let fio2 = [40.0, 50.0, 60.0, 30.0][((bits >> 13) & 3) as usize];
                let po2 = ratio * fio2 / 100.0;
                self.lab_num(gas, 50821, t, &format!("{po2:.2}"), "mm Hg");
                if (bits >> (15 + draw)) & 1 == 0 {
                    self.lab_num(gas, 50816, t, &n(fio2), "%");
                } else {
                    self.chart_num(223835, t - HOUR, &n(fio2), "");
                }
            }
            self.lab_num(gas, 50820, t, "7.36", "units");
        }
        if d == 1 && self.x.ed_draw {
            // An emergency-department draw 9 h before ICU admission: worse, and outside the
            // import's 6-hour lookback.
            let t = self.x.intime - 9 * HOUR;
            let s = self.specimen();
            if !v[col::PLATELETS].is_nan() {
                self.lab_num(s, 51265, t, &n((v[col::PLATELETS] * 0.5).round()), "K/uL");
            }
            if !v[col::CREATININE].is_nan() {
                self.lab_num(s, 50912, t, &n(r2(v[col::CREATININE] * 1.5)), "mg/dL");
            }
        }
    }

    pub(super) fn orders_and_cultures(&mut self) {
        let (s, h) = (self.subject, self.hadm);
        let x = self.x;
        let order = |drug_type: &str,
                     drug: &str,
                     start: i64,
                     dose: &str,
                     unit: &str,
                     per_day: &str,
                     route: &str,
                     out: &mut Vec<u8>,
                     seq: &mut u64| {
            *seq += 1;
            w(
                out,
                format_args!(
                    "{s},{h},{},{h}-{seq},{seq},,{},{},{drug_type},{drug},,,,,,{dose},{unit},1,VIAL,{per_day},{route}\n",
                    s * 100 + *seq as i64,
                    format_time(start),
                    format_time(start + 7 * DAY)
                ),
            );
        };
        let mut seq = 0;
        let out = &mut self.out[PRESCRIPTIONS];
        if x.culture {
            order(
                "MAIN",
                "Vancomycin",
                x.intime + HOUR,
                "1000",
                "mg",
                "2",
                "IV",
                out,
                &mut seq,
            );
            order(
                "MAIN",
                "Piperacillin-Tazobactam",
                x.intime + HOUR + 30 * MIN,
                "4.5",
                "g",
                "3",
                "IV",
                out,
                &mut seq,
            );
        }
        order(
            "MAIN",
            "Acetaminophen",
            x.intime + 2 * HOUR,
            "650",
            "mg",
            "4",
            "PO/NG",
            out,
            &mut seq,
        );
        // A heparin order inside the ICU stay: inputevents charts the ICU doses, so the import
        // must not count it.
        order(
            "MAIN",
            "Heparin",
            x.intime + 2 * HOUR,
            "5000",
            "UNIT",
            "2",
            "SC",
            out,
            &mut seq,
        );
        order(
            "BASE",
            "Sodium Chloride 0.9%  Flush",
            x.intime + 2 * HOUR,
            "3",
            "mL",
            "3",
            "IV",
            out,
            &mut seq,
        );
        if !x.culture {
            return;
        }
        let t = x.intime - 2 * HOUR;
        let spec = self.p.index * 10 + 1;
        let date = format!("{} 00:00:00", &format_time(t)[..10]);
        let positive = self.p.index % 3 == 0;
        let rows: &[(&str, &str, &str)] = if positive {
            &[
                ("80002", "ESCHERICHIA COLI", "CEFTRIAXONE"),
                ("80002", "ESCHERICHIA COLI", "GENTAMICIN"),
            ]
        } else {
            &[("", "", "")]
        };
        for (k, (org_id, org, ab)) in rows.iter().enumerate() {
            w(
                &mut self.out[MICROBIOLOGY],
                format_args!(
                    "{},{s},{h},{spec},,{date},{},70012,BLOOD CULTURE,1,{date},{},90201,Blood Culture- Routine,{org_id},{org},{},,{},{ab},,,,{},\n",
                    spec * 10 + k as u64,
                    format_time(t),
                    format_time(t + 2 * DAY),
                    if org.is_empty() { "" } else { "1" },
                    if ab.is_empty() { "" } else { "90015" },
                    if ab.is_empty() { "" } else { "S" }
                ),
            );
        }
    }
}
