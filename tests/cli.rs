//! The command line as a user meets it: exit codes, input errors, formats, stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn pgrisk(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgrisk runs");
    if let Some(input) = stdin {
        // pgrisk may refuse its arguments and exit before reading: a broken pipe is fine then.
        if let Err(e) = child.stdin.take().unwrap().write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const RISKY: &[u8] = b"ALTER TABLE orders ADD COLUMN id2 uuid DEFAULT gen_random_uuid();\n";
const WARNING_ONLY: &[u8] = b"SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN legacy;\n";
const CLEAN: &[u8] = b"SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\n";

#[test]
fn exit_code_follows_fail_on() {
    assert_eq!(pgrisk(&[], Some(RISKY)).status.code(), Some(1));
    assert_eq!(
        pgrisk(&["--fail-on", "never"], Some(RISKY)).status.code(),
        Some(0)
    );
    assert_eq!(pgrisk(&[], Some(WARNING_ONLY)).status.code(), Some(0));
    assert_eq!(
        pgrisk(&["--fail-on", "warning"], Some(WARNING_ONLY))
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        pgrisk(&["--fail-on", "warning"], Some(CLEAN)).status.code(),
        Some(0)
    );
}

#[test]
fn reads_stdin_and_dash_and_files_in_order() {
    let dir = std::env::temp_dir().join(format!("pgrisk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.sql");
    std::fs::write(&file, CLEAN).unwrap();
    let out = pgrisk(
        &["--format", "json", file.to_str().unwrap(), "-"],
        Some(RISKY),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [file.to_str().unwrap(), file.to_str().unwrap(), "<stdin>"]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn input_errors_name_the_file_and_exit_2() {
    let o = pgrisk(&["/nonexistent/migration.sql"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("pgrisk: /nonexistent/migration.sql: cannot read file:"),
        "{}",
        stderr(&o)
    );

    let o = pgrisk(&[], Some(b"SELECT 1;\nSELECT '\xff\xfe';\n"));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "pgrisk: <stdin>:2:9: input is not valid UTF-8 at byte offset 18; convert it to UTF-8 first"
    );

    let o = pgrisk(&[], Some(b""));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("<stdin>: input is empty"),
        "{}",
        stderr(&o)
    );

    let o = pgrisk(&["--pg-version", "10"], Some(CLEAN));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn text_report_shows_lock_blocks_and_both_fixes() {
    let o = pgrisk(&["--pg-version", "15"], Some(RISKY));
    let text = stdout(&o);
    assert!(text.contains("ACCESS EXCLUSIVE on orders"), "{text}");
    assert!(text.contains("reads, writes, DDL"), "{text}");
    assert!(
        text.contains("<stdin>:1:1: error [add-column-volatile-default]"),
        "{text}"
    );
    assert!(text.contains("SQL:") && text.contains("Alembic:"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when not a terminal / NO_COLOR"
    );
    assert!(
        text.contains("1 statements read (1 parsed, 0 unparseable"),
        "{text}"
    );
}

#[test]
fn explain_and_rules_list() {
    let o = pgrisk(&["explain", "set-not-null"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# set-not-null:"));
    let o = pgrisk(&["explain", "no-such-rule"], None);
    assert_eq!(o.status.code(), Some(2));
    // The error names both kinds of thing explain knows.
    assert!(stderr(&o).contains("set-not-null"), "{}", stderr(&o));
    assert!(stderr(&o).contains("access-exclusive"), "{}", stderr(&o));
    let o = pgrisk(&["rules"], None);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("create-index-blocks-writes"))
    );
}

#[test]
fn explain_a_lock_mode() {
    let first = stdout(&pgrisk(&["explain", "access-exclusive"], None));
    assert!(
        first.starts_with("ACCESS EXCLUSIVE (AccessExclusiveLock"),
        "{first}"
    );
    assert!(first.contains("blocks reads, writes, DDL"), "{first}");
    assert!(first.contains("alter_table.set_not_null"), "{first}");
    assert!(first.contains("FROM pg_locks l"), "{first}");
    for spelling in [
        "AccessExclusiveLock",
        "ACCESS EXCLUSIVE",
        "Access_Exclusive",
    ] {
        let o = pgrisk(&["explain", spelling], None);
        assert_eq!(o.status.code(), Some(0), "{spelling}");
        assert_eq!(stdout(&o), first, "{spelling}");
    }
    let o = pgrisk(&["explain", "SHARE ROW EXCLUSIVE"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("SHARE ROW EXCLUSIVE (ShareRowExclusiveLock"));
    assert!(stdout(&o).contains("l.mode = 'ShareRowExclusiveLock'"));
}

#[test]
fn gitlab_code_quality() {
    let o = pgrisk(&["--format", "gitlab", "--fail-on", "never"], Some(RISKY));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let issues: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &issues.as_array().unwrap()[0];
    assert_eq!(first["severity"], "major");
    assert_eq!(first["location"]["path"], "<stdin>");
    assert_eq!(first["location"]["lines"]["begin"], 1);
    assert_eq!(first["fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn markdown_for_pull_requests() {
    let o = pgrisk(&["--format", "markdown"], Some(RISKY));
    let md = stdout(&o);
    assert!(
        md.starts_with("## pgrisk: migration review (PostgreSQL 15)"),
        "{md}"
    );
    assert!(md.contains("| 🔴 | `<stdin>:1` |"), "{md}");
    assert!(md.contains("```python"), "{md}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    // Several parse batches' worth of real Alembic output, so parallel parsing really interleaves.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/alembic");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut input = Vec::new();
    for _ in 0..2 {
        for f in &files {
            input.extend(std::fs::read(f).unwrap());
        }
    }
    for format in ["json", "text", "markdown"] {
        let run = |threads: &str| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
                .args(["--format", format, "--fail-on", "never"])
                .env("RAYON_NUM_THREADS", threads)
                .env("NO_COLOR", "1")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let data = input.clone();
            let writer = std::thread::spawn(move || stdin.write_all(&data));
            let out = child.wait_with_output().unwrap();
            writer.join().unwrap().unwrap();
            assert_eq!(out.status.code(), Some(0));
            out.stdout
        };
        let one = run("1");
        assert!(one.len() > 10_000, "{format}: real output");
        assert!(
            one == run("2"),
            "{format}: output differs between 1 and 2 threads"
        );
    }
}

#[test]
fn sarif_and_github_annotations_for_ci() {
    let sql = b"-- Running upgrade a1 -> b2\nALTER TABLE orders ADD COLUMN id2 uuid DEFAULT gen_random_uuid();\n";
    let o = pgrisk(&["--format", "sarif"], Some(sql));
    assert_eq!(o.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "add-column-volatile-default");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(result["properties"]["revision"], "b2");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "add-column-volatile-default"
                && !r["fullDescription"]["text"].as_str().unwrap().is_empty())
    );

    let o = pgrisk(&["--format", "github"], Some(sql));
    let gh = stdout(&o);
    assert!(gh.starts_with("::error file=<stdin>,line=2,col=1,title=pgrisk add-column-volatile-default (revision b2)::ADD COLUMN id2"), "{gh}");
}

/// pgrisk in `dir` (for configuration lookup), input on stdin.
fn pgrisk_in(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgrisk runs");
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// A branched history as `alembic upgrade base:heads --sql` prints it: two branches from a1
/// merged in m1, then a new revision n1 on top.
const BRANCHED: &[u8] = b"BEGIN;\n\
-- Running upgrade  -> a1\n\
CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n\
-- Running upgrade a1 -> b1\n\
CREATE INDEX ix_orders_note ON orders (note);\n\
-- Running upgrade a1 -> c1\n\
ALTER TABLE orders ADD COLUMN total int;\n\
-- Running upgrade b1, c1 -> m1\n\
-- Running upgrade m1 -> n1\n\
SET lock_timeout = '5s';\n\
CREATE INDEX ix_orders_total ON orders (total);\n\
COMMIT;\n";

#[test]
fn since_reports_only_the_revisions_after_production() {
    let dir = tempfile::tempdir().unwrap();
    // Without --since the whole run is new: orders was created in it, nothing to report.
    let o = pgrisk_in(dir.path(), &["--format", "json"], BRANCHED);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Production is at m1 (both branches merged): n1's index build on the existing orders is an error.
    let o = pgrisk_in(dir.path(), &["--format", "json", "--since", "m1"], BRANCHED);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f["revision"] == "n1"),
        "{findings:?}"
    );
    assert_eq!(v["summary"]["history"], 3);
    // Production at b1 only: c1 is new too (and m1, n1).
    let o = pgrisk_in(dir.path(), &["--format", "json", "--since", "b1"], BRANCHED);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["history"], 2, "a1 and b1");
    // A revision the input does not have is an error, not a silent full report.
    let o = pgrisk_in(dir.path(), &["--since", "zz9"], BRANCHED);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--since zz9"), "{}", stderr(&o));
}

#[test]
fn configuration_is_found_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("migrations");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"app\"\n\n[tool.pgrisk]\nsince = \"m1\"\nfail_on = \"never\"\n\n\
         [[tool.pgrisk.ignore]]\nrevision = \"n1\"\nrules = [\"create-index-blocks-writes\"]\nreason = \"orders is tiny\"\n",
    )
    .unwrap();
    // Found by walking up from a subdirectory; since, fail_on and the ignore apply.
    let o = pgrisk_in(&sub, &["--format", "json"], BRANCHED);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"].as_array().unwrap()[0];
    assert_eq!(f["rule"], "create-index-blocks-writes");
    assert_eq!(f["ignored"], true);
    assert_eq!(f["ignore_reason"], "orders is tiny");
    assert_eq!(v["summary"]["ignored"], 1);
    // An unknown key is an error naming the key and the file.
    std::fs::write(dir.path().join("pgrisk.toml"), "fail_onn = \"error\"\n").unwrap();
    let o = pgrisk_in(&sub, &[], BRANCHED);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("pgrisk.toml") && e.contains("unknown field `fail_onn`"),
        "{e}"
    );
}

#[test]
fn an_ignore_written_by_op_execute_applies_to_the_next_statement() {
    // op.execute("-- pgrisk: ignore add-foreign-key -- ...") prints the comment with a `;`.
    let sql = b"SET lock_timeout = '5s';\n\
-- pgrisk: ignore add-foreign-key -- orders is empty in every environment;\n\
ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);\n\
-- pgrisk: ignore set-not-nul\n\
ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n";
    let dir = tempfile::tempdir().unwrap();
    let o = pgrisk_in(dir.path(), &["--format", "json"], sql);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by_rule = |r: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == r)
            .cloned()
            .collect::<Vec<_>>()
    };
    let fk = by_rule("add-foreign-key");
    assert_eq!(fk[0]["ignored"], true);
    assert_eq!(
        fk[0]["ignore_reason"],
        "orders is empty in every environment"
    );
    // The misspelt directive ignores nothing and says so; set-not-null still fails the gate.
    assert_eq!(by_rule("set-not-null")[0]["ignored"], false);
    assert_eq!(by_rule("invalid-ignore").len(), 1);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn alembic_failure_in_the_output_is_exit_2() {
    // Alembic prints FAILED: on stdout and exits non-zero; without pipefail pgrisk sees it.
    let sql = b"BEGIN;\n-- Running upgrade  -> a1\nCREATE TABLE t (id int);\n\
FAILED: Can't locate revision identified by 'zz'\n";
    let o = pgrisk(&[], Some(sql));
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("<stdin>:4: FAILED: Can't locate revision") && e.contains("Alembic failed"),
        "{e}"
    );
}

#[test]
fn a_password_in_alembic_ini_is_an_error_that_does_not_repeat_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://app:hunter2@db/app\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("migrations/versions")).unwrap();
    std::fs::write(dir.path().join("migrations/env.py"), "import os\n").unwrap();
    // alembic.ini in the working directory is used without --alembic-dir.
    let o = pgrisk_in(dir.path(), &["--format", "json"], b"SELECT 1;\n");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("hunter2"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "credentials-in-config");
    assert_eq!(f["migration_file"], "alembic.ini");
    assert_eq!(f["migration_line"], 3);
}

#[test]
fn table_sizes_make_severity_follow_size() {
    let dir = tempfile::tempdir().unwrap();
    let sql = b"SET lock_timeout = '5s';\nCREATE INDEX ix_lookup_code ON lookup (code);\nCREATE INDEX ix_events_at ON events (at);\n";
    std::fs::write(
        dir.path().join("stats.csv"),
        "table,rows,bytes\npublic.lookup,50,16384\npublic.events,2000000000,900000000000\n",
    )
    .unwrap();
    let o = pgrisk_in(
        dir.path(),
        &["--format", "json", "--stats", "stats.csv"],
        sql,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    let at = |line: u64| f.iter().find(|f| f["line"] == line).unwrap();
    assert_eq!(at(2)["severity"], "info", "a 50-row table: {}", at(2));
    assert!(
        at(2)["message"]
            .as_str()
            .unwrap()
            .contains("small in production")
    );
    assert_eq!(at(3)["severity"], "error");
    assert_eq!(at(3)["duration"], "hours");
    // Without statistics nothing changes.
    let o = pgrisk_in(dir.path(), &["--format", "json"], sql);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "error" && f["duration"].is_null())
    );
    // A malformed file is an input error naming it.
    std::fs::write(dir.path().join("bad.csv"), "name,size\n").unwrap();
    let o = pgrisk_in(dir.path(), &["--stats", "bad.csv"], sql);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.csv"), "{}", stderr(&o));
}
