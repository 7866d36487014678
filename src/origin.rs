//! Where a statement came from in the Alembic project: the migration script of its revision and
//! the line of the `op.*` call that produced it (`--alembic-dir`), read from the script index.

use crate::facts::{AlterCmd, Op, RelKind, RenameTarget};
use crate::migrations::{Direction, Script, ScriptIndex, StatementHint, Verb};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The script and line of one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: usize,
}

/// Walks the statements in order, keeping per revision where the last statement was found, so a
/// statement is matched to the next call that can have produced it.
pub struct Locator {
    index: Arc<ScriptIndex>,
    /// Per revision seen: its script's path, and where the last upgrade / downgrade statement
    /// was found.
    revisions: HashMap<String, (Arc<str>, [usize; 2])>,
    /// Revisions with statements but no script in the index.
    pub missing: BTreeSet<String>,
    /// Revisions whose script was already looked at (for the rules over the scripts).
    seen: BTreeSet<String>,
    /// alembic.ini and env.py were handed out.
    config_taken: bool,
}

impl Locator {
    pub fn new(index: Arc<ScriptIndex>) -> Locator {
        Locator {
            index,
            revisions: HashMap::new(),
            missing: BTreeSet::new(),
            seen: BTreeSet::new(),
            config_taken: false,
        }
    }

    /// The script of `revision` the first time it is asked for (then None): what the rules over
    /// the scripts read, once per revision.
    pub fn first_sight(&mut self, revision: &str) -> Option<(&Script, Arc<str>)> {
        if self.seen.contains(revision) {
            return None;
        }
        self.seen.insert(revision.to_string());
        let script = self.index.get(revision)?;
        let file: Arc<str> = script.path.display().to_string().into();
        Some((script, file))
    }

    /// The project's configuration files (alembic.ini, env.py), once: the first call only.
    pub fn take_config_files(&mut self) -> Vec<std::path::PathBuf> {
        if std::mem::replace(&mut self.config_taken, true) {
            return Vec::new();
        }
        self.index.config_files().to_vec()
    }

    /// The origin of a statement of `revision` (`downgrade`: from a downgrade run).
    pub fn locate(
        &mut self,
        revision: &str,
        downgrade: bool,
        op: Option<&Op>,
        sql: &str,
    ) -> Option<Origin> {
        let Some(script) = self.index.get(revision) else {
            if !self.missing.contains(revision) {
                self.missing.insert(revision.to_string());
            }
            return None;
        };
        let (direction, slot) = if downgrade {
            (Direction::Downgrade, 1)
        } else {
            (Direction::Upgrade, 0)
        };
        if !self.revisions.contains_key(revision) {
            let file: Arc<str> = script.path.display().to_string().into();
            self.revisions.insert(revision.to_string(), (file, [0, 0]));
        }
        let (file, cursors) = self.revisions.get_mut(revision).expect("inserted above");
        let at = script.locate(direction, &hint(op, sql), &mut cursors[slot]);
        Some(Origin {
            file: file.clone(),
            line: at.via.unwrap_or(at.line) as usize,
        })
    }
}

/// What the script index needs to find the call: the operation, its table, the names it uses.
fn hint<'a>(op: Option<&'a Op>, sql: &'a str) -> StatementHint<'a> {
    let Some(op) = op else {
        return StatementHint::new(sql, Verb::Execute);
    };
    match op {
        Op::CreateTable { table, .. } => {
            StatementHint::new(sql, Verb::CreateTable).table(&table.name)
        }
        Op::DropRelation {
            kind: RelKind::Table,
            names,
            ..
        } => names
            .iter()
            .fold(StatementHint::new(sql, Verb::DropTable), |h, n| {
                h.table(&n.name)
            }),
        Op::CreateIndex {
            name,
            table,
            columns,
            ..
        } => {
            let mut h = StatementHint::new(sql, Verb::CreateIndex).table(&table.name);
            if let Some(n) = name {
                h = h.name(n);
            }
            columns.iter().fold(h, |h, c| h.name(c))
        }
        Op::DropIndex { indexes, .. } => indexes
            .iter()
            .fold(StatementHint::new(sql, Verb::DropIndex), |h, i| {
                h.name(&i.name)
            }),
        Op::Rename {
            object,
            target,
            new_name,
            ..
        } => match target {
            RenameTarget::Table => StatementHint::new(sql, Verb::RenameTable)
                .table(&object.name)
                .name(new_name),
            RenameTarget::Column { column } => StatementHint::new(sql, Verb::AlterColumn)
                .table(&object.name)
                .name(column)
                .name(new_name),
            _ => StatementHint::new(sql, Verb::Other).table(&object.name),
        },
        Op::AlterTable { table, cmds, .. } => {
            let (verb, names): (Verb, Vec<&str>) = match cmds.first() {
                Some(AlterCmd::AddColumn { column, .. }) => (Verb::AddColumn, vec![&column.name]),
                Some(AlterCmd::DropColumn { column, .. }) => (Verb::DropColumn, vec![column]),
                Some(
                    AlterCmd::AlterType { column, .. }
                    | AlterCmd::SetDefault { column, .. }
                    | AlterCmd::SetNotNull { column }
                    | AlterCmd::DropNotNull { column },
                ) => (Verb::AlterColumn, vec![column]),
                Some(AlterCmd::AddConstraint(c)) => (
                    Verb::AddConstraint,
                    c.name
                        .iter()
                        .chain(&c.columns)
                        .map(String::as_str)
                        .collect(),
                ),
                Some(AlterCmd::DropConstraint { name, .. }) => (Verb::DropConstraint, vec![name]),
                _ => (Verb::Other, vec![]),
            };
            names
                .into_iter()
                .fold(StatementHint::new(sql, verb).table(&table.name), |h, n| {
                    h.name(n)
                })
        }
        _ => StatementHint::new(sql, Verb::Execute),
    }
}
