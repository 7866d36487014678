//! The default text report is short (issue 12): a table of the statements that matter, one
//! compact block per finding, each recipe once; `--verbose` keeps the full form.

use pgrisk::report::text;
use pgrisk::{Options, Report, Severity, Source, analyze_sources};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/alembic")
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7);
    files
}

fn analyse_named(name: &str, text: Vec<u8>) -> Report {
    let src = Source::from_bytes(name, text).unwrap();
    analyze_sources(&[src], &Options::for_version(15)).expect("analysis")
}

/// Every corpus file and the example, plus small inputs for the corner cases of the table.
fn inputs() -> Vec<(String, Report)> {
    let mut out: Vec<(String, Report)> = corpus()
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let report = analyse_named(&name, std::fs::read(p).unwrap());
            (name, report)
        })
        .collect();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-upgrade.sql");
    out.push((
        "examples/shop-upgrade.sql".into(),
        analyse_named("examples/shop-upgrade.sql", std::fs::read(example).unwrap()),
    ));
    // An error whose lock blocks neither reads nor writes (CREATE INDEX CONCURRENTLY in a
    // transaction block), one on a statement without locks (not SQL), and one rule on several
    // tables and several statements of one table.
    let odd = "BEGIN;\nCREATE INDEX CONCURRENTLY ix_a ON t (a);\nCOMMIT;\n\
               processing batch 1\n\
               BEGIN;\nALTER TABLE a ALTER COLUMN x TYPE bigint;\nALTER TABLE a ALTER COLUMN y TYPE bigint;\n\
               ALTER TABLE b ALTER COLUMN x TYPE bigint;\nCOMMIT;\n";
    out.push(("odd.sql".into(), analyse_named("odd.sql", odd.into())));
    out
}

fn render(report: &Report, verbose: bool, all: bool) -> String {
    text::render(
        report,
        &text::TextOptions {
            color: false,
            all,
            width: 120,
            verbose,
        },
    )
}

/// Byte counts of `pgrisk FILE` (text format, no option, stdout a pipe) before issue 12, for
/// the files of tests/corpus/alembic (identical to ../shared/corpus/alembic). Measured with the
/// release build of commit 462dfee, run in that directory with the file name as the argument:
/// `cd tests/corpus/alembic && pgrisk FILE | wc -c`.
const BASELINE: &[(&str, usize)] = &[
    ("airflow.sql", 26_211),
    ("ctfd.sql", 195_937),
    ("full-stack-fastapi-template.sql", 5_817),
    ("mlflow.sql", 158_168),
    ("polar.sql", 64_014),
    ("prefect.sql", 517_334),
    ("superset.sql", 806_470),
];

fn cli(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("pgrisk runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn default_text_is_at_most_a_quarter_of_the_old_report() {
    let files = corpus();
    assert_eq!(files.len(), BASELINE.len());
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (_, before) = BASELINE
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no baseline for {name}"));
        let now = cli(&corpus_dir(), &[name]).len();
        let verbose = cli(&corpus_dir(), &["--verbose", name]).len();
        assert!(
            now * 4 <= *before,
            "{name}: the default report is {now} bytes, more than a quarter of {before}"
        );
        assert!(now <= verbose, "{name}: {now} > --verbose {verbose}");
    }
}

/// The code blocks of the recipes of a report's findings, as the text report indents them.
fn recipe_blocks(report: &Report) -> Vec<String> {
    let mut blocks = Vec::new();
    for f in &report.findings {
        let Some(s) = f.suggestion.render() else {
            continue;
        };
        for p in &s.phases {
            for code in [&p.sql, &p.alembic] {
                if code.lines().count() > 1 {
                    blocks.push(code.lines().map(|l| format!("       {l}\n")).collect());
                }
            }
        }
    }
    blocks.sort();
    blocks.dedup();
    blocks
}

#[test]
fn no_recipe_text_repeats_in_the_default_report() {
    let mut repeated_in_verbose = 0;
    let mut shown = 0;
    for (name, report) in inputs() {
        let short = render(&report, false, false);
        let long = render(&report, true, false);
        for block in recipe_blocks(&report) {
            let n = short.matches(&block).count();
            assert!(
                n <= 1,
                "{name}: recipe text printed {n} times in the default report:\n{block}"
            );
            shown += n;
            if long.matches(&block).count() > 1 {
                repeated_in_verbose += 1;
            }
        }
    }
    // The check sees recipes, and would see a repeat: --verbose repeats them.
    assert!(shown > 10, "{shown}");
    assert!(repeated_in_verbose > 0);
}

/// One row of the default table: the line, the severity and the lock cell.
struct Row {
    line: usize,
    severity: String,
    locks: String,
}

/// The rows of the default report's table, cut at the header's column offsets.
fn table_rows(out: &str) -> Vec<Row> {
    let mut lines = out.lines();
    let Some(header) = lines.next().filter(|h| h.starts_with("line ")) else {
        return Vec::new();
    };
    let col = |name: &str| header[..header.find(name).unwrap()].chars().count();
    let (sev, effect, locks) = (col("severity"), col("effect"), col("locks"));
    lines
        .take_while(|l| !l.is_empty() && !l.starts_with("what each lock"))
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            let cell = |from: usize, to: usize| -> String {
                chars[from.min(chars.len())..to.min(chars.len())]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string()
            };
            Row {
                line: cell(0, sev)
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap(),
                severity: cell(sev, effect),
                locks: cell(locks, chars.len()),
            }
        })
        .collect()
}

/// Each row's statement (rows are in input order; several statements can share a line) and
/// its most severe finding, ignored findings aside.
fn rows_with_statements<'a>(
    report: &'a Report,
    rows: &'a [Row],
) -> Vec<(&'a Row, usize, Option<Severity>)> {
    let mut at = 0;
    rows.iter()
        .map(|row| {
            while report.statements[at].line != row.line {
                at += 1;
            }
            let worst = report
                .findings
                .iter()
                .filter(|f| f.statement == at && !f.ignored)
                .map(|f| f.severity)
                .max();
            at += 1;
            (row, at - 1, worst)
        })
        .collect()
}

#[test]
fn row_severity_is_the_most_severe_finding_of_its_statement() {
    let mut rows_seen = 0;
    for (name, report) in inputs() {
        for all in [false, true] {
            let out = render(&report, false, all);
            let rows = table_rows(&out);
            for (row, st, worst) in rows_with_statements(&report, &rows) {
                assert_eq!(
                    row.severity,
                    worst.map_or("-", |s| s.as_str()),
                    "{name} (all: {all}): statement at line {} (index {st})",
                    row.line
                );
            }
            // Every statement with a finding above info is a row.
            let listed: Vec<usize> = rows_with_statements(&report, &rows)
                .iter()
                .map(|(_, st, _)| *st)
                .collect();
            for f in report
                .findings
                .iter()
                .filter(|f| !f.ignored && f.severity > Severity::Info)
            {
                assert!(
                    listed.contains(&f.statement),
                    "{name}: the statement of {} at line {} is not in the table",
                    f.rule,
                    f.line
                );
            }
            rows_seen += rows.len();
        }
    }
    assert!(rows_seen > 100, "{rows_seen}");
}

#[test]
fn an_error_beside_a_lock_that_blocks_nothing_says_why() {
    let mut exercised = 0;
    for (name, report) in inputs() {
        let out = render(&report, false, false);
        for row in table_rows(&out) {
            if row.severity != "error" {
                continue;
            }
            let blocks_traffic = row.locks.contains("blocks reads")
                || row.locks.contains("blocks writes")
                || row.locks.contains(" writes");
            if !blocks_traffic {
                exercised += 1;
                assert!(
                    row.locks.contains("(see the finding)"),
                    "{name}: error at line {} beside {:?}",
                    row.line,
                    row.locks
                );
            }
            assert!(
                !row.locks.contains("blocks nothing") || row.locks.contains("(see the finding)"),
                "{name}: error at line {} beside {:?}",
                row.line,
                row.locks
            );
        }
    }
    assert!(exercised >= 1, "the inputs have such an error: {exercised}");
}

/// Every finding shown has its block: position, severity, rule and message on one line, then
/// the fix on one line; the recipe once per rule, later findings on other tables say which.
#[test]
fn every_finding_has_a_compact_block_with_its_fix() {
    for (name, report) in inputs() {
        let out = render(&report, false, false);
        let lines: Vec<&str> = out.lines().collect();
        let mut from = 0;
        for f in report
            .findings
            .iter()
            .filter(|f| !f.ignored && f.severity > Severity::Info)
        {
            let head = format!("{}: {} [{}] ", f.position(), f.severity.as_str(), f.rule);
            let i = from
                + lines[from..]
                    .iter()
                    .position(|l| l.starts_with(&head))
                    .unwrap_or_else(|| panic!("{name}: no block for {head}"));
            let first_sentence = f.message.split(". ").next().unwrap();
            assert!(
                lines[i].contains(first_sentence.trim_end_matches('.')),
                "{name}: {}",
                lines[i]
            );
            if f.suggestion.render().is_some() {
                assert!(
                    lines[i + 1].starts_with("  fix: "),
                    "{name}: {}",
                    lines[i + 1]
                );
            }
            from = i + 1;
        }
    }
    // The recipe of a rule is printed once; another table's finding names its table.
    let mlflow = inputs()
        .into_iter()
        .find(|(n, _)| n == "mlflow.sql")
        .unwrap()
        .1;
    let out = render(&mlflow, false, false);
    assert_eq!(out.matches("  1. expand: add value_new of type").count(), 1);
    assert!(
        out.contains("(recipe at line 24, with table tags, column value)"),
        "{out}"
    );
    let odd = inputs().pop().unwrap().1;
    let out = render(&odd, false, false);
    assert!(out.contains("(recipe at line 6, with column y)"), "{out}");
    assert!(
        out.contains("(recipe at line 6, with table b, column x)"),
        "{out}"
    );
}

/// `--verbose` keeps the full form: the bordered table, every finding's statement and its
/// whole recipe.
#[test]
fn verbose_keeps_the_full_form() {
    for (name, report) in inputs() {
        let long = render(&report, true, false);
        let shown: Vec<_> = report
            .findings
            .iter()
            .filter(|f| !f.ignored && f.severity > Severity::Info)
            .collect();
        if !shown.is_empty() {
            assert!(long.starts_with('┌'), "{name}");
        }
        for f in shown {
            if let Some(s) = f.suggestion.render() {
                let first = s.phases[0].sql.lines().next().unwrap_or("");
                assert!(long.contains(first), "{name}: {first}");
            }
            assert!(long.contains(&f.message), "{name}: {}", f.message);
        }
    }
}
