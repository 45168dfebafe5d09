//! Writing outputs so that nothing is lost or mixed: one rule for every command that writes files.
//!
//! - A run writes into a temporary sibling of its output (`.NAME.dicohort-staging`) and renames
//!   into place only when complete ([`OutputDir::commit`], [`OutputFile::commit`]); an
//!   interrupted run leaves the previous output as it was.
//! - A folder output records what the run wrote in `.dicohort-manifest.json` (the command and
//!   every file, with its size). On a rerun, files the previous run listed and this run did not
//!   write are removed; files no manifest lists are never touched: a run that would overwrite one
//!   fails before changing anything. A folder written by another command is not replaced.
//! - While a run writes, its output is locked (`.NAME.dicohort-lock` beside it: pid, command,
//!   process start time). A second run fails at once naming the first; a lock whose process is
//!   gone is stale and is broken.
//! - An output that is one of the run's inputs (a file it reads, the folder it reads) is refused.
//!
//! Committing a folder: when the output does not exist yet (or is empty), the staging folder,
//! manifest included, is renamed onto it in one step. Otherwise the files are moved in one by
//! one between two records: first `.dicohort-incomplete` (every file the folder's runs own, old
//! and new), then the old manifest is removed, the files moved, stale files removed, the new
//! manifest written and the marker removed. A folder holding the marker is refused by readers
//! ([`folder_state`]); the next run of the same command owns everything it lists.
//!
//! A single file named by the user ([`OutputFile`], e.g. `score --out FILE`) is replaced as a
//! whole by rename; it is the file the user asked for, so it needs no manifest.
//!
//! This layer imports nothing from the crate (std, serde and thiserror only).

mod lock;
mod manifest;
pub mod paths;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use lock::{live_holder, LockHolder};
pub use manifest::{Manifest, ManifestEntry, INCOMPLETE, MANIFEST};

use lock::{sibling, Lock};
use paths::{check_rel, resolve, walk};

/// Errors of writing an output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "{out}: being written by `dicohort {command}` (pid {pid}); wait for it to finish or write \
         elsewhere (if no such run is going, remove {lock})"
    )]
    Locked {
        out: String,
        lock: String,
        pid: u32,
        command: String,
    },
    #[error("{out}: is an input of this run ({input}); write the output elsewhere")]
    IsInput { out: String, input: String },
    #[error(
        "{path}: exists and was not written here by `dicohort {command}` (no {MANIFEST} lists \
         it); dicohort never overwrites a file it did not write: move it away or choose another \
         output folder"
    )]
    NotOwned { path: String, command: String },
    #[error(
        "{out}: holds the output of `dicohort {previous}` (see its {MANIFEST}); `dicohort \
         {command}` does not replace it: choose another output folder"
    )]
    ForeignRun {
        out: String,
        previous: String,
        command: String,
    },
    #[error("{path}: is a file, not a folder")]
    NotAFolder { path: String },
    #[error("{path}: is a folder, not a file")]
    NotAFile { path: String },
    #[error("output name `{name}`: {reason}")]
    BadName { name: String, reason: String },
    #[error("{path}: unreadable: {message}")]
    Corrupt { path: String, message: String },
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Staging folders of the transactions open in this process: a writer handed such a folder
/// (e.g. `report::write_report` called by `analyze` on its transaction) joins that run.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn open_list() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    OPEN.lock().unwrap_or_else(|e| e.into_inner())
}

fn check_inputs(target: &Path, shown: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    if let Some(i) = inputs.iter().find(|i| i.as_path() == target) {
        return Err(OutputError::IsInput {
            out: shown.display().to_string(),
            input: i.display().to_string(),
        });
    }
    Ok(())
}

fn create_parent(p: &Path) -> Result<(), OutputError> {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => {
            std::fs::create_dir_all(d).map_err(|e| io_err(d, e))
        }
        _ => Ok(()),
    }
}

fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// A folder output being written: a transaction (see the module docs). Dropped without
/// [`commit`](OutputDir::commit), it removes its staging folder and leaves the output as it was.
#[derive(Debug)]
pub struct OutputDir {
    shown: PathBuf,
    target: PathBuf,
    staging: PathBuf,
    command: String,
    inputs: Vec<PathBuf>,
    order: Vec<String>,
    owned: BTreeSet<String>,
    lock: Option<Lock>,
    done: bool,
}

/// What a commit wrote: the output as given and its files, in the order they were committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub out: PathBuf,
    pub files: Vec<PathBuf>,
}

impl OutputDir {
    /// Starts writing folder `out` for `command` (`simulate`, `analyze`, ...): refuses an `out`
    /// equal to one of `inputs`, takes the lock (failing fast if another run holds it), reads
    /// what the previous run owned and opens a fresh staging folder.
    ///
    /// # Errors
    /// [`OutputError::IsInput`], [`OutputError::Locked`], [`OutputError::NotAFolder`],
    /// [`OutputError::ForeignRun`] (the folder holds another command's output),
    /// [`OutputError::Corrupt`] (an unreadable manifest), [`OutputError::Io`].
    pub fn begin(out: &Path, command: &str, inputs: &[PathBuf]) -> Result<OutputDir, OutputError> {
        let target = resolve(out);
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| resolve(p)).collect();
        check_inputs(&target, out, &inputs)?;
        if target.parent().is_none() {
            return Err(OutputError::BadName {
                name: out.display().to_string(),
                reason: "the file system root cannot be an output folder".into(),
            });
        }
        if target.exists() && !target.is_dir() {
            return Err(OutputError::NotAFolder {
                path: out.display().to_string(),
            });
        }
        create_parent(&target)?;
        let lock = Lock::acquire(&target, &out.display().to_string(), command)?;
        let mut owned = BTreeSet::new();
        for name in [MANIFEST, INCOMPLETE] {
            if let Some(m) = Manifest::read(&target, name)? {
                if m.command != command {
                    return Err(OutputError::ForeignRun {
                        out: out.display().to_string(),
                        previous: m.command,
                        command: command.to_string(),
                    });
                }
                owned.extend(m.paths());
            }
        }
        let staging = sibling(&target, "dicohort-staging");
        remove_any(&staging);
        std::fs::create_dir(&staging).map_err(|e| io_err(&staging, e))?;
        open_list().push(staging.clone());
        Ok(OutputDir {
            shown: out.to_path_buf(),
            target,
            staging,
            command: command.to_string(),
            inputs,
            order: Vec::new(),
            owned,
            lock: Some(lock),
            done: false,
        })
    }

    /// The staging folder: files written below it are part of this run (for writers that take a
    /// folder; prefer [`write`](OutputDir::write)).
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The output folder as given.
    pub fn out(&self) -> &Path {
        &self.shown
    }

    /// Checks that `rel` may be written (a valid name, not an input, not a file this folder's
    /// runs do not own) and records it in the commit order.
    fn claim(&mut self, rel: &str) -> Result<(), OutputError> {
        check_rel(rel)?;
        let target = self.target.join(rel);
        check_inputs(&target, &self.shown.join(rel), &self.inputs)?;
        let mut anc = target.parent();
        while let Some(a) = anc {
            if a == self.target {
                break;
            }
            if a.exists() && !a.is_dir() {
                return Err(OutputError::NotOwned {
                    path: a.display().to_string(),
                    command: self.command.clone(),
                });
            }
            anc = a.parent();
        }
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(OutputError::NotAFile {
                    path: self.shown.join(rel).display().to_string(),
                })
            }
            Ok(_) if !self.owned.contains(rel) => {
                return Err(OutputError::NotOwned {
                    path: self.shown.join(rel).display().to_string(),
                    command: self.command.clone(),
                })
            }
            _ => {}
        }
        if !self.order.iter().any(|r| r == rel) {
            self.order.push(rel.to_string());
        }
        Ok(())
    }

    /// Writes `bytes` as file `rel` (`/`-separated, relative) of the run; returns its final path.
    ///
    /// # Errors
    /// A bad name, an input, a file the folder's runs do not own, or an I/O error.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<PathBuf, OutputError> {
        self.claim(rel)?;
        let p = self.staging.join(rel);
        create_parent(&p)?;
        std::fs::write(&p, bytes).map_err(|e| io_err(&p, e))?;
        Ok(self.shown.join(rel))
    }

    /// Creates file `rel` of the run for streaming (wrap it in a `BufWriter`); same checks as
    /// [`write`](OutputDir::write).
    ///
    /// # Errors
    /// As [`write`](OutputDir::write).
    pub fn create(&mut self, rel: &str) -> Result<File, OutputError> {
        self.claim(rel)?;
        let p = self.staging.join(rel);
        create_parent(&p)?;
        File::create(&p).map_err(|e| io_err(&p, e))
    }

    /// Puts the run in place (see the module docs) and releases the lock. Files are committed
    /// in the order they were first written (files written below [`dir`](OutputDir::dir) by
    /// other means come after, sorted), so a file written last (`truth.json`) lands last.
    ///
    /// # Errors
    /// A file written below [`dir`](OutputDir::dir) that may not be written (see
    /// [`write`](OutputDir::write)); an I/O error.
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        let staged = walk(&self.staging).map_err(|e| io_err(&self.staging, e))?;
        let staged_set: BTreeSet<&String> = staged.iter().collect();
        self.order.retain(|r| staged_set.contains(r));
        for rel in &staged {
            if !self.order.contains(rel) {
                self.claim(rel)?;
            }
        }
        let files = self.order.clone();
        let mut entries = Vec::with_capacity(files.len());
        for rel in &files {
            let p = self.staging.join(rel);
            let m = std::fs::metadata(&p).map_err(|e| io_err(&p, e))?;
            entries.push(ManifestEntry {
                path: rel.clone(),
                bytes: m.len(),
            });
        }
        let manifest = Manifest::new(&self.command, entries.clone());
        let empty = match std::fs::read_dir(&self.target) {
            Ok(mut it) => it.next().is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(io_err(&self.target, e)),
        };
        let mut whole = false;
        if empty {
            manifest.write(&self.staging, MANIFEST)?;
            whole = std::fs::rename(&self.staging, &self.target).is_ok();
            if !whole {
                let _ = std::fs::remove_file(self.staging.join(MANIFEST));
            }
        }
        if !whole {
            self.commit_files(&files, &manifest, entries)?;
            remove_any(&self.staging);
        }
        self.finish();
        Ok(Committed {
            out: self.shown.clone(),
            files: files.iter().map(|r| self.shown.join(r)).collect(),
        })
    }

    /// The file-by-file commit into a folder that already holds files.
    fn commit_files(
        &self,
        files: &[String],
        manifest: &Manifest,
        mut entries: Vec<ManifestEntry>,
    ) -> Result<(), OutputError> {
        let new: BTreeSet<&String> = files.iter().collect();
        entries.extend(self.owned.iter().map(|p| ManifestEntry {
            path: p.clone(),
            bytes: 0,
        }));
        Manifest::new(&self.command, entries).write(&self.target, INCOMPLETE)?;
        let old_manifest = self.target.join(MANIFEST);
        if old_manifest.exists() {
            std::fs::remove_file(&old_manifest).map_err(|e| io_err(&old_manifest, e))?;
        }
        for rel in files {
            let (from, to) = (self.staging.join(rel), self.target.join(rel));
            create_parent(&to)?;
            std::fs::rename(&from, &to).map_err(|e| io_err(&to, e))?;
        }
        for rel in self.owned.iter().filter(|r| !new.contains(r)) {
            let p = self.target.join(rel);
            if std::fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&p).map_err(|e| io_err(&p, e))?;
            }
            // Folders left empty by the removal (never the output folder itself).
            let mut d = p.parent();
            while let Some(dir) = d {
                if dir == self.target || std::fs::remove_dir(dir).is_err() {
                    break;
                }
                d = dir.parent();
            }
        }
        manifest.write(&self.target, MANIFEST)?;
        let marker = self.target.join(INCOMPLETE);
        std::fs::remove_file(&marker).map_err(|e| io_err(&marker, e))
    }

    fn finish(&mut self) {
        self.done = true;
        open_list().retain(|p| p != &self.staging);
        self.lock.take();
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.done {
            remove_any(&self.staging);
            open_list().retain(|p| p != &self.staging);
        }
    }
}

/// Writes `files` (relative name, bytes) into folder `dir` as one run of `command`. When `dir`
/// is the staging folder of an [`OutputDir`] open in this process, the files join that run
/// (its commit checks and records them); otherwise they are a run of their own (lock, staging,
/// manifest, commit). Returns the paths `dir/<name>`.
///
/// # Errors
/// As [`OutputDir::begin`], [`OutputDir::write`] and [`OutputDir::commit`].
pub fn write_dir(
    dir: &Path,
    command: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, OutputError> {
    let resolved = resolve(dir);
    if open_list().contains(&resolved) {
        let mut out = Vec::with_capacity(files.len());
        for (rel, bytes) in files {
            check_rel(rel)?;
            let p = dir.join(rel);
            create_parent(&p)?;
            std::fs::write(&p, bytes).map_err(|e| io_err(&p, e))?;
            out.push(p);
        }
        return Ok(out);
    }
    let mut tx = OutputDir::begin(dir, command, &[])?;
    for (rel, bytes) in files {
        tx.write(rel, bytes)?;
    }
    Ok(tx.commit()?.files)
}

/// A single-file output named by the user (e.g. `score --out FILE`), with optional companions
/// (`FILE.config.json`): written beside it under temporary names, renamed into place on
/// [`commit`](OutputFile::commit) (the main file first, companions after), under a lock.
#[derive(Debug)]
pub struct OutputFile {
    shown: PathBuf,
    target: PathBuf,
    staging: PathBuf,
    inputs: Vec<PathBuf>,
    companions: Vec<(PathBuf, PathBuf, PathBuf)>,
    lock: Option<Lock>,
    done: bool,
}

impl OutputFile {
    /// Starts writing file `path` for `command`: refuses a path equal to one of `inputs` or
    /// naming a folder, takes the lock.
    ///
    /// # Errors
    /// [`OutputError::IsInput`], [`OutputError::NotAFile`], [`OutputError::Locked`],
    /// [`OutputError::Io`].
    pub fn begin(
        path: &Path,
        command: &str,
        inputs: &[PathBuf],
    ) -> Result<OutputFile, OutputError> {
        let target = resolve(path);
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| resolve(p)).collect();
        check_inputs(&target, path, &inputs)?;
        let shown_str = path.display().to_string();
        if target.is_dir() || shown_str.ends_with('/') || target.parent().is_none() {
            return Err(OutputError::NotAFile { path: shown_str });
        }
        create_parent(&target)?;
        let lock = Lock::acquire(&target, &shown_str, command)?;
        let staging = sibling(&target, "dicohort-staging");
        remove_any(&staging);
        Ok(OutputFile {
            shown: path.to_path_buf(),
            target,
            staging,
            inputs,
            companions: Vec::new(),
            lock: Some(lock),
            done: false,
        })
    }

    /// Where to write the main file before the commit.
    pub fn staging_path(&self) -> &Path {
        &self.staging
    }

    /// Creates the main file for streaming.
    ///
    /// # Errors
    /// An I/O error.
    pub fn create(&self) -> Result<File, OutputError> {
        File::create(&self.staging).map_err(|e| io_err(&self.staging, e))
    }

    /// Writes the main file.
    ///
    /// # Errors
    /// An I/O error.
    pub fn write(&self, bytes: &[u8]) -> Result<(), OutputError> {
        std::fs::write(&self.staging, bytes).map_err(|e| io_err(&self.staging, e))
    }

    /// Writes companion `PATH<suffix>` (e.g. `.config.json`), committed after the main file;
    /// returns its final path.
    ///
    /// # Errors
    /// The companion is an input or a folder; an I/O error.
    pub fn companion(&mut self, suffix: &str, bytes: &[u8]) -> Result<PathBuf, OutputError> {
        let mut shown = self.shown.clone().into_os_string();
        shown.push(suffix);
        let shown = PathBuf::from(shown);
        let mut target = self.target.clone().into_os_string();
        target.push(suffix);
        let target = PathBuf::from(target);
        check_inputs(&target, &shown, &self.inputs)?;
        if target.is_dir() {
            return Err(OutputError::NotAFile {
                path: shown.display().to_string(),
            });
        }
        let staging = sibling(&target, "dicohort-staging");
        std::fs::write(&staging, bytes).map_err(|e| io_err(&staging, e))?;
        self.companions.push((shown.clone(), target, staging));
        Ok(shown)
    }

    /// Renames the main file, then each companion, into place and releases the lock; returns
    /// the final paths.
    ///
    /// # Errors
    /// An I/O error.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        std::fs::rename(&self.staging, &self.target).map_err(|e| io_err(&self.target, e))?;
        let mut out = vec![self.shown.clone()];
        for (shown, target, staging) in &self.companions {
            std::fs::rename(staging, target).map_err(|e| io_err(target, e))?;
            out.push(shown.clone());
        }
        self.done = true;
        self.lock.take();
        Ok(out)
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if !self.done {
            remove_any(&self.staging);
            for (_, _, s) in &self.companions {
                remove_any(s);
            }
        }
    }
}

/// What a reader finds in a folder that a dicohort run may have written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderState {
    /// No dicohort record: a folder of the user's own (or written before manifests existed).
    Unmanaged,
    /// A complete run of `command`; `changed` lists files of its manifest that are now missing
    /// or of another size (edited since), as messages.
    Complete {
        command: String,
        changed: Vec<String>,
    },
    /// A run of `command` was interrupted while replacing the folder's files.
    Interrupted { command: String },
    /// A run is writing this output right now.
    Writing { pid: u32, command: String },
}

/// The state of folder `dir` (see [`FolderState`]).
///
/// # Errors
/// An unreadable manifest or marker.
pub fn folder_state(dir: &Path) -> Result<FolderState, OutputError> {
    let target = resolve(dir);
    if let Some(h) = live_holder(&target) {
        return Ok(FolderState::Writing {
            pid: h.pid,
            command: h.command,
        });
    }
    if let Some(m) = Manifest::read(&target, INCOMPLETE)? {
        return Ok(FolderState::Interrupted { command: m.command });
    }
    let Some(m) = Manifest::read(&target, MANIFEST)? else {
        return Ok(FolderState::Unmanaged);
    };
    let mut changed = Vec::new();
    for f in &m.files {
        match std::fs::metadata(target.join(&f.path)) {
            Err(_) => changed.push(format!("{}: listed in {MANIFEST} but missing", f.path)),
            Ok(md) if md.len() != f.bytes => changed.push(format!(
                "{}: {} bytes, {} when `dicohort {}` wrote it (edited since)",
                f.path,
                md.len(),
                f.bytes,
                m.command
            )),
            Ok(_) => {}
        }
    }
    Ok(FolderState::Complete {
        command: m.command,
        changed,
    })
}

#[cfg(test)]
mod tests;
