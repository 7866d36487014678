//! JSON output: the documented, versioned contract (see README "JSON output"). Written as a
//! stream: each statement goes out when its transaction ends, and findings are spooled to a
//! temporary file until the statements are done, so memory stays flat on big inputs.

use crate::model::{Finding, Report, Sink, StatementReport, Summary};
use crate::spool::Findings;
use serde::Serialize;
use std::io::{self, Write};

/// Bumped whenever a field is removed or changes meaning; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    pgrisk_version: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

/// The report as pretty-printed JSON (tests, snapshots). Same content as the stream.
pub fn render(report: &Report) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        pgrisk_version: env!("CARGO_PKG_VERSION"),
        report,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
    s.push('\n');
    s
}

/// Compact JSON written as the analysis goes: `{…,"statements":[…],"findings":[…],"summary":{…}}`.
pub struct JsonStream<W: Write> {
    out: W,
    /// The findings, kept while the statements go out.
    spool: Findings,
    statements: usize,
    error: Option<io::Error>,
    buf: Vec<u8>,
}

impl<W: Write> JsonStream<W> {
    pub fn begin(mut out: W, pg_version: u32, files: &[String]) -> io::Result<Self> {
        write!(
            out,
            "{{\"schema_version\":{SCHEMA_VERSION},\"pgrisk_version\":"
        )?;
        serde_json::to_writer(&mut out, env!("CARGO_PKG_VERSION"))?;
        write!(out, ",\"pg_version\":{pg_version},\"files\":")?;
        serde_json::to_writer(&mut out, files)?;
        out.write_all(b",\"statements\":[")?;
        Ok(JsonStream {
            out,
            spool: Findings::default(),
            statements: 0,
            error: None,
            buf: Vec::new(),
        })
    }

    pub fn finish(mut self, summary: &Summary) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"],\"findings\":[")?;
        let (out, buf) = (&mut self.out, &mut self.buf);
        let mut first = true;
        self.spool.drain(|f| {
            let r = write_finding(out, first, &f, buf);
            first = false;
            r
        })?;
        self.out.write_all(b"],\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn record(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

/// A finding as `serde_json` would write it, with the suggestion written from its pre-escaped
/// recipe (most of the output on large inputs).
fn write_finding(
    out: &mut impl Write,
    first: bool,
    f: &Finding,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    buf.clear();
    if !first {
        buf.push(b',');
    }
    buf.extend_from_slice(b"{\"rule\":");
    serde_json::to_writer(&mut *buf, f.rule.as_str())?;
    buf.extend_from_slice(b",\"severity\":");
    serde_json::to_writer(&mut *buf, &f.severity)?;
    buf.extend_from_slice(b",\"file\":");
    serde_json::to_writer(&mut *buf, &*f.file)?;
    write!(
        buf,
        ",\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{},\"revision\":",
        f.line, f.column, f.end_line, f.end_column
    )?;
    serde_json::to_writer(&mut *buf, &f.revision)?;
    buf.extend_from_slice(b",\"migration_file\":");
    serde_json::to_writer(&mut *buf, &f.migration_file)?;
    buf.extend_from_slice(b",\"migration_line\":");
    serde_json::to_writer(&mut *buf, &f.migration_line)?;
    write!(buf, ",\"statement\":{},\"message\":", f.statement)?;
    serde_json::to_writer(&mut *buf, &f.message)?;
    buf.extend_from_slice(b",\"duration\":");
    serde_json::to_writer(&mut *buf, &f.duration)?;
    buf.extend_from_slice(b",\"related\":");
    serde_json::to_writer(&mut *buf, &f.related)?;
    write!(buf, ",\"ignored\":{},\"ignore_reason\":", f.ignored)?;
    serde_json::to_writer(&mut *buf, &f.ignore_reason)?;
    buf.extend_from_slice(b",\"fingerprint\":");
    serde_json::to_writer(&mut *buf, &f.fingerprint)?;
    buf.extend_from_slice(b",\"suggestion\":");
    f.suggestion.write_json(buf);
    buf.push(b'}');
    out.write_all(buf)
}

fn write_item(out: &mut impl Write, first: bool, item: &impl Serialize) -> io::Result<()> {
    if !first {
        out.write_all(b",")?;
    }
    serde_json::to_writer(out, item).map_err(io::Error::from)
}

impl<W: Write> Sink for JsonStream<W> {
    fn statement(&mut self, statement: StatementReport) {
        if self.error.is_none() {
            let r = write_item(&mut self.out, self.statements == 0, &statement);
            self.statements += 1;
            self.record(r);
        }
    }

    fn finding(&mut self, finding: Finding) {
        if self.error.is_none() {
            let r = self.spool.push(&finding);
            self.record(r);
        }
    }
}
