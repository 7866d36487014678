//! JSON output: the documented, versioned contract (see README "JSON output"). Written as a
//! stream: each statement goes out when its transaction ends, so memory stays flat on big inputs.

use super::{Finding, Report, StatementReport, Summary};
use crate::analyze::Sink;
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

/// Compact JSON written statement by statement: `{…,"statements":[…],"findings":[…],"summary":{…}}`.
pub struct JsonStream<W: Write> {
    out: W,
    first: bool,
    error: Option<io::Error>,
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
            first: true,
            error: None,
        })
    }

    pub fn finish(mut self, findings: &[Finding], summary: &Summary) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"],\"findings\":")?;
        serde_json::to_writer(&mut self.out, findings)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for JsonStream<W> {
    fn statement(&mut self, statement: StatementReport) {
        if self.error.is_some() {
            return;
        }
        let sep: &[u8] = if self.first { b"" } else { b"," };
        self.first = false;
        let result = self.out.write_all(sep).and_then(|_| {
            serde_json::to_writer(&mut self.out, &statement).map_err(io::Error::from)
        });
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}
