//! The progress bar of long commands (`simulate`, `validate`, `score`, `analyze`): the library's
//! [`Progress`] reports drawn with `indicatif` on stderr when it is a terminal (never with
//! `--quiet`), and with `-v` one line per finished stage with its wall time, the CPU time used
//! and the peak resident memory so far (on a terminal or not).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dicohort::progress::{Progress, Reporter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The `--quiet` / `--verbose` flags shared by the long commands.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ProgressArgs {
    /// No progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print each stage's wall time, CPU time and peak memory to stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`), if known.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time (user + system, all threads) of this process so far, in seconds (Linux).
pub fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks / 100.0)
}

struct Timing {
    name: String,
    wall: Instant,
    cpu: f64,
}

/// The bar, plus the verbose stage timings.
pub struct Bar {
    bar: ProgressBar,
    verbose: bool,
    t0: Instant,
    current: Mutex<Option<Timing>>,
}

impl Bar {
    /// A bar drawn on stderr when it is a terminal and `--quiet` is not given.
    pub fn new(args: ProgressArgs) -> Arc<Bar> {
        let draw = !args.quiet && std::io::stderr().is_terminal();
        let bar = if draw {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.enable_steady_tick(Duration::from_millis(120));
            b
        } else {
            ProgressBar::hidden()
        };
        Arc::new(Bar {
            bar,
            verbose: args.verbose,
            t0: Instant::now(),
            current: Mutex::new(None),
        })
    }

    /// The handle the library takes.
    pub fn reporter(self: &Arc<Self>) -> Reporter {
        Reporter::new(self.clone())
    }

    /// Prints a line above the bar (or to stderr when there is none).
    pub fn println(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// With `-v`: the line of the stage that just ended.
    fn close_stage(&self, current: &mut Option<Timing>) {
        let Some(t) = current.take() else { return };
        if !self.verbose {
            return;
        }
        let wall = t.wall.elapsed().as_secs_f64();
        let cpu = cpu_seconds().map(|c| c - t.cpu);
        let cpu_note = match cpu {
            Some(c) if wall > 0.0 => format!(", CPU {c:.2} s ({:.0}%)", 100.0 * c / wall),
            _ => String::new(),
        };
        self.println(&format!(
            "[stage] {}: {wall:.2} s{cpu_note} (total {:.2} s), peak RSS {:.0} MiB",
            t.name,
            self.t0.elapsed().as_secs_f64(),
            peak_rss_mib().unwrap_or(f64::NAN)
        ));
    }

    /// Ends the last stage and removes the bar.
    pub fn finish(&self) {
        let mut cur = self.current.lock().unwrap();
        self.close_stage(&mut cur);
        self.bar.finish_and_clear();
    }
}

fn style(total: Option<u64>, unit: &str) -> ProgressStyle {
    let template = match (total, unit) {
        (Some(_), "bytes") => {
            "{spinner} {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({elapsed}, {eta} left)"
        }
        (Some(_), _) => {
            "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} ({elapsed}, {eta} left)"
        }
        (None, "") => "{spinner} {msg} ({elapsed})",
        (None, _) => "{spinner} {msg}: {human_pos} ({elapsed})",
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut cur = self.current.lock().unwrap();
        self.close_stage(&mut cur);
        *cur = Some(Timing {
            name: name.to_string(),
            wall: Instant::now(),
            cpu: cpu_seconds().unwrap_or(0.0),
        });
        self.bar.reset();
        match total {
            Some(n) => self.bar.set_length(n),
            None => self.bar.unset_length(),
        }
        self.bar.set_style(style(total, ""));
        self.bar.set_message(name.to_string());
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn unit(&self, unit: &str) {
        self.bar.set_style(style(self.bar.length(), unit));
    }
}
