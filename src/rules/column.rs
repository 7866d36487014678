//! Column rules: adding a column that rewrites, scans or fails; SET NOT NULL; type changes;
//! dropping, renaming, and dropping then re-adding a column.

use super::{Draft, StmtCtx, column_vars, draft, fact, fact_of, rename_vars, sql_list, table_vars};
use crate::classify::{Classified, add_column_key};
use crate::facts::{AlterCmd, ConstraintKind, Op, QName, RelKind, RenameTarget, ident};
use crate::kb::{Key, Role};
use crate::registry::RuleId;
use crate::suggest::sa_type;
use crate::types::TypeChange;

pub fn op(ctx: &StmtCtx, op: &Op, classified: &Classified, out: &mut Vec<Draft>) {
    match op {
        Op::AlterTable {
            table, kind, cmds, ..
        } if *kind != RelKind::Index => {
            for (i, cmd) in cmds.iter().enumerate() {
                alter(ctx, classified, i, table, cmd, out);
            }
        }
        Op::Rename {
            object,
            target: RenameTarget::Column { column },
            new_name,
            ..
        } if ctx.existing(object) => {
            let mut v = rename_vars(object, new_name);
            v.insert("column", ident(column));
            v.insert("column_name", column.clone());
            let ty = ctx
                .session
                .catalog
                .table(object)
                .and_then(|t| t.column_type(column));
            v.insert(
                "type",
                ty.map_or("<type of the column>".into(), |t| t.to_string()),
            );
            v.insert("sa_type", ty.map_or("sa.Text()".into(), sa_type));
            out.push(draft(
                RuleId::RenameColumn,
                format!("renaming column {object}.{column} to {new_name} breaks running application code that reads or writes {column}"),
                v,
            ));
        }
        _ => {}
    }
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
    let s = ctx.session;
    let Some(f) = fact(ctx, classified, origin) else {
        return;
    };
    let lock = f.lock_name(Role::Table);
    let waiters = f.waiters(Role::Table);
    match cmd {
        AlterCmd::AddColumn { column, .. } => {
            if s.dropped_in_revision(table, &column.name) && column.generated.is_none() {
                let mut v = column_vars(table, column);
                v.insert("revision", s.revision().unwrap_or("this input").to_string());
                out.push(draft(
                    RuleId::DropAndAddSameColumn,
                    format!("column {table}.{} is dropped and added again in the same revision: its data is lost (a rename that autogenerate emitted as drop + add?)", column.name),
                    v,
                ));
            }
            if !existing {
                return;
            }
            let v = column_vars(table, column);
            if let Some(f) = fact_of(ctx, classified, origin, Key::AlterTableAddColumnDomain) {
                let mut v = table_vars(table);
                v.insert(
                    "command",
                    format!(
                        "ALTER TABLE {table} ADD COLUMN {} {}",
                        ident(&column.name),
                        column.type_text
                    ),
                );
                out.push(draft(
                    RuleId::TableRewrite,
                    format!("ADD COLUMN {} of domain {}, which has a CHECK or NOT NULL constraint, checks its default (NULL if none) on every row: {table} is rewritten under {}: {} wait for the whole copy (add the column as the domain's base type, with a CHECK constraint NOT VALID, then VALIDATE)", column.name, column.type_text, f.lock_name(Role::Table), f.waiters(Role::Table)),
                    v,
                ));
                return;
            }
            // The column's own entry: an inline REFERENCES adds a foreign-key entry beside it.
            let Some(f) = fact_of(ctx, classified, origin, add_column_key(column)) else {
                return;
            };
            let (lock, waiters) = (f.lock_name(Role::Table), f.waiters(Role::Table));
            let does = if f.effect().rewrites() {
                "rewrites"
            } else {
                "scans"
            };
            let key = f.action.key;
            match key {
                Key::AlterTableAddColumnVolatileDefault => out.push(draft(
                    RuleId::AddColumnVolatileDefault,
                    format!("ADD COLUMN {} with volatile DEFAULT {} {does} {table} and all its indexes under {lock}: {waiters} wait for the whole rewrite", column.name, column.default.as_ref().map_or("", |d| d.text.as_str())),
                    v,
                )),
                Key::AlterTableAddColumnStoredGenerated => out.push(draft(
                    RuleId::AddColumnGeneratedStored,
                    format!("ADD COLUMN {} GENERATED ... STORED {does} {table} under {lock}", column.name),
                    v,
                )),
                Key::AlterTableAddColumnSerial | Key::AlterTableAddColumnIdentity => out.push(draft(
                    RuleId::AddColumnSerialOrIdentity,
                    format!("ADD COLUMN {} {} fills every existing row from a sequence: {table} is rewritten under {lock}", column.name, if column.serial { column.type_text.as_str() } else { "GENERATED AS IDENTITY" }),
                    v,
                )),
                Key::AlterTableAddColumnNotNull => out.push(draft(
                    RuleId::AddColumnNotNullWithoutDefault,
                    format!("ADD COLUMN {} NOT NULL without a DEFAULT fails if {table} has any row", column.name),
                    v,
                )),
                _ => {}
            }
        }
        AlterCmd::DropColumn { column, .. } if existing => {
            let mut v = table_vars(table);
            v.insert("column", ident(column));
            v.insert("column_name", column.clone());
            out.push(draft(
                RuleId::DropColumn,
                format!("DROP COLUMN {table}.{column} deletes its data for good, and running application code that still selects or inserts {column} fails until redeployed"),
                v,
            ));
        }
        AlterCmd::AlterType {
            column,
            ty,
            type_text,
            using,
            using_is_column,
            ..
        } if existing => {
            let (old, change) =
                s.catalog
                    .type_change(table, column, ty, using.is_some() && !using_is_column);
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
            if f.action.key == Key::AlterTableAlterColumnTypeCollation {
                out.push(draft(
                    RuleId::AlterColumnType,
                    format!("changing the collation of {table}.{column} rebuilds the indexes on it under {lock}: {waiters} wait for the builds (the table itself is not rewritten)"),
                    v,
                ));
                return;
            }
            if !f.effect().rewrites() {
                return;
            }
            match change {
                TypeChange::Same | TypeChange::Coercible => {}
                TypeChange::Lossy => out.push(draft(
                    RuleId::TypeChangeDataLoss,
                    format!("changing {table}.{column} from {old_txt} to {type_text} converts between incompatible types: it fails on the first value that does not convert (or silently changes values), and rewrites {table} under {lock}"),
                    v,
                )),
                TypeChange::Checked | TypeChange::Rewrite | TypeChange::Unknown => out.push(draft(
                    RuleId::AlterColumnType,
                    format!("changing {table}.{column} from {old_txt} to {type_text} rewrites {table} and its indexes under {lock}: {waiters} wait for the whole rewrite"),
                    v,
                )),
            }
        }
        // Whether a validated CHECK proves the column NOT NULL, and on which versions that saves
        // the scan, is the knowledge base's to say (alter_table.set_not_null.proven).
        AlterCmd::SetNotNull { column } if existing && f.effect().scans() => {
            let mut v = table_vars(table);
            v.insert("column", ident(column));
            v.insert("column_name", column.clone());
            let name = super::default_constraint_name(
                table,
                std::slice::from_ref(column),
                ConstraintKind::NotNull,
            );
            v.insert("constraint", ident(&name));
            v.insert("constraint_name", name);
            out.push(draft(
                RuleId::SetNotNull,
                format!("SET NOT NULL on {table}.{column} scans the whole table under {lock} to check for NULLs: {waiters} wait"),
                v,
            ));
        }
        AlterCmd::AddConstraint(c)
            if existing && c.kind == ConstraintKind::NotNull && f.effect().scans() =>
        {
            let name = c.name.clone().unwrap_or_else(|| {
                super::default_constraint_name(table, &c.columns, ConstraintKind::NotNull)
            });
            let mut v = table_vars(table);
            v.insert("constraint", ident(&name));
            v.insert("constraint_name", name.clone());
            v.insert("definition", c.sql.clone());
            v.insert("columns", sql_list(&c.columns));
            v.insert("column", sql_list(&c.columns));
            v.insert(
                "column_name",
                c.columns.first().cloned().unwrap_or_default(),
            );
            out.push(draft(
                RuleId::SetNotNull,
                format!("ADD CONSTRAINT {name} NOT NULL scans all of {table} under {lock}"),
                v,
            ));
        }
        _ => {}
    }
}
