//! `pgrisk explain <lock mode>`: what a table-level lock mode blocks and is blocked by, which
//! statements of the knowledge base take it (on which relation, on which PostgreSQL majors), and
//! the query that shows who holds or waits for it on a live server.

use crate::kb::{self, Role};
use crate::locks::LockMode;
use std::fmt::Write;

/// The lock mode `name` spells, in any of its usual forms: `access-exclusive`,
/// `AccessExclusiveLock`, `"SHARE ROW EXCLUSIVE"`, `share_row_exclusive` (case, spaces, dashes,
/// underscores, a trailing `lock` or `mode` do not matter).
pub fn parse_lock_mode(name: &str) -> Option<LockMode> {
    let key = |s: &str| -> String {
        let k: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_' | '\t'))
            .collect::<String>()
            .to_ascii_lowercase();
        let k = k.strip_suffix("mode").unwrap_or(&k);
        k.strip_suffix("lock").unwrap_or(k).to_string()
    };
    let wanted = key(name);
    LockMode::ALL
        .into_iter()
        .find(|m| key(m.sql_name()) == wanted)
}

/// A command that takes each mode (PostgreSQL docs, "Table-Level Locks").
fn typical(mode: LockMode) -> &'static str {
    match mode {
        LockMode::AccessShareLock => "SELECT",
        LockMode::RowShareLock => "SELECT … FOR UPDATE/SHARE",
        LockMode::RowExclusiveLock => "INSERT, UPDATE, DELETE, MERGE",
        LockMode::ShareUpdateExclusiveLock => {
            "VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT"
        }
        LockMode::ShareLock => "CREATE INDEX",
        LockMode::ShareRowExclusiveLock => "CREATE TRIGGER, ADD FOREIGN KEY (both tables)",
        LockMode::ExclusiveLock => "REFRESH MATERIALIZED VIEW CONCURRENTLY",
        LockMode::AccessExclusiveLock => "most ALTER TABLE, DROP, TRUNCATE, VACUUM FULL",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Table => "table",
        Role::Referenced => "referenced table",
        Role::Parent => "parent",
        Role::Partition => "partition",
        Role::Index => "index",
        Role::Source => "source table",
        Role::Children => "partitions and inheritance children",
        Role::Partitions => "partitions",
        Role::DefaultPartition => "default partition",
        Role::Referencing => "tables referencing it",
        Role::ReferencingPartitions => "partitions of tables referencing it",
        Role::Dependents => "dependent views",
        Role::ColumnDependents => "views using the column",
        Role::Users => "tables using the type",
        Role::SourceChildren => "partitions and children of tables read",
        Role::FkReferenced => "tables its foreign keys reference",
        Role::Sequence => "sequence",
        Role::ReferencedPartitions => "partitions of the referenced table",
        Role::OwnedSequences => "sequences its columns own",
        Role::OwningTable => "table owning the sequence",
        Role::PartitionAncestors => "partitioned tables above it",
    }
}

/// `11–18`, `11–14, 16`: the versions, consecutive runs joined.
fn ranges(versions: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < versions.len() {
        let mut j = i;
        while j + 1 < versions.len() && versions[j + 1] == versions[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            versions[i].to_string()
        } else {
            format!("{}–{}", versions[i], versions[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Knowledge-base entries that take `mode`: (entry key, relation role, versions, title), in file
/// order, one row per role.
pub fn statements_taking(mode: LockMode) -> Vec<(&'static str, Role, String, &'static str)> {
    let mut rows = Vec::new();
    for e in kb::entries() {
        let mut by_role: Vec<(Role, Vec<u32>)> = Vec::new();
        for v in kb::MIN_VERSION..=kb::MAX_VERSION {
            if !e.applies_to(v) {
                continue;
            }
            for (role, m) in e.behaviour(v).locks {
                if m != mode {
                    continue;
                }
                match by_role.iter_mut().find(|(r, _)| *r == role) {
                    Some((_, vs)) => vs.push(v),
                    None => by_role.push((role, vec![v])),
                }
            }
        }
        for (role, vs) in by_role {
            rows.push((e.key.as_str(), role, ranges(&vs), e.title.as_str()));
        }
    }
    rows
}

/// Who holds or waits for `mode` on a live server, with what blocks the waiters.
pub fn live_query(mode: LockMode) -> String {
    format!(
        "SELECT a.pid, a.usename, a.application_name,
       l.relation::regclass AS relation, l.mode, l.granted,
       now() - a.xact_start AS transaction_age,
       now() - a.query_start AS query_age,
       pg_blocking_pids(a.pid) AS blocked_by,
       left(a.query, 200) AS query
FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.mode = '{}'
ORDER BY l.granted DESC, a.xact_start;
",
        mode.pg_name()
    )
}

/// The whole explanation, as `pgrisk explain <mode>` prints it.
pub fn explain_lock_mode(mode: LockMode) -> String {
    let mut out = String::new();
    let b = mode.blocks();
    let _ = writeln!(
        out,
        "{} ({} in pg_locks.mode)\n",
        mode.sql_name(),
        mode.pg_name()
    );
    let _ = writeln!(
        out,
        "Held by a migration, it blocks {} of the table by other sessions.",
        b.describe()
    );
    let _ = writeln!(
        out,
        "Lock conflicts are symmetric: the modes it blocks are the modes that block it.\n"
    );
    let _ = writeln!(out, "Conflict table (taken by, e.g.):");
    let width = LockMode::ALL
        .iter()
        .map(|m| m.sql_name().len())
        .max()
        .unwrap_or(0);
    for other in LockMode::ALL {
        let mark = if mode.conflicts_with(other) {
            "conflicts"
        } else {
            "compatible"
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {:<10}  {}",
            other.sql_name(),
            mark,
            typical(other)
        );
    }
    let rows = statements_taking(mode);
    let _ = writeln!(
        out,
        "\nStatements that take it (knowledge base, PostgreSQL {}–{}):",
        kb::MIN_VERSION,
        kb::MAX_VERSION
    );
    if rows.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let kw = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let rw = rows.iter().map(|r| role_name(r.1).len()).max().unwrap_or(0);
    let vw = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    for (key, role, versions, title) in &rows {
        let _ = writeln!(
            out,
            "  {key:<kw$}  {:<rw$}  PG {versions:<vw$}  {title}",
            role_name(*role)
        );
    }
    let _ = writeln!(
        out,
        "\nWho holds or waits for it now (run on the server; blocked_by lists the sessions a waiter waits for):\n"
    );
    out.push_str(&live_query(mode));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_mode_spellings() {
        for s in [
            "access-exclusive",
            "AccessExclusiveLock",
            "ACCESS EXCLUSIVE",
            "access_exclusive_lock",
            "Access Exclusive Mode",
        ] {
            assert_eq!(
                parse_lock_mode(s),
                Some(LockMode::AccessExclusiveLock),
                "{s}"
            );
        }
        assert_eq!(
            parse_lock_mode("SHARE ROW EXCLUSIVE"),
            Some(LockMode::ShareRowExclusiveLock)
        );
        assert_eq!(parse_lock_mode("share"), Some(LockMode::ShareLock));
        assert_eq!(parse_lock_mode("exclusive"), Some(LockMode::ExclusiveLock));
        assert_eq!(parse_lock_mode("set-not-null"), None);
        assert_eq!(parse_lock_mode(""), None);
    }

    #[test]
    fn version_ranges_compress() {
        assert_eq!(ranges(&[11, 12, 13, 14, 15, 16, 17, 18]), "11–18");
        assert_eq!(ranges(&[11, 12, 14, 16, 17]), "11–12, 14, 16–17");
        assert_eq!(ranges(&[13]), "13");
    }

    #[test]
    fn access_exclusive_explained() {
        let text = explain_lock_mode(LockMode::AccessExclusiveLock);
        assert!(text.contains("blocks reads, writes, DDL"), "{text}");
        assert!(text.contains("WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'"));
        assert!(text.contains("alter_table.set_not_null"), "{text}");
        // ACCESS SHARE conflicts only with ACCESS EXCLUSIVE.
        let share = explain_lock_mode(LockMode::AccessShareLock);
        assert_eq!(share.matches("  conflicts  ").count(), 1, "{share}");
        // SET NOT NULL took ACCESS EXCLUSIVE on every version pgrisk knows.
        assert!(
            statements_taking(LockMode::AccessExclusiveLock)
                .iter()
                .any(|(k, r, v, _)| *k == "alter_table.set_not_null"
                    && *r == Role::Table
                    && v == "11–18")
        );
    }
}
