//! One self-contained HTML5 page: the summary per revision, the lock timeline per transaction
//! drawn as inline SVG, and the findings with their recipes. No network: inline CSS, no
//! external script, font or image; a few lines of inline script only open the recipes for
//! printing. A recipe identical to one shown above (among the last `RECIPES_KEPT` recipes
//! shown) is linked, not repeated.

use crate::locks::LockMode;
use crate::model::{Finding, Report, Severity, Sink, StatementReport, Summary};
use crate::spool::Bytes;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// Bars drawn per transaction; the rest are counted under its timeline.
pub const MAX_ROWS: usize = 40;
/// Transactions drawn; the rest are counted under the last timeline.
pub const MAX_TIMELINES: usize = 60;

/// Text as HTML text or a double- or single-quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --err: #b3261e; --warn: #8a5a00; --info: #1f5f99; --rw: #c62828; --w: #ef8f00; --ink: #1b1b1b; --muted: #5c5c5c; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
pre { background: #f6f6f6; border: 1px solid var(--line); border-radius: 4px; padding: .5rem .7rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.meta { color: var(--muted); margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .7rem 0; }
.counts li { border: 1px solid var(--line); border-radius: 4px; padding: .2rem .6rem; }
.sev { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 3px; padding: 0 .35em; font-weight: 600; color: #fff; font-size: .85em; }
.sev-error { background: var(--err); }
.sev-warning { background: var(--warn); }
.sev-info { background: var(--info); }
.sev-none { background: #777; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: .5rem .8rem; margin: .7rem 0; break-inside: avoid; }
.finding.error { border-left-color: var(--err); }
.finding.warning { border-left-color: var(--warn); }
.finding.info { border-left-color: var(--info); }
.finding header { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; }
.finding .pos { color: var(--muted); }
.finding p { margin: .4rem 0; }
details { margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
.timeline { margin: .6rem 0 1.4rem; break-inside: avoid; }
.timeline svg { width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 1.2rem; color: var(--muted); font-size: .9em; margin: .2rem 0 .8rem; }
.swatch { display: inline-block; width: 1.6em; height: .8em; vertical-align: middle; margin-right: .3em; }
.note { color: var(--muted); font-style: italic; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: #999; stroke-width: 1; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 11px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: contents; }
  pre { white-space: pre-wrap; }
  h2 { break-after: avoid; }
}
"#;

/// Opens every recipe when the page is printed: the page works without it.
const SCRIPT: &str = r#"
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
"#;

fn severity_badge(s: Option<Severity>) -> String {
    match s {
        Some(s) => format!(r#"<span class="sev sev-{0}">{0}</span>"#, s.as_str()),
        None => r#"<span class="sev sev-none">none</span>"#.to_string(),
    }
}

const NO_REVISION: &str = "(no revision)";

fn revision_name(r: &Option<std::sync::Arc<str>>) -> &str {
    r.as_deref().unwrap_or(NO_REVISION)
}

fn until_text(st: &StatementReport) -> String {
    match st.held_until.as_ref().and_then(|h| h.line) {
        Some(l) if l == st.line => "its own line (autocommit)".to_string(),
        Some(l) => format!("COMMIT at line {l}"),
        None => "the end of the input (transaction never ends)".to_string(),
    }
}

/// One bar: a relation locked by a statement until its transaction ends.
struct Bar {
    /// The statement's index and how long it holds the lock, in words.
    index: usize,
    until: String,
    relation: String,
    mode: LockMode,
    from: usize,
    to: usize,
}

/// About `target` ticks from `lo` to `hi` at 1, 2 or 5 times a power of ten.
fn tick_step(lo: usize, hi: usize, target: usize) -> usize {
    let span = hi.saturating_sub(lo).max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if span / (step * m) < target {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    } else {
        s.to_string()
    }
}

const WIDTH: usize = 960;
const LABEL: usize = 300;
const PLOT_LEFT: usize = LABEL + 10;
const PLOT_RIGHT: usize = WIDTH - 20;
const ROW: usize = 22;
const TOP: usize = 8;
const AXIS: usize = 34;

fn svg(out: &mut String, title: &str, bars: &[Bar], first: usize, last: usize) {
    let height = TOP + bars.len() * ROW + AXIS;
    // The axis starts at a tick, so the first bar's line can be read off it.
    let step = tick_step(first, last, 10);
    let first = if first == last {
        first
    } else {
        first / step * step
    };
    let span = (last - first).max(1) as f64;
    let plot = (PLOT_RIGHT - PLOT_LEFT) as f64;
    let x = |line: usize| PLOT_LEFT as f64 + (line - first) as f64 / span * plot;
    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(title)
    )
    .unwrap();
    let axis_y = TOP + bars.len() * ROW + 4;
    let mut t = first;
    while t <= last {
        let tx = x(t);
        writeln!(
            out,
            "<line class=\"grid\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{axis_y}\"/>\
<text class=\"tick\" x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\">{t}</text>",
            axis_y + 14
        )
        .unwrap();
        t += step;
    }
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{PLOT_LEFT}\" y1=\"{axis_y}\" x2=\"{PLOT_RIGHT}\" y2=\"{axis_y}\"/>\
<text class=\"tick\" x=\"{PLOT_RIGHT}\" y=\"{}\" text-anchor=\"end\">SQL line</text>",
        axis_y + 28
    )
    .unwrap();
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i * ROW;
        let reads = b.mode.blocks().reads;
        let (class, fill, what) = if reads {
            ("bar rw", "#c62828", "blocks reads and writes")
        } else {
            ("bar w", "#ef8f00", "blocks writes")
        };
        let x0 = x(b.from);
        let w = (x(b.to) - x0).max(4.0);
        let label = format!("{} · {}", b.relation, b.mode.sql_name());
        let tip = format!(
            "{}: {} from line {} (statement {}) until {}; {what}",
            b.relation,
            b.mode.sql_name(),
            b.from,
            b.index + 1,
            b.until
        );
        writeln!(
            out,
            "<g class=\"row\"><title>{}</title>\
<text x=\"{LABEL}\" y=\"{}\" text-anchor=\"end\">{}</text>\
<rect class=\"{class}\" x=\"{x0:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" rx=\"2\" fill=\"{fill}\"/></g>",
            escape(&tip),
            y + ROW / 2 + 4,
            escape(&truncate(&label, 46)),
            y + 3,
            ROW - 6
        )
        .unwrap();
    }
    writeln!(out, "</svg>").unwrap();
}

/// 128 bits of the SHA-256 of a text.
fn digest(text: &str) -> u128 {
    use sha2::Digest;
    let d: [u8; 32] = sha2::Sha256::digest(text.as_bytes()).into();
    u128::from_le_bytes(d[..16].try_into().expect("16 bytes"))
}

fn finding(
    out: &mut String,
    st: Option<&StatementReport>,
    n: usize,
    f: &Finding,
    shown: &mut Shown,
) {
    let sev = f.severity.as_str();
    writeln!(
        out,
        "<article class=\"finding {sev}\" id=\"f{n}\" data-rule=\"{rule}\">\n<header>{badge} <code class=\"rule\">{rule}</code> <span class=\"pos\">{pos}</span></header>\n<p>{msg}</p>",
        rule = escape(f.rule.as_str()),
        badge = severity_badge(Some(f.severity)),
        pos = escape(&f.position()),
        msg = escape(&f.message),
    )
    .unwrap();
    if let Some(st) = st {
        writeln!(out, "<pre><code>{}</code></pre>", escape(st.sql.trim())).unwrap();
    }
    if let Some(sug) = f.suggestion.render() {
        let mut key = sug.summary.clone();
        for p in &sug.phases {
            for part in [&p.name, &p.summary, &p.sql, &p.alembic] {
                key.push('\0');
                key.push_str(part);
            }
        }
        let key = digest(&key);
        if let Some((first, pos)) = shown.get(&key) {
            writeln!(
                out,
                "<p class=\"same-recipe\">Safe recipe: the same as for <a href=\"#f{first}\">{}</a> above.</p>\n</article>",
                escape(pos)
            )
            .unwrap();
            return;
        }
        shown.insert(key, (n, format!("{} at {}", f.rule, f.position())));
        writeln!(
            out,
            "<details><summary>Safe recipe: {}</summary>",
            escape(&sug.summary)
        )
        .unwrap();
        writeln!(out, "<ol>").unwrap();
        for p in &sug.phases {
            writeln!(
                out,
                "<li><strong>{}</strong>: {}",
                escape(&p.name),
                escape(&p.summary)
            )
            .unwrap();
            if !p.sql.is_empty() {
                writeln!(
                    out,
                    "<pre><code class=\"sql\">{}</code></pre>",
                    escape(&p.sql)
                )
                .unwrap();
            }
            if !p.alembic.is_empty() {
                writeln!(
                    out,
                    "<pre><code class=\"python\">{}</code></pre>",
                    escape(&p.alembic)
                )
                .unwrap();
            }
            writeln!(out, "</li>").unwrap();
        }
        writeln!(out, "</ol>\n</details>").unwrap();
    }
    writeln!(out, "</article>").unwrap();
}

pub fn render(report: &Report) -> String {
    let mut stream = HtmlStream::begin(Vec::new(), report.pg_version, &report.files);
    report.replay(&mut stream);
    String::from_utf8(stream.finish(&report.summary).expect("writing to memory"))
        .expect("the page is UTF-8")
}

/// A transaction of the timeline, as far as it is drawn: its first `MAX_ROWS` bars, and the
/// rest named in a note (cut at 2,000 characters).
#[derive(Default)]
struct Tx {
    bars: Vec<Bar>,
    count: usize,
    first: usize,
    last: usize,
    /// The file and whether the first statement ran in a transaction block.
    file: String,
    in_transaction: bool,
    revisions: Vec<String>,
    /// The bars not drawn, named ("relation (MODE, line N)", joined), up to the cut.
    left: String,
    left_chars: usize,
    /// Never committed: the bars end where their input does (known at the end), so each drawn
    /// bar's input is kept, and every input the transaction touched.
    never: bool,
    bar_files: Vec<std::sync::Arc<str>>,
    files: Vec<String>,
}

impl Tx {
    fn add(&mut self, bar: Bar, st: &StatementReport) {
        if self.count == 0 {
            self.first = bar.from;
            self.file = st.file.to_string();
            self.in_transaction = st.in_transaction;
        }
        self.count += 1;
        self.first = self.first.min(bar.from);
        self.last = self.last.max(bar.to);
        let r = revision_name(&st.revision);
        if !self.revisions.iter().any(|x| x == r) {
            self.revisions.push(r.to_string());
        }
        if !self.files.iter().any(|f| **f == *st.file) {
            self.files.push(st.file.to_string());
        }
        if self.bars.len() < MAX_ROWS {
            self.bars.push(bar);
            if self.never {
                self.bar_files.push(st.file.clone());
            }
        } else if self.left_chars <= 2000 {
            let item = format!(
                "{} ({}, line {})",
                bar.relation,
                bar.mode.sql_name(),
                bar.from
            );
            if !self.left.is_empty() {
                self.left.push_str(", ");
                self.left_chars += 2;
            }
            self.left_chars += item.chars().count();
            self.left.push_str(&item);
        }
    }
}

/// A run of statements of one revision: its summary row, and its findings' articles waiting for
/// the heading that counts them.
struct Run {
    revision: Option<std::sync::Arc<str>>,
    worst: Option<Severity>,
    held: bool,
    tables: Vec<String>,
    /// The longest hold: (later statements, its text).
    longest: Option<(usize, String)>,
    findings: usize,
    articles: Bytes,
}

/// The page written as the analysis goes. Its sections come out in order at the end: the
/// summary rows, the findings' articles and the ignored findings wait in spools (memory, then a
/// temporary file); memory holds the revision being read, the transactions drawn (at most
/// `MAX_TIMELINES`, each at most `MAX_ROWS` bars), the last line of each input, and a digest of
/// each recipe shown. A revision that comes back after another one gets a second row and
/// heading.
pub struct HtmlStream<W: std::io::Write> {
    out: W,
    pg_version: u32,
    files: Vec<String>,
    current: Option<StatementReport>,
    run: Option<Run>,
    rows: Bytes,
    any_row: bool,
    articles: Bytes,
    ignored: Bytes,
    ignored_count: usize,
    active: usize,
    /// Findings so far (their number, in the page's anchors).
    findings: usize,
    shown: Shown,
    /// Committed transactions drawn, how many more and their bars, and the one never committed.
    txs: Vec<Tx>,
    more_txs: usize,
    more_bars: usize,
    last_tx: Option<usize>,
    open_tx: Tx,
    /// Each input's last line (bars of a transaction never committed end there).
    ends: Vec<(String, usize)>,
    error: Option<std::io::Error>,
}

/// How many of the recipes shown last are remembered for linking: a recipe names its tables, so a
/// large input has as many as it has tables, and one repeats close to where it was first shown.
const RECIPES_KEPT: usize = 4096;

/// Recipes already shown (the last `RECIPES_KEPT`), by a digest of their text: the finding that
/// shows each, and the digests in the order shown (the oldest is forgotten first).
#[derive(Default)]
struct Shown {
    by_digest: HashMap<u128, (usize, String)>,
    order: std::collections::VecDeque<u128>,
}

impl Shown {
    fn get(&self, key: &u128) -> Option<&(usize, String)> {
        self.by_digest.get(key)
    }

    /// Remembers the first finding that shows a recipe (a later one does not replace it).
    fn insert(&mut self, key: u128, first: (usize, String)) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.by_digest.entry(key) {
            e.insert(first);
            self.order.push_back(key);
            if self.order.len() > RECIPES_KEPT
                && let Some(old) = self.order.pop_front()
            {
                self.by_digest.remove(&old);
            }
        }
    }
}

impl<W: std::io::Write> HtmlStream<W> {
    pub fn begin(out: W, pg_version: u32, files: &[String]) -> Self {
        HtmlStream {
            out,
            pg_version,
            files: files.to_vec(),
            current: None,
            run: None,
            rows: Bytes::default(),
            any_row: false,
            articles: Bytes::default(),
            ignored: Bytes::default(),
            ignored_count: 0,
            active: 0,
            findings: 0,
            shown: Shown::default(),
            txs: Vec::new(),
            more_txs: 0,
            more_bars: 0,
            last_tx: None,
            open_tx: Tx::default(),
            ends: Vec::new(),
            error: None,
        }
    }

    fn record(&mut self, r: std::io::Result<()>) {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    /// The run read so far is over: its summary row, and its articles under their heading.
    fn end_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        let rev = revision_name(&run.revision);
        if !(rev == NO_REVISION && run.worst.is_none() && !run.held) {
            self.any_row = true;
            let row = format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(rev),
                severity_badge(run.worst),
                if run.tables.is_empty() {
                    "—".to_string()
                } else {
                    run.tables
                        .iter()
                        .map(|t| format!("<code>{}</code>", escape(t)))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                run.longest.map_or_else(|| "—".to_string(), |l| l.1)
            );
            let r = self.rows.write_all(row.as_bytes());
            self.record(r);
        }
        if run.findings > 0 {
            let heading = format!(
                "<h3>Revision <code>{}</code> ({} finding{})</h3>\n",
                escape(rev),
                run.findings,
                if run.findings == 1 { "" } else { "s" }
            );
            let r = self
                .articles
                .write_all(heading.as_bytes())
                .and_then(|_| run.articles.copy_to(&mut self.articles));
            self.record(r);
        }
    }

    pub fn finish(mut self, summary: &Summary) -> std::io::Result<W> {
        self.end_run();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut out = String::with_capacity(64 * 1024);
        writeln!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>pgrisk: migration lock review (PostgreSQL {})</title>\n<style>{STYLE}</style>\n</head>\n<body>",
            self.pg_version
        )
        .unwrap();
        self.header(&mut out, summary);
        writeln!(
            out,
            "<section id=\"summary\">\n<h2>Summary per revision</h2>"
        )
        .unwrap();
        if self.current.is_none() {
            writeln!(out, "<p>No statements.</p>\n</section>").unwrap();
        } else {
            writeln!(
                out,
                "<table>\n<thead><tr><th scope=\"col\">revision</th><th scope=\"col\">worst severity</th>\
<th scope=\"col\">tables locked ACCESS EXCLUSIVE</th><th scope=\"col\">longest hold</th></tr></thead>\n<tbody>"
            )
            .unwrap();
            self.out.write_all(out.as_bytes())?;
            out.clear();
            std::mem::take(&mut self.rows).copy_to(&mut self.out)?;
            writeln!(out, "</tbody>\n</table>\n</section>").unwrap();
        }
        self.timeline(&mut out);
        writeln!(out, "<section id=\"findings\">\n<h2>Findings</h2>").unwrap();
        if self.active == 0 {
            writeln!(out, "<p>No findings.</p>").unwrap();
        }
        self.out.write_all(out.as_bytes())?;
        out.clear();
        std::mem::take(&mut self.articles).copy_to(&mut self.out)?;
        if self.ignored_count > 0 {
            writeln!(
                out,
                "<h3 id=\"ignored\">Ignored ({})</h3>\n<table>\n<thead><tr><th scope=\"col\">severity</th><th scope=\"col\">rule</th>\
<th scope=\"col\">revision</th><th scope=\"col\">position</th><th scope=\"col\">message</th><th scope=\"col\">reason</th></tr></thead>\n<tbody>",
                self.ignored_count
            )
            .unwrap();
            self.out.write_all(out.as_bytes())?;
            out.clear();
            std::mem::take(&mut self.ignored).copy_to(&mut self.out)?;
            writeln!(out, "</tbody>\n</table>").unwrap();
        }
        writeln!(out, "</section>").unwrap();
        writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>").unwrap();
        self.out.write_all(out.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn header(&self, out: &mut String, s: &Summary) {
        writeln!(
            out,
            "<header>\n<h1>pgrisk: migration lock review</h1>\n<p class=\"meta\">Target PostgreSQL {} · input: {}</p>",
            self.pg_version,
            if self.files.is_empty() {
                "(none)".to_string()
            } else {
                self.files
                    .iter()
                    .map(|f| format!("<code>{}</code>", escape(f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )
        .unwrap();
        writeln!(
            out,
            "<ul class=\"counts\" aria-label=\"summary counts\">\
<li><span class=\"sev sev-error\">errors</span> {}</li>\
<li><span class=\"sev sev-warning\">warnings</span> {}</li>\
<li><span class=\"sev sev-info\">notes</span> {}</li>\
<li>ignored {}</li><li>statements {} ({} unparseable, {} unknown)</li></ul>\n</header>",
            s.errors, s.warnings, s.infos, s.ignored, s.read, s.unparseable, s.unknown
        )
        .unwrap();
    }

    fn timeline(&mut self, out: &mut String) {
        writeln!(
            out,
            "<section id=\"timeline\">\n<h2>Lock timeline per transaction</h2>\n\
<p>Each bar is a lock that blocks reads or writes on an existing table, from the statement that \
takes it to the COMMIT that releases it (x axis: SQL line).</p>\n\
<p class=\"legend\"><span><span class=\"swatch\" style=\"background:#c62828\"></span>blocks reads and writes</span>\
<span><span class=\"swatch\" style=\"background:#ef8f00\"></span>blocks writes</span></p>"
        )
        .unwrap();
        // The transaction never committed comes last; its bars end where their input does.
        let mut open = std::mem::take(&mut self.open_tx);
        if open.count > 0 {
            let end_of = |file: &str| {
                self.ends
                    .iter()
                    .find(|(f, _)| f == file)
                    .map_or(0, |(_, l)| *l)
            };
            for (b, file) in open.bars.iter_mut().zip(&open.bar_files) {
                b.to = b.to.max(end_of(file));
            }
            let ends = open.files.iter().map(|f| end_of(f)).max().unwrap_or(0);
            open.last = open.last.max(ends);
            if self.txs.len() < MAX_TIMELINES {
                self.txs.push(open);
            } else {
                self.more_txs += 1;
                self.more_bars += open.count;
            }
        }
        if self.txs.is_empty() {
            writeln!(
                out,
                "<p>No statement holds a lock that blocks reads or writes on an existing table.</p>\n</section>"
            )
            .unwrap();
            return;
        }
        for tx in &self.txs {
            let (first, last) = (tx.first, tx.last);
            let heading = match (tx.never, !tx.in_transaction) {
                (true, _) => format!("Transaction from line {first}, never committed"),
                (false, true) => format!("Autocommit statement at line {first}"),
                (false, false) => format!("Transaction committed at line {last}"),
            };
            writeln!(
                out,
                "<figure class=\"timeline\">\n<figcaption><strong>{}</strong> · {} · revision{} {}</figcaption>",
                escape(&heading),
                escape(&tx.file),
                if tx.revisions.len() == 1 { "" } else { "s" },
                tx.revisions
                    .iter()
                    .map(|r| format!("<code>{}</code>", escape(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .unwrap();
            let label = format!(
                "Lock timeline: {heading}, {} lock{} from line {first} to line {last}",
                tx.count,
                if tx.count == 1 { "" } else { "s" }
            );
            svg(out, &label, &tx.bars, first, last);
            if tx.count > MAX_ROWS {
                let left = tx.count - MAX_ROWS;
                writeln!(
                    out,
                    "<p class=\"note\">{} more lock{} in this transaction not drawn (at most {MAX_ROWS} rows): {}</p>",
                    left,
                    if left == 1 { "" } else { "s" },
                    escape(&truncate(&tx.left, 2000))
                )
                .unwrap();
            }
            writeln!(out, "</figure>").unwrap();
        }
        if self.more_txs > 0 {
            let rest = self.more_bars;
            writeln!(
                out,
                "<p class=\"note\">{} more transaction{} with {rest} lock{} not drawn (at most {MAX_TIMELINES} timelines).</p>",
                self.more_txs,
                if self.more_txs == 1 { "" } else { "s" },
                if rest == 1 { "" } else { "s" },
            )
            .unwrap();
        }
        writeln!(out, "</section>").unwrap();
    }
}

impl<W: std::io::Write> Sink for HtmlStream<W> {
    fn statement(&mut self, st: StatementReport) {
        match self.ends.iter_mut().find(|(f, _)| **f == *st.file) {
            Some(e) => e.1 = e.1.max(st.end_line),
            None => self.ends.push((st.file.to_string(), st.end_line)),
        }
        if self.run.as_ref().is_none_or(|r| r.revision != st.revision) {
            self.end_run();
            self.run = Some(Run {
                revision: st.revision.clone(),
                worst: None,
                held: false,
                tables: Vec::new(),
                longest: None,
                findings: 0,
                articles: Bytes::default(),
            });
        }
        if let Some(h) = &st.held_until {
            let run = self.run.as_mut().expect("set above");
            run.held = true;
            for l in &st.locks {
                let name = l.relation.to_string();
                if l.mode == LockMode::AccessExclusiveLock && !run.tables.contains(&name) {
                    run.tables.push(name);
                }
            }
            // The last of the longest holds, as `max_by_key` picks.
            if run
                .longest
                .as_ref()
                .is_none_or(|(later, _)| h.later_statements >= *later)
            {
                let text = format!(
                    "{} later statement{}, from line {} until {}",
                    h.later_statements,
                    if h.later_statements == 1 { "" } else { "s" },
                    st.line,
                    escape(&until_text(&st))
                );
                run.longest = Some((h.later_statements, text));
            }
            let until = until_text(&st);
            let to = h.line.unwrap_or(0).max(st.line);
            self.open_tx.never = true;
            for l in st.locks.iter().filter(|l| l.mode.is_dangerous()) {
                let bar = Bar {
                    index: st.index,
                    until: until.clone(),
                    relation: l.relation.to_string(),
                    mode: l.mode,
                    from: st.line,
                    to,
                };
                match h.statement {
                    None => self.open_tx.add(bar, &st),
                    Some(end) => {
                        if self.last_tx != Some(end) {
                            self.last_tx = Some(end);
                            if self.txs.len() < MAX_TIMELINES {
                                self.txs.push(Tx::default());
                            } else {
                                self.more_txs += 1;
                            }
                        }
                        if self.more_txs > 0 {
                            self.more_bars += 1;
                        } else if let Some(tx) = self.txs.last_mut() {
                            tx.add(bar, &st);
                        }
                    }
                }
            }
        }
        self.current = Some(st);
    }

    fn finding(&mut self, f: Finding) {
        let n = self.findings;
        self.findings += 1;
        if f.ignored {
            self.ignored_count += 1;
            let row = format!(
                "<tr class=\"ignored\" data-rule=\"{rule}\"><td>{}</td><td><code>{rule}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                severity_badge(Some(f.severity)),
                escape(revision_name(&f.revision)),
                escape(&f.position()),
                escape(&f.message),
                escape(f.ignore_reason.as_deref().unwrap_or("(no reason given)")),
                rule = escape(f.rule.as_str()),
            );
            let r = self.ignored.write_all(row.as_bytes());
            self.record(r);
            return;
        }
        self.active += 1;
        let st = self.current.as_ref().filter(|s| s.index == f.statement);
        let Some(run) = self.run.as_mut() else { return };
        run.worst = run.worst.max(Some(f.severity));
        run.findings += 1;
        let mut out = String::new();
        finding(&mut out, st, n, &f, &mut self.shown);
        let r = run.articles.write_all(out.as_bytes());
        self.record(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a & b"), "a &amp; b");
        assert_eq!(escape("say \"hi\""), "say &quot;hi&quot;");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    }

    /// The recipes remembered for linking are the last `RECIPES_KEPT` shown: memory stays
    /// bounded on an input with a recipe per table.
    #[test]
    fn only_the_last_recipes_are_remembered() {
        let mut shown = Shown::default();
        for k in 0..(RECIPES_KEPT as u128 + 10) {
            shown.insert(k, (k as usize, format!("rule at line {k}")));
            // Seen again: still the first finding that showed it, not a new entry.
            shown.insert(k, (0, String::new()));
        }
        assert_eq!(shown.by_digest.len(), RECIPES_KEPT);
        assert!(shown.get(&9).is_none());
        assert_eq!(shown.get(&10).map(|v| v.0), Some(10));
        assert_eq!(
            shown.get(&(RECIPES_KEPT as u128 + 9)).map(|v| v.0),
            Some(RECIPES_KEPT + 9)
        );
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1, 9, 10), 1);
        assert_eq!(tick_step(5, 60, 10), 10);
        assert_eq!(tick_step(100, 2100, 10), 500);
        assert_eq!(tick_step(7, 7, 10), 1);
    }
}
