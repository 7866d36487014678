//! Rules about the input itself and what pgrisk can see of a statement: syntax errors, text that
//! is not SQL, psql meta-commands, unknown and opaque statements, version support, statements
//! that cannot run in a transaction block, nested BEGIN, passwords in SQL.

use super::{Draft, StmtCtx, draft, draft_at, table_vars};
use crate::facts::{Op, Tx};
use crate::kb::{self, Key};
use crate::model::StatementReport;
use crate::parse::Body;
use crate::registry::{RuleId, Severity};
use crate::source::Source;
use crate::suggest::Vars;

/// unsupported-on-version and concurrently-in-transaction: what the knowledge base says the
/// target version cannot do.
pub fn statement(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    for (_, classified) in ctx.ops() {
        for a in &classified.actions {
            let entry = kb::entry(a.key);
            if !entry.applies_to(ctx.version()) {
                out.push(draft(
                    RuleId::UnsupportedOnVersion,
                    format!(
                        "{} is not available on PostgreSQL {} (it needs {}+): the statement fails",
                        entry.title,
                        ctx.version(),
                        entry.versions.min
                    ),
                    Vars::from([
                        ("feature", entry.title.clone()),
                        ("min_version", entry.versions.min.to_string()),
                    ]),
                ));
            }
            // A form the server refuses. The ones with a rule (and recipe) of their own are
            // reported there.
            if let Some(error) = entry.behaviour(ctx.version()).fails
                && !matches!(
                    a.key,
                    Key::AlterTableAddCheckOnly
                        | Key::AlterTableDetachPartitionConcurrentlyDefaultPartition
                        | Key::CreateIndexConcurrentlyPartitioned
                )
            {
                let v = match a.rels.first() {
                    Some((_, t)) => table_vars(t),
                    None => Vars::new(),
                };
                out.push(draft(
                    RuleId::StatementFails,
                    format!(
                        "{} fails on PostgreSQL {}: the server refuses it (\"{error}…\"), and the migration stops here",
                        entry.title,
                        ctx.version()
                    ),
                    v,
                ));
            }
            // ALTER TYPE … ADD VALUE is reported by enum-value-in-transaction, with its own recipe.
            if entry.outside_transaction(ctx.version())
                && ctx.session.in_block()
                && a.key != Key::AlterEnumAddValue
            {
                let mut v = match a.rels.first() {
                    Some((_, t)) => table_vars(t),
                    None => Vars::new(),
                };
                v.insert("statement", entry.title.clone());
                out.push(draft(
                    RuleId::ConcurrentlyInTransaction,
                    format!(
                        "{} cannot run inside a transaction block: the migration fails here",
                        entry.title
                    ),
                    v,
                ));
            }
        }
    }
}

/// nested-transaction, unknown-statement, opaque-code, credentials-in-sql.
pub fn statement_content(ctx: &StmtCtx, out: &mut Vec<Draft>) {
    if matches!(
        ctx.op,
        Op::Transaction {
            kind: Tx::Begin,
            ..
        }
    ) && ctx.session.in_block()
    {
        out.push(draft(
            RuleId::NestedTransaction,
            "BEGIN inside an open transaction is ignored (PostgreSQL only warns): the next COMMIT ends the outer transaction, and the statements after it run outside the transaction the migration expects".to_string(),
            Vars::new(),
        ));
    }
    if let Some(what) = ctx.unknown {
        out.push(draft(
            RuleId::UnknownStatement,
            format!("pgrisk has no lock entry for {what}: its locks and cost are unknown; review it by hand"),
            Vars::from([("what", what.to_string())]),
        ));
    }
    match ctx.op {
        Op::Do { statements, dynamic } => {
            let vars = Vars::from([("what", "DO block".to_string())]);
            if *dynamic || statements.is_empty() {
                out.push(draft(
                    RuleId::OpaqueCode,
                    if *dynamic {
                        "DO block runs dynamic SQL (EXECUTE): pgrisk cannot see what it locks; check it by hand".to_string()
                    } else {
                        "DO block has no SQL statements pgrisk can analyse: check what it does by hand".to_string()
                    },
                    vars,
                ));
            } else {
                out.push(draft_at(
                    RuleId::OpaqueCode,
                    Severity::Info,
                    format!(
                        "DO block: pgrisk analysed the {} SQL statement(s) in its body (conditions and loops are not evaluated); its locks are held until the transaction ends",
                        statements.len()
                    ),
                    vars,
                ));
            }
        }
        Op::Call { name } => out.push(draft(
            RuleId::OpaqueCode,
            format!("CALL {name}: a procedure may run any DDL; pgrisk cannot see its locks; check it by hand"),
            Vars::from([("what", format!("CALL {name}"))]),
        )),
        Op::Select { calls, .. } if !calls.is_empty() => out.push(draft_at(
            RuleId::OpaqueCode,
            Severity::Info,
            format!("SELECT calls {}: a function may run DDL or long writes; check it by hand", calls.join(", ")),
            Vars::from([("what", format!("SELECT {}(...)", calls[0]))]),
        )),
        Op::Credentials { what } => out.push(draft(
            RuleId::CredentialsInSql,
            format!("{what} carries a password literal: it ends up in the migration output, CI logs and review reports (pgrisk does not repeat it)"),
            Vars::from([("what", what.clone())]),
        )),
        _ => {}
    }
}

/// syntax-error, non-sql-text, psql-meta-command: chunks that did not parse.
pub fn unparsed(body: &Body, src: &Source, st: &StatementReport) -> Vec<Draft> {
    match body {
        Body::SyntaxError { message, offset } => {
            let p = src.position(*offset);
            vec![draft(
                RuleId::SyntaxError,
                if message.starts_with("unterminated ") {
                    // The message already says where the open construct starts.
                    format!(
                        "PostgreSQL cannot parse this statement: {message}; the rest of the input is still analysed"
                    )
                } else {
                    format!(
                        "PostgreSQL cannot parse this statement: {message} (line {}, column {}); the rest of the input is still analysed",
                        p.line, p.column
                    )
                },
                Vars::from([("message", message.clone())]),
            )]
        }
        Body::NonSql => vec![draft(
            RuleId::NonSqlText,
            format!(
                "lines {}–{} are not SQL (text printed by migration code?): psql would fail on them; pgrisk skipped them and went on",
                st.line, st.end_line
            ),
            Vars::new(),
        )],
        Body::PsqlMeta => vec![draft(
            RuleId::PsqlMetaCommand,
            format!(
                "psql meta-command {}: not SQL, not analysed",
                st.sql.split_whitespace().next().unwrap_or("\\")
            ),
            Vars::from([("command", st.sql.clone())]),
        )],
        Body::CopyData | Body::Parsed(_) => vec![],
    }
}

/// invalid-ignore: an ignore directive that names no rule ignores nothing.
pub fn ignore(ignore: &crate::script::Ignore) -> Vec<Draft> {
    ignore
        .unknown
        .iter()
        .map(|name| {
            let hint = RuleId::ALL
                .iter()
                .min_by_key(|r| edit_distance(r.as_str(), name))
                .map_or("<rule>", |r| r.as_str());
            draft(
                RuleId::InvalidIgnore,
                format!("the ignore directive names {name:?}, which is no rule: it ignores nothing (did you mean {hint}? `pgrisk rules` lists them)"),
                Vars::from([("rule_hint", hint.to_string())]),
            )
        })
        .collect()
}

/// Levenshtein distance, to suggest the rule a misspelt name meant.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// unused-ignore: the directive accepted no finding (stale, or above the wrong statement).
pub fn unused_ignore(ignore: &crate::script::Ignore) -> Option<Draft> {
    // Only unknown names: invalid-ignore already said so.
    if ignore.rules.is_empty() && !ignore.unknown.is_empty() {
        return None;
    }
    let names = if ignore.rules.is_empty() {
        "every rule".to_string()
    } else {
        ignore
            .rules
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(draft(
        RuleId::UnusedIgnore,
        format!(
            "the ignore directive before this statement ({names}) matched no finding: remove it, or move it above the statement it is meant for"
        ),
        Vars::from([("rules", names)]),
    ))
}
