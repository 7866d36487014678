//! Type choices that are cheap to make now and a table rewrite to change later (info).

use super::{Draft, StmtCtx, draft, table_vars};
use crate::facts::{AlterCmd, ConstraintKind, Op, QName, ident};
use crate::registry::RuleId;
use crate::types::SqlType;

pub fn op(ctx: &StmtCtx, op: &Op, out: &mut Vec<Draft>) {
    match op {
        Op::CreateTable {
            table,
            columns,
            constraints,
            ..
        } => {
            let pk: Vec<&String> = constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::PrimaryKey)
                .flat_map(|c| &c.columns)
                .collect();
            for col in columns {
                if let Some(ty) = &col.ty {
                    let key =
                        col.primary_key || col.identity || col.serial || pk.contains(&&col.name);
                    column_style(table, &col.name, ty, key, col.serial, out);
                }
            }
        }
        Op::AlterTable { table, cmds, .. } => {
            for cmd in cmds {
                match cmd {
                    AlterCmd::AddColumn { column, .. } => {
                        if let Some(ty) = &column.ty {
                            let key = column.primary_key || column.identity || column.serial;
                            column_style(table, &column.name, ty, key, false, out);
                        }
                    }
                    AlterCmd::AlterType { column, ty, .. } if ctx.existing(table) => {
                        column_style(table, column, ty, false, false, out)
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// prefer-timestamptz, prefer-jsonb, prefer-text-over-char, prefer-bigint-id and (for a column
/// created with its table) prefer-identity.
fn column_style(
    table: &QName,
    column: &str,
    ty: &SqlType,
    key: bool,
    serial: bool,
    out: &mut Vec<Draft>,
) {
    let mut v = table_vars(table);
    v.insert("column", ident(column));
    v.insert("column_name", column.to_string());
    let at = format!("{table}.{column}");
    match &*ty.name {
        "timestamp" if !ty.array => out.push(draft(
            RuleId::PreferTimestamptz,
            format!("{at} is timestamp without time zone: its values carry no zone, and changing it to timestamptz later rewrites the table"),
            v.clone(),
        )),
        "json" if !ty.array => out.push(draft(
            RuleId::PreferJsonb,
            format!("{at} is json: it has no equality operator (DISTINCT, GROUP BY, unique indexes fail) and cannot be GIN-indexed; jsonb avoids both"),
            v.clone(),
        )),
        "bpchar" if !ty.array => out.push(draft(
            RuleId::PreferTextOverChar,
            format!("{at} is char(n): blank-padded, no faster than text in PostgreSQL, and a rewrite to change later"),
            v.clone(),
        )),
        _ => {}
    }
    if key && matches!(&*ty.name, "int4" | "int2") && !ty.array {
        out.push(draft(
            RuleId::PreferBigintId,
            format!("{at} is a {} key: it runs out at {}, and widening it later rewrites the table, its indexes and the foreign keys that point at it", ty, if ty.name == "int2" { "32,767" } else { "2,147,483,647" }),
            v.clone(),
        ));
    }
    if serial {
        v.insert("type", ty.to_string());
        out.push(draft(
            RuleId::PreferIdentity,
            format!("{at} is serial: an identity column (GENERATED … AS IDENTITY) is the standard form, and its sequence belongs to the column (no separate grants, follows type changes)"),
            v,
        ));
    }
}
