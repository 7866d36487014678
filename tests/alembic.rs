//! Runs real Alembic (pinned, from PyPI, in a virtualenv made by scripts/alembic-venv.sh) on the
//! fixture project tests/alembic_project, and checks `pgrisk::migrations` against its output:
//! every revision in the output is mapped to its file, and every statement to the `op.*` call
//! that produced it.
//!
//! Nothing is skipped: without Python or PyPI these tests fail, saying what is missing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use pgrisk::migrations::{Direction, Location, Receiver, Script, ScriptIndex, StatementHint, Verb};

const PROJECT: &str = "tests/alembic_project";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's bin folder (created on first use).
fn alembic_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/alembic-venv.sh"))
            .current_dir(root())
            .stdin(Stdio::null())
            .output()
            .expect("cannot run bash scripts/alembic-venv.sh");
        assert!(
            out.status.success(),
            "scripts/alembic-venv.sh could not create the Alembic virtualenv (needs python3 with \
             venv and pip, and PyPI): {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        assert!(
            bin.join("alembic").is_file(),
            "scripts/alembic-venv.sh printed {}, which holds no alembic",
            bin.display()
        );
        bin
    })
}

/// `alembic <args>` in the fixture project; its stdout.
fn alembic(args: &[&str]) -> String {
    let bin = alembic_bin();
    let out = Command::new(bin.join("alembic"))
        .args(args)
        .current_dir(root().join(PROJECT))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("cannot run alembic");
    assert!(
        out.status.success(),
        "alembic {} failed: {}\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("alembic output is UTF-8")
}

/// The index, discovered the way a user in the repository root would pass it.
fn index() -> ScriptIndex {
    // Integration tests run in the package root, so paths come out relative to it.
    assert_eq!(std::env::current_dir().unwrap(), root());
    let index = ScriptIndex::discover(Path::new(PROJECT)).expect("discover the fixture project");
    assert!(index.problems().is_empty(), "{:?}", index.problems());
    assert_eq!(
        index.version_dirs(),
        [PathBuf::from("tests/alembic_project/migrations/versions")]
    );
    index
}

/// One `-- Running upgrade A, B -> C` section of the output.
#[derive(Debug)]
struct Section {
    direction: Direction,
    /// The revisions left of the arrow and right of it.
    from: Vec<String>,
    to: Vec<String>,
    /// (1-based line in the output, statement text without the `;`).
    statements: Vec<(usize, String)>,
}

impl Section {
    /// The revision whose script runs: the target of an upgrade, the source of a downgrade.
    fn revision(&self) -> &str {
        match self.direction {
            Direction::Upgrade => &self.to[0],
            Direction::Downgrade => &self.from[0],
        }
    }
}

/// Splits Alembic's offline output into sections. Alembic ends every statement with `;` at the
/// end of a line, and separates them with blank lines.
fn sections(output: &str) -> Vec<Section> {
    let revisions = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut out: Vec<Section> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in output.lines().enumerate() {
        let marker = line
            .strip_prefix("-- Running upgrade ")
            .map(|r| (Direction::Upgrade, r))
            .or_else(|| {
                line.strip_prefix("-- Running downgrade ")
                    .map(|r| (Direction::Downgrade, r))
            });
        if let Some((direction, rest)) = marker {
            let (from, to) = rest.split_once(" -> ").expect("an arrow in the marker");
            out.push(Section {
                direction,
                from: revisions(from),
                to: revisions(to),
                statements: Vec::new(),
            });
            continue;
        }
        if line.trim().is_empty() && current.is_none() {
            continue;
        }
        let (_, text) = current.get_or_insert_with(|| (i + 1, String::new()));
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(line);
        if line.trim_end().ends_with(';') {
            let (start, mut text) = current.take().unwrap();
            text.truncate(text.trim_end().len() - 1);
            if let Some(section) = out.last_mut() {
                section.statements.push((start, text));
            }
        }
    }
    assert!(current.is_none(), "unterminated statement: {current:?}");
    out
}

fn is_bookkeeping(sql: &str) -> bool {
    sql.contains("alembic_version") || matches!(sql, "BEGIN" | "COMMIT")
}

/// What pgrisk's SQL facts would say about a statement Alembic generated: a small classifier
/// for the statements of this fixture, enough to fill a hint.
fn hint(sql: &str) -> StatementHint<'_> {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
    let up: Vec<&str> = upper.iter().map(String::as_str).collect();
    let h = |verb| StatementHint::new(sql, verb);
    match up.as_slice() {
        ["CREATE", "TABLE", ..] => h(Verb::CreateTable).table(words[2]),
        ["CREATE", "UNIQUE", "INDEX", ..] | ["CREATE", "INDEX", ..] => {
            let mut at = up.iter().position(|w| *w == "INDEX").unwrap() + 1;
            if up[at] == "CONCURRENTLY" {
                at += 1;
            }
            let mut hint = h(Verb::CreateIndex).table(words[at + 2]).name(words[at]);
            for column in &words[at + 3..] {
                hint = hint.name(column);
            }
            hint
        }
        ["DROP", "INDEX", ..] => {
            let name = if up[2] == "CONCURRENTLY" {
                words[3]
            } else {
                words[2]
            };
            h(Verb::DropIndex).name(name)
        }
        ["DROP", "TABLE", ..] => h(Verb::DropTable).table(words[2]),
        ["ALTER", "TABLE", _, action, kind, _, ..] => {
            let table = words[2];
            let verb = match (*action, *kind) {
                ("ADD", "COLUMN") => Verb::AddColumn,
                ("DROP", "COLUMN") => Verb::DropColumn,
                ("ALTER", "COLUMN") => Verb::AlterColumn,
                ("ADD", "CONSTRAINT") => Verb::AddConstraint,
                ("DROP", "CONSTRAINT") => Verb::DropConstraint,
                _ => Verb::Other,
            };
            let mut hint = h(verb).table(table).name(words[5]);
            if verb == Verb::AddConstraint
                && let Some(fk) = up.iter().position(|w| w.starts_with("KEY"))
            {
                // FOREIGN KEY(invoice_id): the column is the word after KEY.
                hint = hint.name(words[fk + 1]);
            }
            hint
        }
        ["UPDATE", ..] => h(Verb::Execute).table(words[1]),
        _ => h(Verb::Other),
    }
}

/// The text of a 1-based line of a script.
fn line_text(script: &Script, line: u32) -> String {
    let text = std::fs::read_to_string(&script.path).unwrap();
    text.lines()
        .nth(line as usize - 1)
        .unwrap_or_else(|| panic!("{} has no line {line}", script.path.display()))
        .to_string()
}

/// Checks one run: markers, revision → file, statement → op call. Returns, per revision, the
/// located lines' text, for the callers' specific expectations.
fn check_run(
    index: &ScriptIndex,
    output: &str,
    expected: &[&str],
) -> HashMap<String, Vec<(String, Location, String)>> {
    let sections = sections(output);
    let seen: Vec<&str> = sections.iter().map(Section::revision).collect();
    assert_eq!(
        seen.iter().copied().collect::<BTreeSet<_>>(),
        expected.iter().copied().collect::<BTreeSet<_>>(),
        "the revisions this run's markers name"
    );
    assert_eq!(
        seen.len(),
        expected.len(),
        "one marker per revision: {seen:?}"
    );

    let mut located = HashMap::new();
    for section in &sections {
        let revision = section.revision();
        let script = index
            .get(revision)
            .unwrap_or_else(|| panic!("revision {revision} of the output has no script"));
        // The right file: Alembic's default file_template is %(rev)s_%(slug)s.
        let file = script.path.file_name().unwrap().to_str().unwrap();
        assert!(
            file.starts_with(&format!("{revision}_")),
            "{revision} mapped to {}",
            script.path.display()
        );
        assert!(
            script
                .path
                .starts_with("tests/alembic_project/migrations/versions")
        );
        assert!(script.path.is_file());
        // The marker's other side is the script's down_revision.
        let parents = match section.direction {
            Direction::Upgrade => &section.from,
            Direction::Downgrade => &section.to,
        };
        let mut down = script.down_revisions.clone();
        down.sort();
        let mut parents = parents.clone();
        parents.sort();
        assert_eq!(parents, down, "down_revision of {revision}");

        let function = script.function(section.direction).unwrap();
        let mut cursor = 0;
        let mut lines = Vec::new();
        for (output_line, sql) in &section.statements {
            if is_bookkeeping(sql) {
                continue;
            }
            let location = script.locate(section.direction, &hint(sql), &mut cursor);
            let text = line_text(script, location.line);
            assert!(
                location.matched,
                "output line {output_line}: no call found for {sql:?} in {} ({location:?})",
                script.path.display()
            );
            // The line holds the op.* call; a call in a helper is reached from a line of the
            // function that holds the helper's call.
            assert!(
                text.trim_start().starts_with("op.") || text.trim_start().starts_with("batch_op."),
                "output line {output_line}: {sql:?} located at {}:{}: {text:?}",
                script.path.display(),
                location.line
            );
            let in_function = location.via.unwrap_or(location.line);
            assert!(
                (function.line..=function.end_line).contains(&in_function),
                "{sql:?}: line {in_function} is outside {}() at {}..{}",
                if section.direction == Direction::Upgrade {
                    "upgrade"
                } else {
                    "downgrade"
                },
                function.line,
                function.end_line
            );
            lines.push((sql.clone(), location, text));
        }
        located.insert(revision.to_string(), lines);
    }
    located
}

/// Every revision, in the order `alembic history` gives them (base first).
const ALL: [&str; 8] = [
    "794141fe39f1",
    "25652aaf3252",
    "4e7b9edd518f",
    "820b29a728ef",
    "c76c34afdc20",
    "22d1e9bda98c",
    "1948f2bcd867",
    "748036a02dea",
];

#[test]
fn upgrade_head_maps_every_statement_to_its_op_call() {
    let index = index();
    assert_eq!(index.len(), ALL.len());
    let output = alembic(&["upgrade", "head", "--sql"]);
    let located = check_run(&index, &output, &ALL);

    // Every op.execute statement is located on its op.execute line.
    let executes: Vec<&(String, Location, String)> = located
        .values()
        .flatten()
        .filter(|(sql, _, _)| sql.starts_with("UPDATE orders") || sql.contains("VALIDATE"))
        .collect();
    assert_eq!(executes.len(), 4, "{executes:#?}");
    for (sql, _, text) in &executes {
        assert!(text.contains("op.execute("), "{sql:?} located at {text:?}");
    }

    // Calls that emit several statements, batch and autocommit operations, helpers.
    let at = |revision: &str, prefix: &str| -> (Location, String) {
        let (_, location, text) = located[revision]
            .iter()
            .find(|(sql, _, _)| sql.starts_with(prefix))
            .unwrap_or_else(|| panic!("{revision}: no statement starts with {prefix:?}"));
        (*location, text.trim().to_string())
    };
    let script = |revision: &str| index.get(revision).unwrap();
    let (orders, _) = at("794141fe39f1", "CREATE TABLE orders");
    let (inline, text) = at("794141fe39f1", "CREATE INDEX ix_orders_customer_id");
    assert_eq!(
        inline, orders,
        "the index=True index comes from op.create_table"
    );
    assert_eq!(text, "op.create_table(");
    assert_ne!(at("794141fe39f1", "CREATE TABLE customers").0, orders);

    let (notes, text) = at("25652aaf3252", "ALTER TABLE orders ADD COLUMN notes");
    assert_eq!((notes.line, text.as_str()), (23, "op.add_column("));
    assert!(
        at("25652aaf3252", "ALTER TABLE orders ADD COLUMN status")
            .1
            .contains("'status'")
    );

    let (concurrently, text) = at("820b29a728ef", "CREATE INDEX CONCURRENTLY");
    assert_eq!(text, "op.create_index(");
    let op = &script("820b29a728ef").upgrade.as_ref().unwrap().ops[0];
    assert!(op.autocommit && op.line == concurrently.line);

    let batch = Receiver::Batch {
        table: Some("customers".into()),
    };
    let ops = &script("c76c34afdc20").upgrade.as_ref().unwrap().ops;
    assert_eq!(ops.len(), 3);
    assert!(
        ops.iter()
            .all(|o| o.receiver == batch && o.table.as_deref() == Some("customers"))
    );
    let (_, text) = at("c76c34afdc20", "ALTER TABLE customers ALTER COLUMN email");
    assert_eq!(text, "batch_op.alter_column(");
    let (_, text) = at("c76c34afdc20", "ALTER TABLE customers ADD CONSTRAINT");
    assert!(text.starts_with("batch_op.create_unique_constraint("));

    let (fk, text) = at("22d1e9bda98c", "ALTER TABLE orders ADD CONSTRAINT");
    assert_eq!(text, "op.create_foreign_key(");
    assert!(fk.via.is_none());

    let widen = script("748036a02dea");
    let (helper, text) = at(
        "748036a02dea",
        "ALTER TABLE orders ALTER COLUMN total_cents",
    );
    assert_eq!(text, "op.alter_column(");
    let via = helper.via.expect("reached through the helper");
    assert_eq!(
        line_text(widen, via).trim(),
        "_widen_to_bigint(\"orders\", \"total_cents\")"
    );
    assert!(helper.line < widen.upgrade.as_ref().unwrap().line);

    // The merge has no statements of its own; its downgrades are no-ops, one justified.
    assert!(located["1948f2bcd867"].is_empty());
    assert!(script("1948f2bcd867").is_merge());
    let backfill = script("4e7b9edd518f").downgrade.as_ref().unwrap();
    assert!(backfill.is_noop && backfill.comment.is_some());
    let unjustified = widen.downgrade.as_ref().unwrap();
    assert!(unjustified.is_noop && unjustified.comment.is_none());
}

#[test]
fn upgrade_from_the_branch_point_and_downgrade_back() {
    let index = index();
    // From the branch point: the two branches, the merge and what follows it.
    let output = alembic(&["upgrade", "820b29a728ef:head", "--sql"]);
    check_run(&index, &output, &ALL[4..]);

    // And back: downgrade() of the same revisions.
    let output = alembic(&["downgrade", "748036a02dea:820b29a728ef", "--sql"]);
    let located = check_run(&index, &output, &ALL[4..]);
    let texts: Vec<&str> = located["22d1e9bda98c"]
        .iter()
        .map(|(_, _, text)| text.trim())
        .collect();
    assert_eq!(
        texts,
        [
            "op.drop_constraint(\"fk_orders_invoice_id\", \"orders\", type_=\"foreignkey\")",
            "op.drop_column(\"orders\", \"invoice_id\")",
            "op.drop_table(\"invoices\")",
        ]
    );
    let batch: Vec<&str> = located["c76c34afdc20"]
        .iter()
        .map(|(_, _, text)| text.trim())
        .collect();
    assert_eq!(
        batch,
        [
            "batch_op.drop_constraint(\"uq_customers_display_name\", type_=\"unique\")",
            "batch_op.alter_column(",
            "batch_op.drop_column(\"display_name\")",
        ]
    );
}

#[test]
fn unmatched_statements_fall_back_to_the_def_line() {
    let index = index();
    let script = index.get("4e7b9edd518f").unwrap();
    let mut cursor = 0;
    let hint = StatementHint::new("UPDATE orders SET status = 'lost'", Verb::Execute);
    let location = script.locate(Direction::Upgrade, &hint, &mut cursor);
    assert!(!location.matched);
    assert_eq!(line_text(script, location.line), "def upgrade() -> None:");
    assert_eq!(cursor, 0);
}

/// pgrisk on real `alembic … --sql` output of the fixture, with `--alembic-dir`: JSON findings.
fn pgrisk_json(sql: &str, args: &[&str]) -> serde_json::Value {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args([
            "--format",
            "json",
            "--fail-on",
            "never",
            "--alembic-dir",
            PROJECT,
        ])
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgrisk runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pgrisk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Every finding on the fixture points at its revision's script, at a line of `upgrade()` that
/// holds the `op.*` (or `batch_op.*`) call that produced the statement; the whole list is
/// snapshotted with those positions.
#[test]
fn findings_point_at_the_migration_file_and_line() {
    let index = index();
    let full = alembic(&["upgrade", "head", "--sql"]);
    let range = alembic(&["upgrade", "794141fe39f1:head", "--sql"]);
    let mut digest = String::new();
    for (name, sql, args) in [
        // The whole history, production at the first revision (CI: --since the deployed head).
        (
            "upgrade head --since 794141fe39f1",
            &full,
            vec!["--since", "794141fe39f1"],
        ),
        // Only the new range: the tables of the first revision are not in the input at all.
        ("upgrade 794141fe39f1:head", &range, vec![]),
    ] {
        let v = pgrisk_json(sql, &args);
        let findings = v["findings"].as_array().unwrap();
        assert!(findings.len() >= 8, "{name}: {findings:?}");
        digest.push_str(&format!("# {name}\n"));
        for f in findings {
            let rev = f["revision"]
                .as_str()
                .expect("every finding has its revision");
            let file = f["migration_file"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {f}"));
            let line = f["migration_line"].as_u64().unwrap() as usize;
            let script = index.get(rev).unwrap();
            assert_eq!(Path::new(file), script.path, "{name}: {f}");
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            let at = text.lines().nth(line - 1).unwrap().trim();
            if f["rule"] == "missing-downgrade" {
                // About the script, not a statement: at its `def downgrade` line.
                assert!(
                    at.starts_with("def downgrade"),
                    "{name}: {file}:{line}: {at:?}"
                );
                digest.push_str(&format!(
                    "{file}:{line} {} [missing-downgrade] {at}\n",
                    f["severity"]
                ));
                continue;
            }
            let upgrade = script.upgrade.as_ref().unwrap();
            assert!(
                (upgrade.line as usize..=upgrade.end_line as usize).contains(&line),
                "{name}: {file}:{line} is outside upgrade(): {f}"
            );
            // An op.* call, or the call of a helper defined in the same file that makes it.
            let helper = at
                .split_once('(')
                .is_some_and(|(callee, _)| text.contains(&format!("def {callee}(")));
            assert!(
                at.starts_with("op.") || at.starts_with("batch_op.") || helper,
                "{name}: {file}:{line} is not an op.* call: {at:?} for {}",
                f["message"]
            );
            digest.push_str(&format!(
                "{file}:{line} (SQL line {}) {} [{}] {at}\n",
                f["line"],
                f["severity"],
                f["rule"].as_str().unwrap()
            ));
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("alembic-fixture-findings", digest));
}

/// `pgrisk pre-commit` on a changed migration file: renders the project with real Alembic and
/// reports that revision (its parent is history), at its op.* lines; a change that touches no
/// migration passes without running Alembic.
#[test]
fn pre_commit_reports_the_changed_revision() {
    let changed = "tests/alembic_project/migrations/versions/748036a02dea_widen_order_totals.py";
    let alembic = alembic_bin().join("alembic");
    let out = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args([
            "pre-commit",
            "--format",
            "json",
            "--alembic-dir",
            PROJECT,
            "--alembic",
        ])
        .arg(&alembic)
        .args([changed, "README.md"])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["revision"], "748036a02dea", "{f}");
        assert_eq!(f["migration_file"], changed, "{f}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args([
            "pre-commit",
            "--alembic-dir",
            PROJECT,
            "--alembic",
            "/nonexistent/alembic",
        ])
        .arg("README.md")
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
