//! Re-scores pgrisk against the blind audit in tests/audit/ (see its README): 409 statements
//! written without looking at pgrisk, whose relation locks and rewrites were observed on
//! PostgreSQL 11, 12, 14, 16 and 18. No server is needed: the observations are data.

use std::collections::BTreeMap;
use std::path::Path;

use pgrisk::{Options, analyze_sql};
use serde_json::Value;

const MAJORS: [u32; 5] = [11, 12, 14, 16, 18];
/// The share of statements whose claimed relation set (with modes) must equal the observed one.
const EXACT_FLOOR: f64 = 93.0;
/// The share whose rewrite verdict must agree (an emptied table counts as agreeing with
/// pgrisk's `empties`).
const REWRITE_FLOOR: f64 = 98.0;

const MODES: [&str; 8] = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

fn rank(mode: &str) -> usize {
    MODES.iter().position(|m| *m == mode).unwrap_or(0)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/audit")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("tests/audit/{name}: {e}"))
}

/// The audit's fixture on `major` (what needs 12 comes after a marker line).
fn fixture(major: u32) -> String {
    let all = read("fixture.sql");
    if major < 12 {
        all.split("\n-- @@ pg12+ @@\n")
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        all
    }
}

struct Score {
    statements: usize,
    exact: usize,
    rewrite: usize,
}

fn score(major: u32) -> (Score, Vec<String>) {
    let observed: BTreeMap<String, Value> =
        serde_json::from_str(&read(&format!("observed-{major}.json"))).unwrap();
    let kinds: BTreeMap<String, String> =
        serde_json::from_str(&read(&format!("kinds-{major}.json"))).unwrap();
    let fixture = fixture(major);
    let mut options = Options::for_version(major);
    options.since = vec!["fixture".into()];
    let mut s = Score {
        statements: 0,
        exact: 0,
        rewrite: 0,
    };
    let mut differences = Vec::new();
    for (n, o) in &observed {
        if o.get("error").is_some_and(|e| !e.is_null()) {
            continue;
        }
        s.statements += 1;
        let stmt = o["stmt"].as_str().unwrap();
        let input = format!(
            "-- Running upgrade  -> fixture\n{fixture}\n-- Running upgrade fixture -> s1\n{stmt}\n"
        );
        let report = analyze_sql(&input, &options).expect("analysis");
        let Some(last) = report
            .statements
            .iter()
            .rfind(|st| st.revision.as_deref() == Some("s1"))
        else {
            differences.push(format!("#{n} {stmt}: no statement"));
            continue;
        };
        let mut claimed: BTreeMap<String, &str> = BTreeMap::new();
        for l in &last.locks {
            let name = l.relation.name.to_lowercase();
            if kinds.get(&name).is_some_and(|k| k == "i" || k == "I") {
                continue;
            }
            let mode = MODES[rank(&format!("{:?}", l.mode))];
            let e = claimed.entry(name).or_insert(mode);
            if rank(mode) > rank(e) {
                *e = mode;
            }
        }
        let seen: BTreeMap<String, &str> = o["locks"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap()))
            .collect();
        if claimed == seen {
            s.exact += 1;
        } else {
            differences.push(format!(
                "#{n} {stmt}: observed {seen:?}, claimed {claimed:?}"
            ));
        }
        let rewritten = o["rewrite"].as_bool().unwrap();
        if rewritten == last.rewrite || (rewritten && last.empties) {
            s.rewrite += 1;
        }
    }
    (s, differences)
}

#[test]
fn claims_agree_with_the_blind_audit() {
    let mut failed = Vec::new();
    for major in MAJORS {
        let (s, differences) = score(major);
        let pct = |k: usize| 100.0 * k as f64 / s.statements as f64;
        println!(
            "PostgreSQL {major}: {} statements, exact relation set {:.1}%, rewrite verdict {:.1}%",
            s.statements,
            pct(s.exact),
            pct(s.rewrite)
        );
        for d in &differences {
            println!("  {d}");
        }
        if pct(s.exact) < EXACT_FLOOR || pct(s.rewrite) < REWRITE_FLOOR {
            failed.push(major);
        }
    }
    assert!(
        failed.is_empty(),
        "below the floor ({EXACT_FLOOR}% exact relation sets, {REWRITE_FLOOR}% rewrite verdicts) on {failed:?}"
    );
}
