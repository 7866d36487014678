//! Terminal report: a table of the statements that matter (comfy-table), then each finding
//! with its expand-contract suggestion. Colour only when asked for by the caller.

use crate::model::{Finding, Report, Severity, StatementReport};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write;

pub struct TextOptions {
    pub color: bool,
    /// List every statement and every note, not only statements with findings or blocking
    /// locks and findings above info.
    pub all: bool,
    pub width: u16,
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_color(s: Severity) -> (Color, &'static str) {
    match s {
        Severity::Error => (Color::Red, "31;1"),
        Severity::Warning => (Color::Yellow, "33;1"),
        Severity::Info => (Color::Cyan, "36"),
    }
}

fn first_line(sql: &str, max: usize) -> String {
    let one: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max - 1).collect::<String>())
    } else {
        one
    }
}

fn lock_cell(st: &StatementReport) -> String {
    if !st.locks_known {
        return "unknown".into();
    }
    st.locks
        .iter()
        .map(|l| format!("{} on {}", l.mode.sql_name(), l.relation))
        .collect::<Vec<_>>()
        .join("\n")
}

fn blocks_cell(st: &StatementReport) -> String {
    let strongest = st.locks.iter().map(|l| l.mode).max();
    match (strongest, &st.held_until) {
        (Some(m), Some(h)) if m.is_dangerous() => {
            let what = m.blocks().describe();
            match h.line {
                Some(l) if l != st.line => format!("{what}\nuntil line {l}"),
                Some(_) => what,
                None => format!("{what}\nuntil end of input"),
            }
        }
        (Some(m), _) if m.is_dangerous() => format!("{} (new table)", m.blocks().describe()),
        (Some(m), _) => m.blocks().describe(),
        _ => String::new(),
    }
}

fn effect_cell(st: &StatementReport) -> &'static str {
    if st.rewrite {
        "rewrite"
    } else if st.scan {
        "scan"
    } else if st.parsed && st.locks_known {
        "-"
    } else {
        "?"
    }
}

pub fn render(report: &Report, opts: &TextOptions) -> String {
    let mut out = String::new();
    let worst: Vec<Option<Severity>> = {
        let mut w = vec![None; report.statements.len()];
        for f in report.findings.iter().filter(|f| !f.ignored) {
            w[f.statement] = w[f.statement].max(Some(f.severity));
        }
        w
    };
    let rows: Vec<&StatementReport> = report
        .statements
        .iter()
        .filter(|s| {
            opts.all
                || worst[s.index].is_some_and(|w| w > Severity::Info)
                || s.held_until
                    .as_ref()
                    .is_some_and(|h| h.later_statements > 0)
        })
        .collect();
    if !rows.is_empty() {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(opts.width);
        if !opts.color {
            table.force_no_tty();
        } else {
            table.enforce_styling();
        }
        let multi_file = report.files.len() > 1;
        table.set_header(vec![
            "line",
            "revision",
            "statement",
            "lock",
            "blocks",
            "effect",
            "severity",
        ]);
        for st in rows {
            let line = if multi_file {
                format!("{}:{}", st.file, st.line)
            } else {
                st.line.to_string()
            };
            let sev = worst[st.index];
            let mut sev_cell = Cell::new(sev.map_or("", |s| s.as_str()));
            if let (Some(s), true) = (sev, opts.color) {
                sev_cell = sev_cell.fg(severity_color(s).0);
            }
            table.add_row(vec![
                Cell::new(line),
                Cell::new(st.revision.as_deref().unwrap_or("")),
                Cell::new(first_line(&st.sql, 60)),
                Cell::new(lock_cell(st)),
                Cell::new(blocks_cell(st)),
                Cell::new(effect_cell(st)),
                sev_cell,
            ]);
        }
        writeln!(out, "{table}").unwrap();
        writeln!(out).unwrap();
    }
    // Notes (info) are context, not problems: listed only with --all.
    for f in report
        .findings
        .iter()
        .filter(|f| !f.ignored && (opts.all || f.severity > Severity::Info))
    {
        finding(&mut out, f, report, opts.color);
    }
    let s = &report.summary;
    writeln!(
        out,
        "pgrisk: PostgreSQL {}: {} statements read ({} parsed, {} unparseable; {} classified, {} unknown); {} errors, {} warnings, {} notes{}{}",
        report.pg_version, s.read, s.parsed, s.unparseable, s.classified, s.unknown, s.errors, s.warnings, s.infos,
        if s.ignored > 0 { format!("; {} ignored", s.ignored) } else { String::new() },
        if s.history > 0 { format!("; {} statements of history revisions (--since) not reported", s.history) } else { String::new() },
    )
    .unwrap();
    out
}

fn finding(out: &mut String, f: &Finding, report: &Report, color: bool) {
    let (_, code) = severity_color(f.severity);
    let rev = f
        .revision
        .as_deref()
        .map_or(String::new(), |r| format!(" (revision {r})"));
    writeln!(
        out,
        "{}: {} [{}]{}",
        f.position(),
        paint(f.severity.as_str(), code, color),
        paint(f.rule.as_str(), "1", color),
        rev
    )
    .unwrap();
    writeln!(
        out,
        "  {}",
        first_line(&report.statements[f.statement].sql, 100)
    )
    .unwrap();
    writeln!(out, "  {}", f.message).unwrap();
    if f.severity > Severity::Info
        && let Some(s) = f.suggestion.render()
    {
        writeln!(
            out,
            "  {} {}",
            paint("fix:", "32;1", color),
            s.summary.replace('\n', "\n  ")
        )
        .unwrap();
        for (i, p) in s.phases.iter().enumerate() {
            writeln!(
                out,
                "  {}. {}: {}",
                i + 1,
                paint(&p.name, "1", color),
                p.summary
            )
            .unwrap();
            if !p.sql.is_empty() {
                writeln!(out, "     SQL:").unwrap();
                for l in p.sql.lines() {
                    writeln!(out, "       {l}").unwrap();
                }
            }
            if !p.alembic.is_empty() {
                writeln!(out, "     Alembic:").unwrap();
                for l in p.alembic.lines() {
                    writeln!(out, "       {l}").unwrap();
                }
            }
        }
    }
    writeln!(out).unwrap();
}
