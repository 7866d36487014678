//! Turns one pg_query parse tree into a small typed description of what the statement does
//! (`Op`): tables, columns, types, constraints, flags. Pure and stateless, so it runs in parallel.

use crate::locks::LockMode;
use crate::types::SqlType;
use pg_query::protobuf::{self as pb, AlterTableType as At, ConstrType, ObjectType};
use pg_query::{NodeEnum, NodeRef};
use std::fmt;

/// Which rows an UPDATE or DELETE touches, as far as its WHERE clause tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Every row: no WHERE, no join.
    All,
    /// Rows whose columns equal literal values (`id = 3`, `name IN ('a', 'b')`, joined by AND):
    /// a handful when one of the columns is a key, any number otherwise.
    Pinned { columns: Vec<String> },
    /// A batch: a column bounded on both sides by literal values (`id >= 1 AND id < 10001`,
    /// `id BETWEEN 1 AND 10000`), the way batched backfills walk a table.
    Batch,
    /// Any other filter (`IS NULL`, an open range, `1 = 1`, a join with FROM / USING): as many
    /// rows as the data has.
    Filtered,
}

impl Rows {
    fn of(filter: Option<&pb::Node>, joined: bool) -> Rows {
        let Some(filter) = filter else {
            return if joined { Rows::Filtered } else { Rows::All };
        };
        let mut terms = Terms::default();
        if joined || !terms.read(filter) {
            return Rows::Filtered;
        }
        let batch = terms.lower.iter().any(|c| terms.upper.contains(c));
        if batch {
            Rows::Batch
        } else if !terms.pinned.is_empty() && terms.lower.is_empty() && terms.upper.is_empty() {
            Rows::Pinned {
                columns: terms.pinned,
            }
        } else {
            Rows::Filtered
        }
    }

    /// Every row, or rows a filter picks that may be most of the table — unless a pinned column
    /// is known to be unique (`is_key`).
    pub fn unbounded(&self, is_key: impl Fn(&str) -> bool) -> bool {
        match self {
            Rows::All | Rows::Filtered => true,
            Rows::Batch => false,
            Rows::Pinned { columns } => !columns.iter().any(|c| is_key(c)),
        }
    }
}

/// The comparisons of a WHERE made only of `col <op> literal` terms joined by AND.
#[derive(Default)]
struct Terms {
    /// `col = literal`, `col IN (literals)`.
    pinned: Vec<String>,
    /// Columns with a lower / an upper literal bound (`>`, `>=`, `<`, `<=`, BETWEEN).
    lower: Vec<String>,
    upper: Vec<String>,
}

impl Terms {
    /// False when the filter holds anything else (then it may pick any share of the rows).
    fn read(&mut self, node: &pb::Node) -> bool {
        let literal = |n: &pb::Node| match n.node.as_ref() {
            Some(NodeEnum::AConst(_)) => true,
            Some(NodeEnum::TypeCast(t)) => t
                .arg
                .as_deref()
                .is_some_and(|a| matches!(a.node, Some(NodeEnum::AConst(_)))),
            _ => false,
        };
        let column = |n: &pb::Node| match n.node.as_ref() {
            Some(NodeEnum::ColumnRef(c)) => c.fields.iter().rev().find_map(string_of),
            _ => None,
        };
        match node.node.as_ref() {
            Some(NodeEnum::BoolExpr(b)) if b.boolop == pb::BoolExprType::AndExpr as i32 => {
                b.args.iter().all(|a| self.read(a))
            }
            Some(NodeEnum::AExpr(e)) => {
                let op = names_of(&e.name);
                let op = op.first().map(String::as_str).unwrap_or("");
                let (Some(l), Some(r)) = (e.lexpr.as_deref(), e.rexpr.as_deref()) else {
                    return false;
                };
                let Some(col) = column(l) else { return false };
                let list = |r: &pb::Node| match r.node.as_ref() {
                    Some(NodeEnum::List(list)) => list.items.iter().all(literal),
                    _ => false,
                };
                let kind = e.kind;
                if kind == pb::AExprKind::AexprOp as i32 && literal(r) {
                    match op {
                        "=" => self.pinned.push(col),
                        ">" | ">=" => self.lower.push(col),
                        "<" | "<=" => self.upper.push(col),
                        _ => return false,
                    }
                    true
                } else if kind == pb::AExprKind::AexprIn as i32 && op == "=" && list(r) {
                    self.pinned.push(col);
                    true
                } else if kind == pb::AExprKind::AexprBetween as i32 && list(r) {
                    self.lower.push(col.clone());
                    self.upper.push(col);
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }
}

/// A possibly schema-qualified relation name as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
}

impl serde::Serialize for QName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl QName {
    pub fn new(name: &str) -> QName {
        QName {
            schema: None,
            name: name.to_string(),
        }
    }
    fn from_range_var(rv: &pb::RangeVar) -> QName {
        QName {
            schema: (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()),
            name: rv.relname.clone(),
        }
    }
    fn from_names(names: &[pb::Node]) -> QName {
        let parts: Vec<String> = names.iter().filter_map(string_of).collect();
        match parts.as_slice() {
            [.., schema, name] => QName {
                schema: Some(schema.clone()),
                name: name.clone(),
            },
            [name] => QName::new(name),
            [] => QName::new("?"),
        }
    }
    /// Key for the schema catalog: unqualified names and `public.` names are the same table.
    pub fn key(&self) -> String {
        match self.schema.as_deref() {
            None | Some("public") => self.name.clone(),
            Some(s) => format!("{s}.{}", self.name),
        }
    }
}

/// Quotes an identifier when PostgreSQL would need it.
pub fn ident(name: &str) -> String {
    if name.starts_with("(table of ") {
        return name.to_string(); // a placeholder for a table the input never named
    }
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !matches!(
            name,
            "user"
                | "order"
                | "group"
                | "table"
                | "select"
                | "from"
                | "where"
                | "default"
                | "check"
                | "column"
        );
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.schema {
            write!(f, "{}.", ident(s))?;
        }
        f.write_str(&ident(&self.name))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Volatility {
    /// Constants, casts of constants, immutable or stable functions (`now()`): evaluated once.
    NonVolatile,
    /// `random()`, `gen_random_uuid()`, `nextval()`, `clock_timestamp()`, or a function pgrisk
    /// does not know (assumed volatile).
    Volatile,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub text: String,
    pub volatility: Volatility,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generated {
    Stored,
    Virtual,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignRef {
    pub table: QName,
    pub columns: Vec<String>,
    /// The constraint's name when a column-level `REFERENCES` names it (`CONSTRAINT x REFERENCES`).
    pub name: Option<String>,
    /// `ON DELETE`: 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT.
    pub on_delete: char,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: Option<SqlType>,
    /// The type as written (`VARCHAR(32)`), for messages and suggestions.
    pub type_text: String,
    pub not_null: bool,
    pub default: Option<Expr>,
    pub serial: bool,
    pub identity: bool,
    pub generated: Option<Generated>,
    pub primary_key: bool,
    pub unique: bool,
    pub check: Option<String>,
    pub references: Option<ForeignRef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    Check,
    ForeignKey,
    Unique,
    PrimaryKey,
    Exclusion,
    NotNull,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintDef {
    pub kind: ConstraintKind,
    pub name: Option<String>,
    pub not_valid: bool,
    /// `NO INHERIT` (a CHECK of this table only, not of its children).
    pub no_inherit: bool,
    pub using_index: Option<String>,
    pub columns: Vec<String>,
    pub references: Option<ForeignRef>,
    /// CHECK expression text, or the constraint as deparsed SQL for others.
    pub expr: Option<String>,
    /// The constraint clause as SQL (`CHECK (qty > 0)`, `FOREIGN KEY (a) REFERENCES t (id)`).
    pub sql: String,
}

/// What an `ALTER COLUMN … IDENTITY` subcommand does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityAction {
    /// ADD GENERATED … AS IDENTITY: a new sequence.
    Add,
    /// SET GENERATED …, RESTART, SET <sequence option>: the identity sequence is altered.
    Set,
    /// DROP IDENTITY: the identity sequence is dropped.
    Drop,
    /// DROP EXPRESSION / SET EXPRESSION of a generated column.
    Expression,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlterCmd {
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        column: String,
        if_exists: bool,
        /// `CASCADE`: the views using the column go with it.
        cascade: bool,
    },
    AlterType {
        column: String,
        ty: SqlType,
        type_text: String,
        using: Option<String>,
        /// The USING expression is the column itself, or the column cast to the new type:
        /// PostgreSQL looks through it to decide whether to rewrite (ATColumnChangeRequiresRewrite).
        using_is_column: bool,
        /// `COLLATE …`: the indexes on the column are rebuilt.
        collate: bool,
    },
    SetDefault {
        column: String,
        default: Option<Expr>,
    },
    SetNotNull {
        column: String,
    },
    DropNotNull {
        column: String,
    },
    SetStatistics,
    SetStorage,
    /// ADD/SET/DROP IDENTITY, DROP/SET EXPRESSION on `column`.
    Identity {
        column: String,
        action: IdentityAction,
    },
    AddConstraint(ConstraintDef),
    ValidateConstraint {
        name: String,
    },
    DropConstraint {
        name: String,
        /// `CASCADE`: foreign keys that depend on the key go too.
        cascade: bool,
    },
    AlterConstraint,
    SetTablespace {
        name: String,
    },
    SetLogged,
    SetUnlogged,
    /// `SET ACCESS METHOD name`; `None` for `DEFAULT` (17+).
    SetAccessMethod {
        name: Option<String>,
    },
    /// `SET (...)` / `RESET (...)`: option names, and whether all take the weaker lock.
    SetOptions {
        weak: bool,
    },
    Triggers,
    RowSecurity,
    Owner,
    ReplicaIdentity,
    /// CLUSTER ON index / SET WITHOUT CLUSTER.
    ClusterOn {
        index: Option<String>,
    },
    Inherit {
        parent: Option<QName>,
        /// NO INHERIT / NOT OF.
        drop: bool,
    },
    AttachPartition {
        partition: QName,
        /// Attached as the DEFAULT partition.
        default: bool,
        bound: Bound,
    },
    DetachPartition {
        partition: QName,
        concurrently: bool,
        finalize: bool,
    },
    /// A subcommand pgrisk has no entry for.
    Other {
        subtype: String,
    },
}

/// The bound of a partition (`FOR VALUES …`), each value as SQL; all empty for DEFAULT and for
/// bounds pgrisk does not spell out (MINVALUE, hash).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bound {
    pub lower: Vec<String>,
    pub upper: Vec<String>,
    pub list: Vec<String>,
}

/// The sequence a column default draws from: `nextval('s')` (also as `nextval('s'::regclass)`).
pub fn default_sequence(default: &str) -> Option<QName> {
    let rest = default.split_once("nextval(")?.1;
    regclass_name(rest.split_once('\'')?.1.split_once('\'')?.0)
}

/// A relation named in a regclass string literal: `'s'`, `'schema.s'`, `'"S"'`.
fn regclass_name(text: &str) -> Option<QName> {
    let parts: Vec<&str> = text.split('.').map(|p| p.trim_matches('"')).collect();
    match parts.as_slice() {
        [schema, name] => Some(QName {
            schema: Some(schema.to_string()),
            name: name.to_string(),
        }),
        [name] => Some(QName::new(name)),
        _ => None,
    }
}

impl Bound {
    /// A CHECK condition that rules this bound out for a one-column partition key, as the
    /// deparser prints it: what a DEFAULT partition needs for PostgreSQL to skip its scan.
    pub fn excluding(&self, key: &[String]) -> Option<String> {
        let [k] = key else { return None };
        let k = ident(k);
        let text = match (
            self.lower.as_slice(),
            self.upper.as_slice(),
            self.list.as_slice(),
        ) {
            ([lo], [hi], []) => format!("NOT ({k} >= {lo} AND {k} < {hi})"),
            ([], [], list) if !list.is_empty() => format!("{k} NOT IN ({})", list.join(", ")),
            _ => return None,
        };
        normalize_expr(&text).or(Some(text))
    }
}

/// An SQL expression as the deparser prints it (so two spellings of one condition compare equal).
pub fn normalize_expr(sql: &str) -> Option<String> {
    let parsed = pg_query::parse(&format!("SELECT {sql}"), 0).ok()?;
    let stmt = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    let NodeEnum::SelectStmt(select) = stmt else {
        return None;
    };
    match select.target_list.first()?.node.as_ref()? {
        NodeEnum::ResTarget(t) => t.val.as_deref().map(expr_sql),
        _ => None,
    }
}

fn bound_of(b: &pb::PartitionBoundSpec) -> Bound {
    let values = |nodes: &[pb::Node]| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| matches!(n.node, Some(NodeEnum::AConst(_))))
            .map(expr_sql)
            .collect()
    };
    let complete = |nodes: &[pb::Node], out: Vec<String>| {
        if out.len() == nodes.len() {
            out
        } else {
            Vec::new()
        }
    };
    Bound {
        lower: complete(&b.lowerdatums, values(&b.lowerdatums)),
        upper: complete(&b.upperdatums, values(&b.upperdatums)),
        list: complete(&b.listdatums, values(&b.listdatums)),
    }
}

/// What an ALTER DOMAIN does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainAction {
    /// ADD CONSTRAINT (`not_valid`: NOT VALID).
    AddConstraint {
        not_valid: bool,
    },
    ValidateConstraint,
    SetNotNull,
    /// DROP CONSTRAINT, DROP NOT NULL, SET/DROP DEFAULT, OWNER, …: the catalog only.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelKind {
    Table,
    Index,
    View,
    MatView,
    Sequence,
    ForeignTable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tx {
    Begin,
    Commit,
    Rollback,
    Savepoint,
    Release,
    RollbackTo,
    Prepare,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameTarget {
    Table,
    Column {
        column: String,
    },
    Constraint {
        constraint: String,
    },
    Index,
    /// ALTER TRIGGER … ON table RENAME TO.
    Trigger,
    Other,
}

/// What a DML statement's query parts tell beyond the relations they read (`sources`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Relations it reads that every mention names with `ONLY` (their children are not read).
    pub only: Vec<QName>,
    /// Its data-modifying CTEs (`WITH d AS (DELETE …)`), each as the statement it is.
    pub with: Vec<Op>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Transaction {
        kind: Tx,
        savepoint: Option<String>,
    },
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    /// Alembic's own bookkeeping on `alembic_version`.
    Alembic,
    CreateTable {
        table: QName,
        columns: Vec<ColumnDef>,
        constraints: Vec<ConstraintDef>,
        partition_of: Option<QName>,
        /// `PARTITION OF parent DEFAULT`.
        default_partition: bool,
        /// `PARTITION BY …`: a partitioned table.
        partitioned: bool,
        /// Its partition key columns (`PARTITION BY RANGE (a)`); empty for expressions.
        partition_key: Vec<String>,
        /// `FOR VALUES …` of a partition.
        bound: Bound,
        inherits: Vec<QName>,
        /// Tables copied by `LIKE` (their definition is read).
        like: Vec<QName>,
        /// `CREATE UNLOGGED TABLE`.
        unlogged: bool,
        /// `TABLESPACE name`, when given.
        tablespace: Option<String>,
        /// `USING method`, when given.
        access_method: Option<String>,
    },
    CreateTableAs {
        table: QName,
        sources: Vec<QName>,
        /// `WITH NO DATA`: the query is analysed, not run.
        no_data: bool,
    },
    AlterTable {
        table: QName,
        kind: RelKind,
        cmds: Vec<AlterCmd>,
        /// `ALTER TABLE ONLY`: partitions and inheritance children are left alone.
        only: bool,
    },
    CreateIndex {
        name: Option<String>,
        table: QName,
        unique: bool,
        concurrently: bool,
        columns: Vec<String>,
        /// The index definition after `ON table`, e.g. `USING btree (a, lower(b)) WHERE c`.
        definition: String,
        /// `ON ONLY table`: no index is built on the partitions.
        only: bool,
        /// `IF NOT EXISTS`: nothing happens when an index of that name exists.
        if_not_exists: bool,
    },
    DropIndex {
        indexes: Vec<QName>,
        concurrently: bool,
    },
    DropRelation {
        kind: RelKind,
        names: Vec<QName>,
        /// `CASCADE`: views over it, foreign keys to it and inheritance children go too.
        cascade: bool,
    },
    DropObject {
        what: String,
        /// DROP TYPE / DROP DOMAIN: the type names.
        types: Vec<String>,
        /// DROP SCHEMA: the schema names.
        schemas: Vec<String>,
        /// DROP FUNCTION / PROCEDURE / ROUTINE: the function names (unqualified).
        functions: Vec<String>,
        cascade: bool,
    },
    Truncate {
        tables: Vec<QName>,
        /// Tables named with `ONLY`.
        only: Vec<QName>,
        cascade: bool,
        /// `RESTART IDENTITY`: the sequences the truncated tables' columns own are reset.
        restart: bool,
    },
    Rename {
        kind: RelKind,
        object: QName,
        target: RenameTarget,
        new_name: String,
    },
    SetSchema {
        kind: RelKind,
        object: QName,
    },
    Reindex {
        table: Option<QName>,
        index: Option<QName>,
        concurrently: bool,
    },
    Vacuum {
        full: bool,
        tables: Vec<QName>,
    },
    Cluster {
        table: Option<QName>,
        index: Option<String>,
    },
    CreateView {
        view: QName,
        replace: bool,
        materialized: bool,
        sources: Vec<QName>,
        /// The column names its query mentions, and `*` when it selects every column of
        /// something (which columns it depends on, as far as names tell).
        columns: Vec<String>,
        /// `CREATE MATERIALIZED VIEW … WITH NO DATA`: the query is analysed, not run.
        no_data: bool,
    },
    RefreshMatView {
        view: QName,
        concurrently: bool,
        /// `WITH NO DATA`: the view is emptied, its query does not run.
        no_data: bool,
    },
    CreateTrigger {
        table: QName,
        name: String,
        /// `FOR EACH ROW` (a statement trigger is not cloned to partitions).
        row: bool,
        /// The function it executes (unqualified).
        function: String,
    },
    DropTrigger {
        table: QName,
        name: String,
        if_exists: bool,
    },
    Policy {
        table: QName,
    },
    AlterEnum {
        type_name: String,
        add_value: Option<String>,
        rename_value: bool,
    },
    CreateObject {
        what: String,
    },
    /// CREATE TYPE … AS ENUM.
    CreateEnum {
        name: String,
    },
    /// CREATE DOMAIN.
    CreateDomain {
        name: String,
        /// It has a CHECK or NOT NULL constraint.
        constrained: bool,
        /// The type it is over.
        base: Option<SqlType>,
    },
    /// ALTER DOMAIN: what it does.
    AlterDomain {
        name: String,
        action: DomainAction,
        /// The constraint it adds or validates, and an added CHECK's condition.
        constraint: Option<String>,
        check: Option<String>,
    },
    /// ALTER TYPE / ALTER DOMAIN … RENAME TO: columns of that type keep it under its new name.
    RenameType {
        name: String,
        new_name: String,
    },
    AlterSequence {
        sequence: QName,
        /// `OWNED BY table.column` (Some(Some)) or `OWNED BY NONE` (Some(None)).
        owned_by: Option<Option<(QName, String)>>,
    },
    /// CREATE SEQUENCE, with its `OWNED BY table.column`.
    CreateSequence {
        sequence: QName,
        owned_by: Option<(QName, String)>,
    },
    Comment {
        table: Option<QName>,
        /// On a constraint, trigger, policy or rule of the table (not the table or a column).
        on_table_object: bool,
    },
    /// GRANT/REVOKE: the tables named (empty for other objects).
    Grant {
        tables: Vec<QName>,
    },
    Lock {
        tables: Vec<QName>,
        mode: LockMode,
        /// Tables named with `ONLY`.
        only: Vec<QName>,
    },
    Insert {
        table: QName,
        sources: Vec<QName>,
        /// The column list (empty: none given).
        columns: Vec<String>,
        query: Query,
    },
    Update {
        table: QName,
        rows: Rows,
        /// The columns `SET` assigns.
        columns: Vec<String>,
        /// `UPDATE ONLY`: inheritance children and partitions are left alone.
        only: bool,
        /// Relations read by `FROM` and subqueries.
        sources: Vec<QName>,
        query: Query,
    },
    Delete {
        table: QName,
        rows: Rows,
        /// `DELETE FROM ONLY`.
        only: bool,
        /// Relations read by `USING` and subqueries.
        sources: Vec<QName>,
        query: Query,
    },
    Select {
        sources: Vec<QName>,
        calls: Vec<String>,
        /// Sequences named by `nextval('s')`, `setval('s', …)`, `currval('s')`.
        sequences: Vec<QName>,
        /// The same with `pg_get_serial_sequence('table', 'column')` as the sequence: the
        /// sequence that column owns.
        column_sequences: Vec<(QName, String)>,
        /// Tables whose rows `FOR UPDATE` / `FOR SHARE` (and their variants) lock.
        locked: Vec<QName>,
        query: Query,
    },
    /// MERGE INTO table USING sources.
    Merge {
        table: QName,
        sources: Vec<QName>,
        query: Query,
    },
    /// CREATE STATISTICS … ON … FROM table.
    CreateStatistics {
        table: QName,
    },
    /// COPY table FROM (loads rows) / COPY table TO (reads it); COPY (query) TO is a Select.
    Copy {
        table: QName,
        from: bool,
    },
    /// `DO` block: the SQL statements found in its body, and whether it runs dynamic SQL.
    Do {
        statements: Vec<String>,
        dynamic: bool,
    },
    Call {
        name: String,
    },
    /// A statement carrying a password literal (CREATE/ALTER ROLE, USER MAPPING).
    Credentials {
        what: String,
    },
    Other {
        tag: String,
    },
}

fn string_of(node: &pb::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        _ => None,
    }
}

fn names_of(nodes: &[pb::Node]) -> Vec<String> {
    nodes.iter().filter_map(string_of).collect()
}

fn int_of(node: &pb::Node) -> Option<i64> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pb::a_const::Val::Ival(i) => Some(i.ival as i64),
            _ => None,
        },
        _ => None,
    }
}

pub fn type_of(tn: &pb::TypeName) -> SqlType {
    let names = names_of(&tn.names);
    let name = names.last().cloned().unwrap_or_default();
    let mods = tn.typmods.iter().filter_map(int_of).collect();
    SqlType::new(&name, mods, !tn.array_bounds.is_empty())
}

/// SQL text of an expression node, via the deparser (wrapped in a SELECT, which it always handles).
pub fn expr_sql(node: &pb::Node) -> String {
    let target = pb::Node {
        node: Some(NodeEnum::ResTarget(Box::new(pb::ResTarget {
            val: Some(Box::new(node.clone())),
            ..Default::default()
        }))),
    };
    let select = pb::Node {
        node: Some(NodeEnum::SelectStmt(Box::new(pb::SelectStmt {
            target_list: vec![target],
            // Protobuf enums start at 0 = undefined; the deparser needs real values.
            op: pb::SetOperation::SetopNone as i32,
            limit_option: pb::LimitOption::Default as i32,
            ..Default::default()
        }))),
    };
    let tree = pb::ParseResult {
        version: 0,
        stmts: vec![pb::RawStmt {
            stmt: Some(Box::new(select)),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    match pg_query::deparse(&tree, Default::default()) {
        Ok(s) => s.strip_prefix("SELECT ").unwrap_or(&s).to_string(),
        Err(_) => "<expression>".to_string(),
    }
}

fn deparse_stmt(node: NodeEnum) -> Option<String> {
    let tree = pb::ParseResult {
        version: 0,
        stmts: vec![pb::RawStmt {
            stmt: Some(Box::new(pb::Node { node: Some(node) })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    pg_query::deparse(&tree, Default::default()).ok()
}

/// Functions whose result is fixed for the statement (immutable or stable in pg_proc).
const NON_VOLATILE_FUNCTIONS: &[&str] = &[
    "now",
    "current_timestamp",
    "transaction_timestamp",
    "statement_timestamp",
    "current_date",
    "localtimestamp",
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "length",
    "concat",
    "to_char",
    "to_timestamp",
    "to_date",
    "to_json",
    "to_jsonb",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "array",
    "make_interval",
    "date_trunc",
    "abs",
    "round",
    "btrim",
    "trim",
    "md5",
    "timezone",
    "current_user",
    "current_setting",
    "inet",
    "jsonb",
    "json",
];

fn volatility(node: &pb::Node) -> Volatility {
    let mut volatile = false;
    walk(node, &mut |n| {
        if let NodeRef::FuncCall(f) = n {
            let name = names_of(&f.funcname)
                .last()
                .cloned()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !NON_VOLATILE_FUNCTIONS.contains(&name.as_str()) {
                volatile = true;
            }
        }
        if matches!(n, NodeRef::SubLink(_)) {
            volatile = true;
        }
    });
    if volatile {
        Volatility::Volatile
    } else {
        Volatility::NonVolatile
    }
}

/// The column names a query mentions (the last field of each column reference), sorted, with
/// `*` when it selects all columns of something.
fn column_names(query: Option<&pb::Node>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(q) = query {
        walk(q, &mut |n| {
            if let NodeRef::ColumnRef(c) = n {
                let name = match c.fields.last().and_then(|f| f.node.as_ref()) {
                    Some(NodeEnum::AStar(_)) => Some("*".to_string()),
                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                    _ => None,
                };
                if let Some(name) = name
                    && !out.contains(&name)
                {
                    out.push(name);
                }
            }
        });
    }
    out.sort();
    out
}

/// Visits every node below `node` (iteratively: parse trees can be deep).
fn walk(node: &pb::Node, f: &mut dyn FnMut(NodeRef<'_>)) {
    if let Some(n) = node.node.as_ref() {
        walk_enum(n, f);
    }
}

/// Visits every node below `n`.
fn walk_enum<'a>(n: &'a NodeEnum, f: &mut dyn FnMut(NodeRef<'a>)) {
    for (child, _, _, _) in n.nodes() {
        f(child);
    }
}

fn column_def(c: &pb::ColumnDef) -> ColumnDef {
    let tn = c.type_name.as_ref();
    let ty = tn.map(type_of);
    let raw_name = tn
        .map(|t| names_of(&t.names).last().cloned().unwrap_or_default())
        .unwrap_or_default();
    let serial = matches!(
        raw_name.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
    );
    let mut col = ColumnDef {
        name: c.colname.clone(),
        type_text: ty
            .as_ref()
            .map(|t| {
                if serial {
                    raw_name.clone()
                } else {
                    t.to_string()
                }
            })
            .unwrap_or_default(),
        ty,
        not_null: c.is_not_null,
        default: None,
        serial,
        identity: !c.identity.is_empty(),
        generated: None,
        primary_key: false,
        unique: false,
        check: None,
        references: None,
    };
    if let Some(d) = c.raw_default.as_deref() {
        col.default = Some(Expr {
            text: expr_sql(d),
            volatility: volatility(d),
        });
    }
    for con in &c.constraints {
        let Some(NodeEnum::Constraint(con)) = con.node.as_ref() else {
            continue;
        };
        match ConstrType::try_from(con.contype).unwrap_or(ConstrType::Undefined) {
            ConstrType::ConstrNotnull => col.not_null = true,
            ConstrType::ConstrPrimary => {
                col.primary_key = true;
                col.not_null = true;
            }
            ConstrType::ConstrUnique => col.unique = true,
            ConstrType::ConstrDefault => {
                if let Some(e) = con.raw_expr.as_deref() {
                    col.default = Some(Expr {
                        text: expr_sql(e),
                        volatility: volatility(e),
                    });
                }
            }
            ConstrType::ConstrIdentity => col.identity = true,
            ConstrType::ConstrGenerated => {
                col.generated = Some(if con.generated_kind == "v" {
                    Generated::Virtual
                } else {
                    Generated::Stored
                });
            }
            ConstrType::ConstrCheck => col.check = con.raw_expr.as_deref().map(expr_sql),
            ConstrType::ConstrForeign => {
                col.references = con.pktable.as_ref().map(|t| ForeignRef {
                    table: QName::from_range_var(t),
                    columns: names_of(&con.pk_attrs),
                    name: (!con.conname.is_empty()).then(|| con.conname.clone()),
                    on_delete: con.fk_del_action.chars().next().unwrap_or('a'),
                });
            }
            _ => {}
        }
    }
    col
}

fn constraint_def(con: &pb::Constraint) -> ConstraintDef {
    let kind = match ConstrType::try_from(con.contype).unwrap_or(ConstrType::Undefined) {
        ConstrType::ConstrCheck => ConstraintKind::Check,
        ConstrType::ConstrForeign => ConstraintKind::ForeignKey,
        ConstrType::ConstrUnique => ConstraintKind::Unique,
        ConstrType::ConstrPrimary => ConstraintKind::PrimaryKey,
        ConstrType::ConstrExclusion => ConstraintKind::Exclusion,
        ConstrType::ConstrNotnull => ConstraintKind::NotNull,
        _ => ConstraintKind::Other,
    };
    let columns = if kind == ConstraintKind::ForeignKey {
        names_of(&con.fk_attrs)
    } else {
        names_of(&con.keys)
    };
    let expr = con.raw_expr.as_deref().map(expr_sql);
    let references = con.pktable.as_ref().map(|t| ForeignRef {
        name: None,
        on_delete: con.fk_del_action.chars().next().unwrap_or('a'),
        table: QName::from_range_var(t),
        columns: names_of(&con.pk_attrs),
    });
    let cols = columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match kind {
        ConstraintKind::Check => format!("CHECK ({})", expr.clone().unwrap_or_default()),
        ConstraintKind::ForeignKey => {
            let r = references.as_ref().map(|r| {
                let rc = r
                    .columns
                    .iter()
                    .map(|c| ident(c))
                    .collect::<Vec<_>>()
                    .join(", ");
                if rc.is_empty() {
                    r.table.to_string()
                } else {
                    format!("{} ({rc})", r.table)
                }
            });
            let mut s = format!("FOREIGN KEY ({cols}) REFERENCES {}", r.unwrap_or_default());
            match con.fk_del_action.as_str() {
                "c" => s.push_str(" ON DELETE CASCADE"),
                "n" => s.push_str(" ON DELETE SET NULL"),
                "d" => s.push_str(" ON DELETE SET DEFAULT"),
                "r" => s.push_str(" ON DELETE RESTRICT"),
                _ => {}
            }
            s
        }
        ConstraintKind::Unique => format!("UNIQUE ({cols})"),
        ConstraintKind::PrimaryKey => format!("PRIMARY KEY ({cols})"),
        ConstraintKind::NotNull => format!("NOT NULL {cols}"),
        ConstraintKind::Exclusion | ConstraintKind::Other => "<constraint>".to_string(),
    };
    ConstraintDef {
        kind,
        name: (!con.conname.is_empty()).then(|| con.conname.clone()),
        not_valid: con.skip_validation,
        no_inherit: con.is_no_inherit,
        using_index: (!con.indexname.is_empty()).then(|| con.indexname.clone()),
        columns,
        references,
        expr,
        sql,
    }
}

fn rel_kind(objtype: i32) -> RelKind {
    match ObjectType::try_from(objtype).unwrap_or(ObjectType::Undefined) {
        ObjectType::ObjectIndex => RelKind::Index,
        ObjectType::ObjectView => RelKind::View,
        ObjectType::ObjectMatview => RelKind::MatView,
        ObjectType::ObjectSequence => RelKind::Sequence,
        ObjectType::ObjectForeignTable => RelKind::ForeignTable,
        _ => RelKind::Table,
    }
}

/// Storage parameters that ALTER TABLE SET changes under SHARE UPDATE EXCLUSIVE
/// (reloptions.c: the options whose lockmode is ShareUpdateExclusiveLock).
fn weak_reloption(name: &str) -> bool {
    !matches!(
        name,
        "user_catalog_table" | "security_barrier" | "check_option" | "security_invoker"
    )
}

fn alter_cmd(cmd: &pb::AlterTableCmd) -> AlterCmd {
    let subtype = At::try_from(cmd.subtype).unwrap_or(At::Undefined);
    let name = cmd.name.clone();
    let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
    match subtype {
        At::AtAddColumn | At::AtAddColumnToView => match def {
            Some(NodeEnum::ColumnDef(c)) => AlterCmd::AddColumn {
                column: column_def(c),
                if_not_exists: cmd.missing_ok,
            },
            _ => AlterCmd::Other {
                subtype: format!("{subtype:?}"),
            },
        },
        At::AtDropColumn => AlterCmd::DropColumn {
            column: name,
            if_exists: cmd.missing_ok,
            cascade: cmd.behavior == pb::DropBehavior::DropCascade as i32,
        },
        At::AtAlterColumnType => match def {
            Some(NodeEnum::ColumnDef(c)) => {
                let ty = c
                    .type_name
                    .as_ref()
                    .map(type_of)
                    .unwrap_or_else(|| SqlType::new("?", vec![], false));
                let is_column = |n: &pb::Node| match n.node.as_ref() {
                    Some(NodeEnum::ColumnRef(r)) => {
                        r.fields.last().and_then(string_of).as_deref() == Some(name.as_str())
                    }
                    _ => false,
                };
                let using_is_column =
                    c.raw_default
                        .as_deref()
                        .is_some_and(|u| match u.node.as_ref() {
                            Some(NodeEnum::TypeCast(cast)) => {
                                cast.arg.as_deref().is_some_and(is_column)
                                    && cast.type_name.as_ref().map(type_of).as_ref() == Some(&ty)
                            }
                            _ => is_column(u),
                        });
                AlterCmd::AlterType {
                    column: name,
                    type_text: ty.to_string(),
                    ty,
                    using: c.raw_default.as_deref().map(expr_sql),
                    using_is_column,
                    collate: c.coll_clause.is_some(),
                }
            }
            _ => AlterCmd::Other {
                subtype: format!("{subtype:?}"),
            },
        },
        At::AtColumnDefault | At::AtCookedColumnDefault => AlterCmd::SetDefault {
            column: name,
            default: cmd.def.as_deref().map(|d| Expr {
                text: expr_sql(d),
                volatility: volatility(d),
            }),
        },
        At::AtSetNotNull => AlterCmd::SetNotNull { column: name },
        At::AtDropNotNull => AlterCmd::DropNotNull { column: name },
        At::AtSetStatistics | At::AtSetOptions | At::AtResetOptions => AlterCmd::SetStatistics,
        At::AtSetStorage | At::AtSetCompression => AlterCmd::SetStorage,
        At::AtAddIdentity
        | At::AtSetIdentity
        | At::AtDropIdentity
        | At::AtDropExpression
        | At::AtSetExpression => AlterCmd::Identity {
            column: name,
            action: match subtype {
                At::AtAddIdentity => IdentityAction::Add,
                At::AtSetIdentity => IdentityAction::Set,
                At::AtDropIdentity => IdentityAction::Drop,
                _ => IdentityAction::Expression,
            },
        },
        At::AtAddConstraint | At::AtAddIndexConstraint | At::AtAddIndex => match def {
            Some(NodeEnum::Constraint(c)) => AlterCmd::AddConstraint(constraint_def(c)),
            _ => AlterCmd::Other {
                subtype: format!("{subtype:?}"),
            },
        },
        At::AtValidateConstraint => AlterCmd::ValidateConstraint { name },
        At::AtDropConstraint => AlterCmd::DropConstraint {
            name,
            cascade: cmd.behavior == pb::DropBehavior::DropCascade as i32,
        },
        At::AtAlterConstraint => AlterCmd::AlterConstraint,
        At::AtSetTableSpace => AlterCmd::SetTablespace { name },
        At::AtSetLogged => AlterCmd::SetLogged,
        At::AtSetUnLogged => AlterCmd::SetUnlogged,
        At::AtSetAccessMethod => AlterCmd::SetAccessMethod {
            name: (!name.is_empty()).then_some(name),
        },
        At::AtSetRelOptions | At::AtResetRelOptions | At::AtReplaceRelOptions => {
            let names: Vec<String> = match def {
                Some(NodeEnum::List(l)) => l
                    .items
                    .iter()
                    .filter_map(|n| match n.node.as_ref() {
                        Some(NodeEnum::DefElem(d)) => Some(if d.defnamespace.is_empty() {
                            d.defname.clone()
                        } else {
                            format!("{}.{}", d.defnamespace, d.defname)
                        }),
                        _ => None,
                    })
                    .collect(),
                _ => vec![],
            };
            AlterCmd::SetOptions {
                weak: !names.is_empty() && names.iter().all(|n| weak_reloption(n)),
            }
        }
        At::AtEnableTrig
        | At::AtEnableAlwaysTrig
        | At::AtEnableReplicaTrig
        | At::AtDisableTrig
        | At::AtEnableTrigAll
        | At::AtDisableTrigAll
        | At::AtEnableTrigUser
        | At::AtDisableTrigUser => AlterCmd::Triggers,
        At::AtEnableRowSecurity
        | At::AtDisableRowSecurity
        | At::AtForceRowSecurity
        | At::AtNoForceRowSecurity => AlterCmd::RowSecurity,
        At::AtChangeOwner => AlterCmd::Owner,
        At::AtReplicaIdentity => AlterCmd::ReplicaIdentity,
        At::AtClusterOn | At::AtDropCluster => AlterCmd::ClusterOn {
            index: (!name.is_empty()).then(|| name.clone()),
        },
        At::AtAddInherit | At::AtDropInherit => AlterCmd::Inherit {
            parent: match def {
                Some(NodeEnum::RangeVar(rv)) => Some(QName::from_range_var(rv)),
                _ => None,
            },
            drop: subtype == At::AtDropInherit,
        },
        At::AtAddOf | At::AtDropOf => AlterCmd::Inherit {
            parent: None,
            drop: subtype == At::AtDropOf,
        },
        At::AtAttachPartition | At::AtDetachPartition | At::AtDetachPartitionFinalize => {
            let Some(NodeEnum::PartitionCmd(p)) = def else {
                return AlterCmd::Other {
                    subtype: format!("{subtype:?}"),
                };
            };
            let partition = p
                .name
                .as_ref()
                .map(QName::from_range_var)
                .unwrap_or_else(|| QName::new("?"));
            if subtype == At::AtAttachPartition {
                AlterCmd::AttachPartition {
                    partition,
                    default: p.bound.as_ref().is_some_and(|b| b.is_default),
                    bound: p.bound.as_ref().map(bound_of).unwrap_or_default(),
                }
            } else {
                AlterCmd::DetachPartition {
                    partition,
                    concurrently: p.concurrent,
                    finalize: subtype == At::AtDetachPartitionFinalize,
                }
            }
        }
        other => AlterCmd::Other {
            subtype: format!("{other:?}"),
        },
    }
}

/// Relations read by a query (FROM / JOIN), leaving out CTE names and `exclude`.
fn sources(node: Option<&pb::Node>, exclude: Option<&QName>) -> Vec<QName> {
    let Some(n) = node.and_then(|n| n.node.as_ref()) else {
        return vec![];
    };
    let mut out = scan(n, &cte_names(n)).reads;
    out.retain(|q| Some(q) != exclude);
    out
}

/// The names of every CTE in a statement (`WITH name AS (…)`, at any depth).
fn cte_names(stmt: &NodeEnum) -> Vec<String> {
    let mut ctes = Vec::new();
    walk_enum(stmt, &mut |n| {
        if let NodeRef::CommonTableExpr(c) = n {
            ctes.push(c.ctename.clone());
        }
    });
    ctes
}

/// The relation an INSERT / UPDATE / DELETE / MERGE writes.
fn dml_target(stmt: NodeRef<'_>) -> Option<&pb::RangeVar> {
    match stmt {
        NodeRef::InsertStmt(i) => i.relation.as_ref(),
        NodeRef::UpdateStmt(u) => u.relation.as_ref(),
        NodeRef::DeleteStmt(d) => d.relation.as_ref(),
        NodeRef::MergeStmt(m) => m.relation.as_ref(),
        _ => None,
    }
}

/// What walking a statement's parse tree finds about the relations it reads.
struct Scan {
    /// Relations read (FROM, JOIN, USING, subqueries), without CTE names and the relations an
    /// INSERT / UPDATE / DELETE / MERGE (the statement, or one in its WITH) writes.
    reads: Vec<QName>,
    /// Of `reads`, those every mention names with `ONLY`.
    only: Vec<QName>,
    /// Relations whose rows a locking clause (`FOR UPDATE`, `FOR SHARE OF a`, …) locks.
    locked: Vec<QName>,
    /// The data-modifying CTEs, each as the statement it is.
    with: Vec<Op>,
}

/// Walks `stmt`; `ctes`: the CTE names of the whole statement (never relations).
fn scan(stmt: &NodeEnum, ctes: &[String]) -> Scan {
    let mut targets: Vec<i32> = Vec::new();
    let mut seen: Vec<(&pb::RangeVar, QName)> = Vec::new();
    // Locking clauses: the names they list (relation or alias), or None for every relation.
    let mut locking: Vec<Option<String>> = Vec::new();
    let mut with: Vec<Op> = Vec::new();
    let lock_clauses = |s: &pb::SelectStmt, locking: &mut Vec<Option<String>>| {
        for c in &s.locking_clause {
            if let Some(NodeEnum::LockingClause(c)) = c.node.as_ref() {
                if c.locked_rels.is_empty() {
                    locking.push(None);
                }
                for r in &c.locked_rels {
                    if let Some(NodeEnum::RangeVar(rv)) = r.node.as_ref() {
                        locking.push(Some(rv.relname.clone()));
                    }
                }
            }
        }
    };
    let top = match stmt {
        NodeEnum::InsertStmt(i) => dml_target(NodeRef::InsertStmt(i)),
        NodeEnum::UpdateStmt(u) => dml_target(NodeRef::UpdateStmt(u)),
        NodeEnum::DeleteStmt(d) => dml_target(NodeRef::DeleteStmt(d)),
        NodeEnum::MergeStmt(m) => dml_target(NodeRef::MergeStmt(m)),
        NodeEnum::SelectStmt(s) => {
            lock_clauses(s, &mut locking);
            None
        }
        _ => None,
    };
    targets.extend(top.map(|rv| rv.location));
    let mut nodes = Vec::new();
    walk_enum(stmt, &mut |n| nodes.push(n));
    for n in nodes {
        match n {
            NodeRef::RangeVar(rv) => seen.push((rv, QName::from_range_var(rv))),
            NodeRef::SelectStmt(s) => lock_clauses(s, &mut locking),
            NodeRef::CommonTableExpr(c) => {
                if let Some(q) = c.ctequery.as_deref().and_then(|q| q.node.as_ref())
                    && matches!(
                        q,
                        NodeEnum::InsertStmt(_)
                            | NodeEnum::UpdateStmt(_)
                            | NodeEnum::DeleteStmt(_)
                            | NodeEnum::MergeStmt(_)
                    )
                {
                    with.push(dml(q, ctes));
                }
            }
            other => targets.extend(dml_target(other).map(|rv| rv.location)),
        }
    }
    let is_cte = |q: &QName| q.schema.is_none() && ctes.contains(&q.name);
    let mut reads: Vec<QName> = Vec::new();
    for (rv, q) in &seen {
        if !targets.contains(&rv.location) && !is_cte(q) && !reads.contains(q) {
            reads.push(q.clone());
        }
    }
    let only = reads
        .iter()
        .filter(|q| {
            seen.iter()
                .filter(|(rv, x)| x == *q && !targets.contains(&rv.location))
                .all(|(rv, _)| !rv.inh)
        })
        .cloned()
        .collect();
    let mut locked: Vec<QName> = Vec::new();
    for l in &locking {
        let hits: Vec<&QName> = match l {
            None => reads.iter().collect(),
            Some(name) => {
                let by_alias: Vec<&QName> = seen
                    .iter()
                    .filter(|(rv, _)| rv.alias.as_ref().is_some_and(|a| a.aliasname == *name))
                    .map(|(_, q)| q)
                    .collect();
                if by_alias.is_empty() {
                    seen.iter()
                        .filter(|(rv, _)| rv.alias.is_none() && rv.relname == *name)
                        .map(|(_, q)| q)
                        .collect()
                } else {
                    by_alias
                }
            }
        };
        for q in hits {
            if reads.contains(q) && !locked.contains(q) {
                locked.push(q.clone());
            }
        }
    }
    Scan {
        reads,
        only,
        locked,
        with,
    }
}

/// An INSERT / UPDATE / DELETE / MERGE (the statement, or one in a WITH); `ctes`: the CTE names
/// of the whole statement.
fn dml(stmt: &NodeEnum, ctes: &[String]) -> Op {
    let sc = scan(stmt, ctes);
    let query = Query {
        only: sc.only,
        with: sc.with,
    };
    let target = |rv: Option<&pb::RangeVar>| {
        rv.map(QName::from_range_var)
            .unwrap_or_else(|| QName::new("?"))
    };
    let only = |rv: Option<&pb::RangeVar>| rv.is_some_and(|r| !r.inh);
    let res_names = |targets: &[pb::Node]| -> Vec<String> {
        targets
            .iter()
            .filter_map(|c| match c.node.as_ref() {
                Some(NodeEnum::ResTarget(t)) => Some(t.name.clone()),
                _ => None,
            })
            .collect()
    };
    match stmt {
        NodeEnum::InsertStmt(i) => Op::Insert {
            table: target(i.relation.as_ref()),
            sources: sc.reads,
            columns: res_names(&i.cols),
            query,
        },
        NodeEnum::UpdateStmt(u) => Op::Update {
            table: target(u.relation.as_ref()),
            rows: Rows::of(u.where_clause.as_deref(), !u.from_clause.is_empty()),
            columns: res_names(&u.target_list),
            only: only(u.relation.as_ref()),
            sources: sc.reads,
            query,
        },
        NodeEnum::DeleteStmt(d) => Op::Delete {
            table: target(d.relation.as_ref()),
            rows: Rows::of(d.where_clause.as_deref(), !d.using_clause.is_empty()),
            only: only(d.relation.as_ref()),
            sources: sc.reads,
            query,
        },
        NodeEnum::MergeStmt(m) => Op::Merge {
            table: target(m.relation.as_ref()),
            sources: sc.reads,
            query,
        },
        _ => Op::Other {
            tag: statement_tag(stmt),
        },
    }
}

fn is_alembic(rv: Option<&pb::RangeVar>) -> bool {
    rv.is_some_and(|r| r.relname == "alembic_version")
}

fn def_elem_has_password(options: &[pb::Node]) -> bool {
    options.iter().any(|o| match o.node.as_ref() {
        Some(NodeEnum::DefElem(d)) => {
            d.defname == "password"
                && d.arg
                    .as_deref()
                    .and_then(|a| a.node.as_ref())
                    .is_some_and(|a| matches!(a, NodeEnum::String(_)))
        }
        _ => false,
    })
}

/// The SQL statements inside a PL/pgSQL `DO` body, and whether it runs dynamic SQL (`EXECUTE`).
fn do_body(args: &[pb::Node]) -> (Vec<String>, bool) {
    let mut body = None;
    let mut language = "plpgsql".to_string();
    for a in args {
        if let Some(NodeEnum::DefElem(d)) = a.node.as_ref() {
            let val = d.arg.as_deref().and_then(string_of);
            match d.defname.as_str() {
                "as" => body = val,
                "language" => language = val.unwrap_or_default(),
                _ => {}
            }
        }
    }
    let Some(body) = body else {
        return (vec![], true);
    };
    // Bodies this large are not migration code pgrisk can usefully follow (and libpg_query's
    // PL/pgSQL parser recurses without a depth check): opaque.
    if language != "plpgsql" || body.len() > 1 << 20 {
        return (vec![], true);
    }
    let wrapper = format!(
        "CREATE FUNCTION pgrisk_do() RETURNS void LANGUAGE plpgsql AS $pgrisk_body${body}$pgrisk_body$"
    );
    let Ok(json) = pg_query::parse_plpgsql(&wrapper) else {
        return (vec![], true);
    };
    let mut statements = Vec::new();
    let mut dynamic = false;
    let mut stack = vec![&json];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map {
                    if k == "PLpgSQL_stmt_execsql" {
                        if let Some(q) = child
                            .pointer("/sqlstmt/PLpgSQL_expr/query")
                            .and_then(|q| q.as_str())
                        {
                            statements.push(q.to_string());
                        }
                    } else if k == "PLpgSQL_stmt_dynexecute" || k == "PLpgSQL_stmt_dynfors" {
                        dynamic = true;
                    }
                    stack.push(child);
                }
            }
            serde_json::Value::Array(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
    statements.reverse();
    (statements, dynamic)
}

fn lock_mode_of(mode: i32) -> LockMode {
    match mode {
        1 => LockMode::AccessShareLock,
        2 => LockMode::RowShareLock,
        3 => LockMode::RowExclusiveLock,
        4 => LockMode::ShareUpdateExclusiveLock,
        5 => LockMode::ShareLock,
        6 => LockMode::ShareRowExclusiveLock,
        7 => LockMode::ExclusiveLock,
        _ => LockMode::AccessExclusiveLock,
    }
}

/// The sequence a `nextval('name')`-style argument names: a string literal, possibly cast to
/// regclass.
fn sequence_arg(arg: &pb::Node) -> Option<QName> {
    match arg.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pb::a_const::Val::Sval(s) => regclass_name(&s.sval),
            _ => None,
        },
        NodeEnum::TypeCast(t) => t.arg.as_deref().and_then(sequence_arg),
        _ => None,
    }
}

/// `pg_get_serial_sequence('table', 'column')` as a sequence argument: the table and column.
fn serial_sequence_arg(arg: &pb::Node) -> Option<(QName, String)> {
    let NodeEnum::FuncCall(f) = arg.node.as_ref()? else {
        return None;
    };
    if names_of(&f.funcname).last().map(String::as_str) != Some("pg_get_serial_sequence") {
        return None;
    }
    let text = |n: &pb::Node| match n.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pb::a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    };
    let table = regclass_name(&text(f.args.first()?)?)?;
    let column = text(f.args.get(1)?)?;
    Some((table, column))
}

/// The relations of `nodes` named with `ONLY` (no partitions or inheritance children).
fn only_range_vars(nodes: &[pb::Node]) -> Vec<QName> {
    nodes
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) if !rv.inh => Some(QName::from_range_var(rv)),
            _ => None,
        })
        .collect()
}

/// A sequence's `OWNED BY table.column` option: Some(None) for `OWNED BY NONE`, None when absent.
fn owned_by(options: &[pb::Node]) -> Option<Option<(QName, String)>> {
    options.iter().find_map(|o| match o.node.as_ref() {
        Some(NodeEnum::DefElem(d)) if d.defname == "owned_by" => {
            let names = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => names_of(&l.items),
                _ => vec![],
            };
            Some(match names.as_slice() {
                [.., _, column] => {
                    let table = &names[..names.len() - 1];
                    let table = match table {
                        [.., schema, name] => QName {
                            schema: Some(schema.clone()),
                            name: name.clone(),
                        },
                        [name] => QName::new(name),
                        [] => QName::new("?"),
                    };
                    Some((table, column.clone()))
                }
                _ => None,
            })
        }
        _ => None,
    })
}

fn range_vars(nodes: &[pb::Node]) -> Vec<QName> {
    nodes
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(QName::from_range_var(rv)),
            Some(NodeEnum::VacuumRelation(v)) => v.relation.as_ref().map(QName::from_range_var),
            _ => None,
        })
        .collect()
}

/// Builtin functions a migration may call from SELECT without side effects on the schema.
const BUILTIN_CALLS: &[&str] = &[
    "setval",
    "nextval",
    "currval",
    "pg_advisory_lock",
    "pg_advisory_unlock",
    "pg_advisory_xact_lock",
    "set_config",
    "pg_try_advisory_lock",
    "pg_try_advisory_xact_lock",
    "count",
    "max",
    "min",
    "now",
    "current_setting",
    "version",
    "pg_sleep",
    "coalesce",
];

/// Describes one parsed statement.
pub fn describe(stmt: &NodeEnum) -> Op {
    match stmt {
        NodeEnum::TransactionStmt(t) => {
            use pb::TransactionStmtKind as K;
            let kind = match K::try_from(t.kind).unwrap_or(K::Undefined) {
                K::TransStmtBegin | K::TransStmtStart => Tx::Begin,
                K::TransStmtCommit => Tx::Commit,
                K::TransStmtRollback => Tx::Rollback,
                K::TransStmtSavepoint => Tx::Savepoint,
                K::TransStmtRelease => Tx::Release,
                K::TransStmtRollbackTo => Tx::RollbackTo,
                K::TransStmtPrepare => Tx::Prepare,
                _ => Tx::Other,
            };
            Op::Transaction { kind, savepoint: (!t.savepoint_name.is_empty()).then(|| t.savepoint_name.clone()) }
        }
        NodeEnum::VariableSetStmt(v) => {
            use pb::VariableSetKind as K;
            let value = match K::try_from(v.kind).unwrap_or(K::Undefined) {
                K::VarSetValue => {
                    Some(v.args.iter().map(|a| expr_sql(a).trim_matches('\'').to_string()).collect::<Vec<_>>().join(", "))
                }
                _ => None,
            };
            Op::Set { name: v.name.to_ascii_lowercase(), value, local: v.is_local }
        }
        NodeEnum::CreateStmt(c) if is_alembic(c.relation.as_ref()) => Op::Alembic,
        NodeEnum::InsertStmt(i) if is_alembic(i.relation.as_ref()) => Op::Alembic,
        NodeEnum::UpdateStmt(u) if is_alembic(u.relation.as_ref()) => Op::Alembic,
        NodeEnum::DeleteStmt(d) if is_alembic(d.relation.as_ref()) => Op::Alembic,
        NodeEnum::DropStmt(d) if d.objects.iter().any(|o| matches!(o.node.as_ref(), Some(NodeEnum::List(l)) if names_of(&l.items).last().map(String::as_str) == Some("alembic_version"))) => {
            Op::Alembic
        }
        NodeEnum::CreateStmt(c) => {
            let mut columns = Vec::new();
            let mut constraints = Vec::new();
            let mut like = Vec::new();
            for elt in &c.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(col)) => columns.push(column_def(col)),
                    Some(NodeEnum::Constraint(con)) => constraints.push(constraint_def(con)),
                    Some(NodeEnum::TableLikeClause(l)) => like.extend(l.relation.as_ref().map(QName::from_range_var)),
                    _ => {}
                }
            }
            let inherits = range_vars(&c.inh_relations);
            Op::CreateTable {
                table: c.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
                columns,
                constraints,
                partition_of: if c.partbound.is_some() { inherits.first().cloned() } else { None },
                default_partition: c.partbound.as_ref().is_some_and(|b| b.is_default),
                partitioned: c.partspec.is_some(),
                partition_key: c
                    .partspec
                    .as_ref()
                    .map(|p| {
                        p.part_params
                            .iter()
                            .filter_map(|e| match e.node.as_ref() {
                                Some(NodeEnum::PartitionElem(e)) if !e.name.is_empty() => Some(e.name.clone()),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                bound: c.partbound.as_ref().map(bound_of).unwrap_or_default(),
                unlogged: c.relation.as_ref().is_some_and(|r| r.relpersistence == "u"),
                tablespace: (!c.tablespacename.is_empty()).then(|| c.tablespacename.clone()),
                access_method: (!c.access_method.is_empty()).then(|| c.access_method.clone()),
                inherits: if c.partbound.is_some() { vec![] } else { inherits },
                like,
            }
        }
        NodeEnum::CreateTableAsStmt(c) => {
            let target = c.into.as_ref().and_then(|i| i.rel.as_ref()).map(QName::from_range_var).unwrap_or_else(|| QName::new("?"));
            let srcs = sources(c.query.as_deref(), Some(&target));
            let no_data = c.into.as_ref().is_some_and(|i| i.skip_data);
            if rel_kind(c.objtype) == RelKind::MatView {
                Op::CreateView { view: target, replace: false, materialized: true, sources: srcs, columns: column_names(c.query.as_deref()), no_data }
            } else {
                Op::CreateTableAs { table: target, sources: srcs, no_data }
            }
        }
        NodeEnum::AlterTableStmt(a) => Op::AlterTable {
            table: a.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
            only: a.relation.as_ref().is_some_and(|r| !r.inh),
            kind: rel_kind(a.objtype),
            cmds: a
                .cmds
                .iter()
                .filter_map(|c| match c.node.as_ref() {
                    Some(NodeEnum::AlterTableCmd(cmd)) => Some(alter_cmd(cmd)),
                    _ => None,
                })
                .collect(),
        },
        NodeEnum::IndexStmt(i) => {
            let table = i.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?"));
            let columns = i
                .index_params
                .iter()
                .filter_map(|p| match p.node.as_ref() {
                    Some(NodeEnum::IndexElem(e)) if !e.name.is_empty() => Some(e.name.clone()),
                    _ => None,
                })
                .collect();
            // The definition after "ON <table>", from the deparsed statement.
            let full = deparse_stmt(NodeEnum::IndexStmt(Box::new(pb::IndexStmt {
                concurrent: false,
                if_not_exists: false,
                ..(**i).clone()
            })))
            .unwrap_or_default();
            let definition = full.split_once(" ON ").map(|(_, rest)| rest).and_then(|r| r.split_once(' ').map(|(_, d)| d)).unwrap_or("").to_string();
            let definition = definition.strip_prefix("USING btree ").map(String::from).unwrap_or(definition);
            Op::CreateIndex {
                name: (!i.idxname.is_empty()).then(|| i.idxname.clone()),
                table,
                unique: i.unique || i.primary,
                concurrently: i.concurrent,
                columns,
                definition,
                only: i.relation.as_ref().is_some_and(|r| !r.inh),
                if_not_exists: i.if_not_exists,
            }
        }
        NodeEnum::DropStmt(d) => {
            let names: Vec<QName> = d
                .objects
                .iter()
                .filter_map(|o| match o.node.as_ref() {
                    Some(NodeEnum::List(l)) => Some(QName::from_names(&l.items)),
                    Some(NodeEnum::String(s)) => Some(QName::new(&s.sval)),
                    _ => None,
                })
                .collect();
            let cascade = d.behavior == pb::DropBehavior::DropCascade as i32;
            match ObjectType::try_from(d.remove_type).unwrap_or(ObjectType::Undefined) {
                ObjectType::ObjectIndex => Op::DropIndex { indexes: names, concurrently: d.concurrent },
                ObjectType::ObjectTable => Op::DropRelation { kind: RelKind::Table, names, cascade },
                ObjectType::ObjectView => Op::DropRelation { kind: RelKind::View, names, cascade },
                ObjectType::ObjectMatview => Op::DropRelation { kind: RelKind::MatView, names, cascade },
                ObjectType::ObjectSequence => Op::DropRelation { kind: RelKind::Sequence, names, cascade },
                ObjectType::ObjectForeignTable => Op::DropRelation { kind: RelKind::ForeignTable, names, cascade },
                ObjectType::ObjectTrigger => {
                    // DROP TRIGGER name ON table: objects = [[table..., trigger]]
                    let table = d.objects.first().and_then(|o| match o.node.as_ref() {
                        Some(NodeEnum::List(l)) if l.items.len() >= 2 => Some(QName::from_names(&l.items[..l.items.len() - 1])),
                        _ => None,
                    });
                    let name = d.objects.first().and_then(|o| match o.node.as_ref() {
                        Some(NodeEnum::List(l)) => names_of(&l.items).last().cloned(),
                        _ => None,
                    });
                    Op::DropTrigger { table: table.unwrap_or_else(|| QName::new("?")), name: name.unwrap_or_default(), if_exists: d.missing_ok }
                }
                ObjectType::ObjectPolicy | ObjectType::ObjectRule => {
                    let table = d.objects.first().and_then(|o| match o.node.as_ref() {
                        Some(NodeEnum::List(l)) if l.items.len() >= 2 => Some(QName::from_names(&l.items[..l.items.len() - 1])),
                        _ => None,
                    });
                    Op::Policy { table: table.unwrap_or_else(|| QName::new("?")) }
                }
                other => Op::DropObject {
                    what: format!("{other:?}").trim_start_matches("Object").to_ascii_uppercase(),
                    types: if matches!(other, ObjectType::ObjectType | ObjectType::ObjectDomain) {
                        d.objects
                            .iter()
                            .filter_map(|o| match o.node.as_ref() {
                                Some(NodeEnum::TypeName(t)) => names_of(&t.names).last().cloned(),
                                Some(NodeEnum::List(l)) => names_of(&l.items).last().cloned(),
                                _ => None,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    schemas: if other == ObjectType::ObjectSchema {
                        d.objects.iter().filter_map(string_of).collect()
                    } else {
                        Vec::new()
                    },
                    functions: if matches!(other, ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine) {
                        d.objects
                            .iter()
                            .filter_map(|o| match o.node.as_ref() {
                                Some(NodeEnum::ObjectWithArgs(f)) => names_of(&f.objname).last().cloned(),
                                _ => None,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    cascade,
                },
            }
        }
        NodeEnum::TruncateStmt(t) => Op::Truncate {
            tables: range_vars(&t.relations),
            only: only_range_vars(&t.relations),
            cascade: t.behavior == pb::DropBehavior::DropCascade as i32,
            restart: t.restart_seqs,
        },
        NodeEnum::RenameStmt(r) => {
            use ObjectType as O;
            let rename_type = O::try_from(r.rename_type).unwrap_or(O::Undefined);
            let object = r.relation.as_ref().map(QName::from_range_var);
            let (kind, target) = match rename_type {
                O::ObjectTable | O::ObjectForeignTable => (rel_kind(r.rename_type), RenameTarget::Table),
                O::ObjectView | O::ObjectMatview | O::ObjectSequence => (rel_kind(r.rename_type), RenameTarget::Table),
                O::ObjectIndex => (RelKind::Index, RenameTarget::Index),
                O::ObjectColumn => (rel_kind(r.relation_type), RenameTarget::Column { column: r.subname.clone() }),
                O::ObjectTabconstraint => (RelKind::Table, RenameTarget::Constraint { constraint: r.subname.clone() }),
                O::ObjectTrigger => (RelKind::Table, RenameTarget::Trigger),
                _ => (RelKind::Table, RenameTarget::Other),
            };
            if matches!(rename_type, O::ObjectType | O::ObjectDomain)
                && let Some(NodeEnum::List(l)) = r.object.as_deref().and_then(|o| o.node.as_ref())
            {
                return Op::RenameType {
                    name: names_of(&l.items).last().cloned().unwrap_or_default(),
                    new_name: r.newname.clone(),
                };
            }
            match (object, target) {
                (Some(object), target) if target != RenameTarget::Other => {
                    Op::Rename { kind, object, target, new_name: r.newname.clone() }
                }
                _ => Op::Other { tag: format!("ALTER {:?} RENAME", rename_type).replace("Object", "").to_ascii_uppercase() },
            }
        }
        NodeEnum::AlterObjectSchemaStmt(a) => match a.relation.as_ref() {
            Some(rv) => Op::SetSchema { kind: rel_kind(a.object_type), object: QName::from_range_var(rv) },
            None => Op::CreateObject { what: "ALTER ... SET SCHEMA".into() },
        },
        NodeEnum::ReindexStmt(r) => {
            use pb::ReindexObjectType as R;
            let concurrently = r.params.iter().any(|p| matches!(p.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"));
            let rel = r.relation.as_ref().map(QName::from_range_var);
            match R::try_from(r.kind).unwrap_or(R::Undefined) {
                R::ReindexObjectIndex => Op::Reindex { table: None, index: rel, concurrently },
                R::ReindexObjectTable => Op::Reindex { table: rel, index: None, concurrently },
                _ => Op::Other { tag: "REINDEX SCHEMA/DATABASE".into() },
            }
        }
        NodeEnum::VacuumStmt(v) => {
            let full = v.options.iter().any(|o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "full" && d.arg.as_deref().and_then(string_of).is_none_or(|s| s != "false" && s != "off")));
            Op::Vacuum { full, tables: range_vars(&v.rels) }
        }
        NodeEnum::ClusterStmt(c) => Op::Cluster { table: c.relation.as_ref().map(QName::from_range_var), index: (!c.indexname.is_empty()).then(|| c.indexname.clone()) },
        NodeEnum::ViewStmt(v) => {
            let view = v.view.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?"));
            Op::CreateView { sources: sources(v.query.as_deref(), Some(&view)), columns: column_names(v.query.as_deref()), view, replace: v.replace, materialized: false, no_data: false }
        }
        NodeEnum::RefreshMatViewStmt(r) => Op::RefreshMatView {
            view: r.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
            concurrently: r.concurrent,
            no_data: r.skip_data,
        },
        NodeEnum::CreateTrigStmt(t) => Op::CreateTrigger {
            table: t.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
            name: t.trigname.clone(),
            row: t.row,
            function: names_of(&t.funcname).last().cloned().unwrap_or_default(),
        },
        NodeEnum::CreatePolicyStmt(p) => Op::Policy { table: p.table.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")) },
        NodeEnum::AlterPolicyStmt(p) => Op::Policy { table: p.table.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")) },
        NodeEnum::RuleStmt(r) => Op::Policy { table: r.relation.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")) },
        NodeEnum::AlterEnumStmt(e) => Op::AlterEnum {
            type_name: names_of(&e.type_name).join("."),
            add_value: (e.old_val.is_empty()).then(|| e.new_val.clone()),
            rename_value: !e.old_val.is_empty(),
        },
        NodeEnum::CreateEnumStmt(e) => Op::CreateEnum { name: names_of(&e.type_name).last().cloned().unwrap_or_default() },
        NodeEnum::CompositeTypeStmt(_) | NodeEnum::CreateRangeStmt(_) | NodeEnum::DefineStmt(_) => Op::CreateObject { what: "CREATE TYPE".into() },
        NodeEnum::CreateDomainStmt(d) => Op::CreateDomain {
            name: names_of(&d.domainname).last().cloned().unwrap_or_default(),
            base: d.type_name.as_ref().map(type_of),
            constrained: d.constraints.iter().any(|c| {
                matches!(c.node.as_ref(), Some(NodeEnum::Constraint(c))
                    if matches!(ConstrType::try_from(c.contype), Ok(ConstrType::ConstrCheck | ConstrType::ConstrNotnull)))
            }),
        },
        NodeEnum::CreateSeqStmt(s) => Op::CreateSequence {
            sequence: s.sequence.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
            owned_by: owned_by(&s.options).flatten(),
        },
        NodeEnum::CreateFunctionStmt(_) => Op::CreateObject { what: "CREATE FUNCTION".into() },
        NodeEnum::CreateSchemaStmt(_) => Op::CreateObject { what: "CREATE SCHEMA".into() },
        NodeEnum::CreateExtensionStmt(_) => Op::CreateObject { what: "CREATE EXTENSION".into() },
        NodeEnum::AlterSeqStmt(s) => Op::AlterSequence {
            sequence: s.sequence.as_ref().map(QName::from_range_var).unwrap_or_else(|| QName::new("?")),
            owned_by: owned_by(&s.options),
        },
        NodeEnum::CommentStmt(c) => {
            let table = match ObjectType::try_from(c.objtype).unwrap_or(ObjectType::Undefined) {
                ObjectType::ObjectTable | ObjectType::ObjectView | ObjectType::ObjectMatview | ObjectType::ObjectSequence => match c.object.as_deref().and_then(|o| o.node.as_ref()) {
                    Some(NodeEnum::List(l)) => Some(QName::from_names(&l.items)),
                    _ => None,
                },
                ObjectType::ObjectColumn | ObjectType::ObjectTabconstraint | ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule => match c.object.as_deref().and_then(|o| o.node.as_ref()) {
                    Some(NodeEnum::List(l)) if l.items.len() >= 2 => Some(QName::from_names(&l.items[..l.items.len() - 1])),
                    _ => None,
                },
                _ => None,
            };
            let on_table_object = matches!(
                ObjectType::try_from(c.objtype).unwrap_or(ObjectType::Undefined),
                ObjectType::ObjectTabconstraint | ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule
            );
            Op::Comment { table, on_table_object }
        }
        NodeEnum::GrantStmt(g) => Op::Grant {
            tables: if matches!(ObjectType::try_from(g.objtype), Ok(ObjectType::ObjectTable | ObjectType::ObjectSequence)) { range_vars(&g.objects) } else { vec![] },
        },
        NodeEnum::GrantRoleStmt(_) | NodeEnum::AlterDefaultPrivilegesStmt(_) => Op::Grant { tables: vec![] },
        NodeEnum::LockStmt(l) => Op::Lock { tables: range_vars(&l.relations), mode: lock_mode_of(l.mode), only: only_range_vars(&l.relations) },
        NodeEnum::InsertStmt(_) | NodeEnum::UpdateStmt(_) | NodeEnum::DeleteStmt(_) | NodeEnum::MergeStmt(_) => dml(stmt, &cte_names(stmt)),
        NodeEnum::SelectStmt(_) => {
            let mut calls = Vec::new();
            let mut sequences = Vec::new();
            let mut column_sequences = Vec::new();
            walk_enum(stmt, &mut |n| {
                if let NodeRef::FuncCall(f) = n {
                    let name = names_of(&f.funcname).join(".");
                    let last = names_of(&f.funcname).last().cloned().unwrap_or_default();
                    if matches!(last.as_str(), "nextval" | "setval" | "currval") {
                        sequences.extend(f.args.first().and_then(sequence_arg));
                        column_sequences.extend(f.args.first().and_then(serial_sequence_arg));
                    }
                    if !BUILTIN_CALLS.contains(&last.as_str()) && !NON_VOLATILE_FUNCTIONS.contains(&last.as_str()) && !name.starts_with("pg_catalog.") {
                        calls.push(name);
                    }
                }
            });
            let sc = scan(stmt, &cte_names(stmt));
            Op::Select { sources: sc.reads, calls, sequences, column_sequences, locked: sc.locked, query: Query { only: sc.only, with: sc.with } }
        }
        NodeEnum::CreateStatsStmt(c) => match c.relations.first().and_then(|r| r.node.as_ref()) {
            Some(NodeEnum::RangeVar(rv)) => Op::CreateStatistics { table: QName::from_range_var(rv) },
            _ => Op::Other { tag: "CREATE STATISTICS".into() },
        },
        NodeEnum::CopyStmt(c) => match (&c.relation, c.query.as_deref()) {
            (Some(rv), _) => Op::Copy { table: QName::from_range_var(rv), from: c.is_from },
            (None, query) => Op::Select { sources: sources(query, None), calls: vec![], sequences: vec![], column_sequences: vec![], locked: vec![], query: Query::default() },
        },
        NodeEnum::DoStmt(d) => {
            let (statements, dynamic) = do_body(&d.args);
            Op::Do { statements, dynamic }
        }
        NodeEnum::CallStmt(c) => Op::Call {
            name: c.funccall.as_ref().map(|f| names_of(&f.funcname).join(".")).unwrap_or_default(),
        },
        NodeEnum::CreateRoleStmt(r) if def_elem_has_password(&r.options) => Op::Credentials { what: "CREATE ROLE".into() },
        NodeEnum::AlterRoleStmt(r) if def_elem_has_password(&r.options) => Op::Credentials { what: "ALTER ROLE".into() },
        NodeEnum::CreateUserMappingStmt(u) if def_elem_has_password(&u.options) => Op::Credentials { what: "CREATE USER MAPPING".into() },
        NodeEnum::AlterUserMappingStmt(u) if def_elem_has_password(&u.options) => Op::Credentials { what: "ALTER USER MAPPING".into() },
        NodeEnum::CreateRoleStmt(_) | NodeEnum::AlterRoleStmt(_) | NodeEnum::CreateUserMappingStmt(_) | NodeEnum::AlterUserMappingStmt(_) => {
            Op::CreateObject { what: "ROLE".into() }
        }
        NodeEnum::AlterDomainStmt(d) => Op::AlterDomain {
            name: names_of(&d.type_name).last().cloned().unwrap_or_default(),
            action: match d.subtype.as_str() {
                "C" => DomainAction::AddConstraint {
                    not_valid: matches!(d.def.as_deref().and_then(|n| n.node.as_ref()), Some(NodeEnum::Constraint(c)) if c.skip_validation),
                },
                "V" => DomainAction::ValidateConstraint,
                "O" => DomainAction::SetNotNull,
                _ => DomainAction::Other,
            },
            constraint: match d.def.as_deref().and_then(|n| n.node.as_ref()) {
                Some(NodeEnum::Constraint(c)) if !c.conname.is_empty() => Some(c.conname.clone()),
                _ => (!d.name.is_empty()).then(|| d.name.clone()),
            },
            check: match d.def.as_deref().and_then(|n| n.node.as_ref()) {
                Some(NodeEnum::Constraint(c)) => c.raw_expr.as_deref().map(expr_sql),
                _ => None,
            },
        },
        NodeEnum::AlterFunctionStmt(_) | NodeEnum::AlterOwnerStmt(_) | NodeEnum::AlterExtensionStmt(_) => Op::CreateObject { what: "ALTER (catalog object)".into() },
        NodeEnum::CreateEventTrigStmt(_) | NodeEnum::CreateCastStmt(_) | NodeEnum::CreateOpClassStmt(_) | NodeEnum::CreateForeignServerStmt(_) | NodeEnum::CreateFdwStmt(_) | NodeEnum::CreatePublicationStmt(_) | NodeEnum::CreateConversionStmt(_) => {
            Op::CreateObject { what: "CREATE (catalog object)".into() }
        }
        NodeEnum::VariableShowStmt(_) | NodeEnum::NotifyStmt(_) | NodeEnum::ListenStmt(_) | NodeEnum::DiscardStmt(_) | NodeEnum::CheckPointStmt(_) | NodeEnum::ExplainStmt(_) => {
            Op::Other { tag: "SESSION".into() }
        }
        other => Op::Other { tag: statement_tag(other) },
    }
}

fn statement_tag(node: &NodeEnum) -> String {
    let name = format!("{:?}", node);
    name.split(['(', ' ']).next().unwrap_or("?").to_string()
}
