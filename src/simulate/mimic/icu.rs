//! `icu/` rows of a simulated patient: vital signs and GCS, urine, ventilation, vasopressor and
//! anticoagulant infusions.

use super::tables::*;
use super::{n, r1, w, Writer, DAY, HOUR, MIN};
use crate::load::mimic::format_time;
use crate::simulate::model::col;

impl Writer<'_> {
    pub(super) fn vitals_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let s = self.day_start(d);
        let times = [s + 3 * HOUR, s + 9 * HOUR, s + 15 * HOUR, s + 21 * HOUR];
        let k = (self.rng.next_u64() % 4) as usize;
        let bits = self.rng.next_u64();
        for (j, &t) in times.iter().enumerate() {
            let worst = j == k;
            let hr = v[col::HEART_RATE];
            if !hr.is_nan() {
                self.chart_num(220045, t, &n(if worst { hr } else { hr - 5.0 }), "bpm");
            }
            let rr = v[col::RESP_RATE];
            if !rr.is_nan() {
                let id = if bits & 1 == 0 { 220210 } else { 224690 };
                self.chart_num(
                    id,
                    t,
                    &n(if worst { rr } else { (rr - 2.0).max(1.0) }),
                    "insp/min",
                );
            }
            let map = v[col::MAP];
            if !map.is_nan() {
                let id = if (bits >> 1) & 1 == 0 { 220052 } else { 220181 };
                self.chart_num(id, t, &n(if worst { map } else { map + 5.0 }), "mmHg");
            }
            let temp = v[col::TEMPERATURE];
            if !temp.is_nan() {
                let c = if worst { temp } else { r1((temp + 37.0) / 2.0) };
                if (bits >> (2 + j)) & 7 != 0 {
                    let f = c * 1.8 + 32.0;
                    self.chart_num(223761, t, &format!("{f:.2}"), "°F");
                } else {
                    self.chart_num(223762, t, &n(c), "°C");
                }
            }
            self.chart_num(220277, t, "96", "%");
            self.chart_num(220179, t, "118", "mmHg");
        }
        let gcs = v[col::GCS];
        if !gcs.is_nan() {
            for (j, t) in [s + 8 * HOUR, s + 20 * HOUR].into_iter().enumerate() {
                let g = if j == (bits >> 10) as usize & 1 {
                    gcs
                } else {
                    (gcs + 2.0).min(15.0)
                };
                let m = (g - 2.0).min(6.0);
                let rest = g - m;
                let vb = (rest - 1.0).min(5.0);
                let e = rest - vb;
                for (id, x) in [(220739, e), (223900, vb), (223901, m)] {
                    self.chart(id, t, &format!("{x}"), &n(x), "");
                }
            }
        }
    }

    /// Hours of calendar day `d` in the ICU.
    fn icu_hours(&self, d: u32) -> f64 {
        let a = self.day_start(d).max(self.x.intime);
        let b = (self.day_start(d) + DAY).min(self.x.exit);
        (b - a).max(0) as f64 / HOUR as f64
    }

    pub(super) fn urine_of_day(&mut self, d: u32) {
        let u = self.p.days[d as usize - 1][col::URINE];
        if u.is_nan() {
            return;
        }
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        let total = u * self.icu_hours(d) / 24.0;
        let part = (total / 4.0 * 100.0).floor() / 100.0;
        let day = self.day_start(d);
        let item = if self.p.index % 5 == 0 {
            226560
        } else {
            226559
        };
        for (j, hour) in [6, 12, 18, 23].into_iter().enumerate() {
            let x = if j == 3 { total - 3.0 * part } else { part };
            let t = day + hour * HOUR;
            w(
                &mut self.out[OUTPUTEVENTS],
                format_args!(
                    "{s},{h},{st},,{},{},{item},{x:.4},ml\n",
                    format_time(t),
                    format_time(t + 5 * MIN)
                ),
            );
        }
        if self.p.index % 7 == 3 {
            // Bladder irrigation: 500 mL in (227488) and out (227489), net nothing.
            let t = day + 14 * HOUR;
            for id in [227488, 227489] {
                w(
                    &mut self.out[OUTPUTEVENTS],
                    format_args!(
                        "{s},{h},{st},,{},{},{id},500,ml\n",
                        format_time(t),
                        format_time(t)
                    ),
                );
            }
        }
    }

    pub(super) fn ventilation(&mut self) {
        let days = &self.p.days;
        let mut d = 0;
        while d < days.len() {
            if days[d][col::VENTILATED] != 1.0 {
                d += 1;
                continue;
            }
            let a = d;
            while d + 1 < days.len() && days[d + 1][col::VENTILATED] == 1.0 {
                d += 1;
            }
            let start = self.day_start(a as u32 + 1) + 2 * HOUR;
            let end = self.day_start(d as u32 + 1) + 22 * HOUR;
            self.order_seq += 1;
            let order = self.p.index * 1000 + self.order_seq;
            let (s, h, st, wt) = (self.subject, self.hadm, self.stay, self.x.weight_kg);
            let minutes = (end - start) / MIN;
            w(
                &mut self.out[PROCEDUREEVENTS],
                format_args!(
                    "{s},{h},{st},,{},{},{},225792,{minutes},min,,,{order},{order},Ventilation,Task,{wt},0,0,FinishedRunning,{minutes},0\n",
                    format_time(start),
                    format_time(end),
                    format_time(end)
                ),
            );
            d += 1;
        }
    }

    pub(super) fn vasopressors_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let s = self.day_start(d);
        for (c, id) in [
            (col::DOPAMINE, 221662),
            (col::DOBUTAMINE, 221653),
            (col::EPINEPHRINE, 221289),
            (col::NOREPINEPHRINE, 221906),
        ] {
            let rate = v[c];
            if rate.is_nan() || rate == 0.0 {
                continue;
            }
            for (a, b, r) in [(6, 12, rate), (12, 18, (rate * 500.0).round() / 1000.0)] {
                let amount = r * self.x.weight_kg * 360.0 / 1000.0;
                self.input(
                    id,
                    s + a * HOUR,
                    s + b * HOUR,
                    (amount * 1e4).round() / 1e4,
                    "mg",
                    &n(r),
                    "mcg/kg/min",
                    "Continuous Med",
                );
            }
        }
    }

    pub(super) fn anticoagulants(&mut self) {
        let p = self.p;
        for c in &p.courses {
            let (id, uom, cat) = DRUG_ITEMS[c.drug];
            for d in c.start_day..=c.end_day {
                let s = self.day_start(d);
                if cat == "Drug Push" {
                    self.input(
                        id,
                        s + 9 * HOUR,
                        s + 9 * HOUR + MIN,
                        c.dose,
                        uom,
                        "",
                        "",
                        cat,
                    );
                } else {
                    let rate = c.dose / 12.0;
                    self.input(
                        id,
                        s + 8 * HOUR,
                        s + 20 * HOUR,
                        c.dose,
                        uom,
                        &n(rate),
                        &format!("{uom}/hour"),
                        cat,
                    );
                }
            }
        }
        for d in 1..=self.x.prophylaxis_days {
            let s = self.day_start(d);
            self.input(
                225975,
                s + 9 * HOUR,
                s + 9 * HOUR + MIN,
                1.0,
                "dose",
                "",
                "",
                "Drug Push",
            );
        }
    }
}
