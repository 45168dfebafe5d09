//! The registry-wide format (one row per patient), mapped to the canonical tables by
//! `data-schema/registry-wide.mapping.toml`.

use super::source::Input;
use super::validate::Stage;
use super::{LoadError, LoadOptions};

/// The declarative mapping of a registry-wide file.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub file: String,
}

impl Mapping {
    /// The embedded mapping, or the file named in `opts.mapping`.
    pub fn load(_opts: &LoadOptions) -> Result<Mapping, LoadError> {
        Err(LoadError::Mapping {
            file: "registry-wide.mapping.toml".into(),
            message: "the registry-wide format is not yet implemented".into(),
        })
    }
}

/// File stem of the registry-wide table (`registry_wide`).
pub(crate) fn file_stem(_opts: &LoadOptions) -> Result<String, LoadError> {
    Ok("registry_wide".to_string())
}

/// Reads a registry-wide file into the validation stage.
pub(crate) fn read_wide(_stage: &mut Stage, _input: &Input, _m: &Mapping) -> Result<(), LoadError> {
    Ok(())
}
