//! Inputs a migration pipeline can really hand pgrisk, good and bad, run through the real binary:
//! what it says (file, line, column), what it still analyses, and the exit code (2 for input
//! errors, 1 for findings at or above `--fail-on`). Every case pins the exact behaviour.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const RISKY: &str = "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// A fresh directory per call: the tests run in parallel.
fn scratch_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pgrisk-bad-input-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs pgrisk in a scratch directory holding `files` (so messages name them as given), with
/// `stdin` piped in when given.
fn pgrisk(files: &[(&str, &[u8])], args: &[&str], stdin: Option<&[u8]>) -> Run {
    let dir = scratch_dir();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgrisk"))
        .args(args)
        .current_dir(&dir)
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
        let mut pipe = child.stdin.take().unwrap();
        // pgrisk may exit before reading everything (an input error): ignore a broken pipe.
        let _ = pipe.write_all(input);
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// One file as a JSON report, with the default `--fail-on error`.
fn json_of(name: &str, sql: &[u8]) -> (Run, Value) {
    let run = pgrisk(&[(name, sql)], &["--format", "json", name], None);
    let json = run.json();
    (run, json)
}

/// (kind, line, column) of every statement.
fn statements(json: &Value) -> Vec<(String, u64, u64)> {
    json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (rule, line, column) of every finding (used by the ignored regression tests).
#[allow(dead_code)]
fn findings(json: &Value) -> Vec<(String, u64, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn findings_of(json: &Value, rule: &str) -> Vec<Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn owned(rows: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    rows.iter()
        .map(|&(k, l, c)| (k.to_string(), l, c))
        .collect()
}

fn summary(json: &Value, key: &str) -> u64 {
    json["summary"][key].as_u64().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Input errors: exit 2, one line on stderr naming the input (and line, column, byte offset),
// nothing on stdout.

#[track_caller]
fn assert_input_error(run: &Run, message: &str) {
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert_eq!(run.stderr, format!("pgrisk: {message}\n"));
    assert_eq!(run.stdout, "");
}

#[test]
fn empty_input_is_an_input_error() {
    for bytes in [&b""[..], b"  \n\t\r\n", "\u{feff}\n".as_bytes()] {
        let run = pgrisk(&[("empty.sql", bytes)], &["empty.sql"], None);
        assert_input_error(
            &run,
            "empty.sql: input is empty; expected the SQL printed by `alembic upgrade ... --sql`",
        );
    }
    let run = pgrisk(&[], &[], Some(b""));
    assert_input_error(
        &run,
        "<stdin>: input is empty; expected the SQL printed by `alembic upgrade ... --sql`",
    );
}

/// A file of comments only holds nothing to analyse (a failed render, the wrong file): a gate
/// must not pass it silently.
#[test]
fn only_comments_is_an_input_error() {
    let sql = b"-- Running upgrade  -> a1b2c3\n/* nothing /* nested */ here */\n-- end\n";
    let run = pgrisk(&[("comments.sql", sql)], &["comments.sql"], None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("comments.sql: no SQL statement in the input"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_names_file_line_column_and_byte_offset() {
    // Latin-1 `é` (0xE9) after a UTF-8 `é`: the column counts characters, the offset bytes.
    let bytes = b"SELECT 1;\n-- \xc3\xa9t\xe9\nSELECT 2;\n";
    let run = pgrisk(&[("latin1.sql", bytes)], &["latin1.sql"], None);
    assert_input_error(
        &run,
        "latin1.sql:2:6: input is not valid UTF-8 at byte offset 16; convert it to UTF-8 first",
    );
    // A multi-byte character cut off at the end of the input.
    let run = pgrisk(&[("cut.sql", b"SELECT '\xc3")], &["cut.sql"], None);
    assert_input_error(
        &run,
        "cut.sql:1:9: input is not valid UTF-8 at byte offset 8; convert it to UTF-8 first",
    );
}

#[test]
fn nul_byte_names_file_line_column_and_byte_offset() {
    let run = pgrisk(
        &[("nul.sql", b"SELECT 1;\r\nSELECT\0 2;")],
        &["nul.sql"],
        None,
    );
    assert_input_error(
        &run,
        "nul.sql:2:7: input contains a NUL byte at byte offset 17; this is not a SQL text file",
    );
}

#[test]
fn utf16_output_of_powershell_is_named_as_such() {
    let utf16: Vec<u8> = "\u{feff}SELECT 1;\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let run = pgrisk(&[("ps.sql", &utf16)], &["ps.sql"], None);
    assert_input_error(
        &run,
        "ps.sql:1:1: input is UTF-16 (byte-order mark at byte offset 0), not UTF-8; convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)",
    );
}

/// Deterministic "random" bytes (xorshift), so the expected offsets are fixed.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_files_are_refused_with_the_nul_or_utf8_message() {
    // A PNG header: `\x89PNG\r\n\x1a\n` then a NUL on line 3.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
    let run = pgrisk(&[("image.png", png)], &["image.png"], None);
    assert_input_error(
        &run,
        "image.png:3:1: input contains a NUL byte at byte offset 8; this is not a SQL text file",
    );

    // Random bytes: the first NUL is reported, wherever invalid UTF-8 starts.
    let mut bytes = b"SELECT 1;\n".to_vec();
    bytes.extend(noise(4096, 0x9e37_79b9_7f4a_7c15));
    let nul = bytes.iter().position(|&b| b == 0).expect("noise has a NUL");
    let run = pgrisk(&[("random.bin", &bytes)], &["random.bin"], None);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("pgrisk: random.bin:")
            && run.stderr.ends_with(&format!(
                ": input contains a NUL byte at byte offset {nul}; this is not a SQL text file\n"
            )),
        "{}",
        run.stderr
    );
    // Without NULs, the first byte that is not UTF-8.
    let no_nul: Vec<u8> = bytes.iter().map(|&b| b.max(1)).collect();
    let bad = std::str::from_utf8(&no_nul).unwrap_err().valid_up_to();
    let run = pgrisk(&[("random.bin", &no_nul)], &["random.bin"], None);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("pgrisk: random.bin:")
            && run.stderr.ends_with(&format!(
                ": input is not valid UTF-8 at byte offset {bad}; convert it to UTF-8 first\n"
            )),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_file_is_named_and_nothing_is_analysed() {
    let run = pgrisk(
        &[("ok.sql", RISKY.as_bytes())],
        &["ok.sql", "missing.sql"],
        None,
    );
    assert_input_error(
        &run,
        "missing.sql: cannot read file: No such file or directory (os error 2)",
    );
}

#[test]
fn an_input_error_in_any_input_stops_the_run() {
    let run = pgrisk(
        &[("ok.sql", RISKY.as_bytes()), ("bad.sql", b"SELECT \xff;")],
        &["--format", "json", "ok.sql", "bad.sql"],
        None,
    );
    assert_input_error(
        &run,
        "bad.sql:1:8: input is not valid UTF-8 at byte offset 7; convert it to UTF-8 first",
    );
}

#[test]
fn stdin_dash_mixed_with_files_in_order() {
    let run = pgrisk(
        &[("a.sql", b"SELECT 1;\n"), ("b.sql", b"\n\nSELECT 3;")],
        &["--format", "json", "a.sql", "-", "b.sql"],
        Some(format!("SELECT 2;\n{RISKY}\n").as_bytes()),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        json["files"],
        serde_json::json!(["a.sql", "<stdin>", "b.sql"])
    );
    let where_: Vec<(&str, u64)> = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["file"].as_str().unwrap(), s["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        where_,
        [("a.sql", 1), ("<stdin>", 1), ("<stdin>", 2), ("b.sql", 3)]
    );
    let f = &findings_of(&json, "set-not-null")[0];
    assert_eq!((&f["file"], &f["line"]), (&"<stdin>".into(), &2.into()));

    // stdin can be read once: a second `-` finds it empty.
    let run = pgrisk(&[], &["-", "-"], Some(b"SELECT 1;"));
    assert_input_error(
        &run,
        "<stdin>: input is empty; expected the SQL printed by `alembic upgrade ... --sql`",
    );
}

// ---------------------------------------------------------------------------------------------
// Line endings and byte-order marks: positions stay exact.

#[test]
fn crlf_and_mixed_line_endings_keep_lines_exact() {
    // CRLF, a lone CR (old Mac) and LF in one file; a statement spanning CRLF lines.
    let sql = "-- Running upgrade  -> a1\r\n\r\nBEGIN;\r\nALTER TABLE orders\r\n  ALTER COLUMN note SET NOT NULL;\r\n\rCREATE INDEX ix_orders_note ON orders (note);\nSELECT 1; SELECT 2;\rCOMMIT;\r";
    let (run, json) = json_of("crlf.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    assert_eq!(
        statements(&json),
        owned(&[
            ("transaction", 3, 1),
            ("alter_table.set_not_null", 4, 1),
            ("create_index", 7, 1),
            ("select", 8, 1),
            ("select", 8, 11),
            ("transaction", 9, 1),
        ])
    );
    let end_lines: Vec<u64> = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["end_line"].as_u64().unwrap())
        .collect();
    assert_eq!(end_lines, [3, 5, 7, 8, 8, 9]);
    assert_eq!(
        json["statements"][1]["sql"],
        "ALTER TABLE orders\r\n  ALTER COLUMN note SET NOT NULL;"
    );
    assert_eq!(json["statements"][1]["held_until"]["line"], 9);
    assert_eq!(json["statements"][1]["revision"], "a1");
    for (rule, line) in [("set-not-null", 4), ("create-index-blocks-writes", 7)] {
        let f = findings_of(&json, rule);
        assert_eq!(f.len(), 1, "{rule}");
        assert_eq!((&f[0]["line"], &f[0]["column"]), (&line.into(), &1.into()));
    }
    // The text report points at the same places.
    let run = pgrisk(&[("crlf.sql", sql.as_bytes())], &["crlf.sql"], None);
    assert!(
        run.stdout.contains("crlf.sql:4:1: error [set-not-null]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("crlf.sql:7:1: error [create-index-blocks-writes]")
    );
}

#[test]
fn byte_order_mark_is_not_a_column() {
    let sql = format!("\u{feff}{RISKY}\nSELECT 1;\n");
    let (_, json) = json_of("bom.sql", sql.as_bytes());
    assert_eq!(
        statements(&json),
        owned(&[("alter_table.set_not_null", 1, 1), ("select", 2, 1)])
    );
    assert_eq!(json["statements"][0]["sql"], RISKY);
    let f = &findings_of(&json, "set-not-null")[0];
    assert_eq!((&f["line"], &f["column"]), (&1.into(), &1.into()));

    // A syntax error on the first line points past the BOM too.
    let (_, json) = json_of(
        "bom.sql",
        "\u{feff}ALTER TABLE orders ADD COLUMN;\nSELECT 2;".as_bytes(),
    );
    assert_eq!(
        statements(&json),
        owned(&[("syntax-error", 1, 1), ("select", 2, 1)])
    );
    let f = &findings_of(&json, "syntax-error")[0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("syntax error at or near \";\" (line 1, column 30)"),
        "{f}"
    );
}

// ---------------------------------------------------------------------------------------------
// Constructs left open at the end of the input: one syntax-error finding saying where it
// started; everything before it is analysed.

#[track_caller]
fn assert_unterminated(tail: &str, what: &str, line: u64, column: u64) {
    let sql = format!("SELECT 1;\n{RISKY}\n{tail}");
    let (run, json) = json_of("open.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    assert_eq!(
        statements(&json),
        owned(&[
            ("select", 1, 1),
            ("alter_table.set_not_null", 2, 1),
            ("syntax-error", 3, 1)
        ]),
        "{tail}"
    );
    assert_eq!(json["statements"][2]["sql"], tail);
    assert_eq!(json["statements"][2]["parsed"], false);
    assert_eq!(findings_of(&json, "set-not-null").len(), 1);
    let errors = findings_of(&json, "syntax-error");
    assert_eq!(errors.len(), 1);
    let message = errors[0]["message"].as_str().unwrap();
    let expected = format!("unterminated {what} starting at line {line}, column {column}");
    assert!(
        message.contains(&expected),
        "{message}\nexpected: {expected}"
    );
    assert_eq!(
        (summary(&json, "read"), summary(&json, "unparseable")),
        (3, 1)
    );
}

#[test]
fn unterminated_string_literal() {
    assert_unterminated(
        "UPDATE orders SET note = 'it''s\nnever closed; SELECT 3;\n",
        "string literal",
        3,
        26,
    );
    // With backslash escapes (E''), `\'` does not close it either.
    assert_unterminated("SELECT E'it\\'s;\n", "string literal", 3, 9);
}

#[test]
fn unterminated_quoted_identifier() {
    assert_unterminated("SELECT \"note\n FROM orders;\n", "quoted identifier", 3, 8);
}

#[test]
fn unterminated_dollar_quote() {
    assert_unterminated(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $$;\n",
        "dollar-quoted string",
        3,
        49,
    );
}

/// psql reads the rest of the input into the open string, and so does pgrisk: no recovery at a
/// later line that would parse.
#[test]
fn unterminated_construct_followed_by_sql_lines_is_a_syntax_error() {
    assert_unterminated(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$\nSELECT 1;\n$$;\n",
        "dollar-quoted string",
        3,
        49,
    );
    assert_unterminated(
        "UPDATE orders SET note = 'it''s\nSELECT 1;\n",
        "string literal",
        3,
        26,
    );
}

#[test]
fn unterminated_block_comment() {
    // Nested comments: the outer one stays open.
    assert_unterminated(
        "SELECT 2 /* outer /* inner */ still open;\n",
        "block comment",
        3,
        10,
    );
    assert_unterminated("/* only a comment;\n", "block comment", 3, 1);
}

// ---------------------------------------------------------------------------------------------
// What psql understands besides SQL.

#[test]
fn psql_meta_commands_are_noted_and_the_rest_analysed() {
    let sql = format!(
        "\\connect shop\n\\set ON_ERROR_STOP on\nBEGIN;\n\\i other.sql\n{RISKY}\nCOMMIT;\n"
    );
    let (run, json) = json_of("meta.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    assert_eq!(
        statements(&json),
        owned(&[
            ("psql-meta", 1, 1),
            ("psql-meta", 2, 1),
            ("transaction", 3, 1),
            ("psql-meta", 4, 1),
            ("alter_table.set_not_null", 5, 1),
            ("transaction", 6, 1),
        ])
    );
    let meta: Vec<(String, String, u64)> = findings_of(&json, "psql-meta-command")
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let info = |m: &str, l| ("info".to_string(), m.to_string(), l);
    assert_eq!(
        meta,
        [
            info("psql meta-command \\connect: not SQL, not analysed", 1),
            info("psql meta-command \\set: not SQL, not analysed", 2),
            info("psql meta-command \\i: not SQL, not analysed", 4),
        ]
    );
    assert_eq!(json["statements"][0]["sql"], "\\connect shop");
    assert_eq!(json["statements"][4]["in_transaction"], true);
    assert_eq!(json["statements"][4]["held_until"]["line"], 6);
    assert_eq!(
        (summary(&json, "parsed"), summary(&json, "unparseable")),
        (3, 3)
    );

    // Notices only: exit 0 unless --fail-on info.
    let quiet = b"\\connect shop\nSELECT 1;\n";
    let run = pgrisk(&[("m.sql", quiet)], &["m.sql"], None);
    assert_eq!(run.code, Some(0));
    let run = pgrisk(&[("m.sql", quiet)], &["--fail-on", "info", "m.sql"], None);
    assert_eq!(run.code, Some(1));
}

#[test]
fn copy_from_stdin_data_is_skipped_and_the_next_statement_analysed() {
    let sql = format!(
        "CREATE TABLE t (a int, b text);\nCOPY t (a, b) FROM stdin;\n1\tone; two\n2\t\\N\n\\.\n{RISKY}\n"
    );
    let (run, json) = json_of("copy.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    let rows = statements(&json);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0], ("create_table".to_string(), 1, 1));
    assert_eq!((rows[1].1, rows[1].2), (2, 1));
    assert_eq!(json["statements"][1]["sql"], "COPY t (a, b) FROM stdin;");
    assert_eq!(json["statements"][1]["parsed"], true);
    assert_eq!(rows[2], ("copy-data".to_string(), 3, 1));
    assert_eq!(json["statements"][2]["sql"], "1\tone; two\n2\t\\N\n\\.");
    assert_eq!(json["statements"][2]["end_line"], 5);
    assert_eq!(rows[3], ("alter_table.set_not_null".to_string(), 6, 1));
    let f = &findings_of(&json, "set-not-null")[0];
    assert_eq!(f["line"], 6);

    // CRLF data lines, and the `\.` line ending in CRLF.
    let sql = format!("COPY t FROM stdin;\r\n1\r\n\\.\r\n{RISKY}\r\n");
    let (_, json) = json_of("copy.sql", sql.as_bytes());
    let rows = statements(&json);
    assert_eq!(rows[1], ("copy-data".to_string(), 2, 1));
    assert_eq!(rows[2], ("alter_table.set_not_null".to_string(), 4, 1));
}

#[test]
fn copy_from_stdin_is_classified_as_copy() {
    let (_, json) = json_of(
        "copy.sql",
        b"COPY t (a, b) FROM stdin;\n1\tx\n\\.\nSELECT 1;\n",
    );
    assert_eq!(
        statements(&json),
        owned(&[("copy", 1, 1), ("copy-data", 2, 1), ("select", 4, 1)])
    );
    assert_eq!(findings_of(&json, "unknown-statement").len(), 0);
}

/// Fixed in the splitter: these used to lose statements silently.
#[test]
fn copy_lines_that_are_not_followed_by_data() {
    // A query's own `FROM stdin` (a table named stdin) is no COPY data.
    let sql = format!("COPY (SELECT a FROM stdin) TO stdout;\n{RISKY}\n");
    let (_, json) = json_of("copy.sql", sql.as_bytes());
    let rows = statements(&json);
    assert_eq!(rows[1], ("alter_table.set_not_null".to_string(), 2, 1));
    // A statement after `;` on the COPY line is analysed (psql runs it after the data).
    let sql = format!("COPY t FROM stdin; {RISKY}\n1\n\\.\nSELECT 1;\n");
    let (_, json) = json_of("copy.sql", sql.as_bytes());
    let rows = statements(&json);
    assert_eq!(rows[1], ("alter_table.set_not_null".to_string(), 1, 20));
    assert_eq!(rows[2], ("copy-data".to_string(), 2, 1));
    assert_eq!(rows[3], ("select".to_string(), 4, 1));
    // Lines ended by a lone CR.
    let sql = format!("COPY t FROM stdin;\r1\r\\.\r{RISKY}\r");
    let (_, json) = json_of("copy.sql", sql.as_bytes());
    let rows = statements(&json);
    assert_eq!(rows[1], ("copy-data".to_string(), 2, 1));
    assert_eq!(rows[2], ("alter_table.set_not_null".to_string(), 4, 1));
}

#[test]
fn statement_without_final_semicolon() {
    let sql = format!(
        "SELECT 1;\n{}  -- end of migration\n",
        &RISKY[..RISKY.len() - 1]
    );
    let (run, json) = json_of("nosemi.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    assert_eq!(
        statements(&json),
        owned(&[("select", 1, 1), ("alter_table.set_not_null", 2, 1)])
    );
    assert_eq!(json["statements"][1]["sql"], &RISKY[..RISKY.len() - 1]);
    assert_eq!(findings_of(&json, "set-not-null")[0]["line"], 2);
}

// ---------------------------------------------------------------------------------------------
// Size and shape.

#[test]
fn ten_thousand_statements_on_one_line() {
    // `SELECT 0;SELECT 1;…` with a risky statement every 1000: columns shift by the digits.
    let mut sql = String::new();
    let mut columns = Vec::new();
    for i in 0..10_000 {
        columns.push(sql.len() as u64 + 1);
        if i % 1000 == 999 {
            sql.push_str(RISKY);
        } else {
            sql.push_str(&format!("SELECT {i};"));
        }
    }
    let (run, json) = json_of("one-line.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    let rows = statements(&json);
    assert_eq!(rows.len(), 10_000);
    assert_eq!(summary(&json, "read"), 10_000);
    assert_eq!(summary(&json, "parsed"), 10_000);
    for (i, (kind, line, column)) in rows.iter().enumerate() {
        let expected = if i % 1000 == 999 {
            "alter_table.set_not_null"
        } else {
            "select"
        };
        assert_eq!(
            (kind.as_str(), *line, *column),
            (expected, 1, columns[i]),
            "{i}"
        );
    }
    let at: Vec<u64> = findings_of(&json, "set-not-null")
        .iter()
        .map(|f| f["column"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (0..10).map(|k| columns[k * 1000 + 999]).collect();
    assert_eq!(at, expected);
}

#[test]
fn one_megabyte_statement_is_parsed() {
    let mut sql = String::from("INSERT INTO orders (id, note) VALUES ");
    let mut i = 0;
    while sql.len() < 1 << 20 {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("({i}, 'note number {i}')"));
        i += 1;
    }
    sql.push_str(";\n");
    let size = sql.len() - 1;
    sql.push_str(RISKY);
    let (run, json) = json_of("big.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1));
    assert_eq!(
        statements(&json),
        owned(&[("insert", 1, 1), ("alter_table.set_not_null", 2, 1)])
    );
    assert_eq!(json["statements"][0]["sql"].as_str().unwrap().len(), size);
    assert_eq!(json["statements"][0]["parsed"], true);
}

#[test]
fn deeply_nested_parentheses_do_not_crash() {
    let depth = 100_000;
    let sql = format!(
        "SELECT {}1{};\n{RISKY}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let (run, json) = json_of("deep.sql", sql.as_bytes());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        statements(&json),
        owned(&[("syntax-error", 1, 1), ("alter_table.set_not_null", 2, 1)])
    );
    let errors = findings_of(&json, "syntax-error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["severity"], "error");
    let run = pgrisk(
        &[("deep.sql", sql.as_bytes())],
        &["--fail-on", "never", "deep.sql"],
        None,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn deeply_nested_expressions_do_not_crash() {
    // Nested function calls and a long left-deep `+` chain (a deep tree without parentheses).
    for (name, sql) in [
        (
            "calls",
            format!("SELECT {}1{};", "f(".repeat(100_000), ")".repeat(100_000)),
        ),
        ("sum", format!("SELECT 1{};", "+1".repeat(100_000))),
    ] {
        let sql = format!("{sql}\n{RISKY}\n");
        let (run, json) = json_of("deep.sql", sql.as_bytes());
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert_eq!(
            statements(&json),
            owned(&[("syntax-error", 1, 1), ("alter_table.set_not_null", 2, 1)]),
            "{name}"
        );
    }
}

#[test]
fn deeply_nested_plpgsql_does_not_crash() {
    for depth in [2500, 3000] {
        let sql = format!(
            "DO $$ BEGIN {} PERFORM 1; {} END $$;\n{RISKY}\n",
            "IF true THEN ".repeat(depth),
            "END IF; ".repeat(depth)
        );
        let (run, json) = json_of("do.sql", sql.as_bytes());
        assert_eq!(run.code, Some(1), "{depth}: {}", run.stderr);
        assert_eq!(
            statements(&json)[1],
            ("alter_table.set_not_null".into(), 2, 1)
        );
    }
}

#[test]
#[ignore = "pgrisk bug: a DO body nested ~31+ blocks deep fails serde_json's recursion limit in pg_query::parse_plpgsql: its UPDATE is not analysed and the finding claims the block runs dynamic SQL (EXECUTE)"]
fn nested_do_body_is_still_analysed() {
    let sql = format!(
        "DO $$ BEGIN {} UPDATE orders SET note = ''; {} END $$;\n",
        "IF true THEN ".repeat(40),
        "END IF; ".repeat(40)
    );
    let (_, json) = json_of("do.sql", sql.as_bytes());
    assert_eq!(findings_of(&json, "unbatched-backfill").len(), 1);
    let opaque = findings_of(&json, "opaque-code");
    assert!(
        !opaque[0]["message"].as_str().unwrap().contains("EXECUTE"),
        "{opaque:?}"
    );
}

#[test]
fn moderately_nested_expression_is_parsed() {
    let sql = format!("UPDATE orders SET total = 0{};\n", " + 1".repeat(100));
    let (_, json) = json_of("sum.sql", sql.as_bytes());
    assert_eq!(statements(&json), owned(&[("update", 1, 1)]));
}

#[test]
fn plpgsql_bodies_with_semicolons_are_one_statement() {
    let sql = "\
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
DO $body$
DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM orders; -- a comment; with a semicolon
  UPDATE orders SET note = 'x;y' WHERE id = 1;
END
$body$;
CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
SELECT 'after';
";
    let (_, json) = json_of("plpgsql.sql", sql.as_bytes());
    let rows: Vec<(bool, u64, u64)> = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["parsed"].as_bool().unwrap(),
                s["line"].as_u64().unwrap(),
                s["end_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(true, 1, 6), (true, 7, 13), (true, 14, 14), (true, 15, 15)]
    );
    assert_eq!(json["statements"][1]["kind"], "do");
    assert!(
        json["statements"][1]["sql"]
            .as_str()
            .unwrap()
            .ends_with("END\n$body$;")
    );
    assert!(
        json["statements"][2]["sql"]
            .as_str()
            .unwrap()
            .ends_with("SELECT 2; END;")
    );
    assert_eq!(summary(&json, "unparseable"), 0);
}
