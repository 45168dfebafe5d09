//! The record a run leaves in its output folder: `.dicohort-manifest.json` (the run is complete:
//! the command and every file it wrote, with sizes) and, only while a run is replacing the
//! folder's files, `.dicohort-incomplete` (same shape: the command and every file the folder's
//! runs own, old and new). Both are written whole to a temporary name and renamed into place.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{io_err, OutputError};

/// File name of the manifest of a complete run.
pub const MANIFEST: &str = ".dicohort-manifest.json";
/// File name of the marker of a run that is replacing (or was interrupted replacing) a folder.
pub const INCOMPLETE: &str = ".dicohort-incomplete";

/// What a run wrote (or, in the incomplete marker, what the folder's runs own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `dicohort`.
    pub generator: String,
    /// The subcommand that wrote the folder (`simulate`, `analyze`, ...).
    pub command: String,
    /// Every file, `/`-separated and relative to the folder, sorted.
    pub files: Vec<ManifestEntry>,
}

/// One file of a [`Manifest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub path: String,
    pub bytes: u64,
}

impl Manifest {
    pub(crate) fn new(command: &str, mut files: Vec<ManifestEntry>) -> Manifest {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Manifest {
            generator: "dicohort".to_string(),
            command: command.to_string(),
            files,
        }
    }

    /// The listed paths.
    pub fn paths(&self) -> BTreeSet<String> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }

    /// Reads `dir/name`: `Ok(None)` when absent, an error when unreadable or malformed.
    pub(crate) fn read(dir: &Path, name: &str) -> Result<Option<Manifest>, OutputError> {
        let p = dir.join(name);
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&p, e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| OutputError::Corrupt {
                path: p.display().to_string(),
                message: e.to_string(),
            })
    }

    /// Writes `dir/name` atomically (temporary name, then rename).
    pub(crate) fn write(&self, dir: &Path, name: &str) -> Result<(), OutputError> {
        let p = dir.join(name);
        let tmp = dir.join(format!("{name}.tmp"));
        std::fs::write(&tmp, self.to_json()).map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, &p).map_err(|e| io_err(&p, e))
    }
}
