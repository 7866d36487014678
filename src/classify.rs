//! Decides which knowledge-base entry each statement (and each ALTER TABLE subcommand) is, and
//! which relation plays each role. The lock modes themselves come only from `rules/locks.toml`.

use crate::catalog::Catalog;
use crate::facts::{
    AlterCmd, ColumnDef, ConstraintKind, Generated, Op, QName, RelKind, RenameTarget, Volatility,
};
use crate::kb::{self, Effect, Role};
use crate::locks::LockMode;
use crate::model::LockClaim;
use crate::types::classify_change;

/// One knowledge-base entry that applies to a statement, with the relations it touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub key: &'static str,
    pub rels: Vec<(Role, QName)>,
}

fn act(key: &'static str, rels: Vec<(Role, QName)>) -> Action {
    Action { key, rels }
}

/// What a statement is, for locks: entries, or a reason it cannot be classified.
#[derive(Clone, Debug, Default)]
pub struct Classified {
    pub actions: Vec<Action>,
    /// Set when (part of) the statement has no entry: what it is.
    pub unknown: Option<String>,
    /// A lock given by the statement itself (LOCK TABLE ... IN <mode> MODE).
    pub explicit_lock: Option<(Vec<QName>, LockMode)>,
}

pub fn add_column_key(c: &ColumnDef) -> &'static str {
    if c.generated == Some(Generated::Stored) {
        "alter_table.add_column.stored_generated"
    } else if c.generated == Some(Generated::Virtual) {
        "alter_table.add_column.virtual_generated"
    } else if c.identity {
        "alter_table.add_column.identity"
    } else if c.serial {
        "alter_table.add_column.serial"
    } else if c
        .default
        .as_ref()
        .is_some_and(|d| d.volatility == Volatility::Volatile)
    {
        "alter_table.add_column.volatile_default"
    } else if c.primary_key || c.unique {
        "alter_table.add_column.unique"
    } else if c.check.is_some() {
        "alter_table.add_column.check"
    } else if c.not_null && c.default.is_none() {
        "alter_table.add_column.not_null"
    } else if c.default.is_some() {
        "alter_table.add_column.constant_default"
    } else if c.references.is_some() {
        "alter_table.add_column.foreign_key"
    } else {
        "alter_table.add_column"
    }
}

fn alter_cmd(
    table: &QName,
    kind: RelKind,
    cmd: &AlterCmd,
    catalog: &Catalog,
    out: &mut Classified,
) {
    let t = || vec![(Role::Table, table.clone())];
    if kind == RelKind::Index {
        match cmd {
            AlterCmd::SetOptions { .. } | AlterCmd::SetStatistics => out
                .actions
                .push(act("alter_index.set", vec![(Role::Index, table.clone())])),
            _ => out.unknown = Some(format!("ALTER INDEX {cmd:?}")),
        }
        return;
    }
    let key = match cmd {
        AlterCmd::AddColumn { column, .. } => {
            let key = add_column_key(column);
            if let Some(r) = &column.references {
                out.actions.push(act(
                    "alter_table.add_column.foreign_key",
                    vec![
                        (Role::Table, table.clone()),
                        (Role::Referenced, r.table.clone()),
                    ],
                ));
                if key == "alter_table.add_column.foreign_key" {
                    return;
                }
            }
            key
        }
        AlterCmd::DropColumn { .. } => "alter_table.drop_column",
        AlterCmd::AlterType {
            column, ty, using, ..
        } => {
            let old = catalog.table(table).and_then(|t| t.column_type(column));
            classify_change(old, ty, using.is_some()).key()
        }
        AlterCmd::SetDefault { .. } => "alter_table.set_default",
        AlterCmd::SetNotNull { column } => {
            if catalog
                .table(table)
                .is_some_and(|t| t.proven_not_null(column))
            {
                "alter_table.set_not_null.proven"
            } else {
                "alter_table.set_not_null"
            }
        }
        AlterCmd::DropNotNull { .. } => "alter_table.drop_not_null",
        AlterCmd::SetStatistics => "alter_table.set_statistics",
        AlterCmd::SetStorage => "alter_table.set_storage",
        AlterCmd::Identity => "alter_table.identity",
        AlterCmd::AddConstraint(c) => match c.kind {
            ConstraintKind::Check if c.not_valid => "alter_table.add_check.not_valid",
            ConstraintKind::Check => "alter_table.add_check",
            ConstraintKind::NotNull if c.not_valid => {
                "alter_table.add_not_null_constraint.not_valid"
            }
            ConstraintKind::NotNull => "alter_table.add_not_null_constraint",
            ConstraintKind::ForeignKey => {
                let key = if c.not_valid {
                    "alter_table.add_foreign_key.not_valid"
                } else {
                    "alter_table.add_foreign_key"
                };
                let mut rels = t();
                if let Some(r) = &c.references {
                    rels.push((Role::Referenced, r.table.clone()));
                }
                out.actions.push(act(key, rels));
                return;
            }
            ConstraintKind::Unique | ConstraintKind::PrimaryKey if c.using_index.is_some() => {
                let mut rels = t();
                if let Some(ix) = &c.using_index {
                    rels.push((
                        Role::Index,
                        QName {
                            schema: table.schema.clone(),
                            name: ix.clone(),
                        },
                    ));
                }
                out.actions
                    .push(act("alter_table.add_constraint_using_index", rels));
                return;
            }
            ConstraintKind::Unique | ConstraintKind::PrimaryKey => "alter_table.add_unique",
            ConstraintKind::Exclusion => "alter_table.add_exclusion",
            ConstraintKind::Other => {
                out.unknown = Some("ADD CONSTRAINT of an unknown kind".into());
                return;
            }
        },
        AlterCmd::ValidateConstraint { name } => {
            let known = catalog.table(table).and_then(|t| t.constraints.get(name));
            match known {
                Some(c) if c.kind == ConstraintKind::ForeignKey => {
                    let mut rels = t();
                    if let Some(r) = &c.referenced {
                        rels.push((Role::Referenced, (**r).clone()));
                    }
                    out.actions
                        .push(act("alter_table.validate_constraint.foreign_key", rels));
                    return;
                }
                _ => "alter_table.validate_constraint",
            }
        }
        AlterCmd::DropConstraint { .. } => "alter_table.drop_constraint",
        AlterCmd::AlterConstraint => "alter_table.alter_constraint",
        AlterCmd::SetTablespace => "alter_table.set_tablespace",
        AlterCmd::SetLogged | AlterCmd::SetUnlogged => "alter_table.set_logged",
        AlterCmd::SetAccessMethod => "alter_table.set_access_method",
        AlterCmd::SetOptions { weak: true } => "alter_table.set_reloptions",
        AlterCmd::SetOptions { weak: false } => "alter_table.set_reloptions.other",
        AlterCmd::Triggers => "alter_table.triggers",
        AlterCmd::RowSecurity => "alter_table.row_security",
        AlterCmd::Owner => "alter_table.owner",
        AlterCmd::ReplicaIdentity => "alter_table.replica_identity",
        AlterCmd::ClusterOn { index } => {
            let mut rels = t();
            if let Some(ix) = index {
                rels.push((
                    Role::Index,
                    QName {
                        schema: table.schema.clone(),
                        name: ix.clone(),
                    },
                ));
            }
            out.actions.push(act("alter_table.cluster_on", rels));
            return;
        }
        AlterCmd::Inherit { parent } => {
            let mut rels = t();
            if let Some(p) = parent {
                rels.push((Role::Parent, p.clone()));
            }
            out.actions.push(act("alter_table.inherit", rels));
            return;
        }
        AlterCmd::AttachPartition { partition } => {
            out.actions.push(act(
                "alter_table.attach_partition",
                vec![
                    (Role::Table, table.clone()),
                    (Role::Partition, partition.clone()),
                ],
            ));
            return;
        }
        AlterCmd::DetachPartition {
            partition,
            concurrently,
            finalize,
        } => {
            let key = if *concurrently || *finalize {
                "alter_table.detach_partition.concurrently"
            } else {
                "alter_table.detach_partition"
            };
            out.actions.push(act(
                key,
                vec![
                    (Role::Table, table.clone()),
                    (Role::Partition, partition.clone()),
                ],
            ));
            return;
        }
        AlterCmd::Other { subtype } => {
            out.unknown = Some(format!("ALTER TABLE subcommand {subtype}"));
            return;
        }
    };
    out.actions.push(act(key, t()));
}

fn each(key: &'static str, role: Role, names: &[QName]) -> Action {
    act(key, names.iter().map(|n| (role, n.clone())).collect())
}

/// The table an index belongs to, as far as the input tells.
fn table_of_index(index: &QName, catalog: &Catalog) -> QName {
    catalog
        .index_table(index)
        .unwrap_or_else(|| QName::new(&format!("(table of {})", index.name)))
}

pub fn classify(op: &Op, catalog: &Catalog, open_tx: Option<u64>) -> Classified {
    let mut out = Classified::default();
    let a = &mut out.actions;
    match op {
        Op::Transaction { .. } | Op::Set { .. } | Op::Alembic => {}
        Op::CreateTable {
            table,
            columns,
            constraints,
            partition_of,
            ..
        } => {
            a.push(act("create_table", vec![(Role::Table, table.clone())]));
            let mut refs: Vec<QName> = columns
                .iter()
                .filter_map(|c| c.references.as_ref().map(|r| r.table.clone()))
                .collect();
            refs.extend(
                constraints
                    .iter()
                    .filter_map(|c| c.references.as_ref().map(|r| r.table.clone())),
            );
            refs.retain(|r| r != table);
            refs.dedup();
            if !refs.is_empty() {
                a.push(each("create_table.foreign_key", Role::Referenced, &refs));
            }
            if let Some(p) = partition_of {
                a.push(act(
                    "create_table.partition_of",
                    vec![(Role::Parent, p.clone())],
                ));
            }
        }
        Op::CreateTableAs { sources, .. } => {
            a.push(each("create_table.as_select", Role::Source, sources))
        }
        Op::AlterTable { table, kind, cmds } => {
            for cmd in cmds {
                alter_cmd(table, *kind, cmd, catalog, &mut out);
            }
        }
        Op::CreateIndex {
            table,
            concurrently,
            ..
        } => a.push(act(
            if *concurrently {
                "create_index.concurrently"
            } else {
                "create_index"
            },
            vec![(Role::Table, table.clone())],
        )),
        Op::DropIndex {
            indexes,
            concurrently,
        } => {
            let key = if *concurrently {
                "drop_index.concurrently"
            } else {
                "drop_index"
            };
            for i in indexes {
                a.push(act(
                    key,
                    vec![
                        (Role::Table, table_of_index(i, catalog)),
                        (Role::Index, i.clone()),
                    ],
                ));
            }
        }
        Op::DropRelation { kind, names } => {
            let key = match kind {
                RelKind::View | RelKind::MatView => "drop_view",
                RelKind::Sequence => "drop_sequence",
                _ => "drop_table",
            };
            a.push(each(key, Role::Table, names));
            if *kind == RelKind::Table {
                let referenced: Vec<QName> = names
                    .iter()
                    .filter_map(|n| catalog.table(n))
                    .flat_map(|t| {
                        t.constraints
                            .values()
                            .filter_map(|c| c.referenced.as_deref().cloned())
                    })
                    .filter(|r| !names.contains(r))
                    .collect();
                if !referenced.is_empty() {
                    a.push(each(
                        "drop_table.foreign_key",
                        Role::Referenced,
                        &referenced,
                    ));
                }
            }
        }
        Op::DropObject { .. } | Op::CreateObject { .. } | Op::Credentials { .. } => a.push(act(
            if matches!(op, Op::DropObject { .. }) {
                "drop_type"
            } else {
                "create_type"
            },
            vec![],
        )),
        Op::Truncate { tables } => a.push(each("truncate", Role::Table, tables)),
        Op::Rename {
            kind,
            object,
            target,
            ..
        } => {
            let key = match (target, kind) {
                (RenameTarget::Index, _) | (RenameTarget::Table, RelKind::Index) => {
                    a.push(act(
                        "alter_index.rename",
                        vec![(Role::Index, object.clone())],
                    ));
                    return out;
                }
                (RenameTarget::Table, _) => "alter_table.rename",
                (RenameTarget::Column { .. }, _) => "alter_table.rename_column",
                (RenameTarget::Constraint { .. }, _) => "alter_table.rename_constraint",
                (RenameTarget::Other, _) => {
                    out.unknown = Some("RENAME".into());
                    return out;
                }
            };
            a.push(act(key, vec![(Role::Table, object.clone())]));
        }
        Op::SetSchema { object, .. } => a.push(act(
            "alter_table.set_schema",
            vec![(Role::Table, object.clone())],
        )),
        Op::Reindex {
            table,
            index,
            concurrently,
        } => {
            let key = if *concurrently {
                "reindex.concurrently"
            } else {
                "reindex"
            };
            match (table, index) {
                (Some(t), _) => {
                    // REINDEX TABLE rebuilds every index of the table, each under its own lock.
                    let mut rels = vec![(Role::Table, t.clone())];
                    rels.extend(catalog.indexes_of(t).into_iter().map(|i| (Role::Index, i)));
                    a.push(act(key, rels))
                }
                (None, Some(i)) => {
                    let key = if *concurrently {
                        "reindex.concurrently"
                    } else {
                        "reindex.index"
                    };
                    a.push(act(
                        key,
                        vec![
                            (Role::Table, table_of_index(i, catalog)),
                            (Role::Index, i.clone()),
                        ],
                    ))
                }
                (None, None) => out.unknown = Some("REINDEX".into()),
            }
        }
        Op::Vacuum { full, tables } => a.push(each(
            if *full { "vacuum_full" } else { "vacuum" },
            Role::Table,
            tables,
        )),
        Op::Cluster {
            table: Some(t),
            index,
        } => {
            let mut rels = vec![(Role::Table, t.clone())];
            if let Some(ix) = index {
                rels.push((
                    Role::Index,
                    QName {
                        schema: t.schema.clone(),
                        name: ix.clone(),
                    },
                ));
            }
            a.push(act("cluster", rels))
        }
        Op::Cluster { table: None, .. } => {
            out.unknown = Some("CLUSTER of every clustered table".into())
        }
        Op::CreateView {
            view,
            replace,
            materialized,
            sources,
        } => {
            let mut rels: Vec<(Role, QName)> =
                sources.iter().map(|s| (Role::Source, s.clone())).collect();
            let key = if *materialized {
                "create_matview"
            } else if *replace && !catalog.is_new(view, open_tx) {
                rels.push((Role::Table, view.clone()));
                "create_view.replace"
            } else {
                "create_view"
            };
            a.push(act(key, rels));
        }
        Op::RefreshMatView { view, concurrently } => {
            let mut rels = vec![(Role::Table, view.clone())];
            if let Some(t) = catalog.table(view) {
                rels.extend(t.sources.iter().map(|s| (Role::Source, s.clone())));
            }
            a.push(act(
                if *concurrently {
                    "refresh_matview.concurrently"
                } else {
                    "refresh_matview"
                },
                rels,
            ))
        }
        Op::CreateTrigger { table } => {
            a.push(act("create_trigger", vec![(Role::Table, table.clone())]))
        }
        Op::DropTrigger { table } => {
            a.push(act("drop_trigger", vec![(Role::Table, table.clone())]))
        }
        Op::Policy { table } => a.push(act("create_policy", vec![(Role::Table, table.clone())])),
        Op::AlterEnum { rename_value, .. } => a.push(act(
            if *rename_value {
                "alter_enum.rename_value"
            } else {
                "alter_enum.add_value"
            },
            vec![],
        )),
        Op::AlterSequence { sequence } => {
            a.push(act("alter_sequence", vec![(Role::Table, sequence.clone())]))
        }
        Op::Comment { table } => a.push(act(
            "comment",
            table.iter().map(|t| (Role::Table, t.clone())).collect(),
        )),
        Op::Grant { tables } => a.push(each("grant", Role::Table, tables)),
        Op::Lock { tables, mode } => {
            a.push(each("lock_table", Role::Table, tables));
            out.explicit_lock = Some((tables.clone(), *mode));
        }
        Op::Insert { table, sources } if sources.is_empty() => {
            a.push(act("insert", vec![(Role::Table, table.clone())]))
        }
        Op::Insert { table, sources } => {
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(sources.iter().map(|s| (Role::Source, s.clone())));
            a.push(act("insert.select", rels));
        }
        Op::Update { table, .. } => a.push(act("update", vec![(Role::Table, table.clone())])),
        Op::Delete { table, .. } => a.push(act("delete", vec![(Role::Table, table.clone())])),
        Op::Select { sources, .. } => a.push(each("select", Role::Table, sources)),
        Op::Copy { table, from } => a.push(act(
            if *from { "copy" } else { "copy.to" },
            vec![(Role::Table, table.clone())],
        )),
        Op::Do { .. } => {}
        Op::Call { name } => out.unknown = Some(format!("CALL {name}")),
        Op::Other { tag } => out.unknown = Some(tag.clone()),
    }
    out
}

/// The locks and effect of a classified statement on `version`: strongest mode per relation.
pub fn resolve(c: &Classified, version: u32) -> (Vec<LockClaim>, Effect) {
    let mut locks: Vec<LockClaim> = Vec::new();
    let mut effect = Effect::Catalog;
    let mut add = |relation: String, mode: LockMode| match locks
        .iter_mut()
        .find(|l| *l.relation == *relation)
    {
        Some(l) => l.mode = l.mode.max(mode),
        None => locks.push(LockClaim {
            relation: relation.into(),
            mode,
        }),
    };
    for action in &c.actions {
        let Some(entry) = kb::entry(action.key) else {
            debug_assert!(false, "no knowledge-base entry {}", action.key);
            continue;
        };
        let b = entry.behaviour(version);
        effect = effect.max(b.effect);
        for (role, name) in &action.rels {
            if let Some((_, mode)) = b.locks.iter().find(|(r, _)| r == role)
                && c.explicit_lock.is_none()
            {
                add(name.to_string(), *mode);
            }
        }
    }
    if let Some((tables, mode)) = &c.explicit_lock {
        for t in tables {
            add(t.to_string(), *mode);
        }
    }
    (locks, effect)
}
