//! Rules: pure functions from a statement (or a finished transaction) and the session state to
//! findings. Ids live in `crate::registry`, texts and recipes in `rules/<id>.md`; lock modes and
//! effects come only from the knowledge base, through the statement's classified actions.
//!
//! One file per family; a rule with a per-statement half and an at-COMMIT half keeps both in its file.

mod column;
mod constraint;
mod index;
mod input;
mod project;
mod style;
mod table;
mod transaction;

use crate::classify::{Action, Classified};
use crate::facts::{ColumnDef, ConstraintKind, Op, QName, ident};
use crate::kb::{self, Behaviour, Effect, Key, Role};
use crate::locks::LockMode;
use crate::model::{LockClaim, StatementReport};
use crate::parse::Body;
use crate::registry::{RuleId, Severity};
use crate::session::{Block, Session};
use crate::source::Source;
use crate::suggest::{Vars, sa_type};

/// A finding before it is placed and its suggestion rendered.
#[derive(Debug, Clone)]
pub struct Draft {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub vars: Vars,
    /// The rule whose recipe (`rules/<id>.md`) is the fix: the finding's own rule, or another
    /// rule's when that recipe is the one that works here (one text per recipe).
    pub recipe: RuleId,
    /// Other statements the finding is about (the message names them).
    pub related: Vec<usize>,
    /// A project file and line the finding is about, instead of its statement's script line.
    pub at: Option<(std::sync::Arc<str>, usize)>,
}

/// Rules whose finding is the time a statement's own slow work (rewrite, scan, index build,
/// backfill) holds its lock: with table sizes (`--stats`) they follow the size of the table.
pub const GROWS_WITH_TABLE: &[RuleId] = &[
    RuleId::CreateIndexBlocksWrites,
    RuleId::ReindexBlocksWrites,
    RuleId::AddColumnVolatileDefault,
    RuleId::AddColumnGeneratedStored,
    RuleId::AddColumnSerialOrIdentity,
    RuleId::SetNotNull,
    RuleId::AddCheckConstraint,
    RuleId::AddForeignKey,
    RuleId::AddUniqueConstraint,
    RuleId::AddExclusionConstraint,
    RuleId::AlterColumnType,
    RuleId::TableRewrite,
    RuleId::UnbatchedBackfill,
];

/// A finding at the severity its rule's document states.
fn draft(rule: RuleId, message: String, vars: Vars) -> Draft {
    draft_at(rule, rule.severity(), message, vars)
}

/// A finding at another severity than the document's default (the document says when).
fn draft_at(rule: RuleId, severity: Severity, message: String, vars: Vars) -> Draft {
    Draft {
        rule,
        severity,
        message,
        vars,
        recipe: rule,
        related: Vec::new(),
        at: None,
    }
}

/// What a statement rule sees: the statement and the session state before it runs.
pub struct StmtCtx<'a> {
    pub index: usize,
    /// The statement's text, as in the input.
    pub sql: &'a str,
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
    pub fn sql(&self) -> &str {
        self.sql
    }
    pub fn version(&self) -> u32 {
        self.session.version
    }
    /// Exists outside this transaction (visible to the application, may hold rows).
    pub fn existing(&self, table: &QName) -> bool {
        !self.session.is_new(table)
    }
    /// The statement and the statements of its DO block, each with its classification.
    fn ops(&self) -> impl Iterator<Item = (&Op, &Classified)> {
        std::iter::once((self.op, self.classified)).chain(self.inner.iter().map(|(o, c)| (o, c)))
    }
}

/// What the knowledge base says one classified action does on the target version.
struct Fact<'a> {
    action: &'a Action,
    behaviour: Behaviour,
}

impl Fact<'_> {
    /// The lock taken on the relation in `role`.
    fn lock(&self, role: Role) -> Option<LockMode> {
        self.behaviour
            .locks
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, m)| *m)
    }

    /// The lock's SQL name on the relation in `role` ("ACCESS EXCLUSIVE").
    fn lock_name(&self, role: Role) -> &'static str {
        self.lock(role).map_or("no lock", LockMode::sql_name)
    }

    /// Who waits while the lock in `role` is held: "reads and writes", "writes" or "DDL".
    fn waiters(&self, role: Role) -> &'static str {
        self.lock(role).map_or("nothing", waiters)
    }

    fn effect(&self) -> Effect {
        self.behaviour.effect
    }

    /// Takes a lock that blocks reads or writes of the relation in `role`.
    fn blocks_traffic(&self, role: Role) -> bool {
        self.lock(role).is_some_and(LockMode::is_dangerous)
    }
}

/// Who waits while `mode` is held, in the words the messages use.
pub(crate) fn waiters(mode: LockMode) -> &'static str {
    let b = mode.blocks();
    match (b.reads, b.writes) {
        (true, _) => "reads and writes",
        (false, true) => "writes",
        _ => "DDL",
    }
}

/// The knowledge-base facts of the actions `classified` took from its subcommand `origin`
/// (0 for statements that are not ALTER TABLE), on the target version.
fn facts<'a>(ctx: &StmtCtx, classified: &'a Classified, origin: usize) -> Vec<Fact<'a>> {
    classified
        .actions
        .iter()
        .filter(|a| a.origin == origin)
        .map(|action| Fact {
            action,
            behaviour: kb::entry(action.key).behaviour(ctx.version()),
        })
        .collect()
}

/// The first fact of subcommand `origin` (the one that decides what it costs).
fn fact<'a>(ctx: &StmtCtx, classified: &'a Classified, origin: usize) -> Option<Fact<'a>> {
    facts(ctx, classified, origin).into_iter().next()
}

/// The fact of the action `key` that `classified` took from subcommand `origin`.
fn fact_of<'a>(
    ctx: &StmtCtx,
    classified: &'a Classified,
    origin: usize,
    key: Key,
) -> Option<Fact<'a>> {
    facts(ctx, classified, origin)
        .into_iter()
        .find(|f| f.action.key == key)
}

fn table_vars(t: &QName) -> Vars {
    let mut v = Vars::new();
    v.insert("table", t.to_string());
    v.insert("table_name", t.name.clone());
    v.insert("schema_kw", schema_kw(t));
    v
}

/// Placeholders of a rename of `object` to `new_name` (as written and quoted, and the new
/// qualified name).
fn rename_vars(object: &QName, new_name: &str) -> Vars {
    let mut v = table_vars(object);
    v.insert("new_name", ident(new_name));
    v.insert("new_name_raw", new_name.to_string());
    v.insert(
        "new_table",
        QName {
            schema: object.schema.clone(),
            name: new_name.to_string(),
        }
        .to_string(),
    );
    v
}

/// `, schema="s"` for Alembic calls on a schema-qualified table, empty otherwise.
fn schema_kw(t: &QName) -> String {
    t.schema
        .as_ref()
        .map_or(String::new(), |s| format!(", schema=\"{s}\""))
}

fn py_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn sql_list(items: &[String]) -> String {
    items
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn py_str(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn column_vars(t: &QName, c: &ColumnDef) -> Vars {
    let mut v = table_vars(t);
    v.insert("column", ident(&c.name));
    v.insert("column_name", c.name.clone());
    let ty =
        c.ty.as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| c.type_text.clone());
    let ty = match ty.as_str() {
        "serial" | "serial4" => "integer".to_string(),
        "bigserial" | "serial8" => "bigint".to_string(),
        "smallserial" | "serial2" => "smallint".to_string(),
        _ => ty,
    };
    v.insert(
        "sa_type",
        c.ty.as_ref().map_or("sa.Text()".to_string(), sa_type),
    );
    v.insert("type", ty);
    if let Some(d) = &c.default {
        v.insert("default", d.text.clone());
    }
    v
}

/// The suffix PostgreSQL gives a constraint it names itself (`ChooseConstraintName`).
fn constraint_suffix(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::ForeignKey => "fkey",
        ConstraintKind::Check => "check",
        ConstraintKind::PrimaryKey => "pkey",
        ConstraintKind::NotNull => "not_null",
        ConstraintKind::Exclusion => "excl",
        ConstraintKind::Unique | ConstraintKind::Other => "key",
    }
}

/// The name PostgreSQL gives an unnamed constraint on `columns` of `table`.
fn default_constraint_name(table: &QName, columns: &[String], kind: ConstraintKind) -> String {
    format!(
        "{}_{}_{}",
        table.name,
        columns.join("_"),
        constraint_suffix(kind)
    )
}

/// The name to give an unnamed index: Alembic's default naming convention (`ix_<table>_<columns>`).
fn suggested_index_name(table: &QName, columns: &[String]) -> String {
    format!("ix_{}_{}", table.name, columns.join("_"))
}

/// Rules over one parsed statement (and the statements of a DO block it contains).
pub fn check_statement(ctx: &StmtCtx) -> Vec<Draft> {
    let mut out = Vec::new();
    input::statement(ctx, &mut out);
    transaction::statement(ctx, &mut out);
    input::statement_content(ctx, &mut out);
    for (op, classified) in ctx.ops() {
        index::op(ctx, op, classified, &mut out);
        column::op(ctx, op, classified, &mut out);
        constraint::op(ctx, op, classified, &mut out);
        table::op(ctx, op, classified, &mut out);
        style::op(ctx, op, &mut out);
    }
    transaction::after_statement(ctx, &mut out);
    out
}

/// Rules over a statement that did not parse.
pub fn check_unparsed(body: &Body, src: &Source, st: &StatementReport) -> Vec<Draft> {
    input::unparsed(body, src, st)
}

/// Rules over the ignore directive right before a statement.
pub fn check_ignore(ignore: &crate::script::Ignore) -> Vec<Draft> {
    input::ignore(ignore)
}

/// missing-downgrade for a revision's script: its line in the script, and the finding.
pub fn check_script(script: &crate::migrations::Script) -> Option<(usize, Draft)> {
    project::missing_downgrade(script)
}

/// credentials-in-config in a project file (alembic.ini, env.py): line and finding for each.
pub fn check_project_file(file: &str, text: &str) -> Vec<(usize, Draft)> {
    project::credentials(file, text)
}

/// unused-ignore: an ignore directive that accepted no finding of its statement.
pub fn check_unused_ignore(ignore: &crate::script::Ignore) -> Option<Draft> {
    input::unused_ignore(ignore)
}

/// Rules over a finished transaction block (`end_line`: its COMMIT/ROLLBACK, None: never ended).
pub fn check_transaction(
    block: &Block,
    settled: &crate::session::Settled,
    end_line: Option<usize>,
    has_error: &dyn Fn(usize) -> bool,
) -> Vec<(usize, Draft)> {
    transaction::at_end(block, settled, end_line, has_error)
}
