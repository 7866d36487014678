//! Statement rules: each `fn` below is one rule (or a family sharing one trigger), reading only
//! the statement's facts and the session state before it.

use super::{Draft, StmtCtx, Vars, draft, id};
use crate::classify::{Classified, add_column_key};
use crate::facts::{
    AlterCmd, ColumnDef, ConstraintDef, ConstraintKind, Generated, Op, QName, RelKind,
    RenameTarget, Tx, ident,
};
use crate::kb;
use crate::model::{Severity, StatementReport};
use crate::parse::Body;
use crate::source::Source;
use crate::suggest::sa_type;
use crate::types::{SqlType, TypeChange, classify_change};

fn table_vars(t: &QName) -> Vars {
    let mut v = Vars::new();
    v.insert("table", t.to_string());
    v.insert("table_name", t.name.clone());
    v.insert(
        "schema_kw",
        t.schema
            .as_ref()
            .map_or(String::new(), |s| format!(", schema=\"{s}\"")),
    );
    v
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

fn py_str(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Rules about the statement as a whole: transaction placement, version support, lock timeout,
/// unclassifiable and opaque statements, credentials.
pub fn statement(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    let s = ctx.session;
    let all: Vec<(&Op, &Classified)> = std::iter::once((ctx.op, ctx.classified))
        .chain(ctx.inner.iter().map(|(o, c)| (o, c)))
        .collect();
    for (_, classified) in &all {
        for a in &classified.actions {
            let Some(entry) = kb::entry(a.key) else {
                continue;
            };
            if !entry.applies_to(ctx.version()) {
                out.push(draft(
                    id::UNSUPPORTED_ON_VERSION,
                    Severity::Error,
                    format!(
                        "{} is not available on PostgreSQL {} (it needs {}+): the statement fails",
                        entry.title,
                        ctx.version(),
                        entry.versions.min
                    ),
                    Vars::from([
                        ("feature", entry.title.clone()),
                        ("min_version", entry.versions.min.to_string()),
                    ]),
                ));
            }
            if entry.outside_transaction(ctx.version())
                && s.in_block()
                && a.key != "alter_enum.add_value"
            {
                let mut v = match a.rels.first() {
                    Some((_, t)) => table_vars(t),
                    None => Vars::new(),
                };
                v.insert("statement", entry.title.clone());
                out.push(draft(
                    id::CONCURRENTLY_IN_TRANSACTION,
                    Severity::Error,
                    format!(
                        "{} cannot run inside a transaction block: the migration fails here",
                        entry.title
                    ),
                    v,
                ));
            }
        }
    }
    if let Op::AlterEnum {
        add_value: Some(value),
        type_name,
        ..
    } = ctx.op
        && s.in_block()
        && ctx.version() < 12
    {
        out.push(draft(
            id::ENUM_VALUE_IN_TRANSACTION,
            Severity::Error,
            format!("ALTER TYPE {type_name} ADD VALUE cannot run inside a transaction block on PostgreSQL {}: the migration fails", ctx.version()),
            Vars::from([("type", type_name.clone()), ("value", value.replace('\'', "''"))]),
        ));
    }
    // A lock that blocks reads or writes of an existing relation, with no lock_timeout: if it
    // has to wait, everything queued behind it waits too. In a block the transaction rule reports it.
    if !s.in_block() && s.lock_timeout().is_none() {
        let dangerous: Vec<_> = ctx
            .locks
            .iter()
            .filter(|l| l.mode.is_dangerous() && !s.is_new_relation(&l.relation))
            .collect();
        if let Some(l) = dangerous.iter().max_by_key(|l| l.mode)
            && !matches!(
                ctx.op,
                Op::Insert { .. }
                    | Op::Update { .. }
                    | Op::Delete { .. }
                    | Op::Select { .. }
                    // EXCLUSIVE on a materialized view blocks only other refreshes.
                    | Op::RefreshMatView { concurrently: true, .. }
            )
        {
            let mut v = Vars::new();
            v.insert("table", l.relation.to_string());
            v.insert("lock", l.mode.sql_name().to_string());
            out.push(draft(
                id::MISSING_LOCK_TIMEOUT,
                Severity::Warning,
                format!(
                    "takes {} on {} (blocks {}) with no lock_timeout: while it waits for the lock, every query on {} queues behind it",
                    l.mode.sql_name(),
                    l.relation,
                    l.mode.blocks().describe(),
                    l.relation
                ),
                v,
            ));
        }
    }
    if matches!(
        ctx.op,
        Op::Transaction {
            kind: Tx::Begin,
            ..
        }
    ) && s.in_block()
    {
        out.push(draft(
            id::NESTED_TRANSACTION,
            Severity::Warning,
            "BEGIN inside an open transaction is ignored (PostgreSQL only warns): the next COMMIT ends the outer transaction, and the statements after it run outside the transaction the migration expects".to_string(),
            Vars::new(),
        ));
    }
    if let Some(what) = ctx.unknown {
        out.push(draft(
            id::UNKNOWN_STATEMENT,
            Severity::Warning,
            format!("pgrisk has no lock entry for {what}: its locks and cost are unknown; review it by hand"),
            Vars::from([("what", what.to_string())]),
        ));
    }
    match ctx.op {
        Op::Do { statements, dynamic } => {
            if *dynamic || statements.is_empty() {
                out.push(draft(
                    id::OPAQUE_CODE,
                    Severity::Warning,
                    if *dynamic {
                        "DO block runs dynamic SQL (EXECUTE): pgrisk cannot see what it locks; check it by hand".to_string()
                    } else {
                        "DO block has no SQL statements pgrisk can analyse: check what it does by hand".to_string()
                    },
                    Vars::from([("what", "DO block".to_string())]),
                ));
            } else {
                out.push(draft(
                    id::OPAQUE_CODE,
                    Severity::Info,
                    format!(
                        "DO block: pgrisk analysed the {} SQL statement(s) in its body (conditions and loops are not evaluated); its locks are held until the transaction ends",
                        statements.len()
                    ),
                    Vars::from([("what", "DO block".to_string())]),
                ));
            }
        }
        Op::Call { name } => out.push(draft(
            id::OPAQUE_CODE,
            Severity::Warning,
            format!("CALL {name}: a procedure may run any DDL; pgrisk cannot see its locks; check it by hand"),
            Vars::from([("what", format!("CALL {name}"))]),
        )),
        Op::Select { calls, .. } if !calls.is_empty() => out.push(draft(
            id::OPAQUE_CODE,
            Severity::Info,
            format!("SELECT calls {}: a function may run DDL or long writes; check it by hand", calls.join(", ")),
            Vars::from([("what", format!("SELECT {}(...)", calls[0]))]),
        )),
        Op::Credentials { what } => out.push(draft(
            id::CREDENTIALS_IN_SQL,
            Severity::Error,
            format!("{what} carries a password literal: it ends up in the migration output, CI logs and review reports (pgrisk does not repeat it)"),
            Vars::from([("what", what.clone())]),
        )),
        _ => {}
    }
}

/// Rules about what one operation does to a table.
pub fn op(ctx: &StmtCtx, op: &Op, _classified: &Classified, out: &mut Vec<Draft>) {
    match op {
        Op::CreateIndex { name, table, unique, concurrently, columns, definition } => {
            if name.is_none() {
                let mut v = table_vars(table);
                v.insert("object", "index".into());
                v.insert("suggested_name", format!("ix_{}_{}", table.name, columns.join("_")));
                out.push(draft(id::UNNAMED_CONSTRAINT, Severity::Warning, format!("index on {table} has no explicit name: PostgreSQL picks one, and later migrations (and autogenerate) cannot refer to it reliably"), v));
            }
            if !concurrently && ctx.existing(table) {
                let mut v = table_vars(table);
                let index = name.clone().unwrap_or_else(|| format!("ix_{}_{}", table.name, columns.join("_")));
                v.insert("index", ident(&index));
                v.insert("index_qualified", QName { schema: table.schema.clone(), name: index.clone() }.to_string());
                v.insert("index_name", index);
                v.insert("unique", if *unique { "UNIQUE ".into() } else { String::new() });
                v.insert("unique_py", if *unique { "True".into() } else { "False".into() });
                v.insert("definition", definition.clone());
                v.insert("columns_py", py_list(columns));
                out.push(draft(
                    id::CREATE_INDEX_BLOCKS_WRITES,
                    Severity::Error,
                    format!("CREATE INDEX on existing table {table} takes SHARE lock: INSERT, UPDATE and DELETE on {table} wait until the whole index is built (time grows with the table)"),
                    v,
                ));
            }
        }
        Op::DropIndex { indexes, concurrently: false } => {
            for i in indexes {
                let mut v = table_vars(&ctx.session.catalog.index_table(i).unwrap_or_else(|| QName::new("?")));
                v.insert("index", i.to_string());
                v.insert("index_name", i.name.clone());
                let new = ctx.session.catalog.index_table(i).is_some_and(|t| ctx.session.is_new(&t));
                if !new {
                    out.push(draft(
                        id::DROP_INDEX_BLOCKS_ACCESS,
                        Severity::Warning,
                        format!("DROP INDEX {i} takes ACCESS EXCLUSIVE on its table: reads and writes wait, and the drop itself waits behind every running query on the table"),
                        v,
                    ));
                }
            }
        }
        Op::Reindex { table, index, concurrently: false } => {
            let target = table.clone().or_else(|| index.clone()).unwrap_or_else(|| QName::new("?"));
            let mut v = table_vars(&target);
            v.insert("target", format!("{} {}", if table.is_some() { "TABLE" } else { "INDEX" }, target));
            out.push(draft(
                id::REINDEX_BLOCKS_WRITES,
                Severity::Error,
                format!("REINDEX {} blocks writes to the table (and reads that use the index) until every index is rebuilt", &v["target"]),
                v,
            ));
        }
        Op::CreateTable { table, columns, constraints, .. } => {
            let pk: Vec<&String> = constraints.iter().filter(|c| c.kind == ConstraintKind::PrimaryKey).flat_map(|c| &c.columns).collect();
            for col in columns {
                if let Some(ty) = &col.ty {
                    let key = col.primary_key || col.identity || col.serial || pk.contains(&&col.name);
                    column_style(table, &col.name, ty, key, col.serial, true, out);
                }
            }
            for c in constraints {
                if c.name.is_none() && c.kind != ConstraintKind::PrimaryKey {
                    unnamed(table, c, out);
                }
            }
            for col in columns {
                if col.references.is_some() || col.unique || col.check.is_some() {
                    let mut v = table_vars(table);
                    v.insert("object", "constraint".into());
                    v.insert("suggested_name", format!("{}_{}_{}", table.name, col.name, if col.references.is_some() { "fkey" } else if col.unique { "key" } else { "check" }));
                    out.push(draft(id::UNNAMED_CONSTRAINT, Severity::Warning, format!("inline constraint on {table}.{} has no explicit name: later migrations cannot find it reliably (set a naming_convention on the MetaData)", col.name), v));
                }
            }
        }
        Op::AlterTable { table, kind, cmds } if *kind != RelKind::Index => {
            for cmd in cmds {
                alter(ctx, table, cmd, out);
            }
        }
        Op::Rename { kind, object, target, new_name } if ctx.existing(object) => {
            let mut v = table_vars(object);
            v.insert("new_name", ident(new_name));
            v.insert("new_name_raw", new_name.clone());
            v.insert("new_table", QName { schema: object.schema.clone(), name: new_name.clone() }.to_string());
            match target {
                RenameTarget::Table if matches!(kind, RelKind::Table | RelKind::View | RelKind::MatView) => out.push(draft(
                    id::RENAME_TABLE,
                    Severity::Warning,
                    format!("renaming {object} to {new_name} breaks every running application instance that still uses the old name, until all are redeployed"),
                    v,
                )),
                RenameTarget::Column { column } => {
                    v.insert("column", ident(column));
                    v.insert("column_name", column.clone());
                    let ty = ctx.session.catalog.table(object).and_then(|t| t.column_type(column));
                    v.insert("type", ty.map_or("<type of the column>".into(), |t| t.to_string()));
                    v.insert("sa_type", ty.map_or("sa.Text()".into(), sa_type));
                    out.push(draft(
                        id::RENAME_COLUMN,
                        Severity::Warning,
                        format!("renaming column {object}.{column} to {new_name} breaks running application code that reads or writes {column}"),
                        v,
                    ));
                }
                _ => {}
            }
        }
        Op::DropRelation { kind: RelKind::Table, names } => {
            for n in names.iter().filter(|n| ctx.existing(n)) {
                out.push(draft(
                    id::DROP_TABLE,
                    Severity::Warning,
                    format!("DROP TABLE {n} deletes its data for good and breaks code that still uses it; it also waits for ACCESS EXCLUSIVE"),
                    table_vars(n),
                ));
            }
        }
        Op::Truncate { tables } => {
            for t in tables.iter().filter(|t| ctx.existing(t)) {
                out.push(draft(
                    id::TRUNCATE_TABLE,
                    Severity::Warning,
                    format!("TRUNCATE {t} deletes every row and takes ACCESS EXCLUSIVE on {t}"),
                    table_vars(t),
                ));
            }
        }
        Op::Vacuum { full: true, tables } => {
            for t in tables {
                let mut v = table_vars(t);
                v.insert("command", format!("VACUUM FULL {t}"));
                out.push(draft(id::TABLE_REWRITE, Severity::Error, format!("VACUUM FULL rewrites {t} under ACCESS EXCLUSIVE: reads and writes wait for the whole copy"), v));
            }
        }
        Op::Cluster { table: Some(t), .. } if ctx.existing(t) => {
            let mut v = table_vars(t);
            v.insert("command", format!("CLUSTER {t}"));
            out.push(draft(id::TABLE_REWRITE, Severity::Error, format!("CLUSTER rewrites {t} under ACCESS EXCLUSIVE: reads and writes wait for the whole copy"), v));
        }
        Op::RefreshMatView { view, concurrently: false } if ctx.existing(view) => out.push(draft(
            id::REFRESH_MATVIEW_BLOCKS_READS,
            Severity::Warning,
            format!("REFRESH MATERIALIZED VIEW {view} takes ACCESS EXCLUSIVE: reads of {view} wait until the query behind it has run"),
            table_vars(view),
        )),
        Op::Update { table, whole_table: true } | Op::Delete { table, whole_table: true } if ctx.existing(table) && !ctx.session.in_block() => {
            let verb = if matches!(op, Op::Update { .. }) { "UPDATE" } else { "DELETE" };
            let mut v = table_vars(table);
            v.insert("verb", verb.into());
            out.push(draft(
                id::UNBATCHED_BACKFILL,
                Severity::Warning,
                format!("{verb} of every row of {table} in one statement: row locks on the whole table, a long transaction, and bloat; batch it"),
                v,
            ));
        }
        _ => {}
    }
}

/// Type choices that are cheap to make now and a table rewrite to change later.
fn column_style(
    table: &QName,
    column: &str,
    ty: &SqlType,
    key: bool,
    serial: bool,
    created: bool,
    out: &mut Vec<Draft>,
) {
    let mut v = table_vars(table);
    v.insert("column", ident(column));
    v.insert("column_name", column.to_string());
    let at = format!("{table}.{column}");
    match &*ty.name {
        "timestamp" if !ty.array => out.push(draft(
            id::PREFER_TIMESTAMPTZ,
            Severity::Info,
            format!("{at} is timestamp without time zone: its values carry no zone, and changing it to timestamptz later rewrites the table"),
            v.clone(),
        )),
        "json" if !ty.array => out.push(draft(
            id::PREFER_JSONB,
            Severity::Info,
            format!("{at} is json: it has no equality operator (DISTINCT, GROUP BY, unique indexes fail) and cannot be GIN-indexed; jsonb avoids both"),
            v.clone(),
        )),
        "bpchar" if !ty.array => out.push(draft(
            id::PREFER_TEXT_OVER_CHAR,
            Severity::Info,
            format!("{at} is char(n): blank-padded, no faster than text in PostgreSQL, and a rewrite to change later"),
            v.clone(),
        )),
        _ => {}
    }
    if key && matches!(&*ty.name, "int4" | "int2") && !ty.array {
        out.push(draft(
            id::PREFER_BIGINT_ID,
            Severity::Info,
            format!("{at} is a {} key: it runs out at {}, and widening it later rewrites the table, its indexes and the foreign keys that point at it", ty, if ty.name == "int2" { "32,767" } else { "2,147,483,647" }),
            v.clone(),
        ));
    }
    if serial && created {
        v.insert("type", ty.to_string());
        out.push(draft(
            id::PREFER_IDENTITY,
            Severity::Info,
            format!("{at} is serial: an identity column (GENERATED … AS IDENTITY) is the standard form, and its sequence belongs to the column (no separate grants, follows type changes)"),
            v,
        ));
    }
}

fn unnamed(table: &QName, c: &ConstraintDef, out: &mut Vec<Draft>) {
    let what = match c.kind {
        ConstraintKind::ForeignKey => "foreign key",
        ConstraintKind::Unique => "unique constraint",
        ConstraintKind::Check => "check constraint",
        ConstraintKind::PrimaryKey => "primary key",
        _ => "constraint",
    };
    let suffix = match c.kind {
        ConstraintKind::ForeignKey => "fkey",
        ConstraintKind::Unique => "key",
        ConstraintKind::Check => "check",
        ConstraintKind::PrimaryKey => "pkey",
        _ => "constraint",
    };
    let mut v = table_vars(table);
    v.insert("object", what.into());
    v.insert(
        "suggested_name",
        format!("{}_{}_{}", table.name, c.columns.join("_"), suffix).replace("__", "_"),
    );
    out.push(draft(
        id::UNNAMED_CONSTRAINT,
        Severity::Warning,
        format!("{what} on {table} has no explicit name: PostgreSQL picks one, and later migrations cannot drop or alter it reliably (set a naming_convention on the MetaData)"),
        v,
    ));
}

fn alter(ctx: &StmtCtx, table: &QName, cmd: &AlterCmd, out: &mut Vec<Draft>) {
    let existing = ctx.existing(table);
    let s = ctx.session;
    match cmd {
        AlterCmd::AddColumn { column, .. } => {
            if let Some(ty) = &column.ty {
                let key = column.primary_key || column.identity || column.serial;
                column_style(table, &column.name, ty, key, false, false, out);
            }
            if s.dropped_in_revision(table, &column.name) {
                let mut v = column_vars(table, column);
                v.insert("revision", s_revision(ctx));
                out.push(draft(
                    id::DROP_AND_ADD_SAME_COLUMN,
                    Severity::Error,
                    format!("column {table}.{} is dropped and added again in the same revision: its data is lost (a rename that autogenerate emitted as drop + add?)", column.name),
                    v,
                ));
            }
            if !existing {
                return;
            }
            let v = column_vars(table, column);
            let key = add_column_key(column);
            match key {
                "alter_table.add_column.volatile_default" => out.push(draft(
                    id::ADD_COLUMN_VOLATILE_DEFAULT,
                    Severity::Error,
                    format!("ADD COLUMN {} with volatile DEFAULT {} rewrites {table} and all its indexes under ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite", column.name, column.default.as_ref().map_or("", |d| d.text.as_str())),
                    v,
                )),
                "alter_table.add_column.stored_generated" => out.push(draft(
                    id::ADD_COLUMN_GENERATED_STORED,
                    Severity::Error,
                    format!("ADD COLUMN {} GENERATED ... STORED rewrites {table} under ACCESS EXCLUSIVE", column.name),
                    v,
                )),
                "alter_table.add_column.serial" | "alter_table.add_column.identity" => out.push(draft(
                    id::ADD_COLUMN_SERIAL_OR_IDENTITY,
                    Severity::Error,
                    format!("ADD COLUMN {} {} fills every existing row from a sequence: {table} is rewritten under ACCESS EXCLUSIVE", column.name, if column.serial { column.type_text.as_str() } else { "GENERATED AS IDENTITY" }),
                    v,
                )),
                "alter_table.add_column.not_null" => out.push(draft(
                    id::ADD_COLUMN_NOT_NULL_WITHOUT_DEFAULT,
                    Severity::Error,
                    format!("ADD COLUMN {} NOT NULL without a DEFAULT fails if {table} has any row", column.name),
                    v,
                )),
                "alter_table.add_column.unique" => {
                    let mut v = v;
                    v.insert("constraint", ident(&format!("{}_{}_key", table.name, column.name)));
                    v.insert("constraint_name", format!("{}_{}_key", table.name, column.name));
                    v.insert("kind", if column.primary_key { "PRIMARY KEY".into() } else { "UNIQUE".into() });
                    v.insert("columns", ident(&column.name));
                    v.insert("columns_py", py_list(std::slice::from_ref(&column.name)));
                    out.push(draft(
                        id::ADD_UNIQUE_CONSTRAINT,
                        Severity::Error,
                        format!("ADD COLUMN {} {} builds a unique index on {table} while holding ACCESS EXCLUSIVE", column.name, if column.primary_key { "PRIMARY KEY" } else { "UNIQUE" }),
                        v,
                    ));
                }
                _ => {}
            }
            if column.generated == Some(Generated::Virtual) && ctx.version() < 18 {
                // Reported by unsupported-on-version through the entry's version range.
            }
        }
        AlterCmd::DropColumn { column, .. } if existing => {
            let mut v = table_vars(table);
            v.insert("column", ident(column));
            v.insert("column_name", column.clone());
            out.push(draft(
                id::DROP_COLUMN,
                Severity::Warning,
                format!("DROP COLUMN {table}.{column} deletes its data for good, and running application code that still selects or inserts {column} fails until redeployed"),
                v,
            ));
        }
        AlterCmd::AlterType {
            column,
            ty,
            type_text,
            using,
        } if existing => {
            column_style(table, column, ty, false, false, false, out);
            let old = s.catalog.table(table).and_then(|t| t.column_type(column));
            let change = classify_change(old, ty, using.is_some());
            let mut v = table_vars(table);
            v.insert("column", ident(column));
            v.insert("column_name", column.clone());
            v.insert("new_type", type_text.clone());
            v.insert("sa_type", sa_type(ty));
            v.insert(
                "old_type",
                old.map_or("<unknown>".into(), |t| t.to_string()),
            );
            v.insert("new_column", ident(&format!("{column}_new")));
            v.insert("new_column_name", format!("{column}_new"));
            v.insert(
                "using",
                using
                    .clone()
                    .unwrap_or_else(|| format!("{}::{}", ident(column), type_text)),
            );
            let old_txt = old.map_or(
                "an unknown type (not created earlier in this input; assuming the worst)"
                    .to_string(),
                |t| t.to_string(),
            );
            match change {
                TypeChange::Same | TypeChange::Coercible => {}
                TypeChange::Lossy => out.push(draft(
                    id::TYPE_CHANGE_DATA_LOSS,
                    Severity::Error,
                    format!("changing {table}.{column} from {old_txt} to {type_text} converts between incompatible types: it fails on the first value that does not convert (or silently changes values), and rewrites {table} under ACCESS EXCLUSIVE"),
                    v,
                )),
                TypeChange::Checked | TypeChange::Rewrite | TypeChange::Unknown => out.push(draft(
                    id::ALTER_COLUMN_TYPE,
                    Severity::Error,
                    format!("changing {table}.{column} from {old_txt} to {type_text} rewrites {table} and its indexes under ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite"),
                    v,
                )),
            }
        }
        AlterCmd::SetNotNull { column } if existing => {
            let proven = s
                .catalog
                .table(table)
                .is_some_and(|t| t.proven_not_null(column))
                && ctx.version() >= 12;
            if !proven {
                let mut v = table_vars(table);
                v.insert("column", ident(column));
                v.insert("column_name", column.clone());
                v.insert(
                    "constraint",
                    ident(&format!("{}_{}_not_null", table.name, column)),
                );
                v.insert(
                    "constraint_name",
                    format!("{}_{}_not_null", table.name, column),
                );
                out.push(draft(
                    id::SET_NOT_NULL,
                    Severity::Error,
                    format!("SET NOT NULL on {table}.{column} scans the whole table under ACCESS EXCLUSIVE to check for NULLs: reads and writes wait"),
                    v,
                ));
            }
        }
        AlterCmd::AddConstraint(c) => {
            if c.name.is_none() && c.using_index.is_none() {
                unnamed(table, c, out);
            }
            if !existing {
                return;
            }
            let name = c.name.clone().unwrap_or_else(|| {
                format!(
                    "{}_{}_{}",
                    table.name,
                    c.columns.join("_"),
                    match c.kind {
                        ConstraintKind::ForeignKey => "fkey",
                        ConstraintKind::Check => "check",
                        ConstraintKind::PrimaryKey => "pkey",
                        _ => "key",
                    }
                )
            });
            let mut v = table_vars(table);
            v.insert("constraint", ident(&name));
            v.insert("constraint_name", name.clone());
            v.insert("definition", c.sql.clone());
            v.insert("columns", sql_list(&c.columns));
            v.insert("columns_py", py_list(&c.columns));
            match c.kind {
                ConstraintKind::Check if !c.not_valid => {
                    v.insert("check_expr", c.expr.clone().unwrap_or_default());
                    v.insert("check_expr_py", py_str(c.expr.as_deref().unwrap_or_default()));
                    out.push(draft(
                        id::ADD_CHECK_CONSTRAINT,
                        Severity::Error,
                        format!("ADD CONSTRAINT {name} CHECK scans all of {table} under ACCESS EXCLUSIVE to validate it: reads and writes wait"),
                        v,
                    ));
                }
                ConstraintKind::NotNull if !c.not_valid => {
                    v.insert("column", sql_list(&c.columns));
                    v.insert("column_name", c.columns.first().cloned().unwrap_or_default());
                    out.push(draft(id::SET_NOT_NULL, Severity::Error, format!("ADD CONSTRAINT {name} NOT NULL scans all of {table} under ACCESS EXCLUSIVE"), v));
                }
                ConstraintKind::ForeignKey if !c.not_valid => {
                    let r = c.references.clone().unwrap_or(crate::facts::ForeignRef { table: QName::new("?"), columns: vec![] });
                    v.insert("referenced_table", r.table.to_string());
                    v.insert("referenced_table_name", r.table.name.clone());
                    v.insert("referenced_columns", sql_list(&r.columns));
                    v.insert("referenced_columns_py", py_list(&r.columns));
                    out.push(draft(
                        id::ADD_FOREIGN_KEY,
                        Severity::Error,
                        format!("ADD FOREIGN KEY {name} takes SHARE ROW EXCLUSIVE on {table} and on {} and scans {table} to validate it: writes to both tables wait for the whole scan", r.table),
                        v,
                    ));
                }
                ConstraintKind::Unique | ConstraintKind::PrimaryKey if c.using_index.is_none() => {
                    v.insert("kind", if c.kind == ConstraintKind::PrimaryKey { "PRIMARY KEY".into() } else { "UNIQUE".into() });
                    out.push(draft(
                        id::ADD_UNIQUE_CONSTRAINT,
                        Severity::Error,
                        format!("ADD CONSTRAINT {name} {} builds its index under ACCESS EXCLUSIVE: reads and writes on {table} wait for the whole build", &v["kind"]),
                        v,
                    ));
                }
                ConstraintKind::Exclusion => out.push(draft(
                    id::ADD_EXCLUSION_CONSTRAINT,
                    Severity::Error,
                    format!("ADD CONSTRAINT {name} EXCLUDE builds its index under ACCESS EXCLUSIVE, and there is no concurrent way to add it"),
                    v,
                )),
                _ => {}
            }
        }
        AlterCmd::SetTablespace
        | AlterCmd::SetLogged
        | AlterCmd::SetUnlogged
        | AlterCmd::SetAccessMethod
            if existing =>
        {
            let what = match cmd {
                AlterCmd::SetTablespace => "SET TABLESPACE",
                AlterCmd::SetLogged => "SET LOGGED",
                AlterCmd::SetUnlogged => "SET UNLOGGED",
                _ => "SET ACCESS METHOD",
            };
            let mut v = table_vars(table);
            v.insert("command", format!("ALTER TABLE {table} {what}"));
            out.push(draft(id::TABLE_REWRITE, Severity::Error, format!("{what} rewrites {table} under ACCESS EXCLUSIVE: reads and writes wait for the whole copy"), v));
        }
        AlterCmd::AttachPartition { partition } if existing => {
            let mut v = table_vars(table);
            v.insert("partition", partition.to_string());
            v.insert("partition_name", partition.name.clone());
            out.push(draft(
                id::ATTACH_PARTITION,
                Severity::Warning,
                format!("ATTACH PARTITION {partition} locks {partition} ACCESS EXCLUSIVE and scans it to check the partition bound, unless a valid CHECK constraint already proves it"),
                v,
            ));
        }
        AlterCmd::DetachPartition {
            partition,
            concurrently: false,
            finalize: false,
        } if existing => {
            let mut v = table_vars(table);
            v.insert("partition", partition.to_string());
            out.push(draft(
                id::DETACH_PARTITION,
                Severity::Error,
                format!("DETACH PARTITION takes ACCESS EXCLUSIVE on {table}: every query on the partitioned table waits"),
                v,
            ));
        }
        _ => {}
    }
}

fn s_revision(ctx: &StmtCtx) -> String {
    ctx.session.revision().unwrap_or("this input").to_string()
}

/// Rules for chunks that did not parse.
pub fn unparsed(body: &Body, src: &Source, st: &StatementReport) -> Vec<Draft> {
    match body {
        Body::SyntaxError { message, offset } => {
            let p = src.position(*offset);
            vec![draft(
                id::SYNTAX_ERROR,
                Severity::Error,
                if message.starts_with("unterminated ") {
                    // The message already says where the open construct starts.
                    format!(
                        "PostgreSQL cannot parse this statement: {message}; the rest of the input is still analysed"
                    )
                } else {
                    format!(
                        "PostgreSQL cannot parse this statement: {message} (line {}, column {}); the rest of the input is still analysed",
                        p.line, p.column
                    )
                },
                Vars::from([("message", message.clone())]),
            )]
        }
        Body::NonSql => vec![draft(
            id::NON_SQL_TEXT,
            Severity::Warning,
            format!(
                "lines {}–{} are not SQL (text printed by migration code?): psql would fail on them; pgrisk skipped them and went on",
                st.line, st.end_line
            ),
            Vars::new(),
        )],
        Body::PsqlMeta => vec![draft(
            id::PSQL_META_COMMAND,
            Severity::Info,
            format!(
                "psql meta-command {}: not SQL, not analysed",
                st.sql.split_whitespace().next().unwrap_or("\\")
            ),
            Vars::from([("command", st.sql.clone())]),
        )],
        Body::CopyData | Body::Parsed(_) => vec![],
    }
}
