//! Rules: pure functions from a statement (or a finished transaction) and the session state to
//! findings. Each rule's id is registered once below; its text and recipe live in `rules/<id>.md`.

mod checks;
mod transaction;

use crate::classify::Classified;
use crate::facts::{Op, QName};
use crate::kb::Effect;
use crate::model::{LockClaim, Severity, StatementReport};
use crate::parse::Body;
use crate::session::{Block, Session, Window};
use crate::source::Source;
pub use crate::suggest::Vars;

/// A finding before it is placed and its suggestion rendered.
#[derive(Debug, Clone)]
pub struct Draft {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub vars: Vars,
}

/// What a statement rule sees: the statement and the session state before it runs.
pub struct StmtCtx<'a> {
    pub index: usize,
    pub op: &'a Op,
    pub classified: &'a Classified,
    pub locks: &'a [LockClaim],
    pub effect: Effect,
    pub session: &'a Session,
    /// What part of the statement pgrisk cannot classify, if any.
    pub unknown: Option<&'a str>,
    /// Statements found inside a DO block, classified.
    pub inner: &'a [(Op, Classified)],
}

impl StmtCtx<'_> {
    pub fn version(&self) -> u32 {
        self.session.version
    }
    /// Exists outside this transaction (visible to the application, may hold rows).
    pub fn existing(&self, table: &QName) -> bool {
        !self.session.is_new(table)
    }
}

macro_rules! rules {
    ($($name:ident = $id:literal;)*) => {
        /// Rule ids, each registered here once.
        pub mod id {
            $(pub const $name: &str = $id;)*
        }
        /// Every rule id, in documentation order.
        pub const ALL: &[&str] = &[$($id),*];
    };
}

rules! {
    SYNTAX_ERROR = "syntax-error";
    NON_SQL_TEXT = "non-sql-text";
    PSQL_META_COMMAND = "psql-meta-command";
    UNKNOWN_STATEMENT = "unknown-statement";
    OPAQUE_CODE = "opaque-code";
    UNSUPPORTED_ON_VERSION = "unsupported-on-version";
    CONCURRENTLY_IN_TRANSACTION = "concurrently-in-transaction";
    CREATE_INDEX_BLOCKS_WRITES = "create-index-blocks-writes";
    DROP_INDEX_BLOCKS_ACCESS = "drop-index-blocks-access";
    REINDEX_BLOCKS_WRITES = "reindex-blocks-writes";
    ADD_COLUMN_VOLATILE_DEFAULT = "add-column-volatile-default";
    ADD_COLUMN_GENERATED_STORED = "add-column-generated-stored";
    ADD_COLUMN_SERIAL_OR_IDENTITY = "add-column-serial-or-identity";
    ADD_COLUMN_NOT_NULL_WITHOUT_DEFAULT = "add-column-not-null-without-default";
    SET_NOT_NULL = "set-not-null";
    ADD_CHECK_CONSTRAINT = "add-check-constraint";
    ADD_FOREIGN_KEY = "add-foreign-key";
    ADD_UNIQUE_CONSTRAINT = "add-unique-constraint";
    ADD_EXCLUSION_CONSTRAINT = "add-exclusion-constraint";
    ALTER_COLUMN_TYPE = "alter-column-type";
    TYPE_CHANGE_DATA_LOSS = "type-change-data-loss";
    RENAME_TABLE = "rename-table";
    RENAME_COLUMN = "rename-column";
    DROP_COLUMN = "drop-column";
    DROP_TABLE = "drop-table";
    DROP_AND_ADD_SAME_COLUMN = "drop-and-add-same-column";
    TRUNCATE_TABLE = "truncate-table";
    TABLE_REWRITE = "table-rewrite";
    ENUM_VALUE_IN_TRANSACTION = "enum-value-in-transaction";
    ATTACH_PARTITION = "attach-partition";
    DETACH_PARTITION = "detach-partition";
    REFRESH_MATVIEW_BLOCKS_READS = "refresh-matview-blocks-reads";
    MISSING_LOCK_TIMEOUT = "missing-lock-timeout";
    LOCK_HELD_ACROSS_STATEMENTS = "lock-held-across-statements";
    UNBATCHED_BACKFILL = "unbatched-backfill";
    UNNAMED_CONSTRAINT = "unnamed-constraint";
    CREDENTIALS_IN_SQL = "credentials-in-sql";
    NESTED_TRANSACTION = "nested-transaction";
    PREFER_TIMESTAMPTZ = "prefer-timestamptz";
    PREFER_BIGINT_ID = "prefer-bigint-id";
    PREFER_IDENTITY = "prefer-identity";
    PREFER_JSONB = "prefer-jsonb";
    PREFER_TEXT_OVER_CHAR = "prefer-text-over-char";
}

/// Rules over one parsed statement (and the statements of a DO block it contains).
pub fn check_statement(ctx: &StmtCtx) -> Vec<Draft> {
    let mut out = Vec::new();
    checks::statement(ctx, &mut out);
    checks::op(ctx, ctx.op, ctx.classified, &mut out);
    for (op, c) in ctx.inner {
        checks::op(ctx, op, c, &mut out);
    }
    out
}

/// Rules over a statement that did not parse.
pub fn check_unparsed(body: &Body, src: &Source, st: &StatementReport) -> Vec<Draft> {
    checks::unparsed(body, src, st)
}

/// Rules over a finished transaction block (`end_line`: its COMMIT/ROLLBACK, None: never ended).
pub fn check_transaction(
    block: &Block,
    statements: &Window,
    end_line: Option<usize>,
) -> Vec<(usize, Draft)> {
    transaction::check(block, statements, end_line)
}

pub(crate) fn draft(rule: &'static str, severity: Severity, message: String, vars: Vars) -> Draft {
    Draft {
        rule,
        severity,
        message,
        vars,
    }
}
