//! The lock knowledge base: `rules/locks.toml` compiled into the binary. For a statement kind
//! (a key chosen by `classify`) and a PostgreSQL major it answers: which lock on which relation role,
//! and whether the table is rewritten, scanned under the lock, or only the catalog changes.

use crate::locks::LockMode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const LOCKS_TOML: &str = include_str!("../rules/locks.toml");
/// The schema every example in `rules/locks.toml` runs against.
pub const FIXTURE_SQL: &str = include_str!("../rules/fixture.sql");

/// The PostgreSQL majors pgrisk knows, and the one it assumes when not told (the oldest
/// community-supported major). Defined here only.
pub const MIN_VERSION: u32 = 11;
pub const MAX_VERSION: u32 = 18;
pub const DEFAULT_VERSION: u32 = 15;

include!(concat!(env!("OUT_DIR"), "/kb_keys.rs"));

impl Key {
    /// INSERT, UPDATE, DELETE or MERGE of the rows of the relation it names.
    pub fn writes_rows(self) -> bool {
        matches!(
            self,
            Key::Insert
                | Key::InsertSelect
                | Key::Update
                | Key::UpdateForeignKey
                | Key::UpdateReferencedKey
                | Key::Delete
                | Key::Merge
        )
    }
}

/// The relation a lock is taken on, relative to the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The relation the statement names (the altered table, the index's table, the view, ...).
    Table,
    /// The table a FOREIGN KEY references.
    Referenced,
    /// The partitioned (or inheritance) parent.
    Parent,
    /// The partition being attached or detached.
    Partition,
    /// An index the statement names.
    Index,
    /// Tables read by a query inside the statement (views, INSERT … SELECT, CREATE TABLE AS).
    Source,
    /// Every partition and inheritance child of the named table, at any depth (not with `ONLY`).
    Children,
    /// Every partition of the named table when it is partitioned, at any depth (inheritance
    /// children are not locked; not with `ONLY`).
    Partitions,
    /// The DEFAULT partition of the partitioned table (the parent of `PARTITION OF`/`ATTACH`).
    DefaultPartition,
    /// Tables whose FOREIGN KEYs reference the named table.
    Referencing,
    /// Every partition of the `referencing` tables that are partitioned: their foreign keys
    /// (and RI triggers) are on each partition too.
    ReferencingPartitions,
    /// Views and materialized views that read the named table (dropped by `CASCADE`, locked
    /// through a view by `LOCK TABLE`).
    Dependents,
    /// Views and materialized views that use the named column, and the views that read them
    /// (dropped by `DROP COLUMN … CASCADE`).
    ColumnDependents,
    /// Tables with a column that uses the named domain, type or sequence (its type, its default).
    Users,
    /// Every partition and inheritance child of the tables a query inside the statement reads.
    SourceChildren,
    /// The tables the named table's FOREIGN KEYs reference (RI checks lock them).
    FkReferenced,
    /// A sequence the statement uses (`nextval`, `setval`, a column default), or the one a
    /// column it names owns (an identity column's, a serial's).
    Sequence,
    /// Every partition of the table a FOREIGN KEY references (`referenced`), when it is
    /// partitioned: the RI triggers live on each partition.
    ReferencedPartitions,
    /// The sequences owned by the named table's columns (serial, identity, `ALTER SEQUENCE …
    /// OWNED BY`): they go where the table goes.
    OwnedSequences,
    /// The table a sequence is made `OWNED BY`.
    OwningTable,
    /// The partitioned tables the named table is a partition of, at any depth (a row written
    /// to a partition is checked against their partition constraints).
    PartitionAncestors,
}

impl Role {
    /// Relations of this role are found from what the input taught about the named one (its
    /// partitions, foreign keys, views, columns), not named by the statement itself.
    pub fn is_derived(self) -> bool {
        matches!(
            self,
            Role::Children
                | Role::FkReferenced
                | Role::SourceChildren
                | Role::Partitions
                | Role::DefaultPartition
                | Role::Referencing
                | Role::ReferencingPartitions
                | Role::Dependents
                | Role::Users
                | Role::ReferencedPartitions
                | Role::OwnedSequences
                | Role::PartitionAncestors
        )
    }

    /// The role as rules/locks.toml and the JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Table => "table",
            Role::Referenced => "referenced",
            Role::Parent => "parent",
            Role::Partition => "partition",
            Role::Index => "index",
            Role::Source => "source",
            Role::Children => "children",
            Role::Partitions => "partitions",
            Role::DefaultPartition => "default_partition",
            Role::Referencing => "referencing",
            Role::ReferencingPartitions => "referencing_partitions",
            Role::Dependents => "dependents",
            Role::ColumnDependents => "column_dependents",
            Role::Users => "users",
            Role::SourceChildren => "source_children",
            Role::FkReferenced => "fk_referenced",
            Role::Sequence => "sequence",
            Role::ReferencedPartitions => "referenced_partitions",
            Role::OwnedSequences => "owned_sequences",
            Role::OwningTable => "owning_table",
            Role::PartitionAncestors => "partition_ancestors",
        }
    }

    /// How reports name relations of a derived role whose set pgrisk could not learn.
    pub fn describe_unknown(self) -> &'static str {
        match self {
            Role::Children => "its partitions and inheritance children, if any",
            Role::Partitions => "its partitions, if any",
            Role::DefaultPartition => "its default partition, if any",
            Role::Referencing => "tables with foreign keys to it, if any",
            Role::ReferencingPartitions => {
                "partitions of the tables with foreign keys to it, if any"
            }
            Role::Dependents => "views that read it, if any",
            Role::ColumnDependents => "views that use the column, if any",
            Role::Users => "tables with a column that uses it, if any",
            Role::SourceChildren => "partitions and inheritance children of what it reads, if any",
            Role::FkReferenced => "the tables its foreign keys reference, if any",
            // `of` is the referenced table.
            Role::ReferencedPartitions => "its partitions, if any",
            Role::OwnedSequences => "its owned sequences, if any",
            Role::PartitionAncestors => "the partitioned tables it is a partition of, if any",
            // The sequence of the column a statement names (identity, serial), pgrisk did not see.
            Role::Sequence => "the sequence its column owns, if any",
            // Only DROP SCHEMA … CASCADE (the schema's relations), DROP FUNCTION … CASCADE (the
            // tables of triggers that call it) and a bare ANALYZE / VACUUM (every table) leave
            // their `table` role open.
            Role::Table => "relations the input did not show, if any",
            _ => "related relations, if any",
        }
    }
}

/// What the statement does to the table's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Only the system catalog changes: fast once the lock is granted.
    Catalog,
    /// Changes rows (INSERT/UPDATE/DELETE): row locks, time proportional to the rows touched.
    Dml,
    /// Swaps in a new, empty file (new relfilenode) without reading the old one (TRUNCATE):
    /// no scan, no time that grows with the table.
    Empty,
    /// Reads the whole table while holding the lock (validation, index build).
    Scan,
    /// Writes a new copy of the table and its indexes (new relfilenode).
    Rewrite,
}

impl Effect {
    pub fn scans(self) -> bool {
        matches!(self, Effect::Scan | Effect::Rewrite)
    }
    pub fn rewrites(self) -> bool {
        self == Effect::Rewrite
    }
    /// A new, empty relfilenode: the rows are gone, none are read or copied.
    pub fn empties(self) -> bool {
        self == Effect::Empty
    }
    pub fn describe(self) -> &'static str {
        match self {
            Effect::Catalog => "catalog only",
            Effect::Dml => "row changes",
            Effect::Empty => "empties the table",
            Effect::Scan => "scans table",
            Effect::Rewrite => "rewrites table",
        }
    }
}

/// An inclusive range of PostgreSQL majors, written "12", "12-", "11-14".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versions {
    pub min: u32,
    pub max: u32,
}

impl Versions {
    pub const ALL: Versions = Versions {
        min: MIN_VERSION,
        max: MAX_VERSION,
    };

    pub fn parse(s: &str) -> Option<Versions> {
        let s = s.trim();
        let (a, b) = match s.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (s, s),
        };
        let min = if a.is_empty() {
            MIN_VERSION
        } else {
            a.parse().ok()?
        };
        let max = if b.is_empty() {
            MAX_VERSION
        } else {
            b.parse().ok()?
        };
        (min <= max).then_some(Versions { min, max })
    }

    pub fn contains(self, v: u32) -> bool {
        self.min <= v && v <= self.max
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    versions: String,
    locks: Option<BTreeMap<Role, LockMode>>,
    effect: Option<Effect>,
    concurrently: Option<bool>,
    fails: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    key: String,
    title: String,
    example: String,
    #[serde(default)]
    also: Vec<RawAlso>,
    setup: Option<String>,
    hold: Option<String>,
    #[serde(default)]
    walk: bool,
    versions: Option<String>,
    #[serde(default)]
    concurrently: bool,
    #[serde(default)]
    only_locks_children: bool,
    locks: BTreeMap<Role, LockMode>,
    effect: Effect,
    #[serde(default)]
    by_version: Vec<RawOverride>,
    source: String,
    note: Option<String>,
    fails: Option<String>,
}

/// A further example: SQL, or SQL with the majors it runs on and, optionally, a setup of its
/// own instead of the entry's (`{ sql = "…", versions = "12-", setup = "…" }`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawAlso {
    Sql(String),
    Versioned {
        sql: String,
        versions: Option<String>,
        setup: Option<String>,
    },
}

/// A further example of an entry.
#[derive(Clone, Debug)]
pub struct Also {
    pub sql: String,
    pub versions: Versions,
    /// Replaces the entry's setup for this example.
    pub setup: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawFile {
    entry: Vec<RawEntry>,
}

/// Locks and effect of one entry on one PostgreSQL major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Behaviour {
    pub locks: Vec<(Role, LockMode)>,
    pub effect: Effect,
    /// The server rejects the statement: the start of its error message (the truth tests check
    /// that the example fails with it; the locks and effect are then those of the attempt).
    pub fails: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub title: String,
    /// A statement that runs against `FIXTURE_SQL` (after `setup`).
    pub example: String,
    /// More statements of the same kind the truth tests run (e.g. on a partitioned table, where
    /// the example names a table with inheritance children).
    pub also: Vec<Also>,
    pub setup: Option<String>,
    /// What the truth tests' lock blocker session holds instead of reading every table: for a
    /// statement that holds all its locks at once only while it waits at one relation.
    pub hold: Option<String>,
    /// Takes its locks one relation at a time, each in a transaction of its own (VACUUM): the
    /// truth tests hold every relation and let it past one relation at a time.
    pub walk: bool,
    /// Cannot run inside a transaction block (CONCURRENTLY forms, VACUUM).
    pub concurrently: bool,
    /// `ONLY` does not spare the children: they are locked anyway (DROP COLUMN).
    pub only_locks_children: bool,
    pub versions: Versions,
    pub source: String,
    pub note: Option<String>,
    base: Behaviour,
    overrides: Vec<Override>,
    /// Every role locked on some major (computed once, at load).
    roles: Vec<Role>,
}

#[derive(Clone, Debug)]
struct Override {
    versions: Versions,
    locks: Option<Vec<(Role, LockMode)>>,
    effect: Option<Effect>,
    concurrently: Option<bool>,
    fails: Option<String>,
}

impl Entry {
    /// The entry once per statement the truth tests run for it on `version`: its example, then
    /// each of `also` that applies (with its own setup, if it has one).
    pub fn examples(&self, version: u32) -> Vec<Entry> {
        let mut out = vec![self.with_example(&self.example)];
        for a in self.also.iter().filter(|a| a.versions.contains(version)) {
            let mut e = self.with_example(&a.sql);
            if a.setup.is_some() {
                e.setup = a.setup.clone();
            }
            out.push(e);
        }
        out
    }

    /// The entry with `example` as its example (to check one of `also`).
    /// Every role the entry locks on some major.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn with_example(&self, example: &str) -> Entry {
        Entry {
            example: example.to_string(),
            also: Vec::new(),
            ..self.clone()
        }
    }

    pub fn applies_to(&self, version: u32) -> bool {
        self.versions.contains(version)
    }

    pub fn behaviour(&self, version: u32) -> Behaviour {
        let mut b = self.base.clone();
        for o in self
            .overrides
            .iter()
            .filter(|o| o.versions.contains(version))
        {
            if let Some(locks) = &o.locks {
                b.locks = locks.clone();
            }
            if let Some(effect) = o.effect {
                b.effect = effect;
            }
            if o.fails.is_some() {
                b.fails = o.fails.clone();
            }
        }
        b
    }

    /// Cannot run inside a transaction block on `version` (CONCURRENTLY forms, VACUUM, and
    /// ALTER TYPE … ADD VALUE before PostgreSQL 12).
    pub fn outside_transaction(&self, version: u32) -> bool {
        self.overrides
            .iter()
            .rev()
            .find(|o| o.versions.contains(version) && o.concurrently.is_some())
            .and_then(|o| o.concurrently)
            .unwrap_or(self.concurrently)
    }
}

fn load() -> Result<Vec<Entry>, String> {
    let raw: RawFile = toml::from_str(LOCKS_TOML).map_err(|e| format!("rules/locks.toml: {e}"))?;
    let mut entries: Vec<Entry> = Vec::with_capacity(raw.entry.len());
    for e in raw.entry {
        let bad = |what: &str| format!("rules/locks.toml: entry {}: bad {what}", e.key);
        let versions = match &e.versions {
            Some(v) => Versions::parse(v).ok_or_else(|| bad("versions"))?,
            None => Versions::ALL,
        };
        let mut also = Vec::new();
        for a in e.also {
            also.push(match a {
                RawAlso::Sql(sql) => Also {
                    sql,
                    versions: Versions::ALL,
                    setup: None,
                },
                RawAlso::Versioned {
                    sql,
                    versions,
                    setup,
                } => Also {
                    sql,
                    versions: match versions {
                        Some(v) => Versions::parse(&v).ok_or_else(|| bad("also.versions"))?,
                        None => Versions::ALL,
                    },
                    setup,
                },
            });
        }
        let mut overrides = Vec::new();
        for o in e.by_version {
            let range = Versions::parse(&o.versions).ok_or_else(|| bad("by_version.versions"))?;
            overrides.push(Override {
                versions: range,
                locks: o.locks.map(|l| l.into_iter().collect()),
                effect: o.effect,
                concurrently: o.concurrently,
                fails: o.fails,
            });
        }
        if entries.iter().any(|x| x.key == e.key) {
            return Err(format!("rules/locks.toml: duplicate key {}", e.key));
        }
        entries.push(Entry {
            base: Behaviour {
                locks: e.locks.into_iter().collect(),
                effect: e.effect,
                fails: e.fails,
            },
            key: e.key,
            title: e.title,
            example: e.example,
            also,
            setup: e.setup,
            hold: e.hold,
            walk: e.walk,
            concurrently: e.concurrently,
            only_locks_children: e.only_locks_children,
            versions,
            source: e.source,
            note: e.note,
            roles: Vec::new(),
            overrides,
        });
        let entry = entries.last_mut().expect("just pushed");
        let mut roles: Vec<Role> = entry
            .base
            .locks
            .iter()
            .chain(
                entry
                    .overrides
                    .iter()
                    .flat_map(|o| o.locks.iter().flatten()),
            )
            .map(|(r, _)| *r)
            .collect();
        roles.sort();
        roles.dedup();
        entry.roles = roles;
    }
    Ok(entries)
}

/// All entries, in file order. The file is part of the binary, so a malformed file is a
/// build defect caught by the tests, not a user error.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| load().unwrap_or_else(|e| panic!("{e}")))
}

/// The entry of a key (`Key` is generated from the same file, in the same order).
pub fn entry(key: Key) -> &'static Entry {
    &entries()[key as usize]
}

/// The entry named `key` in rules/locks.toml.
pub fn entry_named(key: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| e.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_base_loads() {
        assert!(load().is_ok(), "{:?}", load().err());
        assert!(entries().len() > 50);
        // `Key` indexes `entries()`: same keys, same order.
        let names: Vec<&str> = entries().iter().map(|e| e.key.as_str()).collect();
        let keys: Vec<&str> = Key::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, keys);
    }

    #[test]
    fn version_ranges() {
        assert_eq!(Versions::parse("12-"), Some(Versions { min: 12, max: 18 }));
        assert_eq!(Versions::parse("11"), Some(Versions { min: 11, max: 11 }));
        assert_eq!(
            Versions::parse("11-14"),
            Some(Versions { min: 11, max: 14 })
        );
        assert_eq!(Versions::parse("x"), None);
    }

    #[test]
    fn per_version_override() {
        let e = entry(Key::AlterTableSetNotNullProven);
        assert_eq!(e.behaviour(11).effect, Effect::Scan);
        assert_eq!(e.behaviour(12).effect, Effect::Catalog);
    }
}
