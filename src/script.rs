//! Splits SQL text into statements with exact byte spans, the way psql would, and finds the
//! directives among the comments between them (Alembic `-- Running upgrade A -> B` markers,
//! `-- pgrisk: ignore …`), all in input order, so later stages never read the text again.

use crate::registry::RuleId;

/// What a chunk of the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// A SQL statement, from its first token to its terminating `;` (or end of input).
    Sql,
    /// A psql meta-command line (`\connect`, `\set`, ...).
    PsqlMeta,
    /// The data lines following `COPY ... FROM stdin`, up to and including `\.`.
    CopyData,
}

/// A construct still open at the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    pub what: &'static str,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub kind: ChunkKind,
    pub unterminated: Option<Unterminated>,
}

/// A comment outside any statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Default)]
pub struct Script {
    pub chunks: Vec<Chunk>,
    pub comments: Vec<Comment>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// Whitespace to PostgreSQL's scanner and psql (`[ \t\n\r\f\v]`).
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

/// Splits `text[from..to]`. Every byte ends up in exactly one chunk or between chunks
/// (whitespace, comments, empty statements).
pub fn split(text: &str, from: usize, to: usize) -> Script {
    Splitter {
        b: &text.as_bytes()[..to],
        script: Script::default(),
        copy_data: true,
    }
    .run(from)
}

/// The same split, produced as it is consumed: chunks one at a time, with the comments before
/// them, so a large input is never held twice.
pub struct LazySplit<'a> {
    splitter: Splitter<'a>,
    pos: usize,
    next: usize,
}

impl<'a> LazySplit<'a> {
    pub fn new(text: &'a str, from: usize) -> LazySplit<'a> {
        LazySplit {
            splitter: Splitter {
                b: text.as_bytes(),
                script: Script::default(),
                copy_data: true,
            },
            pos: from,
            next: 0,
        }
    }

    /// The next chunk, in input order.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        while self.next >= self.splitter.script.chunks.len() {
            if self.pos >= self.splitter.b.len() {
                return None;
            }
            if self.next > 0 {
                self.splitter.script.chunks.clear();
                self.next = 0;
            }
            self.pos = self.splitter.step(self.pos);
        }
        self.next += 1;
        Some(self.splitter.script.chunks[self.next - 1].clone())
    }

    /// Comments scanned so far and not yet taken (all of them come before the next chunk).
    pub fn take_comments(&mut self) -> Vec<Comment> {
        std::mem::take(&mut self.splitter.script.comments)
    }

    /// The directives among the comments scanned so far (revision markers, ignores), in order;
    /// plain comments are dropped.
    pub fn take_directives(&mut self) -> Vec<Directive> {
        let b = self.splitter.b;
        self.take_comments()
            .into_iter()
            .filter_map(|c| {
                // Comments start and end on character boundaries of the (UTF-8) input.
                let text = std::str::from_utf8(&b[c.start..c.end]).ok()?;
                Directive::parse(c, text)
            })
            .collect()
    }
}

struct Splitter<'a> {
    b: &'a [u8],
    script: Script,
    /// Whether `COPY ... FROM stdin;` is followed by data lines (not on the rest of a COPY line).
    copy_data: bool,
}

/// What psql's lexer tracks of a statement's words: `CREATE FUNCTION ... BEGIN ATOMIC ... END`
/// bodies, whose `;` do not end the statement, and `COPY ... FROM STDIN`, which data lines follow.
#[derive(Default)]
struct Words {
    words: usize,
    create: bool,
    routine: bool,
    /// BEGIN/CASE ... END nesting of a routine body (counted outside parentheses, as psql does).
    depth: usize,
    copy: bool,
    after_from: bool,
    from_stdin: bool,
}

impl Words {
    fn word(&mut self, w: &[u8], parens: usize) {
        let eq = |s: &str| w.eq_ignore_ascii_case(s.as_bytes());
        match self.words {
            0 => {
                self.create = eq("create");
                self.copy = eq("copy");
            }
            1..=3 if self.create && !self.routine => {
                if eq("function") || eq("procedure") {
                    self.routine = true;
                } else if !(eq("or") || eq("replace")) {
                    self.create = false;
                }
            }
            _ => {}
        }
        self.words += 1;
        if self.routine && parens == 0 {
            if eq("begin") || (eq("case") && self.depth > 0) {
                self.depth += 1;
            } else if eq("end") && self.depth > 0 {
                self.depth -= 1;
            }
        }
        // `COPY (SELECT ... FROM stdin) TO ...` reads no data: only the top level counts.
        if self.copy && parens == 0 {
            self.from_stdin |= self.after_from && eq("stdin");
            self.after_from = eq("from");
        }
    }

    /// Any token that is not a word (literal, quoted identifier, operator, parenthesis).
    fn other(&mut self) {
        self.after_from = false;
    }
}

impl Splitter<'_> {
    fn run(mut self, from: usize) -> Script {
        let mut i = from;
        while i < self.b.len() {
            i = self.step(i);
        }
        self.script
    }

    /// Scans one thing at `i` (whitespace, a comment, an empty statement, a meta-command or a
    /// statement with its COPY data); returns where scanning resumes.
    fn step(&mut self, i: usize) -> usize {
        let c = self.b[i];
        if is_space(c) || (c == 0xef && self.b[i..].starts_with(&[0xef, 0xbb, 0xbf])) {
            i + if c == 0xef { 3 } else { 1 }
        } else if c == b';' {
            i + 1 // an empty statement
        } else if self.b[i..].starts_with(b"--") {
            let end = self.line_end(i);
            self.script.comments.push(Comment { start: i, end });
            end
        } else if self.b[i..].starts_with(b"/*") {
            let (end, open) = self.block_comment(i);
            if open {
                let unterminated = Some(Unterminated {
                    what: "block comment",
                    at: i,
                });
                self.push(i, end, ChunkKind::Sql, unterminated);
            } else {
                self.script.comments.push(Comment { start: i, end });
            }
            end
        } else if c == b'\\' {
            let end = self.line_end(i);
            self.push(i, end, ChunkKind::PsqlMeta, None);
            end
        } else {
            self.statement(i)
        }
    }

    fn push(
        &mut self,
        start: usize,
        end: usize,
        kind: ChunkKind,
        unterminated: Option<Unterminated>,
    ) {
        self.script.chunks.push(Chunk {
            start,
            end,
            kind,
            unterminated,
        });
    }

    fn line_end(&self, i: usize) -> usize {
        self.b[i..]
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .map_or(self.b.len(), |p| i + p)
    }

    /// Nested `/* */`; returns the end offset and whether it was left open.
    fn block_comment(&self, start: usize) -> (usize, bool) {
        let mut depth = 0usize;
        let mut i = start;
        while i + 1 < self.b.len() {
            if self.b[i] == b'/' && self.b[i + 1] == b'*' {
                depth += 1;
                i += 2;
            } else if self.b[i] == b'*' && self.b[i + 1] == b'/' {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, false);
                }
            } else {
                i += 1;
            }
        }
        (self.b.len(), true)
    }

    /// Scans one statement starting at its first token; returns where scanning resumes.
    fn statement(&mut self, start: usize) -> usize {
        let b = self.b;
        let mut i = start;
        let mut last_token_end = start;
        let mut words = Words::default();
        let mut parens = 0usize;
        let mut open: Option<Unterminated> = None;
        while i < b.len() {
            let c = b[i];
            if is_space(c) {
                i += 1;
                continue;
            }
            if b[i..].starts_with(b"--") {
                i = self.line_end(i);
                continue;
            }
            if b[i..].starts_with(b"/*") {
                let (end, unterminated) = self.block_comment(i);
                if unterminated {
                    open = Some(Unterminated {
                        what: "block comment",
                        at: i,
                    });
                    last_token_end = end;
                }
                i = end;
                continue;
            }
            match c {
                b';' if words.depth == 0 => {
                    let end = i + 1;
                    self.push(start, end, ChunkKind::Sql, None);
                    if words.from_stdin && self.copy_data {
                        return self.copy_data(end);
                    }
                    return end;
                }
                b'\'' => {
                    let escapes = i > start
                        && matches!(b[i - 1], b'e' | b'E')
                        && (i - 1 == start || !is_ident_char(b[i - 2]));
                    i = match self.quoted(i, b'\'', escapes) {
                        Some(end) => end,
                        None => {
                            open = Some(Unterminated {
                                what: "string literal",
                                at: i,
                            });
                            b.len()
                        }
                    };
                }
                b'"' => {
                    i = match self.quoted(i, b'"', false) {
                        Some(end) => end,
                        None => {
                            open = Some(Unterminated {
                                what: "quoted identifier",
                                at: i,
                            });
                            b.len()
                        }
                    };
                }
                b'$' if i == start || !is_ident_char(b[i - 1]) => {
                    i = match self.dollar_quoted(i) {
                        Ok(end) => end,
                        Err(true) => {
                            open = Some(Unterminated {
                                what: "dollar-quoted string",
                                at: i,
                            });
                            b.len()
                        }
                        Err(false) => i + 1,
                    };
                }
                c if is_ident_start(c) => {
                    let end = i + b[i..]
                        .iter()
                        .position(|&c| !is_ident_char(c))
                        .unwrap_or(b.len() - i);
                    words.word(&b[i..end], parens);
                    i = end;
                    last_token_end = i;
                    continue;
                }
                b'(' => {
                    parens += 1;
                    i += 1;
                }
                b')' => {
                    parens = parens.saturating_sub(1);
                    i += 1;
                }
                _ => i += 1,
            }
            words.other();
            last_token_end = i;
        }
        self.push(start, last_token_end, ChunkKind::Sql, open);
        self.comments_after(last_token_end);
        b.len()
    }

    /// The comments after a statement's last token when no `;` ends it (only whitespace and
    /// complete comments follow it there).
    fn comments_after(&mut self, from: usize) {
        let mut i = from;
        while i < self.b.len() {
            let end = if self.b[i..].starts_with(b"--") {
                self.line_end(i)
            } else if self.b[i..].starts_with(b"/*") {
                self.block_comment(i).0
            } else {
                i += 1;
                continue;
            };
            self.script.comments.push(Comment { start: i, end });
            i = end;
        }
    }

    /// A `'...'` or `"..."` token with doubled-quote escapes (and backslash escapes for `E''`).
    fn quoted(&self, start: usize, quote: u8, backslash: bool) -> Option<usize> {
        let b = self.b;
        let mut i = start + 1;
        while i < b.len() {
            if backslash && b[i] == b'\\' {
                i += 2;
            } else if b[i] == quote {
                if b.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            } else {
                i += 1;
            }
        }
        None
    }

    /// `$tag$ ... $tag$`. `Err(false)`: not a dollar quote (e.g. `$1`); `Err(true)`: unterminated.
    fn dollar_quoted(&self, start: usize) -> Result<usize, bool> {
        let b = self.b;
        let mut j = start + 1;
        if j < b.len() && is_ident_start(b[j]) {
            while j < b.len() && is_ident_char(b[j]) && b[j] != b'$' {
                j += 1;
            }
        }
        if b.get(j) != Some(&b'$') {
            return Err(false);
        }
        let tag = &b[start..=j];
        let body = j + 1;
        match b[body..].windows(tag.len()).position(|w| w == tag) {
            Some(p) => Ok(body + p + tag.len()),
            None => Err(true),
        }
    }

    /// The data after `COPY ... FROM stdin;`: from the next line up to a line holding only `\.`.
    fn copy_data(&mut self, stmt_end: usize) -> usize {
        let b = self.b;
        let eol = self.line_end(stmt_end);
        // psql runs what follows `;` on the COPY line after the data; split it here, in input
        // order, so that none of it is lost (without data of its own).
        if b[stmt_end..eol].iter().any(|&c| !is_space(c)) {
            let rest = Splitter {
                b: &b[..eol],
                script: Script::default(),
                copy_data: false,
            }
            .run(stmt_end);
            self.script.chunks.extend(rest.chunks);
            self.script.comments.extend(rest.comments);
        }
        if eol == b.len() {
            return b.len();
        }
        let mut line = eol + if b[eol..].starts_with(b"\r\n") { 2 } else { 1 };
        let data_start = line;
        while line < b.len() {
            let end = self.line_end(line);
            if b[line..end].trim_ascii_end() == b"\\." {
                self.push(data_start, end, ChunkKind::CopyData, None);
                return end;
            }
            line = end + usize::from(end < b.len());
            if end < b.len() && b[end] == b'\r' && b.get(end + 1) == Some(&b'\n') {
                line += 1;
            }
        }
        if data_start < b.len() {
            let open = Some(Unterminated {
                what: "COPY data (no terminating \\.)",
                at: data_start,
            });
            self.push(data_start, b.len(), ChunkKind::CopyData, open);
        }
        b.len()
    }
}

/// An Alembic revision marker: `-- Running upgrade A -> B` / `-- Running downgrade B -> A`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    /// The revision whose script emitted the statements that follow.
    pub id: String,
    pub from: String,
    pub to: String,
    pub downgrade: bool,
}

impl Revision {
    pub fn parse_marker(comment: &str) -> Option<Revision> {
        let rest = comment.strip_prefix("--")?.trim_start();
        let (downgrade, rest) = if let Some(r) = rest.strip_prefix("Running upgrade") {
            (false, r)
        } else {
            (true, rest.strip_prefix("Running downgrade")?)
        };
        let (from, to) = rest.split_once("->")?;
        let (from, to) = (from.trim().to_string(), to.trim().to_string());
        let id = if downgrade { from.clone() } else { to.clone() };
        Some(Revision {
            id,
            from,
            to,
            downgrade,
        })
    }
}

/// The revisions `--since` marks as already applied in production: each named revision and every
/// revision it depends on, following the `-- Running upgrade A -> B` chain (merges `A, C -> B` and
/// branches included). They teach the schema but get no findings.
#[derive(Debug, Clone, Default)]
pub struct History {
    revisions: std::collections::HashSet<String>,
    active: bool,
}

impl History {
    /// From the revision markers of `texts` (the inputs, in order). An error names a `since`
    /// revision that no marker mentions.
    pub fn from_inputs(texts: &[&str], since: &[String]) -> Result<History, String> {
        if since.is_empty() {
            return Ok(History::default());
        }
        let mut parents: std::collections::HashMap<String, Vec<String>> = Default::default();
        for text in texts {
            let mut split = LazySplit::new(text, 0);
            loop {
                let more = split.next_chunk().is_some();
                for d in split.take_directives() {
                    if let DirectiveKind::Revision(r) = d.kind
                        && !r.downgrade
                    {
                        let from = r.from.split(',').map(|p| p.trim().to_string());
                        parents
                            .entry(r.to.clone())
                            .or_default()
                            .extend(from.filter(|p| !p.is_empty()));
                    }
                }
                if !more {
                    break;
                }
            }
        }
        let known =
            |rev: &str| parents.contains_key(rev) || parents.values().flatten().any(|p| p == rev);
        let mut history = History {
            revisions: Default::default(),
            active: true,
        };
        let mut todo: Vec<String> = Vec::new();
        for rev in since {
            if !known(rev) {
                return Err(format!(
                    "--since {rev}: no `-- Running upgrade … {rev}` marker in the input (is it the revision id production is at?)"
                ));
            }
            todo.push(rev.clone());
        }
        while let Some(rev) = todo.pop() {
            if history.revisions.insert(rev.clone()) {
                todo.extend(parents.get(&rev).into_iter().flatten().cloned());
            }
        }
        Ok(history)
    }

    /// `--since` was given: the statements before the first revision marker are history too.
    pub fn is_active(&self) -> bool {
        self.active
    }

    pub fn contains(&self, revision: &str) -> bool {
        self.revisions.contains(revision)
    }
}

/// A comment between statements that tells pgrisk something, where it stands in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub start: usize,
    pub end: usize,
    pub kind: DirectiveKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `-- Running upgrade A -> B`: the statements that follow belong to a revision.
    Revision(Revision),
    /// `-- pgrisk: ignore …`: findings of the next statement to leave out.
    Ignore(Ignore),
}

/// `-- pgrisk-ignore`, `-- pgrisk-ignore: rule-a, rule-b`, `-- pgrisk: ignore rule-a -- reason`
/// (what `op.execute("-- pgrisk: ignore rule-a -- reason")` prints, with its `;`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The rules named; empty: every rule.
    pub rules: Vec<RuleId>,
    /// Names that are no rule (reported, never ignored silently).
    pub unknown: Vec<String>,
    pub reason: Option<String>,
}

impl Directive {
    fn parse(c: Comment, text: &str) -> Option<Directive> {
        let kind = if let Some(r) = Revision::parse_marker(text) {
            DirectiveKind::Revision(r)
        } else {
            DirectiveKind::Ignore(Ignore::parse(text)?)
        };
        Some(Directive {
            start: c.start,
            end: c.end,
            kind,
        })
    }
}

impl Ignore {
    pub fn parse(comment: &str) -> Option<Ignore> {
        let rest = comment.strip_prefix("--")?.trim_start();
        let rest = rest
            .strip_prefix("pgrisk-ignore")
            .or_else(|| rest.strip_prefix("pgrisk:ignore"))
            .or_else(|| {
                let r = rest.strip_prefix("pgrisk:")?.trim_start();
                r.strip_prefix("ignore")
                    .filter(|r| r.is_empty() || r.starts_with([' ', ':', '\t']))
            })?;
        let rest = rest.trim_start_matches(':');
        let rest = rest.trim_end().trim_end_matches(';');
        let (names, reason) = match rest.split_once("--") {
            Some((names, reason)) => (names, Some(reason.trim().to_string())),
            None => (rest, None),
        };
        let mut ignore = Ignore {
            rules: Vec::new(),
            unknown: Vec::new(),
            reason: reason.filter(|r| !r.is_empty()),
        };
        for name in names
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match name.parse::<RuleId>() {
                Ok(r) => ignore.rules.push(r),
                Err(_) => ignore.unknown.push(name.to_string()),
            }
        }
        Some(ignore)
    }

    /// Leaves out findings of `rule`.
    pub fn covers(&self, rule: RuleId) -> bool {
        (self.rules.is_empty() && self.unknown.is_empty()) || self.rules.contains(&rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql, 0, sql.len())
            .chunks
            .iter()
            .map(|c| &sql[c.start..c.end])
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes() {
        let sql = "SELECT 'a;b'; SELECT \"x;\" FROM t;\nSELECT E'it\\'s;'; SELECT 1";
        assert_eq!(
            texts(sql),
            [
                "SELECT 'a;b';",
                "SELECT \"x;\" FROM t;",
                "SELECT E'it\\'s;';",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn dollar_quotes_and_nested_comments() {
        let sql = "DO $x$ BEGIN PERFORM 1; END $x$;\n/* a /* b; */ c; */ SELECT $1, $$;$$;";
        assert_eq!(
            texts(sql),
            ["DO $x$ BEGIN PERFORM 1; END $x$;", "SELECT $1, $$;$$;"]
        );
    }

    #[test]
    fn begin_atomic_bodies_are_one_statement() {
        let sql = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; BEGIN; COMMIT;";
        let t = texts(sql);
        assert_eq!(t.len(), 3, "{t:?}");
        assert!(t[0].ends_with("END; END;"));
        // Like psql, only words outside parentheses open a body.
        let sql = "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1; SELECT 1;";
        assert_eq!(texts(sql).len(), 2);
    }

    #[test]
    fn comments_before_statements_are_between_chunks() {
        let sql = "-- Running upgrade  -> abc\n\nCREATE TABLE t (a int);;\n";
        let s = split(sql, 0, sql.len());
        assert_eq!(s.chunks.len(), 1);
        assert_eq!(
            &sql[s.chunks[0].start..s.chunks[0].end],
            "CREATE TABLE t (a int);"
        );
        assert_eq!(
            &sql[s.comments[0].start..s.comments[0].end],
            "-- Running upgrade  -> abc"
        );
    }

    #[test]
    fn psql_meta_and_copy_data() {
        let sql = "\\connect db\nCOPY t (a) FROM stdin;\n1\n2;3\n\\.\nSELECT 1;";
        let s = split(sql, 0, sql.len());
        let kinds: Vec<_> = s
            .chunks
            .iter()
            .map(|c| (c.kind, &sql[c.start..c.end]))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChunkKind::PsqlMeta, "\\connect db"),
                (ChunkKind::Sql, "COPY t (a) FROM stdin;"),
                (ChunkKind::CopyData, "1\n2;3\n\\."),
                (ChunkKind::Sql, "SELECT 1;"),
            ]
        );
    }

    #[test]
    fn only_a_top_level_copy_from_stdin_reads_data() {
        let sql =
            "COPY (SELECT a FROM stdin) TO stdout;\nSELECT 1;\ncopy t (a) from STDIN;\n1\n\\.";
        let s = split(sql, 0, sql.len());
        let kinds: Vec<_> = s.chunks.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ChunkKind::Sql,
                ChunkKind::Sql,
                ChunkKind::Sql,
                ChunkKind::CopyData
            ]
        );
    }

    #[test]
    fn the_rest_of_a_copy_line_is_split_before_its_data() {
        // psql runs `SELECT 1;` after the data; a lone `\r` ends lines too.
        let sql = "COPY t FROM stdin; SELECT 1; -- c\r1\r\\.\rSELECT 2;";
        let s = split(sql, 0, sql.len());
        let kinds: Vec<_> = s
            .chunks
            .iter()
            .map(|c| (c.kind, &sql[c.start..c.end]))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChunkKind::Sql, "COPY t FROM stdin;"),
                (ChunkKind::Sql, "SELECT 1;"),
                (ChunkKind::CopyData, "1\r\\."),
                (ChunkKind::Sql, "SELECT 2;"),
            ]
        );
        assert_eq!(&sql[s.comments[0].start..s.comments[0].end], "-- c");
    }

    #[test]
    fn comments_after_a_last_statement_without_semicolon() {
        let sql = "SELECT 1 -- a\n/* b */\n";
        let s = split(sql, 0, sql.len());
        assert_eq!(texts(sql), ["SELECT 1"]);
        let comments: Vec<_> = s.comments.iter().map(|c| &sql[c.start..c.end]).collect();
        assert_eq!(comments, ["-- a", "/* b */"]);
    }

    #[test]
    fn vertical_tab_is_whitespace() {
        assert_eq!(
            texts("SELECT 1;\n\x0b;\x0bSELECT 2;"),
            ["SELECT 1;", "SELECT 2;"]
        );
    }

    #[test]
    fn unterminated_constructs_run_to_the_end() {
        for (sql, what) in [
            ("SELECT 'abc", "string literal"),
            ("SELECT \"abc", "quoted identifier"),
            ("DO $$ begin", "dollar-quoted string"),
            ("SELECT 1 /* x", "block comment"),
            ("/* x", "block comment"),
        ] {
            let s = split(sql, 0, sql.len());
            let last = s.chunks.last().unwrap();
            assert_eq!(last.end, sql.len(), "{sql}");
            assert_eq!(last.unterminated.map(|u| u.what), Some(what), "{sql}");
        }
    }

    #[test]
    fn revision_markers() {
        let r = Revision::parse_marker("-- Running upgrade  -> 4bc4d934e2bc").unwrap();
        assert_eq!((r.id.as_str(), r.from.as_str()), ("4bc4d934e2bc", ""));
        let r = Revision::parse_marker("-- Running downgrade b2 -> a1").unwrap();
        assert_eq!((r.id.as_str(), r.downgrade), ("b2", true));
        assert!(Revision::parse_marker("-- hello").is_none());
    }

    #[test]
    fn history_follows_the_chain_through_merges_and_branches() {
        let sql = "-- Running upgrade  -> a\nSELECT 1;\n-- Running upgrade a -> b\nSELECT 1;\n\
                   -- Running upgrade a -> c\nSELECT 1;\n-- Running upgrade b, c -> m\nSELECT 1;\n\
                   -- Running upgrade m -> d\nSELECT 1;\n-- Running upgrade a -> x\nSELECT 1;\n";
        let h = History::from_inputs(&[sql], &["m".into()]).unwrap();
        for r in ["a", "b", "c", "m"] {
            assert!(h.contains(r), "{r}");
        }
        assert!(!h.contains("d") && !h.contains("x"));
        let h = History::from_inputs(&[sql], &["b".into()]).unwrap();
        assert!(h.contains("a") && h.contains("b") && !h.contains("c"));
        assert!(History::from_inputs(&[sql], &["zz".into()]).is_err());
        assert!(!History::from_inputs(&[sql], &[]).unwrap().is_active());
    }

    #[test]
    fn ignore_directives() {
        let i = Ignore::parse("-- pgrisk-ignore: set-not-null, drop-column").unwrap();
        assert_eq!(i.rules, [RuleId::SetNotNull, RuleId::DropColumn]);
        // What op.execute("-- pgrisk: ignore ... -- reason") prints, with its `;`.
        let i = Ignore::parse("-- pgrisk: ignore add-foreign-key -- backfilled in 4f2a;").unwrap();
        assert_eq!(i.rules, [RuleId::AddForeignKey]);
        assert_eq!(i.reason.as_deref(), Some("backfilled in 4f2a"));
        let i = Ignore::parse("-- pgrisk: ignore set-not-nul").unwrap();
        assert_eq!(i.unknown, ["set-not-nul"]);
        assert!(
            !i.covers(RuleId::SetNotNull),
            "a misspelt name ignores nothing"
        );
        assert!(
            Ignore::parse("-- pgrisk-ignore")
                .unwrap()
                .covers(RuleId::DropTable)
        );
        assert!(Ignore::parse("-- pgrisk: ignored by nobody").is_none());
        assert!(Ignore::parse("-- hello").is_none());
    }
}
