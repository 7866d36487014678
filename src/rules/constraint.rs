//! Constraint rules: adding a constraint that validates or builds an index under a blocking lock,
//! and constraints (and indexes) left for PostgreSQL to name.

use super::{
    Draft, StmtCtx, default_constraint_name, draft, fact, fact_of, py_list, py_str, sql_list,
    suggested_index_name, table_vars,
};
use crate::classify::Classified;
use crate::facts::{
    AlterCmd, ConstraintDef, ConstraintKind, DomainAction, ForeignRef, Op, QName, RelKind, ident,
};
use crate::kb::{Key, Role};
use crate::registry::RuleId;

pub fn op(ctx: &StmtCtx, op: &Op, classified: &Classified, out: &mut Vec<Draft>) {
    match op {
        Op::CreateIndex {
            name: None,
            table,
            columns,
            ..
        } => {
            let mut v = table_vars(table);
            v.insert("object", "index".into());
            v.insert("suggested_name", suggested_index_name(table, columns));
            out.push(draft(RuleId::UnnamedConstraint, format!("index on {table} has no explicit name: PostgreSQL picks one, and later migrations (and autogenerate) cannot refer to it reliably"), v));
        }
        Op::CreateTable {
            table,
            columns,
            constraints,
            ..
        } => {
            for c in constraints {
                if c.name.is_none() && c.kind != ConstraintKind::PrimaryKey {
                    unnamed(table, c, out);
                }
            }
            for col in columns {
                if col.references.is_some() || col.unique || col.check.is_some() {
                    let kind = if col.references.is_some() {
                        ConstraintKind::ForeignKey
                    } else if col.unique {
                        ConstraintKind::Unique
                    } else {
                        ConstraintKind::Check
                    };
                    let mut v = table_vars(table);
                    v.insert("object", "constraint".into());
                    v.insert(
                        "suggested_name",
                        default_constraint_name(table, std::slice::from_ref(&col.name), kind),
                    );
                    out.push(draft(RuleId::UnnamedConstraint, format!("inline constraint on {table}.{} has no explicit name: later migrations cannot find it reliably (set a naming_convention on the MetaData)", col.name), v));
                }
            }
        }
        Op::AlterTable {
            table, kind, cmds, ..
        } if *kind != RelKind::Index => {
            for (i, cmd) in cmds.iter().enumerate() {
                alter(ctx, classified, i, table, cmd, out);
            }
        }
        Op::AlterDomain {
            name,
            action,
            constraint,
            check,
        } => {
            let named = (constraint.as_deref(), check.as_deref());
            domain(ctx, classified, name, *action, named, out)
        }
        _ => {}
    }
}

/// ALTER DOMAIN … ADD CONSTRAINT / VALIDATE CONSTRAINT / SET NOT NULL: SHARE on every table with
/// a column of the domain, held while all of them are scanned.
fn domain(
    ctx: &StmtCtx,
    classified: &Classified,
    name: &str,
    action: DomainAction,
    (constraint, check): (Option<&str>, Option<&str>),
    out: &mut Vec<Draft>,
) {
    let Some(f) = fact(ctx, classified, 0) else {
        return;
    };
    if !f.effect().scans() {
        return;
    }
    let users: Vec<&QName> = f
        .action
        .rels
        .iter()
        .filter(|(r, _)| *r == Role::Users)
        .map(|(_, n)| n)
        .filter(|n| ctx.existing(n))
        .collect();
    let unknown = !f.action.unresolved.is_empty();
    if users.is_empty() && !unknown {
        return;
    }
    let tables = match (users.is_empty(), unknown) {
        (false, false) => users
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        (false, true) => format!(
            "{} and any other table with a column of {name}",
            users
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("every table with a column of {name} (the input does not show which)"),
    };
    let what = match action {
        DomainAction::SetNotNull => "SET NOT NULL",
        DomainAction::ValidateConstraint => "VALIDATE CONSTRAINT",
        _ => "ADD CONSTRAINT",
    };
    let mut v = crate::suggest::Vars::new();
    v.insert("domain", ident(name));
    v.insert("tables", tables.clone());
    let constraint = constraint.map_or_else(|| format!("{name}_check"), String::from);
    v.insert("constraint", ident(&constraint));
    v.insert(
        "check_expr",
        check.map_or_else(|| "VALUE IS NOT NULL".to_string(), String::from),
    );
    out.push(draft(
        RuleId::DomainConstraintScan,
        format!(
            "ALTER DOMAIN {name} {what} takes {} on {tables} and scans them all to check existing values: {} wait",
            f.lock_name(Role::Users),
            f.waiters(Role::Users)
        ),
        v,
    ));
}

fn alter(
    ctx: &StmtCtx,
    classified: &Classified,
    origin: usize,
    table: &QName,
    cmd: &AlterCmd,
    out: &mut Vec<Draft>,
) {
    let existing = ctx.existing(table);
    match cmd {
        AlterCmd::AddColumn { column, .. } if existing => {
            let Some(f) = fact_of(ctx, classified, origin, Key::AlterTableAddColumnUnique) else {
                return;
            };
            let name = default_constraint_name(
                table,
                std::slice::from_ref(&column.name),
                if column.primary_key {
                    ConstraintKind::PrimaryKey
                } else {
                    ConstraintKind::Unique
                },
            );
            let mut v = super::column_vars(table, column);
            v.insert("constraint", ident(&name));
            v.insert("constraint_name", name);
            let kind = if column.primary_key {
                "PRIMARY KEY"
            } else {
                "UNIQUE"
            };
            v.insert("kind", kind.into());
            v.insert("columns", ident(&column.name));
            v.insert("columns_py", py_list(std::slice::from_ref(&column.name)));
            out.push(draft(
                RuleId::AddUniqueConstraint,
                format!(
                    "ADD COLUMN {} {kind} builds a unique index on {table} while holding {}",
                    column.name,
                    f.lock_name(Role::Table)
                ),
                v,
            ));
        }
        AlterCmd::AddConstraint(c) => {
            if c.name.is_none() && c.using_index.is_none() {
                unnamed(table, c, out);
            }
            if !existing {
                return;
            }
            let Some(f) = fact(ctx, classified, origin) else {
                return;
            };
            // NOT VALID, USING INDEX and the like are catalog-only: the knowledge base says so.
            // ALTER TABLE ONLY … ADD CHECK on a table with children fails: the same recipe.
            let fails = f.action.key == Key::AlterTableAddCheckOnly;
            if !f.effect().scans() && !fails {
                return;
            }
            let lock = f.lock_name(Role::Table);
            let waiters = f.waiters(Role::Table);
            if let Some(ix) = &c.using_index {
                // PRIMARY KEY USING INDEX: the scan is the SET NOT NULL of its columns.
                let index = QName {
                    schema: table.schema.clone(),
                    name: ix.clone(),
                };
                let columns = ctx
                    .session
                    .catalog
                    .index_columns(&index)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default();
                // The input did not show the index's columns: a placeholder the reader fills in.
                let column = columns
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "<column>".into());
                let mut v = table_vars(table);
                v.insert(
                    "column",
                    if columns.is_empty() {
                        column.clone()
                    } else {
                        ident(&column)
                    },
                );
                v.insert("column_name", column.clone());
                let name = default_constraint_name(
                    table,
                    std::slice::from_ref(&column),
                    ConstraintKind::NotNull,
                );
                v.insert("constraint", ident(&name));
                v.insert("constraint_name", name);
                let which = if columns.is_empty() {
                    format!("the columns of {ix} that are not NOT NULL yet")
                } else {
                    sql_list(&columns)
                };
                out.push(draft(
                    RuleId::SetNotNull,
                    format!("ADD PRIMARY KEY USING INDEX {ix} sets {which} NOT NULL, which scans all of {table} under {lock}: {waiters} wait (make the columns NOT NULL first, then the PRIMARY KEY is catalog only)"),
                    v,
                ));
                return;
            }
            let name = c
                .name
                .clone()
                .unwrap_or_else(|| default_constraint_name(table, &c.columns, c.kind));
            let mut v = table_vars(table);
            v.insert("constraint", ident(&name));
            v.insert("constraint_name", name.clone());
            v.insert("definition", c.sql.clone());
            v.insert("columns", sql_list(&c.columns));
            v.insert("columns_py", py_list(&c.columns));
            match c.kind {
                ConstraintKind::Check => {
                    v.insert("check_expr", c.expr.clone().unwrap_or_default());
                    v.insert(
                        "check_expr_py",
                        py_str(c.expr.as_deref().unwrap_or_default()),
                    );
                    let message = if fails {
                        format!("ALTER TABLE ONLY {table} ADD CONSTRAINT {name} CHECK fails: {table} has partitions or inheritance children, and a CHECK must be on them too (\"constraint must be added to child tables too\"); leave out ONLY")
                    } else {
                        format!("ADD CONSTRAINT {name} CHECK scans all of {table} under {lock} to validate it: {waiters} wait")
                    };
                    out.push(draft(RuleId::AddCheckConstraint, message, v));
                }
                ConstraintKind::ForeignKey => {
                    let r = c.references.clone().unwrap_or(ForeignRef {
                        name: None,
                        on_delete: 'a',
                        table: QName::new("?"),
                        columns: vec![],
                    });
                    v.insert("referenced_table", r.table.to_string());
                    v.insert("referenced_table_name", r.table.name.clone());
                    v.insert("referenced_columns", sql_list(&r.columns));
                    v.insert("referenced_columns_py", py_list(&r.columns));
                    let referenced = f.lock_name(Role::Referenced);
                    let locks = if referenced == lock {
                        format!("{lock} on {table} and on {}", r.table)
                    } else {
                        format!("{lock} on {table} and {referenced} on {}", r.table)
                    };
                    let both = f.lock(Role::Table).zip(f.lock(Role::Referenced)).map_or(
                        waiters,
                        |(a, b)| super::waiters(a.min(b)),
                    );
                    out.push(draft(
                        RuleId::AddForeignKey,
                        format!("ADD FOREIGN KEY {name} takes {locks} and scans {table} to validate it: {both} to both tables wait for the whole scan"),
                        v,
                    ));
                }
                ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
                    let kind = if c.kind == ConstraintKind::PrimaryKey {
                        "PRIMARY KEY"
                    } else {
                        "UNIQUE"
                    };
                    v.insert("kind", kind.into());
                    out.push(draft(
                        RuleId::AddUniqueConstraint,
                        format!("ADD CONSTRAINT {name} {kind} builds its index under {lock}: {waiters} on {table} wait for the whole build"),
                        v,
                    ));
                }
                ConstraintKind::Exclusion => out.push(draft(
                    RuleId::AddExclusionConstraint,
                    format!("ADD CONSTRAINT {name} EXCLUDE builds its index under {lock}, and there is no concurrent way to add it"),
                    v,
                )),
                // NOT NULL constraints are set-not-null's (see column.rs).
                ConstraintKind::NotNull | ConstraintKind::Other => {}
            }
        }
        _ => {}
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
    let mut v = table_vars(table);
    v.insert("object", what.into());
    v.insert(
        "suggested_name",
        default_constraint_name(table, &c.columns, c.kind).replace("__", "_"),
    );
    out.push(draft(
        RuleId::UnnamedConstraint,
        format!("{what} on {table} has no explicit name: PostgreSQL picks one, and later migrations cannot drop or alter it reliably (set a naming_convention on the MetaData)"),
        v,
    ));
}
