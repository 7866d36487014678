//! The invariants the fuzz targets check. `tests/fuzz_regressions.rs` includes this file, so every
//! input a fuzzer ever found is re-checked on stable by the normal test suite.
//!
//! Each function panics with a message naming the broken invariant; an `Err` from reading the
//! input is fine (pgrisk refuses it with a message), a panic never is.

use pgrisk::report::{json, text};
use pgrisk::script::{self, ChunkKind};
use pgrisk::{Options, Report, Source};

/// bytes → `Source::from_bytes` → `analyze_sources` → JSON and text reports.
///
/// - a refused input is refused for a reason it really has (NUL, not UTF-8, empty, UTF-16);
/// - `summary.read == statements.len() == parsed + unparseable`, `parsed == classified + unknown`,
///   and the finding counts add up;
/// - every statement's `sql` occurs in the input, in order, at its `line`/`column`, with only
///   whitespace, comments and `;` between statements;
/// - every finding points at its statement; both renderers run, the JSON parses.
pub fn pipeline(data: &[u8]) {
    let src = match Source::from_bytes("fuzz.sql", data.to_vec()) {
        Ok(src) => src,
        Err(err) => return refused_for_a_reason(data, &err.to_string()),
    };
    assert!(
        !data.contains(&0) && std::str::from_utf8(data).is_ok(),
        "accepted an input with a NUL byte or invalid UTF-8"
    );
    // Vary the target version with the input, so every version's rules run.
    let options = Options::for_version(11 + (data.len() % 8) as u32);
    let report = pgrisk::analyze_sources(std::slice::from_ref(&src), &options).expect("no --since");
    check_counts(&report);
    check_statements_in_order(&src, &report);

    let rendered = json::render(&report);
    let value: serde_json::Value = serde_json::from_str(&rendered).expect("JSON report parses");
    assert_eq!(
        value["statements"].as_array().map(Vec::len),
        Some(report.statements.len()),
        "JSON lists every statement"
    );
    for all in [false, true] {
        let opts = text::TextOptions {
            color: all,
            all,
            // Narrow and wide terminals.
            width: if all { 20 } else { 120 },
            verbose: all,
        };
        text::render(&report, &opts);
    }
}

fn refused_for_a_reason(data: &[u8], message: &str) {
    assert!(message.starts_with("fuzz.sql"), "unnamed input: {message}");
    let reason = if message.contains("UTF-16") {
        data.starts_with(&[0xff, 0xfe]) || data.starts_with(&[0xfe, 0xff])
    } else if message.contains("NUL byte") {
        data.contains(&0)
    } else if message.contains("not valid UTF-8") {
        std::str::from_utf8(data).is_err()
    } else if message.contains("input is empty") {
        std::str::from_utf8(data).is_ok_and(|t| {
            t.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .is_empty()
        })
    } else {
        false
    };
    assert!(reason, "refused without that reason: {message}");
}

fn check_counts(report: &Report) {
    let s = &report.summary;
    assert_eq!(s.read, report.statements.len(), "summary.read");
    assert_eq!(
        s.read,
        s.parsed + s.unparseable,
        "read = parsed + unparseable"
    );
    assert_eq!(
        s.parsed,
        s.classified + s.unknown,
        "parsed = classified + unknown"
    );
    let parsed = report.statements.iter().filter(|st| st.parsed).count();
    assert_eq!(s.parsed, parsed, "summary.parsed");
    let count =
        |sev: pgrisk::Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    assert_eq!(
        (s.errors, s.warnings, s.infos),
        (
            count(pgrisk::Severity::Error),
            count(pgrisk::Severity::Warning),
            count(pgrisk::Severity::Info)
        ),
        "finding counts"
    );
    for (i, st) in report.statements.iter().enumerate() {
        assert_eq!(st.index, i, "statement index");
        assert!(st.end_line >= st.line, "end_line before line at {i}");
    }
    for f in &report.findings {
        let st = report
            .statements
            .get(f.statement)
            .unwrap_or_else(|| panic!("finding {} points past the statements", f.rule));
        assert_eq!(
            (f.line, f.column, &f.file, &f.revision),
            (st.line, st.column, &st.file, &st.revision),
            "finding {} is not where its statement is",
            f.rule
        );
    }
}

/// Between statements there may only be whitespace, `;`, byte-order marks and complete comments.
pub fn is_gap(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';' || c == '\u{feff}');
        if rest.is_empty() {
            return true;
        }
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find(['\n', '\r']).map_or("", |p| &r[p..]);
        } else if rest.starts_with("/*") {
            match block_comment_len(rest) {
                Some(len) => rest = &rest[len..],
                None => return false,
            }
        } else {
            return false;
        }
    }
}

/// Length of the nested `/* … */` comment `s` starts with, if it is closed.
fn block_comment_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The length of the input text at `at` that `sql` reports, if it does: `sql` itself, or `sql`
/// with string literals after PASSWORD replaced by `'********'` (pgrisk redacts them).
fn reported_len(text: &str, at: usize, sql: &str) -> Option<usize> {
    const REDACTED: &str = "'********'";
    let mut pieces = sql.split(REDACTED);
    let first = pieces.next()?;
    let mut i = at;
    if !text[i..].starts_with(first) {
        return None;
    }
    i += first.len();
    for piece in pieces {
        // A redacted literal: `'…'` with `''` inside (as pgrisk's redaction scans it).
        let b = text.as_bytes();
        if b.get(i) != Some(&b'\'') {
            return None;
        }
        let mut end = i + 1;
        while end < b.len() && !(b[end] == b'\'' && b.get(end + 1) != Some(&b'\'')) {
            end += if b[end] == b'\'' { 2 } else { 1 };
        }
        i = (end + 1).min(b.len());
        if !text.get(i..)?.starts_with(piece) {
            return None;
        }
        i += piece.len();
    }
    Some(i - at)
}

/// Where a statement may start after `at`: at each comment, `;` or byte-order mark of the gap
/// text that follows `at` (libpg_query's statements can start with a comment), at each line
/// start in it (COPY data lines can start with spaces), or where it ends.
fn gap_starts(text: &str, at: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut i = at;
    loop {
        for (p, c) in text[i..].char_indices() {
            if !c.is_whitespace() {
                break;
            }
            if i + p == 0 || matches!(text.as_bytes()[i + p - 1], b'\n' | b'\r') {
                starts.push(i + p);
            }
        }
        let rest = &text[i..];
        i += rest.len() - rest.trim_start().len();
        let rest = &text[i..];
        starts.push(i);
        if let Some(c) = rest.chars().next().filter(|&c| c == ';' || c == '\u{feff}') {
            i += c.len_utf8();
        } else if let Some(r) = rest.strip_prefix("--") {
            i += 2 + r.find(['\n', '\r']).unwrap_or(r.len());
        } else if let Some(len) = rest
            .starts_with("/*")
            .then(|| block_comment_len(rest))
            .flatten()
        {
            i += len;
        } else {
            return starts;
        }
    }
}

fn check_statements_in_order(src: &Source, report: &Report) {
    let text = src.text.as_str();
    let mut at = src.content_start();
    for st in &report.statements {
        assert!(!st.sql.is_empty(), "empty statement at line {}", st.line);
        assert_eq!(&*st.file, "fuzz.sql");
        let found = gap_starts(text, at).into_iter().find_map(|start| {
            let pos = src.position(start);
            ((pos.line, pos.column) == (st.line, st.column))
                .then(|| reported_len(text, start, &st.sql))
                .flatten()
                .map(|len| (start, len))
        });
        let Some((start, len)) = found else {
            panic!(
                "statement {} (line {}, column {}) not found in order after only whitespace/comments/`;`: {:?}\ntext before it: {:?}",
                st.index,
                st.line,
                st.column,
                st.sql,
                &text[at..text.len().min(at + 200)]
            );
        };
        let end_line = src.position(start + len - 1).line;
        assert_eq!(end_line, st.end_line, "end_line of statement {}", st.index);
        at = start + len;
    }
    assert!(
        is_gap(&text[at..]),
        "text after the last statement is dropped: {:?}",
        &text[at..]
    );
}

/// `script::split` over valid UTF-8 text.
///
/// - chunks are non-empty, in order, non-overlapping, within the text and on char boundaries;
/// - comments likewise, and never inside a chunk;
/// - every byte outside chunks and comments is whitespace, `;` or a byte-order mark: every input
///   byte belongs to exactly one chunk, one comment, or the gaps;
/// - `LazySplit` gives the same chunks and comments;
/// - each kind looks like itself (SQL starts with a token, psql meta-commands with `\` and stay
///   on their line, complete comments are closed), and re-splitting a chunk alone gives it back.
pub fn splitter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let s = script::split(text, 0, text.len());

    // The lazy split (what the pipeline reads) gives the same chunks and comments.
    let mut lazy = script::LazySplit::new(text, 0);
    let (mut chunks, mut comments) = (Vec::new(), Vec::new());
    while let Some(c) = lazy.next_chunk() {
        comments.extend(lazy.take_comments());
        chunks.push(c);
    }
    comments.extend(lazy.take_comments());
    assert_eq!(chunks, s.chunks, "LazySplit chunks differ from split");
    assert_eq!(comments, s.comments, "LazySplit comments differ from split");

    let mut owner = vec![0u8; text.len()]; // 0 gap, 1 chunk, 2 comment
    let mut last_end = 0;
    for (i, c) in s.chunks.iter().enumerate() {
        assert!(c.start < c.end, "empty chunk {i}: {c:?}");
        assert!(c.end <= text.len(), "chunk {i} out of bounds: {c:?}");
        assert!(
            c.start >= last_end,
            "chunk {i} overlaps or is out of order: {c:?}"
        );
        assert!(
            text.is_char_boundary(c.start) && text.is_char_boundary(c.end),
            "chunk {i} splits a character: {c:?}"
        );
        last_end = c.end;
        owner[c.start..c.end].fill(1);
        let chunk = &text[c.start..c.end];
        match c.kind {
            ChunkKind::Sql => {
                let first = chunk.as_bytes()[0];
                assert!(
                    !first.is_ascii_whitespace() && first != b';' && first != 0x0b,
                    "SQL chunk {i} starts with a gap byte: {chunk:?}"
                );
                assert!(
                    !chunk.starts_with("--")
                        && (!chunk.starts_with("/*") || c.unterminated.is_some()),
                    "SQL chunk {i} starts with a comment: {chunk:?}"
                );
                if let Some(u) = c.unterminated {
                    assert!(
                        (c.start..c.end).contains(&u.at),
                        "unterminated {} outside its chunk {i}",
                        u.what
                    );
                }
            }
            ChunkKind::PsqlMeta => {
                assert!(chunk.starts_with('\\'), "meta-command chunk {i}: {chunk:?}");
                assert!(
                    !chunk.contains(['\n', '\r']),
                    "meta-command chunk {i} spans lines: {chunk:?}"
                );
            }
            ChunkKind::CopyData => {
                let line_start = c.start == 0 || matches!(data[c.start - 1], b'\n' | b'\r');
                assert!(line_start, "COPY data chunk {i} starts mid-line");
                if c.unterminated.is_none() {
                    assert!(
                        chunk.trim_end().ends_with("\\."),
                        "COPY data chunk {i} without its \\. line: {chunk:?}"
                    );
                }
            }
        }
        // Context-free kinds split alone the same way.
        if c.kind != ChunkKind::CopyData {
            let again = script::split(text, c.start, c.end);
            assert_eq!(
                again.chunks.first().map(|a| (a.start, a.end, a.kind)),
                Some((c.start, c.end, c.kind)),
                "chunk {i} splits differently alone: {chunk:?}"
            );
        }
    }

    let mut last_end = 0;
    for (i, c) in s.comments.iter().enumerate() {
        assert!(c.start < c.end && c.end <= text.len(), "comment {i}: {c:?}");
        assert!(c.start >= last_end, "comment {i} out of order: {c:?}");
        assert!(
            text.is_char_boundary(c.start) && text.is_char_boundary(c.end),
            "comment {i} splits a character"
        );
        assert!(
            owner[c.start..c.end].iter().all(|&o| o == 0),
            "comment {i} overlaps a chunk or another comment: {c:?}"
        );
        last_end = c.end;
        owner[c.start..c.end].fill(2);
        let comment = &text[c.start..c.end];
        if comment.starts_with("--") {
            assert!(
                !comment.contains(['\n', '\r']),
                "line comment {i} spans lines"
            );
            assert!(
                c.end == text.len() || matches!(data[c.end], b'\n' | b'\r'),
                "line comment {i} ends before its line does"
            );
        } else {
            assert_eq!(
                block_comment_len(comment),
                Some(comment.len()),
                "comment {i} is not one closed block comment: {comment:?}"
            );
        }
    }

    let mut i = 0;
    while i < text.len() {
        if owner[i] != 0 {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("on a char boundary");
        assert!(
            matches!(
                c,
                ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | ';' | '\u{feff}'
            ),
            "byte {i} ({c:?}) is in no chunk or comment and is not whitespace or `;`"
        );
        i += c.len_utf8();
    }
}
