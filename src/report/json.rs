//! JSON output: the documented, versioned contract (see README "JSON output").

use super::Report;
use serde::Serialize;

/// Bumped whenever a field is removed or changes meaning; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    pgrisk_version: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

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
