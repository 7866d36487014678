//! PostgreSQL's eight table-level lock modes, their conflict matrix and what each blocks.
//! Names match `pg_locks.mode` so JSON output can be compared with a live server directly.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A table-level lock mode, ordered from weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LockMode {
    AccessShareLock,
    RowShareLock,
    RowExclusiveLock,
    ShareUpdateExclusiveLock,
    ShareLock,
    ShareRowExclusiveLock,
    ExclusiveLock,
    AccessExclusiveLock,
}

/// What a lock held by a migration stops other sessions from doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Blocks {
    /// Plain `SELECT` (needs ACCESS SHARE).
    pub reads: bool,
    /// `INSERT`/`UPDATE`/`DELETE` (need ROW EXCLUSIVE).
    pub writes: bool,
    /// Other DDL, VACUUM, CREATE INDEX CONCURRENTLY, ... (need SHARE UPDATE EXCLUSIVE).
    pub ddl: bool,
}

impl LockMode {
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShareLock,
        LockMode::RowShareLock,
        LockMode::RowExclusiveLock,
        LockMode::ShareUpdateExclusiveLock,
        LockMode::ShareLock,
        LockMode::ShareRowExclusiveLock,
        LockMode::ExclusiveLock,
        LockMode::AccessExclusiveLock,
    ];

    /// The name used by `pg_locks.mode`.
    pub fn pg_name(self) -> &'static str {
        match self {
            LockMode::AccessShareLock => "AccessShareLock",
            LockMode::RowShareLock => "RowShareLock",
            LockMode::RowExclusiveLock => "RowExclusiveLock",
            LockMode::ShareUpdateExclusiveLock => "ShareUpdateExclusiveLock",
            LockMode::ShareLock => "ShareLock",
            LockMode::ShareRowExclusiveLock => "ShareRowExclusiveLock",
            LockMode::ExclusiveLock => "ExclusiveLock",
            LockMode::AccessExclusiveLock => "AccessExclusiveLock",
        }
    }

    /// The name `pgrisk explain` takes for it: `access-exclusive`.
    pub fn explain_name(self) -> String {
        self.sql_name().to_ascii_lowercase().replace(' ', "-")
    }

    /// The name used in SQL (`LOCK TABLE ... IN <mode> MODE`) and in the docs.
    pub fn sql_name(self) -> &'static str {
        match self {
            LockMode::AccessShareLock => "ACCESS SHARE",
            LockMode::RowShareLock => "ROW SHARE",
            LockMode::RowExclusiveLock => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusiveLock => "SHARE UPDATE EXCLUSIVE",
            LockMode::ShareLock => "SHARE",
            LockMode::ShareRowExclusiveLock => "SHARE ROW EXCLUSIVE",
            LockMode::ExclusiveLock => "EXCLUSIVE",
            LockMode::AccessExclusiveLock => "ACCESS EXCLUSIVE",
        }
    }

    pub fn from_pg_name(name: &str) -> Option<LockMode> {
        LockMode::ALL.into_iter().find(|m| m.pg_name() == name)
    }

    /// The conflict table of the PostgreSQL docs ("Table-Level Lock Modes"), as implemented by
    /// `LockConflicts[]` in `src/backend/storage/lmgr/lock.c`.
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let conflicts: &[LockMode] = match self {
            AccessShareLock => &[AccessExclusiveLock],
            RowShareLock => &[ExclusiveLock, AccessExclusiveLock],
            RowExclusiveLock => &[
                ShareLock,
                ShareRowExclusiveLock,
                ExclusiveLock,
                AccessExclusiveLock,
            ],
            ShareUpdateExclusiveLock => &[
                ShareUpdateExclusiveLock,
                ShareLock,
                ShareRowExclusiveLock,
                ExclusiveLock,
                AccessExclusiveLock,
            ],
            ShareLock => &[
                RowExclusiveLock,
                ShareUpdateExclusiveLock,
                ShareRowExclusiveLock,
                ExclusiveLock,
                AccessExclusiveLock,
            ],
            ShareRowExclusiveLock => &[
                RowExclusiveLock,
                ShareUpdateExclusiveLock,
                ShareLock,
                ShareRowExclusiveLock,
                ExclusiveLock,
                AccessExclusiveLock,
            ],
            ExclusiveLock => &[
                RowShareLock,
                RowExclusiveLock,
                ShareUpdateExclusiveLock,
                ShareLock,
                ShareRowExclusiveLock,
                ExclusiveLock,
                AccessExclusiveLock,
            ],
            AccessExclusiveLock => &LockMode::ALL,
        };
        conflicts.contains(&other)
    }

    pub fn blocks(self) -> Blocks {
        Blocks {
            reads: self.conflicts_with(LockMode::AccessShareLock),
            writes: self.conflicts_with(LockMode::RowExclusiveLock),
            ddl: self.conflicts_with(LockMode::ShareUpdateExclusiveLock),
        }
    }

    /// Blocks reads or writes: the modes a migration must not hold for long on a live table.
    pub fn is_dangerous(self) -> bool {
        let b = self.blocks();
        b.reads || b.writes
    }
}

impl Blocks {
    /// "reads, writes, DDL" in words for reports.
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.reads {
            parts.push("reads");
        }
        if self.writes {
            parts.push("writes");
        }
        if self.ddl {
            parts.push("DDL");
        }
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pg_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_matrix_is_symmetric() {
        for a in LockMode::ALL {
            for b in LockMode::ALL {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn what_each_mode_blocks() {
        assert_eq!(
            LockMode::AccessExclusiveLock.blocks().describe(),
            "reads, writes, DDL"
        );
        assert_eq!(LockMode::ShareLock.blocks().describe(), "writes, DDL");
        assert_eq!(
            LockMode::ShareRowExclusiveLock.blocks().describe(),
            "writes, DDL"
        );
        assert_eq!(
            LockMode::ShareUpdateExclusiveLock.blocks().describe(),
            "DDL"
        );
        assert_eq!(LockMode::AccessShareLock.blocks().describe(), "nothing");
        assert!(!LockMode::ShareUpdateExclusiveLock.is_dangerous());
        assert!(LockMode::ShareLock.is_dangerous());
    }
}
