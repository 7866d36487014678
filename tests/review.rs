//! The labelled review set (tests/review/, LABELLING.md): statements of 77 single revisions of
//! the seven corpus projects, labelled block / caution / fine by a DBA reading the SQL only,
//! before pgrisk's output was looked at. pgrisk is scored against the labels as a CI gate runs
//! it: the project's earlier revisions are history (`--since`), the revision under review runs
//! in its own transaction, as Alembic runs one migration.
//!
//! - error precision: statements pgrisk reports as error that are labelled block;
//! - error+warning precision: statements with an error or warning labelled block or caution;
//! - block recall: statements labelled block that pgrisk reports as error (what fails the gate).

use pgrisk::{Options, Report, Severity, Source, analyze_sources};
use std::collections::BTreeMap;
use std::path::Path;

struct Label {
    file: String,
    line: usize,
    label: String,
    rule: String,
    sql: String,
}

fn labels() -> Vec<Label> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/review/labels.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            Label {
                file: v["file"].as_str().unwrap().to_string(),
                line: v["line"].as_u64().unwrap() as usize,
                label: v["label"].as_str().unwrap().to_string(),
                rule: v["rule"].as_str().unwrap().to_string(),
                sql: v["sql"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// The revision file, after its project's earlier output as history: the input text, the
/// `--since` revisions, and how many lines precede the revision file.
fn with_history(file: &str) -> (String, Vec<String>, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let revision = std::fs::read_to_string(root.join("tests/review/revisions").join(file)).unwrap();
    let project = file.split('/').next().unwrap();
    let corpus =
        std::fs::read_to_string(root.join(format!("tests/corpus/alembic/{project}.sql"))).unwrap();
    let marker = revision
        .lines()
        .find(|l| l.starts_with("-- Running upgrade"))
        .expect("a revision marker");
    let at = corpus
        .find(&format!("{marker}\n"))
        .unwrap_or_else(|| panic!("{file}: marker {marker:?} not in the corpus file"));
    let history = &corpus[..at];
    let since: Vec<String> = history
        .lines()
        .filter_map(|l| l.strip_prefix("-- Running upgrade "))
        .filter_map(|l| l.split_once("->").map(|(_, to)| to.trim().to_string()))
        .collect();
    // Production is at the end of the history: its open transaction (if any) has committed.
    let text = format!("{history}COMMIT;\n{revision}");
    let offset = history.lines().count() + 1;
    (text, since, offset)
}

/// pgrisk's verdict per labelled statement: the most severe finding about it (ignored ones aside).
fn verdicts(history: bool) -> Vec<(Label, Option<Severity>)> {
    let mut by_file: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    for l in labels() {
        by_file.entry(l.file.clone()).or_default().push(l);
    }
    let mut out = Vec::new();
    for (file, labels) in by_file {
        let (text, since, offset) = if history {
            with_history(&file)
        } else {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let t =
                std::fs::read_to_string(root.join("tests/review/revisions").join(&file)).unwrap();
            (t, vec![], 0)
        };
        let mut options = Options::for_version(15);
        options.since = since;
        let report: Report =
            analyze_sources(&[Source::new(&file, text)], &options).expect("analysis");
        for l in labels {
            let line = l.line + offset;
            let st = report
                .statements
                .iter()
                .find(|s| s.line == line)
                .unwrap_or_else(|| panic!("{file}:{}: no statement at line {line}", l.line));
            // Its own findings, and findings that name it among the statements they are about
            // (lock-held-across-statements lists every statement whose lock is extended).
            let worst = report
                .findings
                .iter()
                .filter(|f| {
                    !f.ignored && (f.statement == st.index || f.related.contains(&st.index))
                })
                .map(|f| f.severity)
                .max();
            out.push((l, worst));
        }
    }
    out
}

struct Score {
    error_precision: f64,
    warning_precision: f64,
    block_recall: f64,
    errors: usize,
    flagged: usize,
    blocks: usize,
}

fn score(v: &[(Label, Option<Severity>)]) -> Score {
    let errors: Vec<_> = v
        .iter()
        .filter(|(_, s)| *s == Some(Severity::Error))
        .collect();
    let flagged: Vec<_> = v
        .iter()
        .filter(|(_, s)| *s >= Some(Severity::Warning))
        .collect();
    let blocks: Vec<_> = v.iter().filter(|(l, _)| l.label == "block").collect();
    let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    Score {
        error_precision: ratio(
            errors.iter().filter(|(l, _)| l.label == "block").count(),
            errors.len(),
        ),
        warning_precision: ratio(
            flagged.iter().filter(|(l, _)| l.label != "fine").count(),
            flagged.len(),
        ),
        block_recall: ratio(
            blocks
                .iter()
                .filter(|(_, s)| *s == Some(Severity::Error))
                .count(),
            blocks.len(),
        ),
        errors: errors.len(),
        flagged: flagged.len(),
        blocks: blocks.len(),
    }
}

fn describe(name: &str, s: &Score) -> String {
    format!(
        "{name}: error precision {:.1}% (of {} errors), error+warning precision {:.1}% (of {} flagged), block recall {:.1}% (of {} block)",
        100.0 * s.error_precision,
        s.errors,
        100.0 * s.warning_precision,
        s.flagged,
        100.0 * s.block_recall,
        s.blocks
    )
}

/// Where pgrisk and the labels disagree, for a reader improving a rule.
fn disagreements(v: &[(Label, Option<Severity>)]) -> String {
    let mut out = String::new();
    for (l, s) in v {
        let wrong = match (l.label.as_str(), s) {
            ("block", Some(Severity::Error)) => false,
            ("block", _) => true,
            ("caution", Some(Severity::Error)) => true,
            ("fine", Some(Severity::Error | Severity::Warning)) => true,
            _ => false,
        };
        if wrong {
            out.push_str(&format!(
                "  {}:{} label {} ({}), pgrisk {}: {}\n",
                l.file,
                l.line,
                l.label,
                l.rule,
                s.map_or("nothing", |s| s.as_str()),
                l.sql
            ));
        }
    }
    out
}

#[test]
fn the_review_set_is_large_enough() {
    let l = labels();
    let revisions: std::collections::BTreeSet<&str> = l.iter().map(|l| l.file.as_str()).collect();
    let projects: std::collections::BTreeSet<&str> = revisions
        .iter()
        .map(|f| f.split('/').next().unwrap())
        .collect();
    assert!(l.len() >= 300, "{} labelled statements", l.len());
    assert!(revisions.len() >= 50, "{} revisions", revisions.len());
    assert_eq!(projects.len(), 7, "{projects:?}");
}

#[test]
fn pgrisk_agrees_with_the_dba_labels() {
    let v = verdicts(true);
    let s = score(&v);
    let alone = score(&verdicts(false));
    eprintln!("{}", describe("with history (--since)", &s));
    eprintln!("{}", describe("revision alone", &alone));
    eprintln!("disagreements:\n{}", disagreements(&v));
    // The targets (README, "How good the verdicts are"): a change that makes pgrisk agree less
    // with a careful DBA fails here.
    let floor = (0.95, 0.95, 0.98);
    assert!(
        s.error_precision >= floor.0 && s.warning_precision >= floor.1 && s.block_recall >= floor.2,
        "{}",
        describe("with history", &s)
    );
}

/// Every revision of every corpus project, as a PR adds it: the project's earlier output as
/// history, the revision in its own transaction. How many would fail the default gate (an
/// error) and how many carry at least a warning: the README's "gate" figures.
#[test]
fn the_gate_on_every_corpus_revision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/alembic");
    let (mut revisions, mut failing, mut warned) = (0, 0, 0);
    let mut rules: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        // Byte offsets of the revision markers.
        let mut starts: Vec<usize> = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            if line.starts_with("-- Running upgrade ") {
                starts.push(at);
            }
            at += line.len();
        }
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            // The revision's own text, without the file's trailing COMMIT / segment boundaries.
            let body = text[start..end].trim_end();
            let body = body
                .strip_suffix("COMMIT;")
                .map_or(body, str::trim_end)
                .trim_end_matches("COMMIT;\n\nBEGIN;")
                .trim_end();
            let history = &text[..start];
            let since: Vec<String> = history
                .lines()
                .filter_map(|l| l.strip_prefix("-- Running upgrade "))
                .filter_map(|l| l.split_once("->").map(|(_, to)| to.trim().to_string()))
                .collect();
            let input = format!("{history}COMMIT;\nBEGIN;\n{body}\nCOMMIT;\n");
            let mut options = Options::for_version(15);
            options.since = since;
            let report = analyze_sources(&[Source::new("rev.sql", input)], &options).unwrap();
            revisions += 1;
            for f in report
                .findings
                .iter()
                .filter(|f| !f.ignored && f.severity >= Severity::Warning)
            {
                *rules.entry((f.severity, f.rule.as_str())).or_insert(0usize) += 1;
            }
            match report.max_severity() {
                Some(Severity::Error) => {
                    failing += 1;
                    warned += 1;
                }
                Some(Severity::Warning) => warned += 1,
                _ => {}
            }
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / revisions as f64;
    eprintln!(
        "{revisions} revisions: {failing} ({:.0}%) fail the default gate, {warned} ({:.0}%) carry a warning or an error",
        pct(failing),
        pct(warned)
    );
    eprintln!("findings by rule: {rules:?}");
    assert!(revisions > 550, "{revisions} revisions");
    // Ceilings a little above the figures in the README: noisier verdicts fail here.
    assert!(
        pct(failing) <= 30.0 && pct(warned) <= 80.0,
        "{:.0}% {:.0}%",
        pct(failing),
        pct(warned)
    );
}
