//! Reading Parquet safely: every Parquet file is first read by a child process
//! (`dicohort check-parquet FILE`, hidden), so a file that makes the reader abort the process
//! (polars 0.55 allocates 2^61 bytes on some corrupted data pages and the allocation failure
//! aborts; Rust cannot recover from that in-process) costs the child, not this run: the run stops
//! with an error naming the file and nothing it has written is lost.
//!
//! The cost is one more read of each Parquet file (the child's), in a separate process.

use std::path::Path;
use std::process::{Command, Stdio};

use clap::Args as ClapArgs;

/// Arguments of the hidden `check-parquet` subcommand.
#[derive(ClapArgs)]
pub struct Args {
    /// The Parquet file to read.
    pub file: std::path::PathBuf,
}

/// Installs the child-process check for every Parquet read of this run.
pub fn install() {
    dicohort::load::table::set_parquet_guard(check_in_child);
}

/// `check-parquet FILE`: reads the file as the loaders do and exits 0, or fails with the
/// loader's error.
pub fn run(args: Args) -> anyhow::Result<()> {
    dicohort::load::table::read_table(&args.file)?;
    Ok(())
}

fn check_in_child(path: &Path) -> Result<(), String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find this program to check the file: {e}"))?;
    child_check(&exe, &["check-parquet"], path)
}

/// Runs `exe args... path` and turns its exit into the check's answer. Any ordinary exit is
/// `Ok`: a file the reader rejects with an error is rejected again, with the loader's typed error
/// naming row and column, by the read in this process (the reader is deterministic). Only a
/// child killed by a signal (the abort) is an error, naming the signal and the child's last line
/// of stderr.
pub fn child_check(exe: &Path, args: &[&str], path: &Path) -> Result<(), String> {
    let out = Command::new(exe)
        .args(args)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {} to check the file: {e}", exe.display()))?;
    if out.status.code().is_some() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    Err(format!(
        "corrupt Parquet file: the reader aborted on it ({}{})",
        signal_text(&out.status),
        if last.is_empty() {
            String::new()
        } else {
            format!(": {last}")
        }
    ))
}

#[cfg(unix)]
fn signal_text(s: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match s.signal() {
        Some(6) => "SIGABRT".into(),
        Some(n) => format!("signal {n}"),
        None => "no exit code".into(),
    }
}

#[cfg(not(unix))]
fn signal_text(_: &std::process::ExitStatus) -> String {
    "no exit code".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_child_that_aborts_is_an_error_naming_the_abort() {
        let sh = Path::new("/bin/sh");
        let e = child_check(
            sh,
            &[
                "-c",
                "echo 'memory allocation of 2305843009213693952 bytes failed' >&2; kill -ABRT $$",
            ],
            Path::new("x.parquet"),
        )
        .unwrap_err();
        assert!(e.contains("the reader aborted on it (SIGABRT"), "{e}");
        assert!(e.contains("memory allocation of"), "{e}");
        // an ordinary failure is left to the in-process read, which names row and column
        assert!(child_check(sh, &["-c", "echo bad >&2; exit 1"], Path::new("x")).is_ok());
        assert!(child_check(sh, &["-c", "exit 0"], Path::new("x")).is_ok());
    }
}
