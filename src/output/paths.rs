//! Paths compared as the file system sees them: the longest existing prefix canonicalised
//! (symbolic links and `..` resolved), the rest appended and normalised lexically. Two spellings
//! of one place compare equal whether or not it exists yet.

use std::path::{Component, Path, PathBuf};

use super::OutputError;

/// The absolute, normalised form of `p` (see the module docs).
pub fn resolve(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(p)
    };
    let mut rest: Vec<PathBuf> = Vec::new();
    let mut head = abs.clone();
    loop {
        if let Ok(c) = head.canonicalize() {
            let mut out = c;
            for name in rest.iter().rev() {
                push_lexical(&mut out, name);
            }
            return out;
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(PathBuf::from(name));
                head = parent.to_path_buf();
            }
            _ => {
                // Nothing exists (or `..` at the end): normalise lexically.
                let mut out = PathBuf::new();
                for c in abs.components() {
                    push_lexical(&mut out, Path::new(c.as_os_str()));
                }
                return out;
            }
        }
    }
}

fn push_lexical(out: &mut PathBuf, part: &Path) {
    for c in part.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
}

/// Checks a file name relative to an output folder: non-empty, `/`-separated normal components
/// only (no absolute path, no `.` or `..`), not one of dicohort's own records.
pub(crate) fn check_rel(rel: &str) -> Result<(), OutputError> {
    let bad = |reason: &str| {
        Err(OutputError::BadName {
            name: rel.to_string(),
            reason: reason.to_string(),
        })
    };
    if rel.is_empty() {
        return bad("empty name");
    }
    if rel.contains('\\') || rel.starts_with('/') {
        return bad("must be a relative `/`-separated path");
    }
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return bad("must not hold empty, `.` or `..` components");
        }
    }
    let first = rel.split('/').next().unwrap_or_default();
    if first.starts_with(".dicohort-") {
        return bad("names starting with `.dicohort-` are dicohort's own records");
    }
    Ok(())
}

/// The `/`-separated form of `p` relative to `base` (which must contain it).
pub(crate) fn rel_string(base: &Path, p: &Path) -> String {
    p.strip_prefix(base)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file below `dir` (relative, `/`-separated, sorted); symbolic links count as files.
pub(crate) fn walk(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let p = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(p);
            } else {
                out.push(rel_string(dir, &p));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_place_resolve_alike() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(resolve(Path::new("a/./b/../c")), cwd.join("a/c"));
        assert_eq!(resolve(Path::new(".")), cwd.canonicalize().unwrap());
        assert_eq!(resolve(&cwd.join("x/../y/z")), resolve(Path::new("y/z")));
    }

    #[test]
    fn names_are_checked() {
        for ok in ["a.csv", "figures/x.svg", "results/README.txt"] {
            assert!(check_rel(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/x",
            "../x",
            "a//b",
            "a/./b",
            ".dicohort-manifest.json",
            "a\\b",
        ] {
            assert!(check_rel(bad).is_err(), "{bad}");
        }
    }
}
