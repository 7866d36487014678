//! Every input the fuzzers (fuzz/) found, kept in tests/fuzz_regressions/, re-checked with the
//! fuzz targets' own invariants (fuzz/src/lib.rs) on stable, in the normal test suite.

#[path = "../fuzz/src/lib.rs"]
mod invariants;

use std::path::{Path, PathBuf};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Both targets' invariants on one input; the panic message, if one breaks.
fn check(path: &Path) -> Result<(), String> {
    let data = std::fs::read(path).unwrap();
    std::panic::catch_unwind(|| {
        invariants::pipeline(&data);
        invariants::splitter(&data);
    })
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn every_saved_input_keeps_the_invariants() {
    let files = inputs("tests/fuzz_regressions");
    assert!(!files.is_empty());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| check(p).err().map(|e| format!("{}: {e}", p.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
