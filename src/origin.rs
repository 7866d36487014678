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
    files: HashMap<String, Arc<str>>,
    cursors: HashMap<(String, bool), usize>,
    /// Revisions with statements but no script in the index.
    pub missing: BTreeSet<String>,
    /// Revisions whose script was already looked at (for the rules over the scripts).
    seen: BTreeSet<String>,
}

impl Locator {
    pub fn new(index: Arc<ScriptIndex>) -> Locator {
        Locator {
            index,
            files: HashMap::new(),
            cursors: HashMap::new(),
            missing: BTreeSet::new(),
            seen: BTreeSet::new(),
        }
    }

    /// The script of `revision` the first time it is asked for (then None): what the rules over
    /// the scripts read, once per revision.
    pub fn first_sight(&mut self, revision: &str) -> Option<(&Script, Arc<str>)> {
        if !self.seen.insert(revision.to_string()) {
            return None;
        }
        let script = self.index.get(revision)?;
        let file = self
            .files
            .entry(revision.to_string())
            .or_insert_with(|| script.path.display().to_string().into())
            .clone();
        Some((script, file))
    }

    /// The project's configuration files (alembic.ini, env.py), once: the first call only.
    pub fn take_config_files(&mut self) -> Vec<std::path::PathBuf> {
        if !self.seen.insert(String::new()) {
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
            self.missing.insert(revision.to_string());
            return None;
        };
        let direction = if downgrade {
            Direction::Downgrade
        } else {
            Direction::Upgrade
        };
        let cursor = self
            .cursors
            .entry((revision.to_string(), downgrade))
            .or_insert(0);
        let hint = hint(op, sql);
        let at = script.locate(direction, &hint, cursor);
        let file = self
            .files
            .entry(revision.to_string())
            .or_insert_with(|| script.path.display().to_string().into())
            .clone();
        Some(Origin {
            file,
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
                Some(AlterCmd::DropConstraint { name }) => (Verb::DropConstraint, vec![name]),
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
