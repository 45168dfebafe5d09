//! `cargo bench --bench score`: the scoring pass over 10,000,000 synthetic patient-days (all
//! nine scores, file I/O excluded) on 1 and 2 threads, against the vectorised NumPy version in
//! `benches/score_numpy.py` run on the same data (timed inside Python), plus a memcpy bandwidth
//! measurement to say how close the pass is to the memory-bandwidth bound. Both
//! implementations' outputs are compared row for row.
//!
//! `DICOHORT_BENCH_ROWS=N` changes the size; `DICOHORT_BENCH_NO_NUMPY=1` skips Python.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use dicohort::schema::{DayTable, PatientTable};
use dicohort::score::{score_days, ScoreConfig, ScoreName, ScoreTable};

struct Rng(u64);
impl Rng {
    #[inline]
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    #[inline]
    fn unif(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform on [lo, hi) with 8% missing, rounded to 0.01.
    #[inline]
    fn val(&mut self, lo: f64, hi: f64) -> f64 {
        if self.unif() < 0.08 {
            f64::NAN
        } else {
            ((lo + (hi - lo) * self.unif()) * 100.0).round() / 100.0
        }
    }
    #[inline]
    fn drug(&mut self, p_given: f64, hi: f64) -> f64 {
        let u = self.unif();
        if u < 0.08 {
            f64::NAN
        } else if u < 0.08 + p_given {
            self.val(0.01, hi)
        } else {
            0.0
        }
    }
    #[inline]
    fn flag(&mut self) -> Option<bool> {
        let u = self.unif();
        if u < 0.08 {
            None
        } else {
            Some(u < 0.4)
        }
    }
}

fn synthetic(n_rows: usize, seed: u64) -> (DayTable, PatientTable) {
    let mut r = Rng(seed);
    let mut d = DayTable::default();
    macro_rules! reserve { ($($c:ident),*) => { $( d.$c.reserve_exact(n_rows); )* } }
    reserve!(
        patient,
        day,
        platelets,
        pt_inr,
        pt_ratio,
        pt_sec_prolongation,
        fibrinogen,
        fdp,
        d_dimer,
        antithrombin,
        tat_x_uln,
        temperature,
        heart_rate,
        resp_rate,
        paco2,
        wbc,
        immature_pct,
        pao2_fio2,
        ventilated,
        map,
        dopamine,
        dobutamine,
        epinephrine,
        norepinephrine,
        gcs,
        bilirubin,
        creatinine,
        urine_output,
        bleeding,
        organ_failure
    );
    let mut p = PatientTable::default();
    let mut pid = 0u32;
    while d.patient.len() < n_rows {
        p.patient_id.push(format!("P{pid}"));
        p.haematological_malignancy.push(r.flag());
        p.liver_failure.push(r.flag());
        let n_days = 1 + (r.next() % 14) as usize;
        let mut day = 1;
        let mut plt = 50.0 + 250.0 * r.unif();
        for _ in 0..n_days.min(n_rows - d.patient.len()) {
            d.patient.push(pid);
            d.day.push(day);
            day += if r.unif() < 0.95 { 1 } else { 2 };
            plt = (plt * (0.55 + 0.6 * r.unif())).round().max(1.0);
            d.platelets
                .push(if r.unif() < 0.08 { f64::NAN } else { plt });
            d.pt_inr.push(r.val(0.9, 2.2));
            d.pt_ratio.push(r.val(0.9, 2.2));
            d.pt_sec_prolongation.push(r.val(0.0, 9.0));
            d.fibrinogen.push(r.val(40.0, 500.0));
            d.fdp.push(r.val(0.0, 60.0));
            d.d_dimer.push(r.val(0.0, 30.0));
            d.antithrombin.push(r.val(20.0, 120.0));
            d.tat_x_uln.push(r.val(0.0, 5.0));
            d.temperature.push(r.val(35.0, 40.5));
            d.heart_rate.push(r.val(50.0, 150.0));
            d.resp_rate.push(r.val(8.0, 40.0));
            d.paco2.push(r.val(20.0, 60.0));
            d.wbc.push(r.val(0.5, 30.0));
            d.immature_pct.push(r.val(0.0, 25.0));
            d.pao2_fio2.push(r.val(50.0, 550.0));
            d.ventilated.push(r.flag());
            d.map.push(r.val(45.0, 110.0));
            d.dopamine.push(r.drug(0.1, 20.0));
            d.dobutamine.push(r.drug(0.05, 10.0));
            d.epinephrine.push(r.drug(0.05, 0.4));
            d.norepinephrine.push(r.drug(0.3, 0.5));
            d.gcs.push(r.val(3.0, 15.99).floor());
            d.bilirubin.push(r.val(0.2, 15.0));
            d.creatinine.push(r.val(0.3, 7.0));
            d.urine_output.push(r.val(0.0, 3500.0));
            d.bleeding.push(r.flag());
            d.organ_failure.push(r.flag());
        }
        pid += 1;
    }
    (d, p)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// CPU seconds (user + system) used by this process so far (Linux /proc; NaN elsewhere). The
/// machine is shared, so wall time alone overstates the cost when other jobs run.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = after.split_whitespace().collect();
    match (
        f.get(11).and_then(|x| x.parse::<f64>().ok()),
        f.get(12).and_then(|x| x.parse::<f64>().ok()),
    ) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

/// Best-of-`reps` wall seconds and CPU seconds of scoring on `threads` threads.
fn time_rust(
    d: &DayTable,
    p: &PatientTable,
    threads: usize,
    reps: usize,
) -> (f64, f64, ScoreTable) {
    let pool = pool(threads);
    let cfg = ScoreConfig::default();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let c0 = cpu_seconds();
        let t0 = Instant::now();
        let t = pool.install(|| score_days(d, p, &cfg).unwrap());
        best = best.min(t0.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - c0);
        out = Some(t);
    }
    (best, best_cpu, out.unwrap())
}

/// memcpy bandwidth (bytes read + written per second) on `threads` threads.
fn memcpy_bandwidth(threads: usize) -> f64 {
    let n = 1usize << 27; // 128 Mi f64 = 1 GiB
    let src = vec![1.0f64; n];
    let mut dst = vec![0.0f64; n];
    let pool = pool(threads);
    let mut best = f64::INFINITY;
    for _ in 0..4 {
        let t0 = Instant::now();
        pool.install(|| {
            use rayon::prelude::*;
            dst.par_chunks_mut(n / threads)
                .zip(src.par_chunks(n / threads))
                .for_each(|(a, b)| a.copy_from_slice(b));
        });
        best = best.min(t0.elapsed().as_secs_f64());
    }
    std::hint::black_box(&dst);
    2.0 * (n * 8) as f64 / best
}

fn write_raw<T: Copy>(dir: &Path, name: &str, v: &[T], to_bytes: impl Fn(T) -> Vec<u8>) {
    let f = std::fs::File::create(dir.join(name)).unwrap();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    for &x in v {
        w.write_all(&to_bytes(x)).unwrap();
    }
    w.flush().unwrap();
}

fn flag_f64(v: &[Option<bool>]) -> Vec<f64> {
    v.iter()
        .map(|f| f.map_or(f64::NAN, |b| b as u8 as f64))
        .collect()
}

/// Runs the NumPy version on the same data; returns its seconds and the number of rows where
/// its output differs from ours.
fn run_numpy(d: &DayTable, p: &PatientTable, ours: &ScoreTable) -> Option<(f64, usize)> {
    let dir = std::env::temp_dir().join(format!("dicohort-bench-score-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f64s: Vec<(&str, &[f64])> = vec![
        ("platelets", &d.platelets),
        ("pt_inr", &d.pt_inr),
        ("pt_ratio", &d.pt_ratio),
        ("pt_sec_prolongation", &d.pt_sec_prolongation),
        ("fibrinogen", &d.fibrinogen),
        ("fdp", &d.fdp),
        ("d_dimer", &d.d_dimer),
        ("antithrombin", &d.antithrombin),
        ("tat_x_uln", &d.tat_x_uln),
        ("temperature", &d.temperature),
        ("heart_rate", &d.heart_rate),
        ("resp_rate", &d.resp_rate),
        ("paco2", &d.paco2),
        ("wbc", &d.wbc),
        ("immature_pct", &d.immature_pct),
        ("pao2_fio2", &d.pao2_fio2),
        ("map", &d.map),
        ("dopamine", &d.dopamine),
        ("dobutamine", &d.dobutamine),
        ("epinephrine", &d.epinephrine),
        ("norepinephrine", &d.norepinephrine),
        ("gcs", &d.gcs),
        ("bilirubin", &d.bilirubin),
        ("creatinine", &d.creatinine),
        ("urine_output", &d.urine_output),
    ];
    for (name, v) in f64s {
        write_raw(&dir, &format!("{name}.f64"), v, |x| {
            x.to_le_bytes().to_vec()
        });
    }
    let hm: Vec<Option<bool>> = d
        .patient
        .iter()
        .map(|&i| p.haematological_malignancy[i as usize])
        .collect();
    let lf: Vec<Option<bool>> = d
        .patient
        .iter()
        .map(|&i| p.liver_failure[i as usize])
        .collect();
    for (name, v) in [
        ("ventilated", &d.ventilated),
        ("bleeding", &d.bleeding),
        ("organ_failure", &d.organ_failure),
        ("hm", &hm),
        ("liver_failure", &lf),
    ] {
        write_raw(&dir, &format!("{name}.f64"), &flag_f64(v), |x| {
            x.to_le_bytes().to_vec()
        });
    }
    write_raw(&dir, "patient.u32", &d.patient, |x| {
        x.to_le_bytes().to_vec()
    });
    write_raw(&dir, "day.i32", &d.day, |x| x.to_le_bytes().to_vec());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/score_numpy.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&dir)
        .output();
    let result = match out {
        Ok(o) if o.status.success() => {
            let line = String::from_utf8_lossy(&o.stdout).to_string();
            let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
            let secs = v["seconds"].as_f64().unwrap();
            let mut differ = vec![false; d.len()];
            for name in ScoreName::ALL {
                let c = ours.get(name).unwrap();
                let read =
                    |tag: &str| std::fs::read(dir.join(format!("out_{name}_{tag}.i8"))).unwrap();
                let (mn, mx) = (read("min"), read("max"));
                for i in 0..d.len() {
                    differ[i] |= mn[i] as i8 != c.min[i] || mx[i] as i8 != c.max[i];
                }
                if let Some(dx) = &c.dx {
                    let pdx = read("dx");
                    for i in 0..d.len() {
                        differ[i] |= pdx[i] != dx[i] as u8;
                    }
                }
            }
            Some((secs, differ.iter().filter(|&&x| x).count()))
        }
        Ok(o) => {
            eprintln!("numpy run failed: {}", String::from_utf8_lossy(&o.stderr));
            None
        }
        Err(e) => {
            eprintln!("python3 not runnable: {e}");
            None
        }
    };
    std::fs::remove_dir_all(&dir).ok();
    result
}

fn main() {
    let n: usize = std::env::var("DICOHORT_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let t0 = Instant::now();
    let (d, p) = synthetic(n, 0x5EED_2026);
    println!(
        "synthetic cohort: {} patient-days, {} patients (generated in {:.1} s)",
        d.len(),
        p.len(),
        t0.elapsed().as_secs_f64()
    );
    let (t1, c1, table) = time_rust(&d, &p, 1, 3);
    let (t2, c2, table2) = time_rust(&d, &p, 2, 3);
    assert!(
        table == table2,
        "1 and 2 threads must give identical output"
    );
    let rate1 = n as f64 / t1;
    let rate2 = n as f64 / t2;
    println!(
        "rust 1 thread : {:8.3} s  {:7.2} M patient-days/s  ({:.2} M per CPU-second)",
        t1,
        rate1 / 1e6,
        n as f64 / c1 / 1e6
    );
    println!(
        "rust 2 threads: {:8.3} s  {:7.2} M patient-days/s  ({:.2} M per CPU-second)",
        t2,
        rate2 / 1e6,
        n as f64 / c2 / 1e6
    );
    println!("load average after the timed runs: {}", load_average());
    // Traffic per patient-day: 25 f64 measurement columns + 3 one-byte flags + patient (u32)
    // + day (i32) read; 18 i8 bounds + 6 one-byte diagnoses written (the output columns are
    // also zero-filled once at allocation: counted). Patient-level flags are read once per row
    // but hit cache (patients are contiguous).
    let bytes_per_row = 25.0 * 8.0 + 3.0 + 4.0 + 4.0 + 2.0 * 24.0;
    let bw1 = memcpy_bandwidth(1);
    let bw2 = memcpy_bandwidth(2);
    println!(
        "memcpy bandwidth (read + write): {:.1} GB/s on 1 thread, {:.1} GB/s on 2 threads",
        bw1 / 1e9,
        bw2 / 1e9
    );
    println!(
        "traffic ~{bytes_per_row:.0} B/patient-day -> bandwidth bound {:.1} M/s (1 thread), {:.1} M/s (2 threads); reached {:.0}% and {:.0}%",
        bw1 / bytes_per_row / 1e6,
        bw2 / bytes_per_row / 1e6,
        100.0 * rate1 * bytes_per_row / bw1,
        100.0 * rate2 * bytes_per_row / bw2
    );
    if std::env::var("DICOHORT_BENCH_NO_NUMPY").is_ok() {
        return;
    }
    match run_numpy(&d, &p, &table) {
        Some((secs, n_differ)) => {
            let rate_np = n as f64 / secs;
            println!(
                "numpy         : {:8.3} s  {:7.2} M patient-days/s",
                secs,
                rate_np / 1e6
            );
            println!(
                "ratio rust/numpy: {:.1}x (1 thread), {:.1}x (2 threads); rows where outputs differ: {}",
                rate1 / rate_np,
                rate2 / rate_np,
                n_differ
            );
        }
        None => println!("numpy comparison skipped"),
    }
}
