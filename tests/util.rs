//! Helpers shared by the integration test modules.

use std::path::{Path, PathBuf};

/// The folder holding the shared real datasets and reference values (never committed):
/// `$STRESS_HARNESS_SHARED`, else `$CARGO_MANIFEST_DIR/../shared`, else `/work/shared`; the
/// first that contains `sub` (`datasets` or `reference`). Panics when none does, so a test
/// that needs the data fails instead of passing silently.
pub fn shared(sub: &str) -> PathBuf {
    let cands: Vec<PathBuf> = std::env::var_os("STRESS_HARNESS_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
            PathBuf::from("/work/shared"),
        ])
        .collect();
    cands
        .iter()
        .find(|p| p.join(sub).is_dir())
        .cloned()
        .unwrap_or_else(|| {
            panic!("shared data folder with {sub}/ not found: set STRESS_HARNESS_SHARED (tried {cands:?})")
        })
}
