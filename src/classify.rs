//! Decides which knowledge-base entry each statement (and each ALTER TABLE subcommand) is, and
//! which relation plays each role. The lock modes themselves come only from `rules/locks.toml`.

use crate::catalog::Catalog;
use crate::facts::{
    AlterCmd, ColumnDef, ConstraintKind, DomainAction, Generated, IdentityAction, Op, QName,
    RelKind, RenameTarget, Volatility,
};
use crate::kb::{self, Effect, Key, Role};
use crate::locks::LockMode;
use crate::model::{LockClaim, StatementKind, UnresolvedLock};

/// One knowledge-base entry that applies to a statement, with the relations it touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub key: Key,
    pub rels: Vec<(Role, QName)>,
    /// The ALTER TABLE subcommand it comes from (its position; 0 for other statements).
    pub origin: usize,
    /// Derived roles (partitions, foreign-key partners, ...) of a named relation whose set the
    /// input did not show in full: (role, the named relation).
    pub unresolved: Vec<(Role, QName)>,
}

impl Action {
    /// Adds `name` in `role`, unless it is there already.
    fn add(&mut self, role: Role, name: QName) {
        if !self.rels.iter().any(|(r, x)| *r == role && *x == name) {
            self.rels.push((role, name));
        }
    }
}

fn act(key: Key, rels: Vec<(Role, QName)>) -> Action {
    Action {
        key,
        rels,
        origin: 0,
        unresolved: Vec::new(),
    }
}

/// Fills each action's derived roles (kb::Role::is_derived) from what the catalog learnt about
/// the relations it names; `only`: relations named with ONLY (no partitions or children), and
/// `only_sources`: relations its query reads with ONLY.
fn expand(actions: &mut [Action], only: &[QName], only_sources: &[QName], catalog: &Catalog) {
    for action in actions {
        let roles = kb::entry(action.key).roles();
        if !roles.iter().any(|r| r.is_derived()) {
            continue;
        }
        let named = |role: Role| -> Vec<QName> {
            action
                .rels
                .iter()
                .filter(|(r, _)| *r == role)
                .map(|(_, n)| n.clone())
                .collect()
        };
        let (tables, parents, sources, referenced) = (
            named(Role::Table),
            named(Role::Parent),
            named(Role::Source),
            named(Role::Referenced),
        );
        for &role in roles.iter().filter(|r| r.is_derived()) {
            let bases = match role {
                // PARTITION OF names the parent: its default partition and foreign-key partners.
                Role::DefaultPartition | Role::FkReferenced | Role::Referencing
                    if !parents.is_empty() =>
                {
                    &parents
                }
                Role::SourceChildren => &sources,
                Role::ReferencedPartitions => &referenced,
                _ => &tables,
            };
            for base in bases {
                if matches!(role, Role::Children | Role::Partitions)
                    && only.contains(base)
                    && !kb::entry(action.key).only_locks_children
                {
                    continue;
                }
                if role == Role::SourceChildren && only_sources.contains(base) {
                    continue;
                }
                let related = match role {
                    Role::Children | Role::SourceChildren => catalog.descendants(base, false),
                    Role::Partitions | Role::ReferencedPartitions => {
                        catalog.descendants(base, true)
                    }
                    Role::DefaultPartition => catalog.default_partition(base),
                    Role::Referencing => catalog.referencing(base),
                    Role::ReferencingPartitions => {
                        let referencing = catalog.referencing(base);
                        let mut parts = catalog.partitions_of_each(&referencing.names);
                        parts.complete &= referencing.complete;
                        parts
                    }
                    Role::Dependents => catalog.dependents(base),
                    Role::FkReferenced => catalog.fk_targets(base),
                    Role::OwnedSequences => catalog.owned_sequences(base),
                    Role::PartitionAncestors => catalog.partition_ancestors(base),
                    _ => continue,
                };
                for n in related.names {
                    action.add(role, n);
                }
                if !related.complete {
                    action.unresolved.push((role, base.clone()));
                }
            }
        }
    }
}

/// The locks a classified statement takes on relations pgrisk could not list, on `version`.
pub fn unresolved(c: &Classified, version: u32) -> Vec<UnresolvedLock> {
    let mut out: Vec<UnresolvedLock> = Vec::new();
    for action in &c.actions {
        let b = kb::entry(action.key).behaviour(version);
        for (role, of) in &action.unresolved {
            let mode = match &c.explicit_lock {
                Some((_, mode)) if *role == Role::Children => mode,
                _ => match b.locks.iter().find(|(r, _)| r == role) {
                    Some((_, mode)) => mode,
                    None => continue,
                },
            };
            let role_name = role.as_str();
            match out.iter_mut().find(|u| u.of == *of && u.role == role_name) {
                Some(u) => u.mode = u.mode.max(*mode),
                None => out.push(UnresolvedLock {
                    of: of.clone(),
                    role: role_name,
                    what: role.describe_unknown(),
                    mode: *mode,
                }),
            }
        }
    }
    out
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

pub fn add_column_key(c: &ColumnDef) -> Key {
    if c.generated == Some(Generated::Stored) {
        Key::AlterTableAddColumnStoredGenerated
    } else if c.generated == Some(Generated::Virtual) {
        Key::AlterTableAddColumnVirtualGenerated
    } else if c.identity {
        Key::AlterTableAddColumnIdentity
    } else if c.serial {
        Key::AlterTableAddColumnSerial
    } else if c
        .default
        .as_ref()
        .is_some_and(|d| d.volatility == Volatility::Volatile)
    {
        Key::AlterTableAddColumnVolatileDefault
    } else if c.primary_key || c.unique {
        Key::AlterTableAddColumnUnique
    } else if c.check.is_some() {
        Key::AlterTableAddColumnCheck
    } else if c.not_null && c.default.is_none() {
        Key::AlterTableAddColumnNotNull
    } else if c.default.is_some() {
        Key::AlterTableAddColumnConstantDefault
    } else if c.references.is_some() {
        Key::AlterTableAddColumnForeignKey
    } else {
        Key::AlterTableAddColumn
    }
}

fn alter_cmd(
    (table, only): (&QName, bool),
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
                .push(act(Key::AlterIndexSet, vec![(Role::Index, table.clone())])),
            AlterCmd::SetTablespace { .. } => out.actions.push(act(
                Key::AlterIndexSetTablespace,
                vec![(Role::Index, table.clone())],
            )),
            AlterCmd::AttachPartition { partition, .. } => out.actions.push(act(
                Key::AlterIndexAttachPartition,
                vec![
                    (Role::Index, table.clone()),
                    (Role::Partition, partition.clone()),
                    (Role::Table, table_of_index(table, catalog)),
                    (Role::Table, table_of_index(partition, catalog)),
                ],
            )),
            _ => out.unknown = Some(format!("ALTER INDEX {cmd:?}")),
        }
        return;
    }
    let key = match cmd {
        AlterCmd::AddColumn { column, .. } => {
            let mut key = add_column_key(column);
            // A domain with constraints: the default (NULL if none) is checked against them
            // for every row, which rewrites the table.
            if column
                .ty
                .as_ref()
                .is_some_and(|t| !t.array && catalog.is_constrained_domain(&t.name))
                && matches!(
                    key,
                    Key::AlterTableAddColumn
                        | Key::AlterTableAddColumnConstantDefault
                        | Key::AlterTableAddColumnNotNull
                        | Key::AlterTableAddColumnCheck
                )
            {
                key = Key::AlterTableAddColumnDomain;
            }
            if let Some(r) = &column.references {
                out.actions.push(act(
                    Key::AlterTableAddColumnForeignKey,
                    vec![
                        (Role::Table, table.clone()),
                        (Role::Referenced, r.table.clone()),
                    ],
                ));
                if key == Key::AlterTableAddColumnForeignKey {
                    return;
                }
            }
            // A `nextval` default is evaluated for every row: the sequence is locked.
            if key == Key::AlterTableAddColumnVolatileDefault
                && let Some(seq) = column
                    .default
                    .as_ref()
                    .and_then(|d| crate::facts::default_sequence(&d.text))
            {
                let mut rels = t();
                rels.push((Role::Sequence, seq));
                out.actions.push(act(key, rels));
                return;
            }
            key
        }
        AlterCmd::DropColumn {
            column, cascade, ..
        } => {
            let targets = catalog.fk_targets_of_column(table, column);
            if targets.is_empty() {
                // The sequence the column owns goes with it, and with CASCADE the views using it.
                let key = if *cascade {
                    Key::AlterTableDropColumnCascade
                } else {
                    Key::AlterTableDropColumn
                };
                let mut a = act(key, t());
                column_sequence(&mut a, catalog, table, column, false);
                if *cascade {
                    // The column goes from the children too (not with ONLY), and their views.
                    let mut tables = vec![table.clone()];
                    if !only {
                        tables.extend(catalog.descendants(table, false).names);
                    }
                    for base in &tables {
                        let views = catalog.views_using_column(base, column);
                        for v in views.names {
                            a.add(Role::ColumnDependents, v);
                        }
                        if !views.complete {
                            a.unresolved.push((Role::ColumnDependents, base.clone()));
                        }
                    }
                }
                out.actions.push(a);
                return;
            } else {
                // A referenced partitioned table keeps the RI triggers on its partitions: the
                // locks differ by version, so it has an entry of its own.
                for (key, targets) in by_partitioning(
                    targets,
                    catalog,
                    Key::AlterTableDropColumnForeignKey,
                    Key::AlterTableDropColumnForeignKeyPartitioned,
                ) {
                    let mut rels = t();
                    rels.extend(targets.into_iter().map(|r| (Role::Referenced, r)));
                    out.actions.push(act(key, rels));
                }
                return;
            }
        }
        AlterCmd::AlterType {
            column,
            ty,
            using,
            using_is_column,
            collate,
            ..
        } => {
            let has_using = using.is_some() && !using_is_column;
            let (old, change) = catalog.type_change(table, column, ty, has_using);
            // timestamp ↔ timestamptz under a UTC session: the values need no conversion.
            let utc_relabel = old.is_some_and(|o| {
                let pair = (&*o.name, &*ty.name);
                matches!(
                    pair,
                    ("timestamp", "timestamptz") | ("timestamptz", "timestamp")
                ) && !o.array
                    && !ty.array
                    && (ty.mods.is_empty() || ty.mods == o.mods)
            });
            let key = if utc_relabel && catalog.session_utc && !has_using {
                Key::AlterTableAlterColumnTypeTimestamptzUtc
            } else if *collate
                && change.key() == Key::AlterTableAlterColumnTypeCoercible
                && catalog.column_may_be_indexed(table, column)
            {
                // A new collation: the heap stays, the indexes on the column are rebuilt.
                Key::AlterTableAlterColumnTypeCollation
            } else {
                change.key()
            };
            // Foreign keys over the column, or that reference it, are dropped and re-created:
            // their other table is locked too (after the type change itself, which decides
            // what the statement is when it costs more).
            // An identity column's sequence is altered to the new type.
            let mut a = act(key, t());
            column_sequence(&mut a, catalog, table, column, true);
            out.actions.push(a);
            for (key, targets) in by_partitioning(
                catalog.fk_targets_of_column(table, column),
                catalog,
                Key::AlterTableAlterColumnTypeForeignKey,
                Key::AlterTableAlterColumnTypeForeignKeyPartitioned,
            ) {
                out.actions.push(each(key, Role::Referenced, &targets));
            }
            let referencing = catalog.referencing_column(table, column);
            if !referencing.is_empty() {
                let parts = catalog.partitions_of_each(&referencing);
                let key = if parts.names.is_empty() {
                    Key::AlterTableAlterColumnTypeReferencedKey
                } else {
                    Key::AlterTableAlterColumnTypeReferencedKeyPartitioned
                };
                let mut action = each(key, Role::Referencing, &referencing);
                action.rels.extend(
                    parts
                        .names
                        .into_iter()
                        .map(|p| (Role::ReferencingPartitions, p)),
                );
                out.actions.push(action);
            }
            return;
        }
        AlterCmd::SetDefault { .. } => Key::AlterTableSetDefault,
        AlterCmd::SetNotNull { column } => {
            if catalog
                .table(table)
                .is_some_and(|t| t.proven_not_null(column))
            {
                Key::AlterTableSetNotNullProven
            } else {
                Key::AlterTableSetNotNull
            }
        }
        // PostgreSQL 18 recurses to the children only to drop a NOT NULL the column has.
        AlterCmd::DropNotNull { column } => match catalog.column_not_null(table, column) {
            Some(false) => Key::AlterTableDropNotNullNullable,
            _ => Key::AlterTableDropNotNull,
        },
        AlterCmd::SetStatistics => Key::AlterTableSetStatistics,
        AlterCmd::SetStorage => Key::AlterTableSetStorage,
        AlterCmd::Identity { column, action } => {
            let key = match action {
                IdentityAction::Set => Key::AlterTableIdentitySet,
                IdentityAction::Drop => Key::AlterTableIdentityDrop,
                IdentityAction::Add | IdentityAction::Expression => Key::AlterTableIdentity,
            };
            let mut a = act(key, t());
            if matches!(action, IdentityAction::Set | IdentityAction::Drop) {
                column_sequence(&mut a, catalog, table, column, true);
            }
            out.actions.push(a);
            return;
        }
        AlterCmd::AddConstraint(c) => match c.kind {
            ConstraintKind::Check if c.no_inherit && !c.not_valid => {
                Key::AlterTableAddCheckNoInherit
            }
            ConstraintKind::Check
                if only && !c.no_inherit && !catalog.descendants(table, false).names.is_empty() =>
            {
                Key::AlterTableAddCheckOnly
            }
            ConstraintKind::Check if c.not_valid => Key::AlterTableAddCheckNotValid,
            ConstraintKind::Check => Key::AlterTableAddCheck,
            ConstraintKind::NotNull if c.not_valid => Key::AlterTableAddNotNullConstraintNotValid,
            ConstraintKind::NotNull => Key::AlterTableAddNotNullConstraint,
            ConstraintKind::ForeignKey => {
                let key = if c.not_valid {
                    Key::AlterTableAddForeignKeyNotValid
                } else {
                    Key::AlterTableAddForeignKey
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
                let mut key = Key::AlterTableAddConstraintUsingIndex;
                if let Some(ix) = &c.using_index {
                    let index = QName {
                        schema: table.schema.clone(),
                        name: ix.clone(),
                    };
                    // PRIMARY KEY sets its columns NOT NULL, which scans the table unless the
                    // input shows every one of them NOT NULL already, or (on the versions the
                    // knowledge base says) a validated CHECK (col IS NOT NULL) proves it.
                    let (mut not_null, mut proven) = (false, false);
                    if let (Some(cols), Some(t)) =
                        (catalog.index_columns(&index), catalog.table(table))
                    {
                        let is_not_null = |c: &String| t.not_null.iter().any(|n| **n == **c);
                        not_null = cols.iter().all(is_not_null);
                        proven = cols.iter().all(|c| is_not_null(c) || t.proven_not_null(c));
                    }
                    if c.kind == ConstraintKind::PrimaryKey && !not_null {
                        key = if proven {
                            Key::AlterTableAddConstraintUsingIndexPrimaryKeyProven
                        } else {
                            Key::AlterTableAddConstraintUsingIndexPrimaryKey
                        };
                    }
                    rels.push((Role::Index, index));
                }
                out.actions.push(act(key, rels));
                return;
            }
            ConstraintKind::Unique | ConstraintKind::PrimaryKey => Key::AlterTableAddUnique,
            ConstraintKind::Exclusion => Key::AlterTableAddExclusion,
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
                        .push(act(Key::AlterTableValidateConstraintForeignKey, rels));
                    return;
                }
                _ => Key::AlterTableValidateConstraint,
            }
        }
        AlterCmd::DropConstraint { cascade: true, .. } => Key::AlterTableDropConstraintCascade,
        AlterCmd::DropConstraint { name, .. } => {
            let known = catalog.table(table).and_then(|t| t.constraints.get(name));
            match known.and_then(|c| c.referenced.as_ref()) {
                Some(r) if known.is_some_and(|c| c.kind == ConstraintKind::ForeignKey) => {
                    out.actions.push(act(
                        Key::AlterTableDropConstraintForeignKey,
                        vec![
                            (Role::Table, table.clone()),
                            (Role::Referenced, (**r).clone()),
                        ],
                    ));
                    return;
                }
                _ => Key::AlterTableDropConstraint,
            }
        }
        AlterCmd::AlterConstraint => Key::AlterTableAlterConstraint,
        // A partitioned table has no storage: these only record a default for future partitions
        // (or, for SET LOGGED / UNLOGGED, nothing).
        AlterCmd::SetTablespace { .. } if catalog.is_partitioned(table) => {
            Key::AlterTableSetTablespacePartitioned
        }
        AlterCmd::SetLogged | AlterCmd::SetUnlogged if catalog.is_partitioned(table) => {
            Key::AlterTableSetLoggedPartitioned
        }
        AlterCmd::SetAccessMethod { .. } if catalog.is_partitioned(table) => {
            Key::AlterTableSetAccessMethodPartitioned
        }
        // Already where it is asked to go: PostgreSQL does nothing.
        AlterCmd::SetTablespace { name } if catalog.tablespace(table) == Some(name.as_str()) => {
            Key::AlterTableSetTablespaceUnchanged
        }
        AlterCmd::SetTablespace { .. } => Key::AlterTableSetTablespace,
        AlterCmd::SetAccessMethod { name: Some(name) }
            if catalog.access_method(table) == Some(name.as_str()) =>
        {
            Key::AlterTableSetAccessMethodUnchanged
        }
        // Already in the persistence asked for: PostgreSQL does nothing.
        AlterCmd::SetLogged if catalog.unlogged(table) == Some(false) => {
            Key::AlterTableSetLoggedUnchanged
        }
        AlterCmd::SetUnlogged if catalog.unlogged(table) == Some(true) => {
            Key::AlterTableSetLoggedUnchanged
        }
        AlterCmd::SetLogged | AlterCmd::SetUnlogged => Key::AlterTableSetLogged,
        AlterCmd::SetAccessMethod { .. } => Key::AlterTableSetAccessMethod,
        AlterCmd::SetOptions { weak: true } => Key::AlterTableSetReloptions,
        AlterCmd::SetOptions { weak: false } => Key::AlterTableSetReloptionsOther,
        AlterCmd::Triggers => Key::AlterTableTriggers,
        AlterCmd::RowSecurity => Key::AlterTableRowSecurity,
        AlterCmd::Owner => Key::AlterTableOwner,
        AlterCmd::ReplicaIdentity => Key::AlterTableReplicaIdentity,
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
            out.actions.push(act(Key::AlterTableClusterOn, rels));
            return;
        }
        AlterCmd::Inherit { parent, drop } => {
            let mut rels = t();
            if let Some(p) = parent {
                rels.push((Role::Parent, p.clone()));
            }
            // NO INHERIT takes only ACCESS SHARE on the parent, but queries of the parent read
            // the child, which it holds ACCESS EXCLUSIVE: they wait all the same.
            let key = if *drop && parent.is_some() {
                Key::AlterTableNoInherit
            } else {
                Key::AlterTableInherit
            };
            out.actions.push(act(key, rels));
            return;
        }
        AlterCmd::AttachPartition { partition, .. } => {
            out.actions.push(act(
                Key::AlterTableAttachPartition,
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
            let referenced = !catalog.referencing(table).names.is_empty();
            let key = if !*concurrently && !*finalize && referenced {
                Key::AlterTableDetachPartitionReferenced
            } else if *concurrently && !catalog.default_partition(table).names.is_empty() {
                Key::AlterTableDetachPartitionConcurrentlyDefaultPartition
            } else if *concurrently || *finalize {
                Key::AlterTableDetachPartitionConcurrently
            } else if catalog.has_row_trigger(table) {
                // The partition's clones of the parent's row triggers are dropped.
                Key::AlterTableDetachPartitionRowTrigger
            } else {
                Key::AlterTableDetachPartition
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

/// The sequences an INSERT with the column list `columns` draws from: those of the columns it
/// leaves to their default.
fn default_sequences(catalog: &Catalog, table: &QName, columns: &[String]) -> Vec<(Role, QName)> {
    if columns.is_empty() {
        return Vec::new();
    }
    catalog
        .table(table)
        .into_iter()
        .flat_map(|t| t.sequences.iter().filter(|s| s.default))
        .filter(|s| !columns.iter().any(|x| **x == *s.column))
        .map(|s| (Role::Sequence, s.sequence.clone()))
        .collect()
}

/// `tables` under the entry `plain`, and those the input showed partitioned under
/// `partitioned`; a key without tables is left out.
fn by_partitioning(
    tables: Vec<QName>,
    catalog: &Catalog,
    plain: Key,
    partitioned: Key,
) -> impl Iterator<Item = (Key, Vec<QName>)> {
    let (split, rest): (Vec<QName>, Vec<QName>) =
        tables.into_iter().partition(|t| catalog.is_partitioned(t));
    [(plain, rest), (partitioned, split)]
        .into_iter()
        .filter(|(_, t)| !t.is_empty())
}

/// The relations an UPDATE's FROM / a DELETE's USING and their subqueries read, as `source`.
fn read_sources(op: &Op, catalog: &Catalog) -> Vec<(Role, QName)> {
    let sources = match op {
        Op::Update { sources, .. } | Op::Delete { sources, .. } => sources,
        _ => return Vec::new(),
    };
    through_views(sources, catalog)
        .into_iter()
        .map(|s| (Role::Source, s))
        .collect()
}

fn each(key: Key, role: Role, names: &[QName]) -> Action {
    act(key, names.iter().map(|n| (role, n.clone())).collect())
}

/// The table an index belongs to, as far as the input tells.
fn table_of_index(index: &QName, catalog: &Catalog) -> QName {
    catalog
        .index_table(index)
        .unwrap_or_else(|| QName::new(&format!("(table of {})", index.name)))
}

pub fn classify(op: &Op, catalog: &Catalog) -> Classified {
    let mut out = classify_named(op, catalog);
    // DML on an (auto-updatable) view writes the tables under it: they are its target too.
    for a in &mut out.actions {
        if !a.key.writes_rows() {
            continue;
        }
        let views: Vec<QName> = a
            .rels
            .iter()
            .filter(|(r, n)| {
                *r == Role::Table
                    && catalog
                        .table(n)
                        .is_some_and(|t| t.is_view && !t.materialized)
            })
            .map(|(_, n)| n.clone())
            .collect();
        for n in through_views(&views, catalog) {
            a.add(Role::Table, n);
        }
    }
    let only: &[QName] = match op {
        Op::AlterTable {
            table, only: true, ..
        }
        | Op::CreateIndex {
            table, only: true, ..
        }
        | Op::Update {
            table, only: true, ..
        }
        | Op::Delete {
            table, only: true, ..
        } => std::slice::from_ref(table),
        Op::Truncate { only, .. } | Op::Lock { only, .. } => only,
        // A SELECT's tables are its `table` role.
        Op::Select { query, .. } => &query.only,
        _ => &[],
    };
    let query = match op {
        Op::Insert { query, .. }
        | Op::Update { query, .. }
        | Op::Delete { query, .. }
        | Op::Merge { query, .. }
        | Op::Select { query, .. } => Some(query),
        _ => None,
    };
    let only_sources: &[QName] = query.map_or(&[], |q| &q.only);
    expand(&mut out.actions, only, only_sources, catalog);
    // The data-modifying CTEs, each like the statement it is (first: on a tie the statement
    // itself names the kind).
    if let Some(q) = query
        && !q.with.is_empty()
    {
        let mut actions: Vec<Action> = Vec::new();
        for w in &q.with {
            actions.extend(classify(w, catalog).actions);
        }
        actions.append(&mut out.actions);
        out.actions = actions;
    }
    match op {
        // RESTART IDENTITY: the sequences of every table truncated (those CASCADE reaches too).
        Op::Truncate { restart: true, .. } => {
            let mut truncated: Vec<QName> = Vec::new();
            for (role, n) in out.actions.iter().flat_map(|a| &a.rels) {
                if matches!(role, Role::Table | Role::Children | Role::Referencing)
                    && !truncated.contains(n)
                {
                    truncated.push(n.clone());
                }
            }
            let start = out.actions.len();
            out.actions
                .push(each(Key::TruncateRestartIdentity, Role::Table, &truncated));
            expand(&mut out.actions[start..], &[], &[], catalog);
        }
        // Only a table has columns that own sequences.
        Op::SetSchema { kind, .. } if *kind != RelKind::Table => {
            for a in &mut out.actions {
                a.unresolved.retain(|(r, _)| *r != Role::OwnedSequences);
            }
        }
        _ => {}
    }
    out
}

/// `names` and, for each view the input defined among them, the relations its query reads, at
/// any depth: a query that runs reads a view's tables (the rewriter expands it). Materialized
/// views are read as they are.
fn through_views(names: &[QName], catalog: &Catalog) -> Vec<QName> {
    let mut all: Vec<QName> = Vec::new();
    let mut todo: Vec<QName> = names.iter().rev().cloned().collect();
    while let Some(t) = todo.pop() {
        if all.contains(&t) {
            continue;
        }
        if let Some(v) = catalog.table(&t).filter(|v| v.is_view && !v.materialized) {
            todo.extend(v.sources.iter().rev().cloned());
        }
        all.push(t);
    }
    all
}

/// The sequence `column` of `table` owns (an identity column's when `identity_only`), as the
/// action's `sequence` role; unknown when the input never showed the table's definition.
fn column_sequence(
    action: &mut Action,
    catalog: &Catalog,
    table: &QName,
    column: &str,
    identity_only: bool,
) {
    match catalog.column_owned_sequence(table, column) {
        Some(o) if o.identity || !identity_only => {
            action.rels.push((Role::Sequence, o.sequence.clone()));
        }
        Some(_) => {}
        None if !catalog.table(table).is_some_and(|t| t.defined) => {
            action.unresolved.push((Role::Sequence, table.clone()));
        }
        None => {}
    }
}

/// The entries of a statement, with the relations it names.
fn classify_named(op: &Op, catalog: &Catalog) -> Classified {
    let mut out = Classified::default();
    let a = &mut out.actions;
    match op {
        Op::Transaction { .. } | Op::Set { .. } | Op::Alembic => {}
        Op::CreateTable {
            table,
            columns,
            constraints,
            partition_of,
            inherits,
            like,
            bound,
            ..
        } => {
            if !inherits.is_empty() {
                a.push(each(Key::CreateTableInherits, Role::Parent, inherits));
            }
            if !like.is_empty() {
                a.push(each(Key::CreateTableLike, Role::Source, like));
            }
            a.push(act(Key::CreateTable, vec![(Role::Table, table.clone())]));
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
                a.push(each(Key::CreateTableForeignKey, Role::Referenced, &refs));
            }
            if let Some(p) = partition_of {
                let key = if catalog.default_partition(p).names.is_empty() {
                    Key::CreateTablePartitionOf
                } else if catalog.default_excludes(p, bound) {
                    Key::CreateTablePartitionOfDefaultExcluded
                } else {
                    Key::CreateTablePartitionOfDefaultPartition
                };
                a.push(act(key, vec![(Role::Parent, p.clone())]));
            }
        }
        Op::CreateTableAs {
            sources,
            no_data: false,
            ..
        } => a.push(each(
            Key::CreateTableAsSelect,
            Role::Source,
            &through_views(sources, catalog),
        )),
        Op::CreateTableAs { sources, .. } => {
            a.push(each(Key::CreateTableAsSelectNoData, Role::Source, sources))
        }
        Op::AlterTable {
            table,
            kind,
            cmds,
            only,
        } => {
            for (i, cmd) in cmds.iter().enumerate() {
                let before = out.actions.len();
                alter_cmd((table, *only), *kind, cmd, catalog, &mut out);
                for a in &mut out.actions[before..] {
                    a.origin = i;
                }
            }
        }
        Op::CreateIndex {
            name: Some(name),
            table,
            concurrently,
            if_not_exists: true,
            ..
        } if catalog
            .index_table(&QName {
                schema: table.schema.clone(),
                name: name.clone(),
            })
            .is_some() =>
        {
            a.push(act(
                if *concurrently {
                    Key::CreateIndexConcurrentlyExists
                } else {
                    Key::CreateIndexExists
                },
                vec![(Role::Table, table.clone())],
            ))
        }
        Op::CreateIndex {
            table,
            concurrently,
            only,
            ..
        } => a.push(act(
            if *concurrently && catalog.is_partitioned(table) {
                Key::CreateIndexConcurrentlyPartitioned
            } else if *concurrently {
                Key::CreateIndexConcurrently
            } else if *only && catalog.is_partitioned(table) {
                Key::CreateIndexOnly
            } else {
                Key::CreateIndex
            },
            vec![(Role::Table, table.clone())],
        )),
        Op::DropIndex {
            indexes,
            concurrently,
        } => {
            let key = if *concurrently {
                Key::DropIndexConcurrently
            } else {
                Key::DropIndex
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
        Op::DropRelation {
            kind,
            names,
            cascade,
        } => {
            let key = match kind {
                // The views that read them go too.
                RelKind::View | RelKind::MatView if *cascade => Key::DropViewCascade,
                RelKind::View | RelKind::MatView => Key::DropView,
                RelKind::Sequence => Key::DropSequence,
                _ => Key::DropTable,
            };
            a.push(each(key, Role::Table, names));
            if *kind == RelKind::Table {
                // Dropping a partition locks its parent (and the DEFAULT partition).
                for n in names {
                    if let Some(parent) = catalog.partition_parent(n) {
                        a.push(act(
                            Key::DropTablePartition,
                            vec![(Role::Table, n.clone()), (Role::Parent, parent)],
                        ));
                    }
                }
            }
            if *kind == RelKind::Sequence && *cascade {
                // Column defaults that draw from it go with it.
                let mut action = act(Key::DropSequenceCascade, vec![]);
                for n in names {
                    action.rels.extend(
                        catalog
                            .sequence_users(n)
                            .into_iter()
                            .map(|t| (Role::Users, t)),
                    );
                }
                action
                    .rels
                    .extend(names.iter().map(|n| (Role::Table, n.clone())));
                a.push(action);
            }
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
                for (key, referenced) in by_partitioning(
                    referenced,
                    catalog,
                    Key::DropTableForeignKey,
                    Key::DropTableForeignKeyPartitioned,
                ) {
                    a.push(each(key, Role::Referenced, &referenced));
                }
                if *cascade {
                    a.push(each(Key::DropTableCascade, Role::Table, names));
                }
            }
        }
        Op::DropObject {
            types,
            cascade: true,
            ..
        } if !types.is_empty() => {
            // The columns of the type go with it.
            let mut action = act(Key::DropTypeCascade, vec![]);
            for t in types {
                let users = catalog.users_of_type(t);
                action
                    .rels
                    .extend(users.names.into_iter().map(|n| (Role::Users, n)));
                if !users.complete {
                    action.unresolved.push((Role::Users, QName::new(t)));
                }
                // And the views using those columns.
                for (table, column) in catalog.columns_of_type(t) {
                    for v in catalog.views_using_column(&table, &column).names {
                        action.add(Role::ColumnDependents, v);
                    }
                }
            }
            a.push(action);
        }
        Op::DropObject {
            schemas,
            cascade: true,
            ..
        } if !schemas.is_empty() => {
            // Every relation of the schema goes (its tables and views in the knowledge base's
            // `table` role, its sequences in `sequence`), and with them what depends on them
            // elsewhere: foreign keys, views, column defaults.
            let mut action = act(Key::DropSchemaCascade, vec![]);
            for s in schemas {
                let (tables, sequences) = catalog.schema_relations(s);
                for q in &sequences {
                    action.rels.extend(
                        catalog
                            .sequence_users(q)
                            .into_iter()
                            .map(|t| (Role::Users, t)),
                    );
                }
                action
                    .rels
                    .extend(tables.into_iter().map(|r| (Role::Table, r)));
                action
                    .rels
                    .extend(sequences.into_iter().map(|q| (Role::Sequence, q)));
                // The input never shows that it has shown every relation of a schema.
                action.unresolved.push((Role::Table, QName::new(s)));
            }
            a.push(action);
        }
        // The triggers that call the function go with it, each under ACCESS EXCLUSIVE on its
        // table (and on the partitions its row trigger was cloned to). Tables the input never
        // showed may have such triggers too.
        Op::DropObject {
            functions,
            cascade: true,
            ..
        } if !functions.is_empty() => {
            let mut tables: Vec<QName> = Vec::new();
            for f in functions {
                for t in catalog.trigger_tables(f) {
                    if !tables.contains(&t) {
                        tables.push(t);
                    }
                }
            }
            let mut action = each(Key::DropFunctionCascade, Role::Table, &tables);
            for f in functions {
                action.unresolved.push((Role::Table, QName::new(f)));
            }
            a.push(action);
        }
        Op::DropObject { .. } => a.push(act(Key::DropType, vec![])),
        Op::CreateObject { .. } | Op::CreateEnum { .. } | Op::CreateDomain { .. } => {
            a.push(act(Key::CreateType, vec![]))
        }
        Op::RenameType { .. } => a.push(act(Key::AlterTypeRename, vec![])),
        Op::Credentials { .. } => a.push(act(Key::Role, vec![])),
        Op::AlterDomain { name, action, .. } => {
            let key = match action {
                DomainAction::AddConstraint { not_valid: false } => Key::AlterDomainAddConstraint,
                DomainAction::AddConstraint { not_valid: true } => {
                    Key::AlterDomainAddConstraintNotValid
                }
                DomainAction::ValidateConstraint => Key::AlterDomainValidateConstraint,
                DomainAction::SetNotNull => Key::AlterDomainSetNotNull,
                DomainAction::Other => Key::AlterDomain,
            };
            let users = catalog.users_of_type(name);
            let mut action = each(key, Role::Users, &users.names);
            if !users.complete {
                action.unresolved.push((Role::Users, QName::new(name)));
            }
            a.push(action);
        }
        Op::Truncate {
            tables, cascade, ..
        } => {
            // A partition has an entry of its own (its parent is locked too, before 14).
            let mut plain = Vec::new();
            for n in tables {
                match catalog.partition_parent(n) {
                    Some(parent) if !*cascade => a.push(act(
                        Key::TruncatePartition,
                        vec![(Role::Table, n.clone()), (Role::Parent, parent)],
                    )),
                    _ => plain.push(n.clone()),
                }
            }
            if !plain.is_empty() && *cascade {
                // CASCADE empties the tables referencing these, those referencing them in turn,
                // and their partitions.
                let mut action = each(Key::TruncateCascade, Role::Table, &plain);
                for t in &plain {
                    let reach = catalog.truncate_reach(t);
                    for n in reach.names {
                        if !action.rels.iter().any(|(_, x)| *x == n) {
                            action.rels.push((Role::Referencing, n));
                        }
                    }
                    if !reach.complete {
                        action.unresolved.push((Role::Referencing, t.clone()));
                    }
                }
                a.push(action);
            } else if !plain.is_empty() {
                a.push(each(Key::Truncate, Role::Table, &plain));
            }
        }
        Op::Rename {
            kind,
            object,
            target,
            ..
        } => {
            let key = match (target, kind) {
                (RenameTarget::Index, _) | (RenameTarget::Table, RelKind::Index) => {
                    a.push(act(
                        Key::AlterIndexRename,
                        vec![(Role::Index, object.clone())],
                    ));
                    return out;
                }
                (RenameTarget::Table, _) => Key::AlterTableRename,
                (RenameTarget::Trigger, _) => Key::AlterTriggerRename,
                (RenameTarget::Column { .. }, _) => Key::AlterTableRenameColumn,
                (RenameTarget::Constraint { .. }, _) => Key::AlterTableRenameConstraint,
                (RenameTarget::Other, _) => {
                    out.unknown = Some("RENAME".into());
                    return out;
                }
            };
            a.push(act(key, vec![(Role::Table, object.clone())]));
        }
        Op::SetSchema { object, .. } => a.push(act(
            Key::AlterTableSetSchema,
            vec![(Role::Table, object.clone())],
        )),
        Op::Reindex {
            table,
            index,
            concurrently,
        } => {
            let key = if *concurrently {
                Key::ReindexConcurrently
            } else {
                Key::Reindex
            };
            match (table, index) {
                (Some(t), _) if catalog.is_partitioned(t) => {
                    // Every partition is locked at once, then rebuilt one at a time.
                    let key = if *concurrently {
                        Key::ReindexPartitionedConcurrently
                    } else {
                        Key::ReindexPartitioned
                    };
                    a.push(act(key, vec![(Role::Table, t.clone())]))
                }
                (Some(t), _) => {
                    // REINDEX TABLE rebuilds every index of the table, each under its own lock.
                    let mut rels = vec![(Role::Table, t.clone())];
                    rels.extend(catalog.indexes_of(t).into_iter().map(|i| (Role::Index, i)));
                    a.push(act(key, rels))
                }
                (None, Some(i))
                    if !*concurrently && catalog.is_partitioned(&table_of_index(i, catalog)) =>
                {
                    // The index of each partition is rebuilt, one at a time.
                    a.push(act(
                        Key::ReindexIndexPartitioned,
                        vec![(Role::Table, table_of_index(i, catalog))],
                    ))
                }
                (None, Some(i)) => {
                    let key = if *concurrently {
                        Key::ReindexConcurrently
                    } else {
                        Key::ReindexIndex
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
        Op::Vacuum { full, tables } if tables.is_empty() => {
            // No table named: every table and materialized view of the database, the ones the
            // input showed and the others.
            let key = if *full { Key::VacuumFull } else { Key::Vacuum };
            let mut action = each(key, Role::Table, &catalog.stored_relations());
            action
                .unresolved
                .push((Role::Table, QName::new("database")));
            a.push(action);
        }
        Op::Vacuum { full, tables } => a.push(each(
            if *full { Key::VacuumFull } else { Key::Vacuum },
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
            a.push(act(Key::Cluster, rels))
        }
        Op::Cluster { table: None, .. } => {
            out.unknown = Some("CLUSTER of every clustered table".into())
        }
        Op::CreateView {
            view,
            replace,
            materialized,
            sources,
            no_data,
            ..
        } => {
            let read = if *materialized && !*no_data {
                // The query runs.
                through_views(sources, catalog)
            } else {
                sources.clone()
            };
            let mut rels: Vec<(Role, QName)> =
                read.into_iter().map(|s| (Role::Source, s)).collect();
            let key = if *materialized && *no_data {
                Key::CreateMatviewNoData
            } else if *materialized {
                Key::CreateMatview
            } else if *replace {
                // Also of a view created earlier in the run: it exists when this runs.
                rels.push((Role::Table, view.clone()));
                Key::CreateViewReplace
            } else {
                Key::CreateView
            };
            a.push(act(key, rels));
        }
        Op::RefreshMatView {
            view,
            concurrently,
            no_data,
        } => {
            let mut rels = vec![(Role::Table, view.clone())];
            if let Some(t) = catalog.table(view) {
                rels.extend(
                    through_views(&t.sources, catalog)
                        .into_iter()
                        .map(|s| (Role::Source, s)),
                );
            }
            a.push(act(
                if *no_data {
                    Key::RefreshMatviewNoData
                } else if *concurrently {
                    Key::RefreshMatviewConcurrently
                } else {
                    Key::RefreshMatview
                },
                rels,
            ))
        }
        Op::CreateTrigger { table, row, .. } => a.push(act(
            if *row {
                Key::CreateTrigger
            } else {
                Key::CreateTriggerStatement
            },
            vec![(Role::Table, table.clone())],
        )),
        Op::DropTrigger {
            table,
            name,
            if_exists,
        } => a.push(act(
            if *if_exists && catalog.lacks_trigger(table, name) {
                Key::DropTriggerMissing
            } else {
                Key::DropTrigger
            },
            vec![(Role::Table, table.clone())],
        )),
        Op::Policy { table } => a.push(act(Key::CreatePolicy, vec![(Role::Table, table.clone())])),
        Op::AlterEnum { rename_value, .. } => a.push(act(
            if *rename_value {
                Key::AlterEnumRenameValue
            } else {
                Key::AlterEnumAddValue
            },
            vec![],
        )),
        Op::AlterSequence {
            sequence,
            owned_by: Some(Some((owner, _))),
        } => a.push(act(
            Key::AlterSequenceOwnedBy,
            vec![
                (Role::Table, sequence.clone()),
                (Role::OwningTable, owner.clone()),
            ],
        )),
        Op::AlterSequence { sequence, .. } => a.push(act(
            Key::AlterSequence,
            vec![(Role::Table, sequence.clone())],
        )),
        Op::CreateSequence {
            owned_by: Some((owner, _)),
            ..
        } => a.push(act(
            Key::CreateSequenceOwnedBy,
            vec![(Role::OwningTable, owner.clone())],
        )),
        Op::CreateSequence { .. } => a.push(act(Key::CreateType, vec![])),
        Op::Comment {
            table,
            on_table_object,
        } => a.push(act(
            if *on_table_object {
                Key::CommentTableObject
            } else {
                Key::Comment
            },
            table.iter().map(|t| (Role::Table, t.clone())).collect(),
        )),
        Op::Grant { tables } => a.push(each(Key::Grant, Role::Table, tables)),
        Op::Lock { tables, mode, .. } => {
            // PostgreSQL refuses to lock a materialized view: the whole statement fails.
            let materialized: Vec<QName> = tables
                .iter()
                .filter(|t| catalog.table(t).is_some_and(|t| t.materialized))
                .cloned()
                .collect();
            if !materialized.is_empty() {
                a.push(each(
                    Key::LockTableMaterializedView,
                    Role::Table,
                    &materialized,
                ));
                return out;
            }
            // LOCK TABLE on a view locks the relations its query reads, recursively through
            // views (a materialized view it reads is locked, not looked into).
            let mut all: Vec<QName> = Vec::new();
            let mut todo: Vec<QName> = tables.clone();
            while let Some(t) = todo.pop() {
                if all.contains(&t) {
                    continue;
                }
                if let Some(v) = catalog.table(&t).filter(|v| v.is_view && !v.materialized) {
                    todo.extend(v.sources.iter().cloned());
                }
                all.push(t);
            }
            a.push(each(Key::LockTable, Role::Table, &all));
            out.explicit_lock = Some((all, *mode));
        }
        Op::Insert {
            table,
            sources,
            columns,
            ..
        } if sources.is_empty() => {
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(default_sequences(catalog, table, columns));
            a.push(act(Key::Insert, rels))
        }
        Op::Insert {
            table,
            sources,
            columns,
            ..
        } => {
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(
                through_views(sources, catalog)
                    .into_iter()
                    .map(|s| (Role::Source, s)),
            );
            rels.extend(default_sequences(catalog, table, columns));
            a.push(act(Key::InsertSelect, rels));
        }
        Op::Update { table, columns, .. } => {
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(read_sources(op, catalog));
            a.push(act(Key::Update, rels));
            // A new value in a foreign key column is checked against the referenced table.
            let mut targets: Vec<QName> = Vec::new();
            for c in columns {
                for r in catalog.fk_targets_of_column(table, c) {
                    if !targets.contains(&r) {
                        targets.push(r);
                    }
                }
            }
            // A new partition key value moves the row to another partition: it is inserted
            // there, and every foreign key of the row is checked.
            let moves = catalog.table(table).is_some_and(|t| {
                t.partitioned && columns.iter().any(|c| t.partition_key.contains(c))
            });
            if moves {
                for r in catalog.fk_targets(table).names {
                    if !targets.contains(&r) {
                        targets.push(r);
                    }
                }
            }
            if !targets.is_empty() {
                let mut rels = vec![(Role::Table, table.clone())];
                rels.extend(targets.into_iter().map(|r| (Role::Referenced, r)));
                a.push(act(Key::UpdateForeignKey, rels));
            }
            // A changed key that other tables reference: their rows are checked.
            if columns
                .iter()
                .any(|c| !catalog.referencing_column(table, c).is_empty())
            {
                a.push(act(
                    Key::UpdateReferencedKey,
                    vec![(Role::Table, table.clone())],
                ));
            }
        }
        Op::Delete { table, .. } => {
            let (written, checked, complete) = catalog.delete_reach(table);
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(read_sources(op, catalog));
            // Rows deleted by a cascade are checked against the tables that reference theirs.
            rels.extend(checked.into_iter().map(|r| (Role::Referencing, r)));
            a.push(act(Key::Delete, rels));
            if !written.is_empty() {
                let mut action = each(Key::DeleteCascade, Role::Referencing, &written);
                if !complete {
                    action.unresolved.push((Role::Referencing, table.clone()));
                }
                a.push(action);
            }
        }
        Op::Select {
            sources,
            locked,
            sequences,
            column_sequences,
            ..
        } => {
            if !sources.is_empty() || (sequences.is_empty() && column_sequences.is_empty()) {
                a.push(each(
                    Key::Select,
                    Role::Table,
                    &through_views(sources, catalog),
                ));
            }
            if !sequences.is_empty() || !column_sequences.is_empty() {
                let mut action = each(Key::SelectSequence, Role::Sequence, sequences);
                for (table, column) in column_sequences {
                    column_sequence(&mut action, catalog, table, column, false);
                }
                a.push(action);
            }
            if !locked.is_empty() {
                a.push(each(
                    Key::SelectForUpdate,
                    Role::Table,
                    &through_views(locked, catalog),
                ));
            }
        }
        Op::Merge { table, sources, .. } => {
            let mut rels = vec![(Role::Table, table.clone())];
            rels.extend(sources.iter().map(|s| (Role::Source, s.clone())));
            a.push(act(Key::Merge, rels));
        }
        Op::CreateStatistics { table } => a.push(act(
            Key::CreateStatistics,
            vec![(Role::Table, table.clone())],
        )),
        Op::Copy { table, from } => a.push(act(
            if *from { Key::Copy } else { Key::CopyTo },
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
    let mut add =
        |relation: &QName, mode: LockMode| match locks.iter_mut().find(|l| l.relation == *relation)
        {
            Some(l) => l.mode = l.mode.max(mode),
            None => locks.push(LockClaim {
                relation: relation.clone(),
                mode,
            }),
        };
    for action in &c.actions {
        let entry = kb::entry(action.key);
        let b = entry.behaviour(version);
        effect = effect.max(b.effect);
        for (role, name) in &action.rels {
            match (&c.explicit_lock, role) {
                // LOCK TABLE: the mode it names, on the tables and their children.
                (Some((_, mode)), Role::Table | Role::Children) => add(name, *mode),
                (Some(_), _) => {}
                (None, _) => {
                    if let Some((_, mode)) = b.locks.iter().find(|(r, _)| r == role) {
                        add(name, *mode);
                    }
                }
            }
        }
    }
    (locks, effect)
}

/// What the statement is, for reports: the entry with the costliest effect, then the strongest
/// lock; on ties the later (more specific) one: CREATE TABLE … REFERENCES is `create_table.foreign_key`.
pub fn kind(op: &Op, c: &Classified, unknown: bool) -> StatementKind {
    if unknown {
        return StatementKind::Unknown;
    }
    match op {
        Op::Transaction { .. } => StatementKind::Transaction,
        Op::Set { .. } => StatementKind::Set,
        Op::Alembic => StatementKind::Alembic,
        Op::Do { .. } => StatementKind::Do,
        _ => {
            let rank = |key: Key| {
                let b = kb::entry(key).behaviour(kb::MAX_VERSION);
                (b.effect, b.locks.iter().map(|(_, m)| *m).max())
            };
            c.actions
                .iter()
                .map(|a| (rank(a.key), a.key))
                .reduce(|best, next| if next.0 >= best.0 { next } else { best })
                .map_or(StatementKind::Unknown, |(_, k)| StatementKind::Entry(k))
        }
    }
}
