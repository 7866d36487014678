//! pgrisk: reads the SQL a migration run will execute (`alembic upgrade head --sql`) and tells,
//! statement by statement, which locks it takes, for how long, what it rewrites, and how to do it safely.

pub mod analyze;
pub mod catalog;
pub mod classify;
pub mod facts;
pub mod kb;
pub mod locks;
pub mod migrations;
pub mod parse;
pub mod report;
pub mod rules;
pub mod script;
pub mod source;
pub mod suggest;
pub mod types;
pub mod verify;

pub use report::{Finding, Report, Severity, StatementReport};
pub use source::Source;

/// What the analysis needs to know about the target.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Target PostgreSQL major version (11–18).
    pub pg_version: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { pg_version: 15 }
    }
}

/// Analyses several inputs as one migration run, in order.
pub fn analyze_sources(sources: &[Source], options: &Options) -> Report {
    analyze::report(sources, options)
}

/// Analyses one SQL text (named `<input>`).
pub fn analyze_sql(sql: &str, options: &Options) -> Report {
    analyze_sources(&[Source::new("<input>", sql.to_string())], options)
}
