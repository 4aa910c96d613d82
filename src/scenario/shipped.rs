//! The scenarios shipped in `scenarios/`, embedded in the binary by the build
//! script: `check` with no path runs them (so an installed binary can check
//! a server anywhere), and `scenarios export DIR` writes them out to edit.

use std::path::{Path, PathBuf};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/shipped_scenarios.rs"));
}

/// Every shipped file (`schema.json` and `client/` included): its path
/// relative to `scenarios/` and its text.
pub fn files() -> &'static [(&'static str, &'static str)] {
    generated::FILES
}

/// The scenarios `check` runs by default: the top-level `*.json` files but
/// `schema.json`, as for a directory given on the command line
/// (`client/` holds client-mode scenarios for `serve --scenario`).
pub fn server_scenarios() -> impl Iterator<Item = (&'static str, &'static str)> {
    files()
        .iter()
        .copied()
        .filter(|(path, _)| !path.contains('/') && *path != "schema.json")
}

/// Writes every shipped file under `dir` (created if need be). An existing
/// file with other contents is left alone and reported, unless `overwrite`.
/// Returns the paths written.
pub fn export(dir: &Path, overwrite: bool) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (relative, text) in files() {
        let path = dir.join(relative);
        if let Ok(existing) = std::fs::read_to_string(&path) {
            if existing == *text {
                continue;
            }
            if !overwrite {
                return Err(format!(
                    "{} exists and differs from the shipped file (--force overwrites it)",
                    path.display()
                ));
            }
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_directory_is_embedded_verbatim() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut on_disk = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("scenarios/").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "json") {
                    on_disk.push(path);
                }
            }
        }
        assert_eq!(on_disk.len(), files().len());
        for path in on_disk {
            let relative = path.strip_prefix(&root).expect("under root");
            let relative = relative.to_string_lossy().replace('\\', "/");
            let (_, text) = files()
                .iter()
                .find(|(p, _)| *p == relative)
                .unwrap_or_else(|| panic!("{relative} not embedded"));
            assert_eq!(*text, std::fs::read_to_string(&path).expect("read"));
        }
        assert!(server_scenarios().all(|(p, _)| p.ends_with(".json") && !p.contains('/')));
        assert!(server_scenarios().any(|(p, _)| p == "add-session.json"));
    }

    #[test]
    fn export_writes_the_tree_and_keeps_edited_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let written = export(dir.path(), false).expect("export");
        assert_eq!(written.len(), files().len());
        assert!(dir.path().join("client/add-list-revoke.json").is_file());
        assert!(dir.path().join("schema.json").is_file());
        // A second export over the same files writes nothing.
        assert_eq!(export(dir.path(), false), Ok(vec![]));
        let edited = dir.path().join("add-session.json");
        std::fs::write(&edited, "{}").expect("edit");
        let err = export(dir.path(), false).expect_err("edited file kept");
        assert!(err.contains("add-session.json exists and differs"), "{err}");
        assert_eq!(std::fs::read_to_string(&edited).expect("read"), "{}");
        assert_eq!(export(dir.path(), true).map(|w| w.len()), Ok(1));
    }
}
