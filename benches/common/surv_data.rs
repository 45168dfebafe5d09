//! The synthetic survival data of the benchmarks (`survival` and `end_to_end`): a sepsis-like
//! cohort with two groups and 6 covariates from a fixed seed, and its CSV.

use std::path::Path;

/// SplitMix64: small, deterministic, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

pub const COVARIATES: [&str; 6] = ["group", "age", "apache", "female", "lactate", "platelets"];

pub struct Data {
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    pub group: Vec<u32>,
    /// Column-major, in the order of `COVARIATES`.
    pub x: Vec<Vec<f64>>,
}

/// A sepsis-like cohort: 28-day follow-up, about 30% mortality, dropout, a treatment group and
/// five prognostic covariates on the log-hazard.
pub fn generate(n: usize, whole_days: bool, seed: u64) -> Data {
    let mut rng = Rng(seed);
    let mut d = Data {
        time: Vec::with_capacity(n),
        event: Vec::with_capacity(n),
        group: Vec::with_capacity(n),
        x: (0..6).map(|_| Vec::with_capacity(n)).collect(),
    };
    for _ in 0..n {
        let group = u32::from(rng.uniform() < 0.5);
        let age = (65.0 + 12.0 * rng.normal()).round();
        let apache = (20.0 + 7.0 * rng.normal()).round().max(0.0);
        let female = f64::from(u8::from(rng.uniform() < 0.45));
        let lactate = ((0.7 + 0.6 * rng.normal()).exp() * 10.0).round() / 10.0;
        let platelets = (150.0 + 60.0 * rng.normal()).round().max(5.0);
        let lp = -0.3 * f64::from(group) + 0.03 * (age - 65.0) + 0.06 * (apache - 20.0)
            - 0.1 * female
            + 0.2 * (lactate - 2.0)
            - 0.003 * (platelets - 150.0);
        let t_death = -rng.uniform().ln() / (0.0127 * lp.exp());
        let t_drop = -rng.uniform().ln() / 0.005;
        let t = t_death.min(t_drop).min(28.0);
        let event = t_death <= t_drop.min(28.0);
        let time = if whole_days { t.ceil().max(1.0) } else { t };
        d.time.push(time);
        d.event.push(event);
        d.group.push(group);
        for (col, v) in
            d.x.iter_mut()
                .zip([f64::from(group), age, apache, female, lactate, platelets])
        {
            col.push(v);
        }
    }
    d
}

/// Writes `d` as CSV: `time,event,` then the covariates.
pub fn write_csv(path: &Path, d: &Data) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "time,event,{}", COVARIATES.join(","))?;
    for i in 0..d.time.len() {
        write!(w, "{},{}", d.time[i], u8::from(d.event[i]))?;
        for col in &d.x {
            write!(w, ",{}", col[i])?;
        }
        writeln!(w)?;
    }
    w.flush()
}
