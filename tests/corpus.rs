//! Real `alembic upgrade --sql` outputs (tests/corpus/alembic) and the bundled example: every
//! statement accounted for, every finding tied to its revision and line, reports snapshotted.

use pgrisk::report::{json, text};
use pgrisk::{Options, Report, Source, analyze_sources};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/alembic");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7);
    files
}

fn analyse(path: &Path) -> (Source, Report) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let src = Source::from_bytes(name, std::fs::read(path).unwrap()).unwrap();
    let report =
        analyze_sources(std::slice::from_ref(&src), &Options::for_version(15)).expect("analysis");
    (src, report)
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Between statements there may only be whitespace, comments and empty statements (`;`).
fn is_gap(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if rest.is_empty() {
            return true;
        }
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else {
            return false;
        }
    }
}

#[test]
fn every_statement_is_accounted_for() {
    for path in corpus() {
        let (src, report) = analyse(&path);
        let s = &report.summary;
        assert_eq!(s.read, report.statements.len(), "{path:?}");
        assert_eq!(s.read, s.parsed + s.unparseable, "{path:?}");
        assert_eq!(s.parsed, s.classified + s.unknown, "{path:?}");
        // Statements appear in order, exactly as in the input, with nothing but gaps between.
        let mut at = 0;
        for st in &report.statements {
            let found = src.text[at..]
                .find(&st.sql)
                .map(|p| p + at)
                .unwrap_or_else(|| {
                    panic!("{path:?}: statement at line {} not found in order", st.line)
                });
            assert!(
                is_gap(&src.text[at..found]),
                "{path:?}: text dropped before line {}: {:?}",
                st.line,
                &src.text[at..found]
            );
            let pos = src.position(found);
            assert_eq!((pos.line, pos.column), (st.line, st.column), "{path:?}");
            at = found + st.sql.len();
        }
        assert!(is_gap(&src.text[at..]), "{path:?}: text dropped at the end");
    }
}

#[test]
fn findings_are_tied_to_revisions_and_lines() {
    for path in corpus() {
        let (src, report) = analyse(&path);
        let first_marker = src.text.find("-- Running upgrade").expect("alembic output");
        let marker_line = src.position(first_marker).line;
        for f in &report.findings {
            let st = &report.statements[f.statement];
            assert_eq!((f.line, f.column, &f.file), (st.line, st.column, &st.file));
            if f.line > marker_line {
                assert!(
                    f.revision.is_some(),
                    "{path:?}:{}: {} has no revision",
                    f.line,
                    f.rule
                );
            }
            assert_eq!(f.revision, st.revision);
            let sug = f
                .suggestion
                .render()
                .unwrap_or_else(|| panic!("{path:?}:{} {} has no suggestion", f.line, f.rule));
            for p in &sug.phases {
                for text in [&p.sql, &p.alembic] {
                    assert!(
                        !text.contains("{table}") && !text.contains("{column}"),
                        "{path:?}:{} {}: unfilled placeholder in {text}",
                        f.line,
                        f.rule
                    );
                }
            }
        }
    }
}

#[test]
fn printed_text_in_airflow_is_separated_from_sql() {
    let path = corpus()
        .into_iter()
        .find(|p| p.ends_with("airflow.sql"))
        .unwrap();
    let (_, report) = analyse(&path);
    let non_sql: Vec<_> = report
        .statements
        .iter()
        .filter(|s| s.kind == "non-sql-text")
        .collect();
    assert!(
        non_sql.iter().any(|s| s.sql == "processing batch 1"),
        "{non_sql:?}"
    );
    assert!(non_sql.iter().any(|s| {
        s.sql
            .contains("[warning  ] Unable to migrate DeadlineAlert")
    }));
    // The statements right after the printed text are analysed, not swallowed (a printed
    // docstring can hold several paragraphs of text in a row).
    for s in &non_sql {
        let next = &report.statements[s.index + 1];
        assert!(
            next.parsed || next.kind == "non-sql-text",
            "statement after line {} must parse: {}",
            s.line,
            next.sql
        );
    }
    let after_docstring = report
        .statements
        .iter()
        .find(|s| s.sql.contains("version_num='8812eb67b63c'"))
        .unwrap();
    assert_eq!(after_docstring.kind, "alembic");
    assert_eq!(report.summary.unparseable, non_sql.len());
}

/// One line per finding: enough to see every change in what pgrisk reports on real projects.
fn digest(report: &Report) -> String {
    let mut out = format!("{:?}\n", report.summary);
    for f in &report.findings {
        out.push_str(&format!(
            "{}:{} {} {} [{}]\n",
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.revision.as_deref().unwrap_or("-")
        ));
    }
    out
}

#[test]
fn corpus_findings_snapshot() {
    for path in corpus() {
        let (_, report) = analyse(&path);
        let name = format!("corpus-{}", path.file_stem().unwrap().to_str().unwrap());
        settings().bind(|| insta::assert_snapshot!(name, digest(&report)));
    }
}

#[test]
fn json_report_snapshot() {
    let path = corpus()
        .into_iter()
        .find(|p| p.ends_with("full-stack-fastapi-template.sql"))
        .unwrap();
    let (_, report) = analyse(&path);
    settings().bind(|| {
        insta::assert_snapshot!("json-full-stack-fastapi-template", json::render(&report))
    });
}

#[test]
fn example_reports_snapshot() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-upgrade.sql");
    let src =
        Source::from_bytes("examples/shop-upgrade.sql", std::fs::read(path).unwrap()).unwrap();
    let report = analyze_sources(&[src], &Options::for_version(15)).expect("analysis");
    let text = text::render(
        &report,
        &text::TextOptions {
            color: false,
            all: false,
            width: 120,
            verbose: false,
        },
    );
    settings().bind(|| {
        insta::assert_snapshot!("example-text", text);
        insta::assert_snapshot!("example-json", json::render(&report));
    });
}

#[test]
fn streamed_json_equals_the_in_memory_report() {
    // The CLI writes JSON as a stream (hand-written findings, pre-escaped recipes); the library
    // renders the Report with serde. Both must say exactly the same.
    for path in corpus() {
        let (src, report) = analyse(&path);
        let mut stream = pgrisk::report::json::JsonStream::begin(
            Vec::new(),
            15,
            std::slice::from_ref(&src.name),
        )
        .unwrap();
        let outcome = pgrisk::analyze::run(
            std::slice::from_ref(&src),
            &Options::for_version(15),
            &mut stream,
        )
        .expect("analysis");
        let bytes = stream.finish(&outcome.summary).unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let rendered: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
        assert!(
            streamed == rendered,
            "{path:?}: streamed JSON differs from the report"
        );
    }
}

/// The Markdown report is a pull-request comment: always under GitHub's 65,536-character limit,
/// on every corpus file and on an input with thousands of findings, which degrades and says so.
#[test]
fn markdown_fits_in_a_pull_request_comment() {
    use pgrisk::report::markdown;
    for path in corpus() {
        let (_, report) = analyse(&path);
        let md = markdown::render(&report);
        assert!(
            md.chars().count() < 65_536,
            "{path:?}: {}",
            md.chars().count()
        );
    }
    let mut sql = String::from("BEGIN;\n");
    for i in 0..3000 {
        sql.push_str(&format!(
            "-- Running upgrade r{i} -> r{}\nALTER TABLE t{i} ADD COLUMN c int DEFAULT (random() * 10)::int;\n",
            i + 1
        ));
    }
    sql.push_str("COMMIT;\n");
    let report = pgrisk::analyze_sql(&sql, &Options::for_version(15)).unwrap();
    assert!(report.findings.len() >= 3000);
    let md = markdown::render(&report);
    assert!(md.chars().count() < 65_536, "{}", md.chars().count());
    assert!(
        md.contains("left out") || md.contains("counted per rule"),
        "says what it left out"
    );
    assert!(
        md.contains("| revision | worst |"),
        "the summary is always there"
    );
    // The full form, with recipes and a lock timeline, when it fits.
    let (_, report) =
        analyse(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-upgrade.sql"));
    let md = markdown::render(&report);
    assert!(
        md.contains("```mermaid\ngantt") && md.contains("<details>"),
        "{md}"
    );
}

#[test]
fn gitlab_report_snapshot() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-upgrade.sql");
    let src =
        Source::from_bytes("examples/shop-upgrade.sql", std::fs::read(path).unwrap()).unwrap();
    let report = analyze_sources(&[src], &Options::for_version(15)).expect("analysis");
    let out = pgrisk::report::gitlab::render(&report);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(
        issues.len(),
        report.findings.iter().filter(|f| !f.ignored).count()
    );
    settings().bind(|| insta::assert_snapshot!("gitlab-shop-upgrade", out));
}

#[test]
fn fingerprints_survive_lines_moving_above() {
    // Ten blank and comment lines on top: every line moves, no fingerprint does.
    let padding = "\n-- moved\n\n/* a block\n comment */\n\n-- another\n\n\n\n";
    assert_eq!(padding.lines().count(), 10);
    for path in corpus() {
        let (_, before) = analyse(&path);
        let mut text = padding.to_string();
        text.push_str(&std::fs::read_to_string(&path).unwrap());
        let src = Source::new("moved.sql", text);
        let after = analyze_sources(&[src], &Options::for_version(15)).unwrap();
        assert_eq!(before.findings.len(), after.findings.len(), "{path:?}");
        let mut seen = std::collections::HashSet::new();
        for (a, b) in before.findings.iter().zip(&after.findings) {
            assert_eq!(a.rule, b.rule, "{path:?}");
            assert_eq!(a.line + 10, b.line, "{path:?}");
            assert_eq!(a.end_line + 10, b.end_line, "{path:?}");
            assert_eq!(a.fingerprint, b.fingerprint, "{path:?} line {}", a.line);
            assert!(
                seen.insert(&a.fingerprint),
                "{path:?}: repeated fingerprint"
            );
        }
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    // The SARIF 2.1.0 schema (rtm.5, as shipped in npm's @microsoft/jest-sarif; see
    // tests/sarif/README.md).
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif/sarif-2.1.0-rtm.5.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut paths = corpus();
    paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-upgrade.sql"));
    for path in paths {
        let (_, report) = analyse(&path);
        let sarif: serde_json::Value =
            serde_json::from_str(&pgrisk::report::ci::sarif(&report)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{path:?}: {errors:#?}");
        // The validator does look: a level SARIF does not know is refused.
        if !report.findings.is_empty() {
            let mut bad = sarif.clone();
            bad["runs"][0]["results"][0]["level"] = "fatal".into();
            assert!(!validator.is_valid(&bad), "{path:?}");
        }
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
        for (r, f) in results.iter().zip(&report.findings) {
            assert_eq!(r["partialFingerprints"]["pgrisk/v1"], *f.fingerprint);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["endLine"], f.end_line);
            assert_eq!(region["endColumn"], f.end_column + 1);
        }
    }
}

/// Every format on one corpus project as a CI gate sees it (production at its first revision,
/// the later ones under review), snapshotted so that a change in any renderer shows in review.
#[test]
fn every_format_snapshot_on_a_corpus_project() {
    use pgrisk::report::{ci, gitlab, html, markdown};
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/alembic/full-stack-fastapi-template.sql");
    let src = Source::from_bytes(
        "full-stack-fastapi-template.sql",
        std::fs::read(path).unwrap(),
    )
    .unwrap();
    let mut options = Options::for_version(15);
    options.since = vec!["e2412789c190".into()];
    let report = analyze_sources(&[src], &options).expect("analysis");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.severity == pgrisk::Severity::Error)
    );
    let text = text::render(
        &report,
        &text::TextOptions {
            color: false,
            all: false,
            width: 120,
            verbose: false,
        },
    );
    settings().bind(|| {
        insta::assert_snapshot!("format-text", text);
        insta::assert_snapshot!("format-json", json::render(&report));
        insta::assert_snapshot!("format-markdown", markdown::render(&report));
        insta::assert_snapshot!("format-sarif", ci::sarif(&report));
        insta::assert_snapshot!("format-github", ci::github(&report));
        insta::assert_snapshot!("format-gitlab", gitlab::render(&report));
        insta::assert_snapshot!("format-html", html::render(&report));
    });
}

/// Every format is written as the analysis goes (GitHub annotations, SARIF, GitLab Code
/// Quality, Markdown, HTML, the compact text report; JSON in its own test), identical to the
/// in-memory form.
#[test]
fn streamed_github_and_sarif_equal_the_in_memory_report() {
    let mut lines = 0;
    for path in corpus() {
        let (src, _) = analyse(&path);
        let mut stream = pgrisk::report::ci::GithubStream::new(Vec::new());
        let mut sarif = pgrisk::report::ci::SarifStream::begin(Vec::new()).unwrap();
        let mut gitlab = pgrisk::report::gitlab::GitlabStream::begin(Vec::new()).unwrap();
        let mut options = Options::for_version(15);
        // Some findings on every file: the later revisions under review.
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(first) = text
            .lines()
            .find_map(|l| l.strip_prefix("-- Running upgrade  -> "))
        {
            options.since = vec![first.trim().to_string()];
        }
        pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut stream).unwrap();
        pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut sarif).unwrap();
        pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut gitlab).unwrap();
        let streamed = String::from_utf8(stream.finish().unwrap()).unwrap();
        let report = analyze_sources(std::slice::from_ref(&src), &options).unwrap();
        let in_memory = pgrisk::report::ci::github(&report);
        assert_eq!(streamed, in_memory, "{path:?}");
        let sarif = String::from_utf8(sarif.finish().unwrap()).unwrap();
        assert_eq!(sarif, pgrisk::report::ci::sarif(&report), "{path:?}");
        let gitlab = String::from_utf8(gitlab.finish().unwrap()).unwrap();
        assert_eq!(gitlab, pgrisk::report::gitlab::render(&report), "{path:?}");
        let mut md = pgrisk::report::markdown::MarkdownStream::new(15);
        let outcome = pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut md).unwrap();
        assert_eq!(
            md.finish(&outcome.summary),
            pgrisk::report::markdown::render(&report),
            "{path:?} markdown"
        );
        let mut html = pgrisk::report::html::HtmlStream::begin(
            Vec::new(),
            15,
            std::slice::from_ref(&src.name),
        );
        let outcome =
            pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut html).unwrap();
        let streamed = String::from_utf8(html.finish(&outcome.summary).unwrap()).unwrap();
        assert_eq!(
            streamed,
            pgrisk::report::html::render(&report),
            "{path:?} html"
        );
        // The compact text report, as the CLI streams it, in each of its variants.
        for (all, color) in [(false, false), (true, false), (false, true)] {
            let opts = text::TextOptions {
                color,
                all,
                width: 120,
                verbose: false,
            };
            let mut stream = text::TextStream::begin(
                Vec::new(),
                opts.clone(),
                15,
                std::slice::from_ref(&src.name),
            );
            let outcome =
                pgrisk::analyze::run(std::slice::from_ref(&src), &options, &mut stream).unwrap();
            let streamed = String::from_utf8(stream.finish(&outcome.summary).unwrap()).unwrap();
            assert_eq!(streamed, text::render(&report, &opts), "{path:?} text");
        }
        lines += streamed.lines().count();
    }
    assert!(
        lines > 50,
        "{lines} annotations: the comparison covers real output"
    );
}
