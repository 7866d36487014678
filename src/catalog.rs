//! The schema pgrisk learns from the statements it has seen: tables and their column types,
//! constraints and indexes, and which transaction created each table. Rollback replays an undo log.

use crate::facts::{
    AlterCmd, Bound, ConstraintDef, ConstraintKind, DomainAction, IdentityAction, Op, QName,
    RelKind, RenameTarget, normalize_expr,
};
use crate::types::{SqlType, TypeChange, classify_change};
use std::collections::{HashMap, HashSet};
use thin_vec::ThinVec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub kind: ConstraintKind,
    pub validated: bool,
    pub referenced: Option<Box<QName>>,
    /// For `CHECK (col IS NOT NULL)`: the column it proves NOT NULL.
    pub proves_not_null: Option<Box<str>>,
    /// A CHECK's condition, as the deparser prints it.
    pub check: Option<Box<str>>,
    /// The table's columns it covers (a foreign key's referencing columns).
    pub columns: Vec<Box<str>>,
    /// A foreign key's referenced columns (empty: the referenced table's primary key).
    pub ref_columns: Vec<Box<str>>,
    /// A foreign key's `ON DELETE` action, as pg_constraint.confdeltype spells it ('a' NO ACTION,
    /// 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT).
    pub on_delete: char,
}

impl Constraint {
    /// A foreign key over one column `column`, as written inline (`col REFERENCES t (c)`).
    fn column_fk(column: &str, r: &crate::facts::ForeignRef) -> Constraint {
        Constraint {
            kind: ConstraintKind::ForeignKey,
            validated: true,
            referenced: Some(Box::new(r.table.clone())),
            proves_not_null: None,
            check: None,
            columns: vec![column.into()],
            ref_columns: r.columns.iter().map(|c| c.as_str().into()).collect(),
            on_delete: r.on_delete,
        }
    }
}

/// Pushes onto a list of a table's catalog (columns, constraints, ...), growing it by an eighth
/// rather than doubling: the catalog holds such lists for every table the input shows.
fn push_lean<T>(v: &mut ThinVec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 8).max(1));
    }
    v.push(x);
}

/// A table's named constraints, in the order they were added (a table has few).
#[derive(Clone, Debug, Default)]
pub struct Constraints(ThinVec<(String, Constraint)>);

impl Constraints {
    pub fn insert(&mut self, name: String, c: Constraint) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(e) => e.1 = c,
            None => push_lean(&mut self.0, (name, c)),
        }
    }
    pub fn get(&self, name: &str) -> Option<&Constraint> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Constraint> {
        self.0.iter_mut().find(|(n, _)| n == name).map(|(_, c)| c)
    }
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }
    pub fn values(&self) -> impl Iterator<Item = &Constraint> {
        self.0.iter().map(|(_, c)| c)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: ThinVec<(Box<str>, Option<SqlType>)>,
    pub constraints: Constraints,
    /// Created earlier in this run (not by a history revision): empty, and unknown to the code
    /// running in production, whatever transactions have committed since.
    pub created_in_run: bool,
    pub is_view: bool,
    /// A materialized view (`is_view` too): reading it does not read its sources.
    pub materialized: bool,
    /// Columns that are a key on their own (single-column PRIMARY KEY, UNIQUE, unique index):
    /// `WHERE col = <value>` on them pins at most one row per value.
    pub keys: ThinVec<Box<str>>,
    /// For views and materialized views: the tables their query reads.
    pub sources: ThinVec<QName>,
    /// For views and materialized views: the column names their query mentions (`*`: all of
    /// something).
    pub view_columns: ThinVec<Box<str>>,
    /// Its CREATE was seen (in this run or in history): its partitions, inheritance children,
    /// the foreign keys to it and the views over it are all in the input too.
    pub defined: bool,
    /// `PARTITION BY`.
    pub partitioned: bool,
    /// Its partition key columns, when plain columns.
    pub partition_key: ThinVec<String>,
    /// Direct partitions and inheritance children (catalog keys).
    pub children: ThinVec<String>,
    /// Its DEFAULT partition (catalog key).
    pub default_partition: Option<String>,
    /// Its partitioned or inheritance parents (catalog keys).
    pub parents: ThinVec<String>,
    /// Columns the input made NOT NULL (NOT NULL, PRIMARY KEY, identity, serial, SET NOT NULL).
    pub not_null: ThinVec<Box<str>>,
    /// `CREATE UNLOGGED TABLE` or `SET UNLOGGED` (meaningful when `defined`).
    pub unlogged: bool,
    /// The tablespace and access method the input named for it (none: a default pgrisk
    /// cannot see). Boxed: most tables never name either.
    pub placement: Option<Box<Placement>>,
    /// Triggers created on it in the input (complete when `defined`).
    pub triggers: ThinVec<Trigger>,
    /// The sequences its columns draw their default from or own (serial and identity columns
    /// do both, `DEFAULT nextval('s')` draws, `ALTER/CREATE SEQUENCE … OWNED BY` owns): the
    /// owned ones are complete when `defined`.
    pub sequences: ThinVec<ColumnSequence>,
    /// Undo bookkeeping (`Catalog::generation`).
    gens: Gens,
}

/// A trigger on a table, and the function it calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub name: Box<str>,
    pub function: Box<str>,
    /// `FOR EACH ROW` (cloned to partitions).
    pub row: bool,
}

/// Where a table's rows live, as far as the input named it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// `TABLESPACE name` of its CREATE, or the last `SET TABLESPACE`.
    pub tablespace: Option<Box<str>>,
    /// `USING method` of its CREATE, or the last `SET ACCESS METHOD method`.
    pub access_method: Option<Box<str>>,
}

/// A sequence a column of a table draws its default from, owns, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSequence {
    pub column: Box<str>,
    pub sequence: QName,
    /// The column's default draws from it.
    pub default: bool,
    /// The column owns it: it goes where the column and the table go.
    pub owned: bool,
    /// The column's identity sequence (not a serial's or one made `OWNED BY` it).
    pub identity: bool,
    /// The sequence was created earlier in this run (with its column, or by CREATE SEQUENCE).
    pub created_in_run: bool,
}

/// The name PostgreSQL gives the sequence of a serial or identity column: `<table>_<col>_seq`.
fn implicit_sequence(table: &QName, column: &str) -> QName {
    QName {
        schema: table.schema.clone(),
        name: format!("{}_{}_seq", table.name, column),
    }
}

/// The sequence a new column's default draws from, which a serial or identity column also owns.
fn column_sequence(
    table: &QName,
    c: &crate::facts::ColumnDef,
    new: bool,
) -> Option<ColumnSequence> {
    let owned = c.serial || c.identity;
    let sequence = if owned {
        implicit_sequence(table, &c.name)
    } else {
        crate::facts::default_sequence(&c.default.as_ref()?.text)?
    };
    Some(ColumnSequence {
        column: c.name.as_str().into(),
        sequence,
        default: true,
        owned,
        identity: c.identity,
        created_in_run: new && owned,
    })
}

impl Table {
    /// The sequences its columns own.
    pub fn owned(&self) -> impl Iterator<Item = &ColumnSequence> {
        self.sequences.iter().filter(|s| s.owned)
    }

    /// `column`'s sequences stop being its default: those it owns stay, the others go.
    fn drop_default_sequences(&mut self, column: &str) {
        self.sequences.retain(|s| *s.column != *column || s.owned);
        for s in self.sequences.iter_mut().filter(|s| *s.column == *column) {
            s.default = false;
        }
    }

    pub fn column_type(&self, column: &str) -> Option<&SqlType> {
        self.columns
            .iter()
            .find(|(c, _)| **c == *column)
            .and_then(|(_, t)| t.as_ref())
    }
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.iter().any(|(c, _)| **c == *column)
    }
    pub fn is_key(&self, column: &str) -> bool {
        self.keys.iter().any(|k| **k == *column)
    }
    fn add_key(&mut self, columns: &[String]) {
        if let [c] = columns
            && !self.is_key(c)
        {
            push_lean(&mut self.keys, c.as_str().into());
        }
    }
    fn set_not_null(&mut self, column: &str, not_null: bool) {
        self.not_null.retain(|c| **c != *column);
        if not_null {
            push_lean(&mut self.not_null, column.into());
        }
    }
    pub fn proven_not_null(&self, column: &str) -> bool {
        self.constraints
            .values()
            .any(|c| c.validated && c.proves_not_null.as_deref() == Some(column))
    }
}

/// An index the input showed.
#[derive(Clone, Debug)]
struct Index {
    /// Its table (catalog key).
    table: String,
    /// Created in this run (not by a history revision).
    created_in_run: bool,
    /// Its columns, when the input showed them (CREATE INDEX, a table's PRIMARY KEY / UNIQUE).
    columns: Option<Vec<String>>,
    /// Undo bookkeeping (`Catalog::generation`).
    gens: Gens,
}

/// When a table or index was created and last saved for undo, as `Catalog::generation` counts: what
/// was created at or after a mark is removed by rolling back to it, and what existed before is
/// saved once per mark, before its first change.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gens {
    created: u32,
    saved: u32,
}

impl Gens {
    /// Created (and so saved) in `generation`.
    fn new_in(generation: u32) -> Gens {
        Gens {
            created: generation,
            saved: generation,
        }
    }

    /// What it is now must be saved before its first change in `generation`: it existed before
    /// the last mark and was not saved since.
    fn must_save(&self, generation: u32) -> bool {
        self.created < generation && self.saved != generation
    }
}

enum Undo {
    Table(String, Option<Box<Table>>),
    /// A domain or enum type name that was added (true) or removed (false).
    Type(String, bool),
    /// An index as it was before (None: there was none).
    Index(String, Option<Box<Index>>),
    /// Whether a domain had a constraint before (ALTER DOMAIN ADD CONSTRAINT, CREATE DOMAIN).
    ConstrainedDomain(String, bool),
    /// An enum type name that was added (true) or removed (false).
    Enum(String, bool),
}

#[derive(Default)]
pub struct Catalog {
    tables: HashMap<String, Table>,
    /// Enum types created in the input (by name, as columns spell their type).
    enums: HashSet<String>,
    /// Domains and enum types created in the input: every column of theirs is known.
    types: HashSet<String>,
    /// Domains the input gave a CHECK or NOT NULL constraint (read only while in `types`).
    constrained_domains: HashSet<String>,
    /// The type each domain is over (read only while in `types`).
    domain_bases: HashMap<String, SqlType>,
    /// The TimeZone in effect (`SET TimeZone`, or `SET LOCAL` in the open transaction block) is
    /// a zone at UTC offset 0 all year: timestamp ↔ timestamptz needs no rewrite from
    /// PostgreSQL 12. Kept here, where classification reads it; the session sets it.
    pub session_utc: bool,
    /// Index name → its table and columns (its columns go with it through RENAME, USING INDEX
    /// and ROLLBACK).
    indexes: HashMap<String, Index>,
    undo: Vec<Undo>,
    /// Referenced table key → keys of the tables whose foreign keys were seen pointing at it,
    /// and source table key → keys of the views over it. Only ever added to (a superset: each
    /// lookup checks the candidates), so reverse lookups cost the candidates, not every table.
    referrers: HashMap<String, Vec<String>>,
    viewers: HashMap<String, Vec<String>>,
    /// Sequence key → keys of the tables `OWNED BY` made own it (the same kind of superset). A
    /// serial or identity sequence is not listed: its name says its table
    /// ([`Catalog::owner_candidates`]).
    owners: HashMap<String, Vec<String>>,
    /// Tables and indexes whose state before the last mark is already in `undo`: one copy
    /// each is enough to roll back, however often they change.
    /// Counts marks (SAVEPOINT), rollbacks and commits: see `Gens`.
    generation: u32,
    /// Where the open transaction started (a ROLLBACK goes back there).
    start: Mark,
}

/// A point to roll back to: the undo log's length and the generation then.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mark {
    undo: usize,
    generation: u32,
}

/// `col IS NOT NULL` (as the deparser prints it) → `col`.
fn not_null_check(expr: Option<&str>) -> Option<String> {
    let e = expr?.trim();
    let e = e
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(e);
    let col = e.strip_suffix(" IS NOT NULL")?.trim().trim_matches('"');
    col.chars()
        .all(|c| c.is_alphanumeric() || c == '_')
        .then(|| col.to_string())
}

/// A constraint's name: as written, or PostgreSQL's own for an unnamed foreign key
/// (`<table>_<columns>_fkey`) — the name matters less than remembering the key exists.
fn constraint_name(table: &QName, c: &ConstraintDef) -> Option<String> {
    match (&c.name, c.kind) {
        (Some(name), _) => Some(name.clone()),
        (None, ConstraintKind::ForeignKey) => {
            Some(format!("{}_{}_fkey", table.name, c.columns.join("_")))
        }
        (None, kind) => key_index_name(&table.name, kind, &c.columns),
    }
}

/// PostgreSQL's name for the index of an unnamed PRIMARY KEY or UNIQUE constraint of `table`
/// over `columns` (ChooseConstraintName; a clash would add a number, which the input would
/// have to show).
fn key_index_name<S: AsRef<str>>(
    table: &str,
    kind: ConstraintKind,
    columns: &[S],
) -> Option<String> {
    match kind {
        ConstraintKind::PrimaryKey => Some(format!("{table}_pkey")),
        ConstraintKind::Unique if !columns.is_empty() => {
            let columns: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
            Some(format!("{table}_{}_key", columns.join("_")))
        }
        _ => None,
    }
}

fn constraint_of(c: &ConstraintDef) -> Constraint {
    Constraint {
        kind: c.kind,
        validated: !c.not_valid,
        referenced: c.references.as_ref().map(|r| Box::new(r.table.clone())),
        columns: c.columns.iter().map(|c| c.as_str().into()).collect(),
        on_delete: c.references.as_ref().map_or('a', |r| r.on_delete),
        ref_columns: c
            .references
            .iter()
            .flat_map(|r| r.columns.iter().map(|c| c.as_str().into()))
            .collect(),
        check: if c.kind == ConstraintKind::Check {
            c.expr.as_deref().map(Into::into)
        } else {
            None
        },
        proves_not_null: if c.kind == ConstraintKind::Check {
            not_null_check(c.expr.as_deref()).map(String::into_boxed_str)
        } else {
            None
        },
    }
}

/// A catalog key back to a name.
fn qname_of(key: &str) -> QName {
    match key.split_once('.') {
        Some((schema, name)) => QName {
            schema: Some(schema.to_string()),
            name: name.to_string(),
        },
        None => QName::new(key),
    }
}

/// Relations found from what the input taught, and whether that set is complete: it is when
/// the relation's CREATE was seen (whatever relates to it came later in the input).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Related {
    pub names: Vec<QName>,
    pub complete: bool,
}

/// Indexes live in their table's schema.
fn index_key(table: &QName, index: &str) -> String {
    QName {
        schema: table.schema.clone(),
        name: index.to_string(),
    }
    .key()
}

impl Catalog {
    /// What changing `table.column` to `new` costs: the old type as the input left it (after
    /// renames of its type), and enum → enum through text is checked value by value (it fails
    /// on a value the new enum lacks), not a change between unrelated kinds.
    pub fn type_change(
        &self,
        table: &QName,
        column: &str,
        new: &SqlType,
        has_using: bool,
    ) -> (Option<&SqlType>, TypeChange) {
        let old = self.table(table).and_then(|t| t.column_type(column));
        let change = match old {
            Some(o)
                if o.name != new.name
                    && o.array == new.array
                    && self.enums.contains(&*o.name)
                    && self.enums.contains(&*new.name) =>
            {
                TypeChange::Checked
            }
            // A domain's values are values of its base type: from the domain, the change is
            // the one from its base (to the base itself: a relabel, no rewrite).
            Some(o) if !o.array && self.types.contains(&*o.name) => {
                let base = self.domain_bases.get(&*o.name);
                classify_change(base.or(old), new, has_using)
            }
            _ => classify_change(old, new, has_using),
        };
        (old, change)
    }

    pub fn table(&self, name: &QName) -> Option<&Table> {
        self.tables.get(&name.key())
    }

    /// Whether the input showed `name` as a partitioned table.
    pub fn is_partitioned(&self, name: &QName) -> bool {
        self.table(name).is_some_and(|t| t.partitioned)
    }

    /// The partitioned table `name` is a partition of, as far as the input tells.
    pub fn partition_parent(&self, name: &QName) -> Option<QName> {
        self.table(name)?
            .parents
            .iter()
            .find(|p| self.tables.get(p.as_str()).is_some_and(|t| t.partitioned))
            .map(|p| qname_of(p))
    }

    /// The partitioned tables `name` is a partition of, at any depth, nearest first.
    pub fn partition_ancestors(&self, name: &QName) -> Related {
        let mut out = Related {
            names: Vec::new(),
            complete: self.defined(name),
        };
        let mut at = name.clone();
        while let Some(parent) = self.partition_parent(&at) {
            if parent == *name || out.names.contains(&parent) {
                break;
            }
            out.complete &= self.defined(&parent);
            out.names.push(parent.clone());
            at = parent;
        }
        out
    }

    /// Whether a column is NOT NULL (None: the input never showed the table's definition).
    pub fn column_not_null(&self, table: &QName, column: &str) -> Option<bool> {
        let t = self.table(table).filter(|t| t.defined)?;
        Some(t.not_null.iter().any(|c| **c == *column))
    }

    fn defined(&self, name: &QName) -> bool {
        self.table(name).is_some_and(|t| t.defined)
    }

    /// Partitions and inheritance children at any depth (`partitions_only`: only when the table
    /// is partitioned, and only through partitioned tables).
    pub fn descendants(&self, name: &QName, partitions_only: bool) -> Related {
        let mut out = Related {
            names: Vec::new(),
            complete: self.defined(name),
        };
        let mut todo = vec![name.key()];
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = todo.pop() {
            let Some(t) = self.tables.get(&key) else {
                continue;
            };
            if partitions_only && !t.partitioned {
                continue;
            }
            for c in &t.children {
                if seen.insert(c.clone()) {
                    out.names.push(qname_of(c));
                    todo.push(c.clone());
                    out.complete &= self.tables.get(c).is_some_and(|t| t.defined);
                }
            }
        }
        out.names.sort();
        out
    }

    /// The DEFAULT partition of a partitioned table.
    pub fn default_partition(&self, name: &QName) -> Related {
        let t = self.table(name);
        Related {
            names: t
                .and_then(|t| t.default_partition.as_deref())
                .map(qname_of)
                .into_iter()
                .collect(),
            complete: t.is_some_and(|t| t.defined),
        }
    }

    /// The DEFAULT partition of `parent` has a validated CHECK that rules `bound` out (the one
    /// pgrisk's recipe adds): PostgreSQL skips its scan.
    pub fn default_excludes(&self, parent: &QName, bound: &Bound) -> bool {
        let Some(p) = self.table(parent) else {
            return false;
        };
        let (Some(default), Some(wanted)) = (
            p.default_partition
                .as_ref()
                .and_then(|d| self.tables.get(d)),
            bound.excluding(&p.partition_key),
        ) else {
            return false;
        };
        default.constraints.values().any(|c| {
            c.validated
                && c.check
                    .as_deref()
                    .and_then(normalize_expr)
                    .is_some_and(|have| have == wanted)
        })
    }

    /// Tables with a FOREIGN KEY to `name` (other than itself).
    pub fn referencing(&self, name: &QName) -> Related {
        // A foreign key to a partitioned table references each of its partitions too.
        let ancestors = self.partition_ancestors(name);
        let tree: Vec<String> = std::iter::once(name.key())
            .chain(ancestors.names.iter().map(QName::key))
            .collect();
        let mut names: Vec<QName> = Vec::new();
        for key in &tree {
            for (k, t) in self.candidates(&self.referrers, key) {
                let n = qname_of(k);
                if !tree.contains(k)
                    && !names.contains(&n)
                    && t.constraints
                        .values()
                        .any(|c| c.referenced.as_ref().is_some_and(|r| r.key() == *key))
                {
                    names.push(n);
                }
            }
        }
        names.sort();
        Related {
            names,
            complete: self.defined(name),
        }
    }

    /// Every table and materialized view the input showed (what a bare VACUUM / ANALYZE
    /// processes), sorted.
    pub fn stored_relations(&self) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .tables
            .iter()
            .filter(|(_, t)| t.defined && (!t.is_view || t.materialized))
            .map(|(k, _)| qname_of(k))
            .collect();
        out.sort();
        out
    }

    /// The input created a FOR EACH ROW trigger on `table`.
    pub fn has_row_trigger(&self, table: &QName) -> bool {
        self.table(table)
            .is_some_and(|t| t.triggers.iter().any(|x| x.row))
    }

    /// The tables with a trigger that calls `function` (DROP FUNCTION … CASCADE drops them).
    pub fn trigger_tables(&self, function: &str) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .tables
            .iter()
            .filter(|(_, t)| t.triggers.iter().any(|x| *x.function == *function))
            .map(|(k, _)| qname_of(k))
            .collect();
        out.sort();
        out
    }

    /// The partitions, at any depth, of those of `tables` that are partitioned.
    pub fn partitions_of_each(&self, tables: &[QName]) -> Related {
        let mut out = Related {
            names: Vec::new(),
            complete: true,
        };
        for t in tables {
            let r = self.descendants(t, true);
            out.complete &= r.complete;
            for n in r.names {
                if !out.names.contains(&n) {
                    out.names.push(n);
                }
            }
        }
        out.names.sort();
        out
    }

    /// Every table TRUNCATE … CASCADE of `name` empties besides it: the tables whose foreign
    /// keys reference it, those referencing them in turn, and the partitions of each.
    pub fn truncate_reach(&self, name: &QName) -> Related {
        let mut out = Related {
            names: Vec::new(),
            complete: true,
        };
        let mut todo = vec![name.clone()];
        while let Some(t) = todo.pop() {
            let mut reached = self.referencing(&t);
            out.complete &= reached.complete;
            let parts = self.partitions_of_each(&reached.names);
            out.complete &= parts.complete;
            reached.names.extend(parts.names);
            for n in reached.names {
                if n != *name && !out.names.contains(&n) {
                    out.names.push(n.clone());
                    todo.push(n);
                }
            }
        }
        out.names.sort();
        out
    }

    /// The tables `index` lists for `key` (that still exist), with their keys.
    fn candidates<'a>(
        &'a self,
        index: &'a HashMap<String, Vec<String>>,
        key: &str,
    ) -> impl Iterator<Item = (&'a String, &'a Table)> + 'a {
        index
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|k| self.tables.get_key_value(k))
    }

    /// Records in the reverse indexes what `key`'s foreign keys and (for a view) sources point at.
    fn index_links(&mut self, key: &str) {
        let Some(t) = self.tables.get(key) else {
            return;
        };
        let referenced: Vec<String> = t
            .constraints
            .values()
            .filter_map(|c| c.referenced.as_ref().map(|r| r.key()))
            .collect();
        let sources: Vec<String> = t.sources.iter().map(QName::key).collect();
        for (index, targets) in [
            (&mut self.referrers, referenced),
            (&mut self.viewers, sources),
        ] {
            for target in targets {
                let list = index.entry(target).or_default();
                if !list.iter().any(|k| k == key) {
                    list.push(key.to_string());
                }
            }
        }
    }

    /// What deleting rows of `table` does through the foreign keys that reference it, at any
    /// depth: the tables whose rows their `ON DELETE CASCADE / SET NULL / SET DEFAULT` change
    /// (`written`), and the tables the other foreign keys are checked against (`checked`, not
    /// in `written`). Complete when every table deleted from was defined in the input.
    pub fn delete_reach(&self, table: &QName) -> (Vec<QName>, Vec<QName>, bool) {
        let (mut written, mut checked): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let mut complete = true;
        let mut todo = vec![table.key()];
        let mut seen: HashSet<String> = todo.iter().cloned().collect();
        while let Some(key) = todo.pop() {
            complete &= self.tables.get(&key).is_some_and(|t| t.defined);
            for (k, t) in self.candidates(&self.referrers, &key) {
                for c in t.constraints.values() {
                    if c.kind != ConstraintKind::ForeignKey
                        || c.referenced.as_ref().is_none_or(|r| r.key() != key)
                    {
                        continue;
                    }
                    match c.on_delete {
                        'c' | 'n' | 'd' => {
                            if !written.contains(k) {
                                written.push(k.clone());
                            }
                            // Deleted rows are deleted from it in turn.
                            if c.on_delete == 'c' && seen.insert(k.clone()) {
                                todo.push(k.clone());
                            }
                        }
                        _ => {
                            if !checked.contains(k) {
                                checked.push(k.clone());
                            }
                        }
                    }
                }
            }
        }
        checked.retain(|k| !written.contains(k) && *k != table.key());
        written.retain(|k| *k != table.key());
        // The foreign keys of a partitioned table are on each partition: its partitions are
        // written or checked too.
        let mut names = |v: Vec<String>| {
            let mut v: Vec<QName> = v.iter().map(|k| qname_of(k)).collect();
            let parts = self.partitions_of_each(&v);
            complete &= parts.complete;
            v.extend(parts.names.into_iter().filter(|p| p != table));
            v.sort();
            v.dedup();
            v
        };
        let (written, checked) = (names(written), names(checked));
        (written, checked, complete)
    }

    /// The tables the foreign keys over `column` of `table` reference.
    pub fn fk_targets_of_column(&self, table: &QName, column: &str) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .table(table)
            .into_iter()
            .flat_map(|t| t.constraints.values())
            .filter(|c| {
                c.kind == ConstraintKind::ForeignKey && c.columns.iter().any(|x| **x == *column)
            })
            .filter_map(|c| c.referenced.as_deref().cloned())
            .filter(|r| r != table)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Tables whose foreign keys reference `column` of `table` (named, or through the primary
    /// key when the foreign key names no columns and `column` is a key of `table`).
    pub fn referencing_column(&self, table: &QName, column: &str) -> Vec<QName> {
        let key = table.key();
        let is_key = self.table(table).is_some_and(|t| t.is_key(column));
        let mut out: Vec<QName> = self
            .candidates(&self.referrers, &key)
            .filter(|(k, t)| {
                **k != key
                    && t.constraints.values().any(|c| {
                        c.referenced.as_ref().is_some_and(|r| r.key() == key)
                            && (c.ref_columns.iter().any(|x| **x == *column)
                                || (c.ref_columns.is_empty() && is_key))
                    })
            })
            .map(|(k, _)| qname_of(k))
            .collect();
        out.sort();
        out
    }

    /// The tables `name`'s own foreign keys reference.
    pub fn fk_targets(&self, name: &QName) -> Related {
        // A partition has the foreign keys of the partitioned tables above it.
        let ancestors = self.partition_ancestors(name);
        let tree: Vec<QName> = std::iter::once(name.clone())
            .chain(ancestors.names)
            .collect();
        let mut names: Vec<QName> = tree
            .iter()
            .filter_map(|n| self.table(n))
            .flat_map(|t| t.constraints.values())
            .filter_map(|c| c.referenced.as_deref().cloned())
            .filter(|r| !tree.contains(r))
            .collect();
        names.sort();
        names.dedup();
        Related {
            names,
            complete: self.defined(name),
        }
    }

    /// `name` has no trigger `trigger`, as far as the input shows (its CREATE was seen and no
    /// CREATE TRIGGER of that name since).
    pub fn lacks_trigger(&self, table: &QName, trigger: &str) -> bool {
        self.table(table)
            .is_some_and(|t| t.defined && !t.triggers.iter().any(|x| *x.name == *trigger))
    }

    /// Tables with a column whose default draws from the sequence `name`.
    pub fn sequence_users(&self, name: &QName) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .tables
            .iter()
            .filter(|(_, t)| t.sequences.iter().any(|s| s.default && s.sequence == *name))
            .map(|(k, _)| qname_of(k))
            .collect();
        out.sort();
        out
    }

    /// The tables and views, and the sequences, of `schema` that the input showed (it may hold
    /// more).
    pub fn schema_relations(&self, schema: &str) -> (Vec<QName>, Vec<QName>) {
        let in_schema = |key: &str| match key.split_once('.') {
            Some((s, _)) => s == schema,
            None => schema == "public",
        };
        let mut tables: Vec<QName> = self
            .tables
            .keys()
            .filter(|k| in_schema(k))
            .map(|k| qname_of(k))
            .collect();
        let mut sequences: Vec<QName> = self
            .tables
            .values()
            .flat_map(|t| t.sequences.iter().map(|s| &s.sequence))
            .filter(|s| in_schema(&s.key()))
            .cloned()
            .collect();
        tables.sort();
        sequences.sort();
        sequences.dedup();
        (tables, sequences)
    }

    /// The sequences the columns of `name` own.
    pub fn owned_sequences(&self, name: &QName) -> Related {
        let t = self.table(name);
        let mut names: Vec<QName> = t
            .into_iter()
            .flat_map(|t| t.owned().map(|o| o.sequence.clone()))
            .collect();
        names.sort();
        names.dedup();
        Related {
            names,
            complete: t.is_some_and(|t| t.defined),
        }
    }

    /// The sequence `column` of `table` owns, and whether it is the column's identity sequence.
    pub fn column_owned_sequence(&self, table: &QName, column: &str) -> Option<&ColumnSequence> {
        self.table(table)?.owned().find(|o| *o.column == *column)
    }

    /// `sequence` is now owned by `owner` (table, column), or by nothing: it leaves the table
    /// that owned it before.
    fn own(&mut self, sequence: &QName, owner: Option<&(QName, String)>, created_in_run: bool) {
        let key = sequence.key();
        let before: Vec<String> = self
            .owner_candidates(sequence)
            .filter(|(_, t)| t.owned().any(|o| o.sequence.key() == key))
            .map(|(k, _)| k.clone())
            .collect();
        for k in before {
            if let Some(t) = self.edit(&k) {
                // A column default that draws from it stays.
                t.sequences.retain(|s| s.default || s.sequence.key() != key);
                for s in t.sequences.iter_mut().filter(|s| s.sequence.key() == key) {
                    s.owned = false;
                }
            }
        }
        let Some((table, column)) = owner else { return };
        if !self.tables.contains_key(&table.key()) {
            // A table from before the input: learn what this input tells about it.
            self.put(table.key(), Some(Table::default()));
        }
        if let Some(t) = self.edit(&table.key()) {
            match t
                .sequences
                .iter_mut()
                .find(|s| *s.column == **column && s.sequence.key() == key)
            {
                // The column's default draws from it already.
                Some(s) => {
                    s.owned = true;
                    s.created_in_run = created_in_run;
                }
                None => push_lean(
                    &mut t.sequences,
                    ColumnSequence {
                        column: column.as_str().into(),
                        sequence: sequence.clone(),
                        default: false,
                        owned: true,
                        identity: false,
                        created_in_run,
                    },
                ),
            }
        }
        let list = self.owners.entry(key).or_default();
        if !list.contains(&table.key()) {
            list.push(table.key());
        }
    }

    /// The tables that may own `sequence`: those its name points at as a serial's or identity's
    /// (`<table>_<column>_seq`, each split tried), and those `OWNED BY` made own it. A superset:
    /// callers check the table's `owned`.
    fn owner_candidates<'a>(
        &'a self,
        sequence: &'a QName,
    ) -> impl Iterator<Item = (&'a String, &'a Table)> + 'a {
        let stem = sequence.name.strip_suffix("_seq").unwrap_or("");
        stem.match_indices('_')
            .filter_map(move |(i, _)| {
                let table = QName {
                    schema: sequence.schema.clone(),
                    name: stem[..i].to_string(),
                };
                self.tables.get_key_value(&table.key())
            })
            .chain(
                self.owners
                    .get(&sequence.key())
                    .into_iter()
                    .flatten()
                    .filter_map(|k| self.tables.get_key_value(k)),
            )
    }

    /// A dropped table or view: gone from the catalog and from its parents' children.
    fn forget(&mut self, name: &QName) {
        let parents = self
            .table(name)
            .map(|t| t.parents.clone())
            .unwrap_or_default();
        for parent in parents {
            self.unlink(&parent, &name.key());
        }
        self.put(name.key(), None);
    }

    /// Views and materialized views whose query reads `name`, at any depth.
    pub fn dependents(&self, name: &QName) -> Related {
        let mut out = Related {
            names: Vec::new(),
            complete: self.defined(name),
        };
        let mut todo = vec![name.key()];
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = todo.pop() {
            for (k, t) in self.candidates(&self.viewers, &key) {
                if t.is_view && t.sources.iter().any(|s| s.key() == key) && seen.insert(k.clone()) {
                    out.names.push(qname_of(k));
                    todo.push(k.clone());
                }
            }
        }
        out.names.sort();
        out
    }

    /// The views and materialized views that use `column` of `table` (their query names it, or
    /// selects `*`), and every view that reads those: what DROP COLUMN … CASCADE drops.
    pub fn views_using_column(&self, table: &QName, column: &str) -> Related {
        let key = table.key();
        let mut out = Related {
            names: Vec::new(),
            complete: self.defined(table),
        };
        for (k, v) in self.candidates(&self.viewers, &key) {
            let uses = v.is_view
                && v.sources.iter().any(|s| s.key() == key)
                && v.view_columns.iter().any(|c| &**c == column || &**c == "*");
            if !uses {
                continue;
            }
            let view = qname_of(k);
            let further = self.dependents(&view);
            for n in std::iter::once(view).chain(further.names) {
                if !out.names.contains(&n) {
                    out.names.push(n);
                }
            }
        }
        out.names.sort();
        out
    }

    /// Tables with a column whose type is `type_name` (a domain or enum created in the input).
    pub fn users_of_type(&self, type_name: &str) -> Related {
        let mut names: Vec<QName> = self
            .columns_of_type(type_name)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        names.dedup();
        Related {
            names,
            complete: self.types.contains(type_name),
        }
    }

    /// The columns whose type is `type_name`, with their tables.
    pub fn columns_of_type(&self, type_name: &str) -> Vec<(QName, String)> {
        let mut out: Vec<(QName, String)> = self
            .tables
            .iter()
            .flat_map(|(k, t)| {
                t.columns
                    .iter()
                    .filter(|(_, ty)| ty.as_ref().is_some_and(|ty| *ty.name == *type_name))
                    .map(move |(c, _)| (qname_of(k), c.to_string()))
            })
            .collect();
        out.sort();
        out
    }

    /// Links `child` under `parent` (PARTITION OF, INHERITS, ATTACH, INHERIT).
    fn link(&mut self, parent: &QName, child: &QName, default: bool) {
        let (pk, ck) = (parent.key(), child.key());
        if !self.tables.contains_key(&pk) {
            self.put(pk.clone(), Some(Table::default()));
        }
        if let Some(p) = self.edit(&pk) {
            if !p.children.contains(&ck) {
                push_lean(&mut p.children, ck.clone());
            }
            if default {
                p.default_partition = Some(ck.clone());
            }
        }
        if let Some(c) = self.edit(&ck)
            && !c.parents.contains(&pk)
        {
            push_lean(&mut c.parents, pk);
        }
    }

    /// Undoes [`Catalog::link`] (DETACH, NO INHERIT, DROP of the child).
    fn unlink(&mut self, parent: &str, child: &str) {
        if let Some(p) = self.edit(parent) {
            p.children.retain(|c| c != child);
            if p.default_partition.as_deref() == Some(child) {
                p.default_partition = None;
            }
        }
        if let Some(c) = self.edit(child) {
            c.parents.retain(|p| p != parent);
        }
    }

    /// Created earlier in this run: new in production, so locks on it keep no one waiting and
    /// scans of it are instant. An index is new when it or its table is.
    pub fn is_new(&self, name: &QName) -> bool {
        if let Some(t) = self.table(name) {
            return t.created_in_run;
        }
        match self.indexes.get(&name.key()) {
            Some(i) => {
                i.created_in_run || self.tables.get(&i.table).is_some_and(|t| t.created_in_run)
            }
            // A sequence created in this run with the column that owns it (serial, identity,
            // CREATE SEQUENCE … OWNED BY).
            None => {
                let key = name.key();
                self.owner_candidates(name).any(|(_, t)| {
                    t.owned()
                        .any(|o| o.created_in_run && o.sequence.key() == key)
                })
            }
        }
    }

    /// Every index the input told us about on `table`, sorted by name.
    pub fn indexes_of(&self, table: &QName) -> Vec<QName> {
        let key = table.key();
        let mut out: Vec<QName> = self
            .indexes
            .iter()
            .filter(|(_, i)| i.table == key)
            .map(|(i, _)| match i.split_once('.') {
                Some((schema, name)) => QName {
                    schema: Some(schema.to_string()),
                    name: name.to_string(),
                },
                None => QName::new(i),
            })
            .collect();
        out.sort();
        out
    }

    /// A domain the input created with (or gave) a CHECK or NOT NULL constraint: adding a
    /// column of it rewrites the table.
    pub fn is_constrained_domain(&self, name: &str) -> bool {
        self.types.contains(name) && self.constrained_domains.contains(name)
    }

    /// Whether `table` is UNLOGGED, when the input showed its CREATE.
    pub fn unlogged(&self, table: &QName) -> Option<bool> {
        self.table(table).filter(|t| t.defined).map(|t| t.unlogged)
    }

    /// The tablespace `table` is in, when the input named it.
    pub fn tablespace(&self, table: &QName) -> Option<&str> {
        self.table(table)?.placement.as_ref()?.tablespace.as_deref()
    }

    /// The table access method of `table`, when the input named it.
    pub fn access_method(&self, table: &QName) -> Option<&str> {
        self.table(table)?
            .placement
            .as_ref()?
            .access_method
            .as_deref()
    }

    /// `column` of `table` may be in an index: the input showed one on it, or one whose columns
    /// it did not show, or it never showed the table's CREATE.
    pub fn column_may_be_indexed(&self, table: &QName, column: &str) -> bool {
        if !self.defined(table) {
            return true;
        }
        self.indexes_of(table).iter().any(|i| {
            self.index_columns(i)
                .is_none_or(|cols| cols.iter().any(|c| c == column))
        })
    }

    /// The columns of an index the input created and the catalog still knows.
    pub fn index_columns(&self, index: &QName) -> Option<&[String]> {
        self.indexes
            .get(&index.key())
            .and_then(|i| i.columns.as_deref())
    }

    pub fn index_table(&self, index: &QName) -> Option<QName> {
        self.indexes
            .get(&index.key())
            .map(|i| match i.table.split_once('.') {
                Some((schema, name)) => QName {
                    schema: Some(schema.to_string()),
                    name: name.to_string(),
                },
                None => QName::new(&i.table),
            })
    }

    /// The table to change in place; what it was is saved first, once per mark, unless it was
    /// created since the last mark (rolling back removes it).
    fn edit(&mut self, key: &str) -> Option<&mut Table> {
        let generation = self.generation;
        let t = self.tables.get_mut(key)?;
        if t.gens.must_save(generation) {
            let before = t.clone();
            t.gens.saved = generation;
            self.undo
                .push(Undo::Table(key.to_string(), Some(Box::new(before))));
        }
        self.tables.get_mut(key)
    }

    fn put(&mut self, key: String, table: Option<Table>) {
        let generation = self.generation;
        let before = match table {
            Some(mut t) => {
                t.gens = Gens::new_in(generation);
                self.tables.insert(key.clone(), t)
            }
            None => self.tables.remove(&key),
        };
        if let Some(b) = before
            && b.gens.must_save(generation)
        {
            self.undo.push(Undo::Table(key, Some(Box::new(b))));
        }
    }

    fn put_index(&mut self, name: String, index: Option<Index>) {
        let generation = self.generation;
        let before = match index {
            Some(mut i) => {
                i.gens = Gens::new_in(generation);
                self.indexes.insert(name.clone(), i)
            }
            None => self.indexes.remove(&name),
        };
        if let Some(b) = before
            && b.gens.must_save(generation)
        {
            self.undo.push(Undo::Index(name, Some(Box::new(b))));
        }
    }

    /// A new generation: what exists now is saved again before its next change.
    fn forget_saved(&mut self) {
        self.generation += 1;
    }

    /// A position to roll back to (SAVEPOINT); changes after it are recorded anew.
    pub fn mark(&mut self) -> Mark {
        self.forget_saved();
        Mark {
            undo: self.undo.len(),
            generation: self.generation,
        }
    }

    /// ROLLBACK: undoes the open transaction.
    pub fn rollback(&mut self) {
        self.rollback_to(self.start);
        self.start = Mark {
            undo: 0,
            generation: self.generation,
        };
    }

    /// Undoes every change after `mark` (ROLLBACK TO): restores what was saved, then removes
    /// the tables and indexes created since.
    pub fn rollback_to(&mut self, mark: Mark) {
        while self.undo.len() > mark.undo {
            match self.undo.pop() {
                Some(Undo::Table(k, Some(t))) => {
                    self.tables.insert(k, *t);
                }
                Some(Undo::Table(k, None)) => {
                    self.tables.remove(&k);
                }
                Some(Undo::Index(k, Some(t))) => {
                    self.indexes.insert(k, *t);
                }
                Some(Undo::Index(k, None)) => {
                    self.indexes.remove(&k);
                }
                Some(Undo::Type(name, true)) => {
                    self.types.remove(&name);
                }
                Some(Undo::Type(name, false)) => {
                    self.types.insert(name);
                }
                Some(Undo::Enum(name, true)) => {
                    self.enums.remove(&name);
                }
                Some(Undo::Enum(name, false)) => {
                    self.enums.insert(name);
                }
                Some(Undo::ConstrainedDomain(name, before)) => {
                    self.constrained(&name, before);
                }
                None => {}
            }
        }
        self.tables.retain(|_, t| t.gens.created < mark.generation);
        self.indexes.retain(|_, i| i.gens.created < mark.generation);
        self.forget_saved();
    }

    /// Records whether domain `name` has a constraint, undoably.
    fn set_constrained(&mut self, name: &str, constrained: bool) {
        let before = self.constrained(name, constrained);
        if before != constrained {
            self.undo
                .push(Undo::ConstrainedDomain(name.to_string(), before));
        }
    }

    /// Sets whether domain `name` has a constraint; returns whether it had one.
    fn constrained(&mut self, name: &str, constrained: bool) -> bool {
        if constrained {
            !self.constrained_domains.insert(name.to_string())
        } else {
            self.constrained_domains.remove(name)
        }
    }

    /// COMMIT: changes become permanent.
    pub fn commit(&mut self) {
        self.undo.clear();
        self.forget_saved();
        self.start = Mark {
            undo: 0,
            generation: self.generation,
        };
    }

    /// Learns what `op` does to the schema. `new`: the statement belongs to this run (not to a
    /// history revision already applied in production), so what it creates is new.
    pub fn apply(&mut self, op: &Op, new: bool) {
        self.learn(op, new);
        // Keep the reverse indexes (foreign keys, views) up to date with what changed.
        match op {
            Op::CreateTable { table, .. }
            | Op::AlterTable { table, .. }
            | Op::CreateView { view: table, .. } => self.index_links(&table.key()),
            Op::Rename {
                object,
                target: RenameTarget::Table,
                new_name,
                ..
            } => self.index_links(
                &QName {
                    schema: object.schema.clone(),
                    name: new_name.clone(),
                }
                .key(),
            ),
            _ => {}
        }
    }

    fn learn(&mut self, op: &Op, new: bool) {
        match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                partition_of,
                default_partition,
                partitioned,
                partition_key,
                inherits,
                unlogged,
                tablespace,
                access_method,
                ..
            } => {
                let mut t = Table {
                    unlogged: *unlogged,
                    placement: (tablespace.is_some() || access_method.is_some()).then(|| {
                        Box::new(Placement {
                            tablespace: tablespace.as_deref().map(Into::into),
                            access_method: access_method.as_deref().map(Into::into),
                        })
                    }),
                    columns: columns
                        .iter()
                        .map(|c| (c.name.as_str().into(), c.ty.clone()))
                        .collect(),
                    sequences: columns
                        .iter()
                        .filter_map(|c| column_sequence(table, c, new))
                        .collect(),
                    created_in_run: new,
                    defined: true,
                    partitioned: *partitioned,
                    partition_key: partition_key.iter().cloned().collect(),
                    ..Default::default()
                };
                for c in columns {
                    if c.not_null || c.primary_key || c.identity || c.serial {
                        t.set_not_null(&c.name, true);
                    }
                }
                let mut indexes = Vec::new();
                for c in constraints {
                    if matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey) {
                        t.add_key(&c.columns);
                    }
                    if c.kind == ConstraintKind::PrimaryKey {
                        for col in &c.columns {
                            t.set_not_null(col, true);
                        }
                    }
                    if let Some(name) = constraint_name(table, c) {
                        t.constraints.insert(name.clone(), constraint_of(c));
                        if matches!(
                            c.kind,
                            ConstraintKind::Unique
                                | ConstraintKind::PrimaryKey
                                | ConstraintKind::Exclusion
                        ) {
                            indexes.push((index_key(table, &name), c.columns.clone()));
                        }
                    }
                }
                // PostgreSQL's own names for column-level PRIMARY KEY / UNIQUE indexes.
                for col in columns {
                    if col.primary_key || col.unique {
                        t.add_key(std::slice::from_ref(&col.name));
                    }
                    let kind = if col.primary_key
                        && !constraints
                            .iter()
                            .any(|c| c.kind == ConstraintKind::PrimaryKey)
                    {
                        ConstraintKind::PrimaryKey
                    } else if col.unique {
                        ConstraintKind::Unique
                    } else {
                        continue;
                    };
                    let columns = vec![col.name.clone()];
                    if let Some(name) = key_index_name(&table.name, kind, &columns) {
                        indexes.push((index_key(table, &name), columns));
                    }
                }
                for (ix, columns) in indexes {
                    let index = Index {
                        table: table.key(),
                        created_in_run: new,
                        columns: Some(columns),
                        gens: Gens::default(),
                    };
                    self.put_index(ix, Some(index));
                }
                for col in columns {
                    if let Some(r) = &col.references {
                        let name = r
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("{}_{}_fkey", table.name, col.name));
                        t.constraints
                            .insert(name, Constraint::column_fk(&col.name, r));
                    }
                }
                // Partitions and inheritance children have their parents' columns (and defaults).
                for parent in partition_of.iter().chain(inherits) {
                    if let Some(p) = self.table(parent) {
                        for (c, ty) in &p.columns {
                            if !t.has_column(c) {
                                push_lean(&mut t.columns, (c.clone(), ty.clone()));
                            }
                        }
                        // The parent's defaults (its sequences stay the parent's).
                        for s in p.sequences.iter().filter(|s| s.default) {
                            if !t.sequences.iter().any(|x| x.column == s.column) {
                                push_lean(
                                    &mut t.sequences,
                                    ColumnSequence {
                                        owned: false,
                                        identity: false,
                                        created_in_run: false,
                                        ..s.clone()
                                    },
                                );
                            }
                        }
                    }
                }
                // A partition gets a copy of its parent's key indexes, under PostgreSQL's names.
                let cloned: Vec<(String, Vec<String>)> = partition_of
                    .iter()
                    .filter_map(|p| self.table(p))
                    .flat_map(|p| p.constraints.values())
                    .filter_map(|c| {
                        let name = key_index_name(&table.name, c.kind, &c.columns)?;
                        Some((name, c.columns.iter().map(|x| x.to_string()).collect()))
                    })
                    .collect();
                self.put(table.key(), Some(t));
                for (name, columns) in cloned {
                    let index = Index {
                        table: table.key(),
                        created_in_run: new,
                        columns: Some(columns),
                        gens: Gens::default(),
                    };
                    self.put_index(index_key(table, &name), Some(index));
                }
                if let Some(parent) = partition_of {
                    self.link(parent, table, *default_partition);
                }
                for parent in inherits {
                    self.link(parent, table, false);
                }
            }
            Op::CreateTableAs { table, .. } => {
                self.put(
                    table.key(),
                    Some(Table {
                        created_in_run: new,
                        defined: true,
                        ..Default::default()
                    }),
                );
            }
            Op::CreateDomain {
                name,
                constrained,
                base,
            } => {
                if self.types.insert(name.clone()) {
                    self.undo.push(Undo::Type(name.clone(), true));
                }
                match base {
                    Some(b) => {
                        self.domain_bases.insert(name.clone(), b.clone());
                    }
                    None => {
                        self.domain_bases.remove(name);
                    }
                }
                self.set_constrained(name, *constrained);
            }
            Op::AlterDomain {
                name,
                action: DomainAction::AddConstraint { .. } | DomainAction::SetNotNull,
                ..
            } => {
                self.set_constrained(name, true);
            }
            Op::CreateView {
                view,
                sources,
                materialized,
                columns,
                ..
            } => {
                let created_in_run = self.table(view).map_or(new, |t| t.created_in_run);
                let view_table = Table {
                    created_in_run,
                    defined: true,
                    is_view: true,
                    materialized: *materialized,
                    sources: sources.iter().cloned().collect(),
                    view_columns: columns.iter().map(|c| c.as_str().into()).collect(),
                    ..Default::default()
                };
                self.put(view.key(), Some(view_table));
            }
            Op::AlterTable { table, cmds, .. } => {
                let key = table.key();
                for cmd in cmds {
                    if let AlterCmd::AddConstraint(c) = cmd {
                        if let (Some(ix), Some(name)) = (&c.using_index, &c.name) {
                            // The index is renamed to the constraint's name.
                            let before = self.indexes.get(&index_key(table, ix)).cloned();
                            self.put_index(index_key(table, ix), None);
                            self.put_index(
                                index_key(table, name),
                                before.or(Some(Index {
                                    table: key.clone(),
                                    created_in_run: false,
                                    columns: None,
                                    gens: Gens::default(),
                                })),
                            );
                        } else if let Some(name) = constraint_name(table, c)
                            && c.using_index.is_none()
                            && matches!(
                                c.kind,
                                ConstraintKind::Unique
                                    | ConstraintKind::PrimaryKey
                                    | ConstraintKind::Exclusion
                            )
                        {
                            let index = Index {
                                table: key.clone(),
                                created_in_run: new,
                                columns: None,
                                gens: Gens::default(),
                            };
                            self.put_index(index_key(table, &name), Some(index));
                        }
                    }
                    if !self.tables.contains_key(&key) {
                        // A table from before the input: learn what this input tells about it.
                        self.put(key.clone(), Some(Table::default()));
                    }
                    match cmd {
                        AlterCmd::AttachPartition {
                            partition, default, ..
                        } => {
                            self.link(table, partition, *default);
                        }
                        AlterCmd::DetachPartition {
                            partition,
                            concurrently,
                            finalize,
                        } if !*concurrently || *finalize => {
                            self.unlink(&key, &partition.key());
                        }
                        AlterCmd::Inherit {
                            parent: Some(parent),
                            drop,
                        } => {
                            if *drop {
                                self.unlink(&parent.key(), &key);
                            } else {
                                self.link(parent, table, false);
                            }
                        }
                        _ => {}
                    }
                    let Some(t) = self.edit(&key) else { return };
                    match cmd {
                        AlterCmd::AddColumn { column, .. } => {
                            if !t.has_column(&column.name) {
                                push_lean(
                                    &mut t.columns,
                                    (column.name.as_str().into(), column.ty.clone()),
                                );
                            }
                            if let Some(seq) = column_sequence(table, column, new) {
                                push_lean(&mut t.sequences, seq);
                            }
                            t.set_not_null(
                                &column.name,
                                column.not_null
                                    || column.primary_key
                                    || column.identity
                                    || column.serial,
                            );
                            if let Some(r) = &column.references {
                                t.constraints.insert(
                                    r.name.clone().unwrap_or_else(|| {
                                        format!("{}_{}_fkey", table.name, column.name)
                                    }),
                                    Constraint::column_fk(&column.name, r),
                                );
                            }
                        }
                        AlterCmd::DropColumn { column, .. } => {
                            t.columns.retain(|(c, _)| **c != **column);
                            // The sequences it owns are dropped with it.
                            t.sequences.retain(|s| *s.column != **column);
                        }
                        AlterCmd::Identity { column, action } => match action {
                            IdentityAction::Add => {
                                t.drop_default_sequences(column);
                                push_lean(
                                    &mut t.sequences,
                                    ColumnSequence {
                                        column: column.as_str().into(),
                                        sequence: implicit_sequence(table, column),
                                        default: true,
                                        owned: true,
                                        identity: true,
                                        created_in_run: new,
                                    },
                                );
                            }
                            IdentityAction::Drop => {
                                t.sequences
                                    .retain(|s| !(s.identity && *s.column == **column));
                            }
                            _ => {}
                        },
                        AlterCmd::SetDefault { column, default } => {
                            t.drop_default_sequences(column);
                            if let Some(sequence) = default
                                .as_ref()
                                .and_then(|d| crate::facts::default_sequence(&d.text))
                            {
                                push_lean(
                                    &mut t.sequences,
                                    ColumnSequence {
                                        column: column.as_str().into(),
                                        sequence,
                                        default: true,
                                        owned: false,
                                        identity: false,
                                        created_in_run: false,
                                    },
                                );
                            }
                        }
                        AlterCmd::AlterType { column, ty, .. } => {
                            if let Some(c) = t.columns.iter_mut().find(|(c, _)| **c == *column) {
                                c.1 = Some(ty.clone());
                            }
                        }
                        AlterCmd::AddConstraint(c) => {
                            if let Some(name) = constraint_name(table, c) {
                                t.constraints.insert(name, constraint_of(c));
                            }
                            if matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey)
                            {
                                t.add_key(&c.columns);
                            }
                            if c.kind == ConstraintKind::PrimaryKey {
                                for col in &c.columns {
                                    t.set_not_null(col, true);
                                }
                            }
                        }
                        AlterCmd::SetNotNull { column } => t.set_not_null(column, true),
                        AlterCmd::SetLogged => t.unlogged = false,
                        AlterCmd::SetUnlogged => t.unlogged = true,
                        AlterCmd::SetTablespace { name } => {
                            t.placement.get_or_insert_default().tablespace =
                                Some(name.as_str().into());
                        }
                        AlterCmd::SetAccessMethod { name } => {
                            t.placement.get_or_insert_default().access_method =
                                name.as_deref().map(Into::into);
                        }
                        AlterCmd::DropNotNull { column } => t.set_not_null(column, false),
                        AlterCmd::ValidateConstraint { name } => {
                            if let Some(c) = t.constraints.get_mut(name) {
                                c.validated = true;
                            }
                        }
                        AlterCmd::DropConstraint { name, .. } => {
                            t.constraints.remove(name);
                        }
                        _ => {}
                    }
                }
            }
            Op::Rename {
                object,
                target,
                new_name,
                ..
            } => match target {
                RenameTarget::Table => {
                    let new = QName {
                        schema: object.schema.clone(),
                        name: new_name.clone(),
                    };
                    if let Some(t) = self.table(object).cloned() {
                        self.put(object.key(), None);
                        self.put(new.key(), Some(t));
                    }
                    // Indexes follow their table.
                    let moved: Vec<(String, Index)> = self
                        .indexes
                        .iter()
                        .filter(|(_, i)| i.table == object.key())
                        .map(|(name, i)| (name.clone(), i.clone()))
                        .collect();
                    for (name, i) in moved {
                        let table = new.key();
                        self.put_index(name, Some(Index { table, ..i }));
                    }
                }
                RenameTarget::Column { column } => {
                    if let Some(t) = self.edit(&object.key())
                        && let Some(c) = t.columns.iter_mut().find(|(c, _)| **c == *column)
                    {
                        c.0 = new_name.as_str().into();
                        if let Some(k) = t.keys.iter_mut().find(|k| ***k == *column) {
                            *k = new_name.as_str().into();
                        }
                        for s in t.sequences.iter_mut().filter(|s| *s.column == **column) {
                            s.column = new_name.as_str().into();
                        }
                    }
                }
                RenameTarget::Index => {
                    if let Some(t) = self.indexes.get(&object.key()).cloned() {
                        self.put_index(object.key(), None);
                        let new = QName {
                            schema: object.schema.clone(),
                            name: new_name.clone(),
                        };
                        self.put_index(new.key(), Some(t));
                    }
                }
                _ => {}
            },
            Op::CreateIndex {
                name,
                table,
                unique,
                columns,
                if_not_exists,
                ..
            } => {
                // IF NOT EXISTS of an index the input created: nothing happens.
                if *if_not_exists
                    && name
                        .as_ref()
                        .is_some_and(|n| self.indexes.contains_key(&index_key(table, n)))
                {
                    return;
                }
                if let Some(name) = name {
                    let index = Index {
                        table: table.key(),
                        created_in_run: new,
                        columns: Some(columns.clone()),
                        gens: Gens::default(),
                    };
                    self.put_index(index_key(table, name), Some(index));
                }
                if *unique {
                    if !self.tables.contains_key(&table.key()) {
                        self.put(table.key(), Some(Table::default()));
                    }
                    if let Some(t) = self.edit(&table.key()) {
                        t.add_key(columns);
                    }
                }
            }
            Op::DropIndex { indexes, .. } => {
                for i in indexes {
                    self.put_index(i.key(), None);
                }
            }
            Op::CreateTrigger {
                table,
                name,
                function,
                row,
            } => {
                if let Some(t) = self.edit(&table.key())
                    && !t.triggers.iter().any(|x| *x.name == **name)
                {
                    push_lean(
                        &mut t.triggers,
                        Trigger {
                            name: name.as_str().into(),
                            function: function.as_str().into(),
                            row: *row,
                        },
                    );
                }
            }
            Op::DropTrigger { table, name, .. } => {
                if let Some(t) = self.edit(&table.key()) {
                    t.triggers.retain(|x| *x.name != **name);
                }
            }
            Op::CreateEnum { name } if self.enums.insert(name.clone()) => {
                self.undo.push(Undo::Enum(name.clone(), true));
                if self.types.insert(name.clone()) {
                    self.undo.push(Undo::Type(name.clone(), true));
                }
            }
            Op::RenameType { name, new_name } => {
                if self.enums.remove(name) {
                    self.undo.push(Undo::Enum(name.clone(), false));
                    if self.enums.insert(new_name.clone()) {
                        self.undo.push(Undo::Enum(new_name.clone(), true));
                    }
                }
                let keys: Vec<String> = self
                    .tables
                    .iter()
                    .filter(|(_, t)| {
                        t.columns
                            .iter()
                            .any(|(_, ty)| ty.as_ref().is_some_and(|ty| ty.name == *name))
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in keys {
                    if let Some(t) = self.edit(&k) {
                        for (_, ty) in t.columns.iter_mut() {
                            if let Some(ty) = ty.as_mut().filter(|ty| ty.name == *name) {
                                ty.name = new_name.clone().into();
                            }
                        }
                    }
                }
            }
            Op::AlterSequence {
                sequence,
                owned_by: Some(owner),
            } => {
                // A sequence the run created keeps that when it changes owner.
                let created = self.is_new(sequence);
                self.own(sequence, owner.as_ref(), created)
            }
            Op::CreateSequence {
                sequence,
                owned_by: Some(owner),
            } => self.own(sequence, Some(owner), new),
            Op::DropRelation {
                kind: RelKind::Sequence,
                names,
                ..
            } => {
                for n in names {
                    self.own(n, None, false);
                }
            }
            Op::DropRelation { names, .. } => {
                for n in names {
                    let Some(t) = self.table(n) else { continue };
                    // Partitions go with their partitioned table.
                    let partitions = if t.partitioned {
                        self.descendants(n, true).names
                    } else {
                        Vec::new()
                    };
                    for p in partitions.iter().chain(std::iter::once(n)) {
                        self.forget(p);
                    }
                }
            }
            Op::DropObject {
                schemas,
                cascade: true,
                ..
            } => {
                for s in schemas {
                    for t in self.schema_relations(s).0 {
                        self.forget(&t);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_not_null_checks() {
        assert_eq!(not_null_check(Some("qty IS NOT NULL")), Some("qty".into()));
        assert_eq!(
            not_null_check(Some("(qty IS NOT NULL)")),
            Some("qty".into())
        );
        assert_eq!(not_null_check(Some("qty > 0")), None);
    }
}
