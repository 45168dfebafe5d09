//! The lock of an output path: a file `.NAME.dicohort-lock` beside it, created atomically (a
//! complete temporary file hard-linked into place, so a reader never sees it half written),
//! holding the writer's pid, its command and (on Linux) the process start time. A lock whose
//! process is gone, or whose pid now belongs to another process (different start time), is stale
//! and is broken by the next run. Where liveness cannot be checked (no `/proc`), a lock is taken
//! as live and the error names the lock file to remove.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{io_err, OutputError};

/// Who holds a lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub command: String,
    /// Start time of the process (clock ticks since boot, `/proc/PID/stat` field 22).
    pub start: Option<u64>,
}

impl LockHolder {
    fn me(command: &str) -> LockHolder {
        let pid = std::process::id();
        LockHolder {
            pid,
            command: command.to_string(),
            start: process_start(pid),
        }
    }

    /// Whether the holder is still running (true when it cannot be told).
    pub fn alive(&self) -> bool {
        if !Path::new("/proc/self/stat").exists() {
            return true;
        }
        match process_start(self.pid) {
            None => false,
            Some(now) => self.start.is_none_or(|s| s == now),
        }
    }
}

/// Start time of process `pid` from `/proc/PID/stat`, if readable.
fn process_start(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces): field 3 is
    // the state, field 22 the start time.
    let rest = &s[s.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The lock file guarding `target` (a folder or a file): `.NAME.dicohort-lock` beside it.
pub(crate) fn lock_path(target: &Path) -> PathBuf {
    sibling(target, "dicohort-lock")
}

/// `parent/.NAME.SUFFIX` for `target` = `parent/NAME`.
pub(crate) fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Reads a lock file: `None` when absent or unreadable.
pub fn read_holder(lock: &Path) -> Option<LockHolder> {
    let text = std::fs::read_to_string(lock).ok()?;
    serde_json::from_str(&text).ok()
}

/// The live holder of the lock of `target`, if any.
pub fn live_holder(target: &Path) -> Option<LockHolder> {
    read_holder(&lock_path(target)).filter(LockHolder::alive)
}

/// A held lock, released (its file removed, if still ours) on drop.
#[derive(Debug)]
pub(crate) struct Lock {
    path: PathBuf,
    me: LockHolder,
}

impl Lock {
    /// Takes the lock of `target` (shown as `shown` in messages), breaking a stale one.
    pub(crate) fn acquire(target: &Path, shown: &str, command: &str) -> Result<Lock, OutputError> {
        let path = lock_path(target);
        let me = LockHolder::me(command);
        let text = serde_json::to_string(&me).expect("a lock holder serialises") + "\n";
        let tmp = sibling(target, &format!("dicohort-lock.{}", me.pid));
        for _ in 0..4 {
            std::fs::write(&tmp, &text).map_err(|e| io_err(&tmp, e))?;
            let linked = std::fs::hard_link(&tmp, &path);
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => return Ok(Lock { path, me }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) => {
                    // No hard links on this file system: exclusive create (a reader may see the
                    // file empty for an instant, and then retries).
                    use std::io::Write;
                    match std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&path)
                    {
                        Ok(mut f) => {
                            f.write_all(text.as_bytes()).map_err(|e| io_err(&path, e))?;
                            return Ok(Lock { path, me });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(io_err(&path, e)),
                    }
                }
            }
            match read_holder(&path) {
                Some(h) if h.alive() => {
                    return Err(OutputError::Locked {
                        out: shown.to_string(),
                        lock: path.display().to_string(),
                        pid: h.pid,
                        command: h.command,
                    })
                }
                Some(h) => break_stale(&path, &h)?,
                None if path.exists() => {
                    // Being created by another run right now, or not ours: look again shortly.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    if read_holder(&path).is_none() && path.exists() {
                        return Err(OutputError::Corrupt {
                            path: path.display().to_string(),
                            message: "unreadable lock file; remove it if no dicohort run is \
                                      writing here"
                                .into(),
                        });
                    }
                }
                None => {}
            }
        }
        Err(OutputError::Locked {
            out: shown.to_string(),
            lock: path.display().to_string(),
            pid: 0,
            command: "another run".into(),
        })
    }
}

/// Removes a stale lock without removing a fresh one taken meanwhile by another run: the lock is
/// renamed aside, and put back if what was moved is not the stale holder.
fn break_stale(path: &Path, stale: &LockHolder) -> Result<(), OutputError> {
    let aside = path.with_extension(format!("stale.{}", std::process::id()));
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(path, e)),
    }
    if read_holder(&aside).as_ref() != Some(stale) {
        let _ = std::fs::hard_link(&aside, path);
    }
    let _ = std::fs::remove_file(&aside);
    Ok(())
}

impl Drop for Lock {
    fn drop(&mut self) {
        if read_holder(&self.path).as_ref() == Some(&self.me) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
