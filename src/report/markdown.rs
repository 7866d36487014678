//! Markdown for a pull-request comment: a summary, a findings table, and each suggestion folded
//! in a <details> block with SQL and Alembic code.

use crate::model::{Report, Severity};
use std::fmt::Write;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    writeln!(
        out,
        "## pgrisk: migration review (PostgreSQL {})\n",
        report.pg_version
    )
    .unwrap();
    writeln!(
        out,
        "{} errors, {} warnings, {} notes in {} statements ({} unparseable, {} unknown).\n",
        s.errors, s.warnings, s.infos, s.read, s.unparseable, s.unknown
    )
    .unwrap();
    let shown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| !f.ignored && f.severity > Severity::Info)
        .collect();
    if shown.is_empty() {
        writeln!(out, "No blocking locks or rewrites found.").unwrap();
        return out;
    }
    writeln!(out, "| | where | revision | rule | lock | finding |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|").unwrap();
    for f in &shown {
        let st = &report.statements[f.statement];
        let icon = if f.severity == Severity::Error {
            "🔴"
        } else {
            "🟡"
        };
        let lock = st
            .locks
            .iter()
            .map(|l| format!("{} on `{}`", l.mode.sql_name(), l.relation))
            .collect::<Vec<_>>()
            .join("<br>");
        writeln!(
            out,
            "| {icon} | `{}:{}` | {} | `{}` | {} | {} |",
            f.location().0,
            f.location().1,
            f.revision
                .as_deref()
                .map_or(String::new(), |r| format!("`{r}`")),
            f.rule,
            lock,
            cell(&f.message)
        )
        .unwrap();
    }
    writeln!(out).unwrap();
    for f in &shown {
        let Some(sug) = f.suggestion.render() else {
            continue;
        };
        writeln!(
            out,
            "<details><summary><code>{}:{}</code> {}: {}</summary>\n",
            f.location().0,
            f.location().1,
            f.rule,
            cell(&sug.summary)
        )
        .unwrap();
        writeln!(
            out,
            "```sql\n{}\n```\n",
            report.statements[f.statement].sql.trim()
        )
        .unwrap();
        for (i, p) in sug.phases.iter().enumerate() {
            writeln!(out, "**{}. {}**: {}\n", i + 1, p.name, p.summary).unwrap();
            if !p.sql.is_empty() {
                writeln!(out, "```sql\n{}\n```\n", p.sql).unwrap();
            }
            if !p.alembic.is_empty() {
                writeln!(out, "```python\n{}\n```\n", p.alembic).unwrap();
            }
        }
        writeln!(out, "</details>\n").unwrap();
    }
    out
}
