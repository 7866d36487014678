//! The one result model every renderer reads: statements with their locks and effects, findings
//! with their suggestions, and the sink that receives them as they become final.

use crate::locks::LockMode;
use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A lock one statement takes on one relation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockClaim {
    pub relation: Arc<str>,
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

#[derive(Clone, Debug, Serialize)]
pub struct StatementReport {
    pub index: usize,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub revision: Option<Arc<str>>,
    pub sql: String,
    /// false for syntax errors, non-SQL text, psql meta-commands and COPY data.
    pub parsed: bool,
    /// What pgrisk classified the statement as: a key of rules/locks.toml, or one of
    /// "transaction", "set", "alembic", "unknown", "syntax-error", "non-sql-text", "psql-meta", "copy-data".
    pub kind: &'static str,
    pub locks: Vec<LockClaim>,
    /// false when pgrisk cannot classify (part of) the statement: its locks are unknown.
    pub locks_known: bool,
    pub rewrite: bool,
    pub scan: bool,
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
    pub rule: &'static str,
    pub severity: Severity,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    pub revision: Option<Arc<str>>,
    /// Index into `statements` of the statement that caused it.
    pub statement: usize,
    pub message: String,
    /// The expand-contract recipe (`suggestion.render()`); serialized rendered.
    pub suggestion: crate::suggest::LazySuggestion,
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
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Receives statements and findings once they are final (their transaction has ended), in
/// input order, so a renderer can write them out and forget them.
pub trait Sink {
    fn statement(&mut self, statement: StatementReport);
    /// Findings arrive grouped by statement, most severe first within a statement.
    fn finding(&mut self, finding: Finding);
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
}
