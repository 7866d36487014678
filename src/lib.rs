//! pgrisk: reads the SQL a migration run will execute (`alembic upgrade head --sql`) and tells,
//! statement by statement, which locks it takes, for how long, what it rewrites, and how to do it safely.

pub mod analyze;
pub mod catalog;
pub mod classify;
pub mod config;
pub mod explain;
pub mod facts;
pub mod fingerprint;
pub mod kb;
pub mod locks;
pub mod migrations;
pub mod model;
pub mod origin;
pub mod parse;
pub mod registry;
pub mod report;
pub mod rules;
pub mod script;
pub mod session;
pub mod source;
pub mod spool;
pub mod stats;
pub mod suggest;
pub mod types;
pub mod verify;

pub use model::{Finding, Report, Severity, StatementReport};
pub use source::Source;

/// What the analysis needs to know: the target, what production already has, and the project's
/// configuration of rules.
#[derive(Debug, Clone)]
pub struct Options {
    /// Target PostgreSQL major version (`kb::MIN_VERSION`–`kb::MAX_VERSION`).
    pub pg_version: u32,
    /// `--since`: revisions already applied in production (with everything they depend on).
    pub since: Vec<String>,
    /// Rules disabled, severities changed, findings accepted per revision.
    pub rules: config::RuleConfig,
    /// The project's migration scripts (`--alembic-dir`): findings point at the `op.*` call.
    pub scripts: Option<std::sync::Arc<migrations::ScriptIndex>>,
    /// Production table sizes (`--stats`): severity follows size.
    pub stats: Option<std::sync::Arc<stats::Stats>>,
}

impl Options {
    /// The default options for `pg_version`.
    pub fn for_version(pg_version: u32) -> Options {
        Options {
            pg_version,
            ..Options::default()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pg_version: kb::DEFAULT_VERSION,
            since: Vec::new(),
            rules: config::RuleConfig::default(),
            scripts: None,
            stats: None,
        }
    }
}

/// Analyses several inputs as one migration run, in order. Fails only when `options.since`
/// names a revision the inputs do not mention.
pub fn analyze_sources(sources: &[Source], options: &Options) -> anyhow::Result<Report> {
    analyze::report(sources, options)
}

/// Analyses one SQL text (named `<input>`).
pub fn analyze_sql(sql: &str, options: &Options) -> anyhow::Result<Report> {
    analyze_sources(&[Source::new("<input>", sql.to_string())], options)
}
