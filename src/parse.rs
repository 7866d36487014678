//! Parses each chunk of a script with libpg_query (one statement at a time, in parallel) into
//! `Op`s. A chunk that does not parse becomes a syntax error with PostgreSQL's message and
//! position; free text printed by migration code is separated from the SQL that follows it.

use crate::facts::{self, Op};
use crate::script::{self, Chunk, ChunkKind};
use crate::source::Source;
use rayon::prelude::*;
use std::ffi::{CStr, CString, c_char, c_int};

#[derive(Debug, Clone)]
pub enum Body {
    Parsed(Box<Op>),
    /// PostgreSQL rejected the statement: its message, and the byte offset it points at.
    SyntaxError {
        message: String,
        offset: usize,
    },
    /// Text that is not SQL (lines printed by migration code, log lines).
    NonSql,
    PsqlMeta,
    CopyData,
}

/// One statement (or non-statement chunk) of the input, in order.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub start: usize,
    pub end: usize,
    pub body: Body,
}

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

unsafe extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
}

/// PostgreSQL's error message and 1-based character position for a statement that failed.
/// (The pg_query crate drops the position, so ask libpg_query directly; only on failures.)
fn error_position(sql: &str) -> Option<(String, usize)> {
    let input = CString::new(sql).ok()?;
    // SAFETY: pg_query_parse takes a NUL-terminated string and returns owned buffers that are
    // released by pg_query_free_parse_result; we copy what we need before freeing.
    unsafe {
        let result = pg_query_parse(input.as_ptr());
        let out = if result.error.is_null() {
            None
        } else {
            let err = &*result.error;
            let message = CStr::from_ptr(err.message).to_string_lossy().into_owned();
            Some((message, err.cursorpos.max(0) as usize))
        };
        pg_query_free_parse_result(result);
        out
    }
}

/// Byte offset of the 1-based character position `pos` in `s` (0 when unknown).
fn char_to_byte(s: &str, pos: usize) -> usize {
    if pos == 0 {
        return 0;
    }
    s.char_indices().nth(pos - 1).map_or(s.len(), |(i, _)| i)
}

#[repr(C)]
struct PgQueryProtobuf {
    len: usize,
    data: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobufParseResult {
    parse_tree: PgQueryProtobuf,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

unsafe extern "C" {
    fn pg_query_parse_protobuf(input: *const c_char) -> PgQueryProtobufParseResult;
    fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
}

/// libpg_query's parse tree for one statement. Like `pg_query::parse`, without the summary walk
/// (tables, functions) it does on every result, which pgrisk does not use.
pub fn parse_tree(sql: &str) -> Result<pg_query::protobuf::ParseResult, pg_query::Error> {
    use prost::Message;
    let input = CString::new(sql)?;
    // SAFETY: the result owns C buffers that are only read before pg_query_free_protobuf_parse_result.
    unsafe {
        let result = pg_query_parse_protobuf(input.as_ptr());
        let out = if result.error.is_null() {
            let data = std::slice::from_raw_parts(
                result.parse_tree.data as *const u8,
                result.parse_tree.len,
            );
            pg_query::protobuf::ParseResult::decode(data).map_err(pg_query::Error::Decode)
        } else {
            let message = CStr::from_ptr((*result.error).message)
                .to_string_lossy()
                .into_owned();
            Err(pg_query::Error::Parse(message))
        };
        pg_query_free_protobuf_parse_result(result);
        out
    }
}

/// Parses one statement's text into its operations, with their offsets in `sql`.
fn parse_one(sql: &str) -> Result<Vec<(usize, Op)>, (String, usize)> {
    match parse_tree(sql) {
        Ok(tree) => Ok(tree
            .stmts
            .iter()
            .filter_map(|raw| {
                let node = raw.stmt.as_ref()?.node.as_ref()?;
                Some((raw.stmt_location.max(0) as usize, facts::describe(node)))
            })
            .collect()),
        Err(pg_query::Error::Decode(_)) => Err((
            "statement is nested too deeply for pgrisk to analyse".to_string(),
            0,
        )),
        Err(e) => {
            let (message, pos) = error_position(sql).unwrap_or_else(|| (e.to_string(), 0));
            Err((message, char_to_byte(sql, pos)))
        }
    }
}

/// Words that start a SQL statement: where text printed by a migration ends and SQL resumes.
const STATEMENT_KEYWORDS: &[&str] = &[
    "abort",
    "alter",
    "analyze",
    "begin",
    "call",
    "checkpoint",
    "close",
    "cluster",
    "comment",
    "commit",
    "copy",
    "create",
    "deallocate",
    "declare",
    "delete",
    "discard",
    "do",
    "drop",
    "end",
    "explain",
    "fetch",
    "grant",
    "import",
    "insert",
    "listen",
    "load",
    "lock",
    "merge",
    "move",
    "notify",
    "prepare",
    "reassign",
    "refresh",
    "reindex",
    "release",
    "reset",
    "revoke",
    "rollback",
    "savepoint",
    "security",
    "select",
    "set",
    "show",
    "start",
    "table",
    "truncate",
    "unlisten",
    "update",
    "vacuum",
    "values",
    "with",
];

fn starts_with_keyword(text: &str) -> bool {
    let word: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    word.len() < text.trim_start().len() + 1
        && STATEMENT_KEYWORDS.contains(&word.to_ascii_lowercase().as_str())
        && text.trim_start()[word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// How many line starts recovery tries inside one failed chunk.
const MAX_RECOVERY_LINES: usize = 200;

struct Attempt {
    chunk: Chunk,
    result: Result<Vec<(usize, Op)>, (String, usize)>,
}

fn attempt(src: &Source, chunk: Chunk) -> Attempt {
    let result = match chunk.kind {
        ChunkKind::Sql => parse_one(&src.text[chunk.start..chunk.end]),
        _ => Ok(vec![]),
    };
    Attempt { chunk, result }
}

/// Statements of one source, parsed batch by batch (in parallel within a batch) so memory stays
/// bounded by the batch, not the input.
pub struct Batches<'a> {
    src: &'a Source,
    split: script::LazySplit<'a>,
}

/// Statements parsed together, and the directives found among the comments before the last of them.
#[derive(Default)]
pub struct Batch {
    pub parsed: Vec<Parsed>,
    pub directives: Vec<script::Directive>,
}

/// The threads statements are parsed on. libpg_query recurses on the thread's stack, and its
/// PL/pgSQL code (DO bodies) has no depth check, so they get room for deeply nested input.
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(256 << 20)
            .thread_name(|i| format!("pgrisk-parse-{i}"))
            .build()
            .expect("cannot start the parsing threads")
    })
}

/// How many chunks are parsed together: large enough to keep every core busy.
const BATCH: usize = 512;

impl<'a> Batches<'a> {
    pub fn new(src: &'a Source) -> Batches<'a> {
        Batches {
            src,
            split: script::LazySplit::new(&src.text, src.content_start()),
        }
    }

    /// The next statements in input order; empty at the end.
    pub fn next_batch(&mut self) -> Batch {
        let chunks: Vec<Chunk> = std::iter::from_fn(|| self.split.next_chunk())
            .take(BATCH)
            .collect();
        let mut directives = self.split.take_directives();
        let src = self.src;
        let attempts: Vec<Attempt> =
            pool().install(|| chunks.into_par_iter().map(|c| attempt(src, c)).collect());
        let mut parsed = Vec::with_capacity(attempts.len());
        for a in attempts {
            if let Some(resume) = settle(src, a, &mut parsed) {
                // Text printed by migration code ended at `resume`: split again from there to
                // the end of the input (quotes may pair up differently than they did before);
                // the chunks and comments the first split found after it are dropped.
                self.split = script::LazySplit::new(&src.text, resume);
                directives.retain(|d| d.start < resume);
                break;
            }
        }
        Batch { parsed, directives }
    }
}

/// Parses every statement of `src`, in input order.
pub fn parse_source(src: &Source) -> Vec<Parsed> {
    let mut batches = Batches::new(src);
    let mut out = Vec::new();
    loop {
        let batch = batches.next_batch().parsed;
        if batch.is_empty() {
            return out;
        }
        out.extend(batch);
    }
}

/// Adds the statements of one attempted chunk to `out`. When the chunk starts with text that is
/// not SQL and SQL resumes inside it, returns where: the caller splits again from there.
fn settle(src: &Source, a: Attempt, out: &mut Vec<Parsed>) -> Option<usize> {
    let Chunk {
        start,
        end,
        kind,
        unterminated,
    } = a.chunk;
    match (kind, a.result) {
        (ChunkKind::PsqlMeta, _) => out.push(Parsed {
            start,
            end,
            body: Body::PsqlMeta,
        }),
        (ChunkKind::CopyData, _) => out.push(Parsed {
            start,
            end,
            body: Body::CopyData,
        }),
        (ChunkKind::Sql, Ok(stmts)) => {
            if stmts.len() <= 1 {
                let body = match stmts.into_iter().next() {
                    Some((_, op)) => Body::Parsed(Box::new(op)),
                    None => Body::SyntaxError {
                        message: "empty statement".into(),
                        offset: start,
                    },
                };
                out.push(Parsed { start, end, body });
            } else {
                // libpg_query found several statements where the splitter saw one: trust it.
                let locs: Vec<usize> = stmts.iter().map(|(l, _)| start + l).collect();
                for (i, (_, op)) in stmts.into_iter().enumerate() {
                    let s = locs[i];
                    let e = locs.get(i + 1).copied().unwrap_or(end);
                    let s = s + src.text[s..e].len() - src.text[s..e].trim_start().len();
                    out.push(Parsed {
                        start: s,
                        end: e,
                        body: Body::Parsed(Box::new(op)),
                    });
                }
            }
        }
        (ChunkKind::Sql, Err((message, offset))) => {
            // An unterminated quote or comment in a SQL statement swallows the rest of the
            // input, as in psql: no recovery inside it. (Printed text with an apostrophe, such
            // as "can't", is not SQL: the SQL after it is recovered.)
            if (unterminated.is_none() || !starts_with_keyword(&src.text[start..end]))
                && let Some(resume) = recover(src, start, end)
            {
                out.push(Parsed {
                    start,
                    end: trim_end(src, start, resume),
                    body: Body::NonSql,
                });
                return Some(resume);
            }
            let text = &src.text[start..end];
            let body = if !starts_with_keyword(text) && unterminated.is_none() {
                Body::NonSql
            } else {
                let message = match unterminated {
                    Some(u) => {
                        let p = src.position(u.at);
                        format!(
                            "unterminated {} starting at line {}, column {}",
                            u.what, p.line, p.column
                        )
                    }
                    None => message,
                };
                Body::SyntaxError {
                    message,
                    offset: start + offset,
                }
            };
            out.push(Parsed { start, end, body });
        }
    }
    None
}

/// A line start inside a failed chunk from which the text parses as SQL again.
fn recover(src: &Source, start: usize, end: usize) -> Option<usize> {
    for line in src.line_starts_between(start, end).take(MAX_RECOVERY_LINES) {
        let rest = &src.text[line..end];
        let lead = rest.len() - rest.trim_start().len();
        if !starts_with_keyword(rest) {
            continue;
        }
        // Split as the input will be split from there: to its end, not to the chunk's.
        let first = script::LazySplit::new(&src.text, line + lead).next_chunk()?;
        if first.kind == ChunkKind::Sql && parse_one(&src.text[first.start..first.end]).is_ok() {
            return Some(line + lead);
        }
    }
    None
}

fn trim_end(src: &Source, start: usize, end: usize) -> usize {
    start + src.text[start..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(sql: &str) -> Vec<(String, &'static str)> {
        let src = Source::new("t", sql.to_string());
        parse_source(&src)
            .into_iter()
            .map(|p| {
                let kind = match p.body {
                    Body::Parsed(_) => "sql",
                    Body::SyntaxError { .. } => "error",
                    Body::NonSql => "text",
                    Body::PsqlMeta => "meta",
                    Body::CopyData => "copy",
                };
                (src.text[p.start..p.end].to_string(), kind)
            })
            .collect()
    }

    #[test]
    fn printed_text_does_not_swallow_the_next_statement() {
        let got =
            bodies("ALTER TABLE t ADD COLUMN a int;\nprocessing batch 1\nUPDATE t SET a = 1;\n");
        assert_eq!(
            got,
            [
                ("ALTER TABLE t ADD COLUMN a int;".to_string(), "sql"),
                ("processing batch 1".to_string(), "text"),
                ("UPDATE t SET a = 1;".to_string(), "sql"),
            ]
        );
    }

    #[test]
    fn log_lines_with_apostrophes_and_dashes() {
        let got =
            bodies("2026-01-01 [warning] can't migrate -- offline\nUPDATE t SET a = 1;\nSELECT 1;");
        assert_eq!(got[0].1, "text");
        assert_eq!(got[1], ("UPDATE t SET a = 1;".to_string(), "sql"));
        assert_eq!(got[2], ("SELECT 1;".to_string(), "sql"));
    }

    #[test]
    fn syntax_error_keeps_the_rest() {
        let src = Source::new(
            "t",
            "SELECT 1;\nALTER TABLE t ADD COLUMN;\nSELECT 2;".to_string(),
        );
        let parsed = parse_source(&src);
        assert_eq!(parsed.len(), 3);
        match &parsed[1].body {
            Body::SyntaxError { message, offset } => {
                assert_eq!(message, "syntax error at or near \";\"");
                assert_eq!(
                    src.position(*offset),
                    crate::source::Position {
                        line: 2,
                        column: 25
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parsed[2].body, Body::Parsed(_)));
    }
}
