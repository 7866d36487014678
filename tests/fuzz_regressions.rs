//! Every input the fuzzers (fuzz/) found, kept in tests/fuzz_regressions/, re-checked with the
//! fuzz targets' own invariants (fuzz/src/lib.rs) on stable, in the normal test suite.
//! Inputs under tests/fuzz_regressions/open/ show bugs not fixed yet, checked by ignored tests.

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

/// Recovery after a failed chunk re-splits its rest from a line start, where the quotes pair up
/// differently than they did for the whole chunk: `oops 'x⏎SELECT 1; -- it's; SELECT 2;`
/// (`open/recovery-relexes-minimal.sql`) is reported as `oops 'x`, `SELECT 1;`, `SELECT 2;`, and
/// the ` -- it's;` between the last two is in no statement and is no complete comment either (for
/// the re-split, that comment runs to the end of the line and swallows `SELECT 2;`). The other
/// inputs in `open/` are the fuzzer's, showing the same.
#[test]
#[ignore = "pgrisk bug: parse.rs recovery lexes the rest of a failed chunk differently than the splitter did, and text between two statements is then neither a statement nor a comment"]
fn open_recovery_relexes_a_quoted_line() {
    let failures: Vec<String> = inputs("tests/fuzz_regressions/open")
        .iter()
        .filter_map(|p| check(p).err().map(|e| format!("{}: {e}", p.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
