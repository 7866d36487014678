//! The one result model every renderer reads: statements with their locks and effects, findings
//! with their suggestions, and the sink that receives them as they become final.

use crate::facts::QName;
use crate::kb::Key;
use crate::locks::LockMode;
use serde::{Serialize, Serializer};
use std::sync::Arc;

pub use crate::registry::{RuleId, Severity};

/// A lock one statement takes on one relation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockClaim {
    /// Serialized as written in reports: `schema.name` or `name`.
    pub relation: QName,
    pub mode: LockMode,
}

/// A lock a statement takes on relations pgrisk could not list: the input never showed the
/// named relation's CREATE, so its partitions, foreign-key partners or views are unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnresolvedLock {
    /// The relation the statement names.
    pub of: QName,
    /// Which of its relations: `children`, `partitions`, `default_partition`, `referencing`,
    /// `dependents`, `users`, `source_children` (as in rules/locks.toml).
    pub role: &'static str,
    /// The same in words, e.g. "its partitions and inheritance children, if any".
    pub what: &'static str,
    pub mode: LockMode,
}

/// How long a lock that blocks reads or writes is held: from its statement to the end of
/// its transaction, while the later statements of that transaction run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeldUntil {
    /// Line of the COMMIT/ROLLBACK that releases it (the statement's own line in autocommit;
    /// None when the input ends with the transaction still open).
    pub line: Option<usize>,
    /// Index of that COMMIT/ROLLBACK statement (the statement itself in autocommit).
    pub statement: Option<usize>,
    /// How many later statements (not counting transaction control, SET and Alembic
    /// bookkeeping) run while the lock is held, and the first of them.
    pub later_statements: usize,
    pub first_later_statement: Option<usize>,
    /// Revisions of those later statements, in order, without repeats (the first 10).
    pub revisions: Arc<[Arc<str>]>,
    /// How many revision changes those later statements span (the length `revisions` would
    /// have without the cap).
    pub revision_count: usize,
}

/// What pgrisk classified a statement as: a knowledge-base entry, or what else it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// The entry of rules/locks.toml that decides its locks (the costliest one, when several apply).
    Entry(Key),
    Transaction,
    Set,
    Alembic,
    Do,
    Unknown,
    SyntaxError,
    NonSql,
    PsqlMeta,
    CopyData,
}

impl StatementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Entry(k) => k.as_str(),
            StatementKind::Transaction => "transaction",
            StatementKind::Set => "set",
            StatementKind::Alembic => "alembic",
            StatementKind::Do => "do",
            StatementKind::Unknown => "unknown",
            StatementKind::SyntaxError => "syntax-error",
            StatementKind::NonSql => "non-sql-text",
            StatementKind::PsqlMeta => "psql-meta",
            StatementKind::CopyData => "copy-data",
        }
    }

    /// Reads or changes rows, not the schema: its locks are the ones ordinary traffic takes too.
    pub fn is_dml(self) -> bool {
        matches!(
            self,
            StatementKind::Entry(k) if k.writes_rows()
                || matches!(k, Key::DeleteCascade | Key::Select | Key::SelectForUpdate | Key::Copy | Key::CopyTo)
        )
    }

    /// Does work of its own (not transaction control, a setting or Alembic's bookkeeping).
    pub fn is_work(self) -> bool {
        !matches!(
            self,
            StatementKind::Transaction | StatementKind::Set | StatementKind::Alembic
        )
    }
}

impl PartialEq<&str> for StatementKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for StatementKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct StatementReport {
    pub index: usize,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// 1-based line and column of the statement's last character (inclusive).
    pub end_line: usize,
    pub end_column: usize,
    pub revision: Option<Arc<str>>,
    /// The migration script of its revision and the line of the `op.*` call that produced it
    /// (with `--alembic-dir`; the `def upgrade` line when no call matches).
    pub migration_file: Option<Arc<str>>,
    pub migration_line: Option<usize>,
    pub sql: String,
    /// false for syntax errors, non-SQL text, psql meta-commands and COPY data.
    pub parsed: bool,
    /// What pgrisk classified the statement as.
    pub kind: StatementKind,
    pub locks: Vec<LockClaim>,
    /// Locks on relations pgrisk could not list (see [`UnresolvedLock`]).
    pub unresolved_locks: Vec<UnresolvedLock>,
    /// false when pgrisk cannot classify (part of) the statement: its locks are unknown.
    pub locks_known: bool,
    pub rewrite: bool,
    pub scan: bool,
    /// Swaps in a new, empty file for the table (TRUNCATE): the rows are gone, none are read.
    pub empties: bool,
    /// Runs for a time that grows with an existing table: a rewrite, scan or index build of a
    /// table production has, or a backfill of one. Locks held meanwhile wait for it.
    pub slow: bool,
    /// The statement runs inside an explicit transaction block.
    pub in_transaction: bool,
    /// `lock_timeout` in effect when the statement runs (None: not set, or 0).
    pub lock_timeout: Option<String>,
    /// `statement_timeout` in effect when the statement runs (None: not set, or 0).
    pub statement_timeout: Option<String>,
    /// Set for statements whose strongest lock blocks reads or writes on an existing relation.
    pub held_until: Option<Box<HeldUntil>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// 1-based line and column of the last character of its statement (inclusive).
    pub end_line: usize,
    pub end_column: usize,
    pub revision: Option<Arc<str>>,
    /// Its statement's migration script and line, when known (`--alembic-dir`).
    pub migration_file: Option<Arc<str>>,
    pub migration_line: Option<usize>,
    /// Index into `statements` of the statement that caused it.
    pub statement: usize,
    pub message: String,
    /// With `--stats`: how long the slow work holds its lock, roughly ("seconds", "minutes",
    /// "hours"), from the size of the largest existing table the statement locks.
    pub duration: Option<&'static str>,
    /// Other statements the finding is about (indexes into `statements`; the message names them).
    pub related: Vec<usize>,
    /// Accepted by an ignore directive or the configuration: listed, counted apart, never in
    /// the exit code.
    pub ignored: bool,
    /// Why, as the directive or the configuration says.
    pub ignore_reason: Option<String>,
    /// Stable identity of the finding (`crate::fingerprint`): the same when unrelated lines
    /// above move.
    pub fingerprint: String,
    /// The expand-contract recipe (`suggestion.render()`); serialized rendered.
    pub suggestion: crate::suggest::LazySuggestion,
}

impl Finding {
    /// Where a reader fixes it: the migration script and line of the `op.*` call when known,
    /// else the SQL file and line.
    pub fn location(&self) -> (&str, usize) {
        match (&self.migration_file, self.migration_line) {
            (Some(f), Some(l)) => (f, l),
            _ => (&self.file, self.line),
        }
    }

    /// `versions/ae10_add_email.py:23 (SQL line 812)`, or `upgrade.sql:812:1`.
    pub fn position(&self) -> String {
        match (&self.migration_file, self.migration_line) {
            (Some(f), Some(l)) => format!("{f}:{l} (SQL line {})", self.line),
            _ => format!("{}:{}:{}", self.file, self.line, self.column),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Statements read from the input (every chunk, including non-SQL text).
    pub read: usize,
    pub parsed: usize,
    pub unparseable: usize,
    /// Parsed statements pgrisk has a knowledge-base entry (or a transaction/SET meaning) for.
    pub classified: usize,
    /// Parsed statements pgrisk cannot classify.
    pub unknown: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings accepted by an ignore (not in the three counts above).
    pub ignored: usize,
    /// Statements of revisions already applied in production (`--since`): read to learn the
    /// schema, not listed.
    pub history: usize,
}

impl Summary {
    pub fn max_severity(&self) -> Option<Severity> {
        [
            (self.errors, Severity::Error),
            (self.warnings, Severity::Warning),
            (self.infos, Severity::Info),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| s)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub pg_version: u32,
    pub files: Vec<String>,
    pub statements: Vec<StatementReport>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Report {
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| !f.ignored)
            .map(|f| f.severity)
            .max()
    }

    /// Hands the report to `sink` as the analysis would: each statement, then its findings.
    pub fn replay(&self, sink: &mut dyn Sink) {
        let mut findings = self.findings.iter().peekable();
        for st in &self.statements {
            // Findings on no statement before this one (none, from the analysis) go first.
            while let Some(f) = findings.next_if(|f| f.statement < st.index) {
                sink.finding(f.clone());
            }
            sink.statement(st.clone());
            while let Some(f) = findings.next_if(|f| f.statement == st.index) {
                sink.finding(f.clone());
            }
        }
        for f in findings {
            sink.finding(f.clone());
        }
    }

    /// The lock modes that block reads or writes taken anywhere in the report, strongest first.
    pub fn dangerous_modes(&self) -> Vec<LockMode> {
        dangerous(
            self.statements
                .iter()
                .flat_map(|s| s.locks.iter().map(|l| l.mode)),
        )
    }
}

/// Receives statements and findings once they are final (their transaction has ended), in
/// input order, so a renderer can write them out and forget them: each statement, then its
/// findings, most severe first. The statements a finding names (`related`) come after it.
pub trait Sink {
    fn statement(&mut self, statement: StatementReport);
    fn finding(&mut self, finding: Finding);
}

/// The lock modes that block reads or writes among `modes`, strongest first, without repeats.
pub fn dangerous(modes: impl IntoIterator<Item = LockMode>) -> Vec<LockMode> {
    let mut modes: Vec<LockMode> = modes.into_iter().filter(|m| m.is_dangerous()).collect();
    modes.sort_unstable_by(|a, b| b.cmp(a));
    modes.dedup();
    modes
}

/// Keeps everything (library use, text and Markdown reports).
#[derive(Default)]
pub struct Collect {
    pub statements: Vec<StatementReport>,
    pub findings: Vec<Finding>,
}

impl Sink for Collect {
    fn statement(&mut self, statement: StatementReport) {
        self.statements.push(statement);
    }
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// What remains after every statement and finding went to the sink.
pub struct Outcome {
    pub files: Vec<String>,
    pub summary: Summary,
    /// `FAILED: …` printed by Alembic (where, and the line): the SQL is incomplete.
    pub alembic_failed: Option<String>,
    /// Revisions whose migration script the index (`--alembic-dir`) does not have: their
    /// findings keep the SQL position.
    pub unmapped_revisions: Vec<String>,
}

impl Outcome {
    /// Why there is nothing real to analyse, if so: Alembic failed, or no SQL statement at all.
    pub fn input_error(&self) -> Option<String> {
        if let Some(f) = &self.alembic_failed {
            return Some(format!(
                "{f}: Alembic failed while rendering the migration, so this SQL is incomplete; fix the migration (and run the pipeline with `set -o pipefail`)"
            ));
        }
        (self.summary.parsed == 0 && self.summary.history == 0).then(|| {
            format!(
                "{}: no SQL statement in the input (is it the output of `alembic upgrade … --sql`?)",
                self.files.join(", ")
            )
        })
    }
}
