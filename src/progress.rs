//! Progress of long work (simulating, loading, validating, scoring, analysing), reported by the
//! library through [`Progress`] and drawn, or not, by the caller: the `dicohort` binary draws a
//! progress bar on a terminal, a library user may log, and [`Silent`] ignores it all. The library
//! never writes to the terminal itself. A leaf: imports nothing from the crate.
//!
//! Reports never change results: they are calls out of the computation, made between chunks of
//! work (never per row), so their cost is nothing next to the work they report.

/// Receives the stages of long work and how far each has got.
///
/// Implementations must be cheap and thread-safe: [`Progress::advance`] may be called from the
/// rayon pool's threads.
pub trait Progress: Sync {
    /// A stage begins: its name (e.g. `reading days.csv`) and the amount of work when known
    /// (in the units later passed to [`Progress::advance`]: rows, patients or bytes).
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The unit of the current stage's amounts, for display (`rows`, `patients`, `bytes`).
    fn unit(&self, _unit: &str) {}
}

/// A shared handle on a [`Progress`] (or none), for work that keeps it across calls.
#[derive(Clone, Default)]
pub struct Reporter(Option<std::sync::Arc<dyn Progress + Send>>);

impl Reporter {
    pub fn new(p: std::sync::Arc<dyn Progress + Send>) -> Self {
        Reporter(Some(p))
    }
    pub fn stage(&self, name: &str, total: Option<u64>) {
        if let Some(p) = &self.0 {
            p.stage(name, total);
        }
    }
    pub fn advance(&self, n: u64) {
        if let Some(p) = &self.0 {
            p.advance(n);
        }
    }
    pub fn unit(&self, unit: &str) {
        if let Some(p) = &self.0 {
            p.unit(unit);
        }
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Reporter(on)"
        } else {
            "Reporter(off)"
        })
    }
}

/// Ignores every report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _name: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn stage(&self, name: &str, total: Option<u64>) {
            self.0.lock().unwrap().push(format!("{name} {total:?}"));
        }
        fn advance(&self, n: u64) {
            self.0.lock().unwrap().push(format!("+{n}"));
        }
    }

    #[test]
    fn a_progress_is_usable_as_a_trait_object_from_threads() {
        let log = Log::default();
        let p: &dyn Progress = &log;
        p.stage("work", Some(4));
        std::thread::scope(|s| {
            s.spawn(|| p.advance(2));
            s.spawn(|| p.advance(2));
        });
        assert_eq!(log.0.lock().unwrap().len(), 3);
        Silent.stage("x", None);
    }
}
