//! The `pgrisk` command line: reads inputs, runs the analysis, renders, sets the exit code.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use pgrisk::config::Config;
use pgrisk::migrations::ScriptIndex;
use pgrisk::model::{Collect, Report};
use pgrisk::report::{ci, gitlab, html, json, markdown, text};
use pgrisk::{Options, Severity, Source, kb};
use std::io::{IsTerminal, Read, Write};

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pgrisk",
    version,
    about = "Migration safety for PostgreSQL: which locks each statement of `alembic upgrade --sql` takes, for how long, and how to do it safely",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// SQL files to analyse, in order ("-" for stdin). Default: stdin.
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text, global = true)]
    format: Format,
    /// Target PostgreSQL major version (11–18; default 15, or the configuration's `pg_version`).
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(kb::MIN_VERSION as i64..=kb::MAX_VERSION as i64))]
    pg_version: Option<u32>,
    /// Exit with 1 when a finding is at least this severe (default error, or the
    /// configuration's `fail_on`).
    #[arg(long, value_enum, global = true)]
    fail_on: Option<FailOn>,
    /// Revisions production already has (comma-separated): they and everything they depend on
    /// teach the schema but get no findings; only the later revisions are reported.
    #[arg(long, value_delimiter = ',')]
    since: Vec<String>,
    /// Configuration file (default: the nearest pgrisk.toml, or pyproject.toml with
    /// [tool.pgrisk], from the working directory up).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The Alembic project (the folder holding alembic.ini, the script folder, or a versions
    /// folder): findings point at the migration file and the line of the op.* call. Default:
    /// ./alembic.ini when present.
    #[arg(long, global = true)]
    alembic_dir: Option<PathBuf>,
    /// Production table sizes (JSON or CSV: table, rows, bytes; README gives the query): a
    /// rewrite, scan or index build of a small table is info, and findings show how long.
    #[arg(long, global = true)]
    stats: Option<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Text output: list every statement and every note (info finding), not only statements
    /// with findings or blocking locks and findings above info.
    #[arg(long)]
    all: bool,
    /// Text output: the full form, every finding with its statement, whole message and whole
    /// recipe (default: one compact block per finding, each rule's recipe once).
    #[arg(long, short = 'v')]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Explain a rule (why it matters, the safe recipe) or a lock mode (what it blocks, which
    /// statements take it, who holds it on a live server): `pgrisk explain set-not-null`,
    /// `pgrisk explain access-exclusive`.
    Explain {
        /// A rule name, or a lock mode in any spelling (`access-exclusive`,
        /// `AccessExclusiveLock`, "SHARE ROW EXCLUSIVE").
        name: String,
    },
    /// List every rule.
    Rules,
    /// For a pre-commit hook: the revisions of the changed migration FILES (and those after
    /// them) are reported; their parents are history. Renders `alembic upgrade heads --sql` in
    /// the directory of alembic.ini (or --alembic-dir), so the project's env.py must support
    /// offline mode. The report options (--format, --fail-on, --pg-version, --config) apply.
    PreCommit {
        /// Changed files; those that are not migration scripts are ignored.
        files: Vec<PathBuf>,
        /// The alembic command.
        #[arg(long, default_value = "alembic")]
        alembic: String,
    },
    /// Run every knowledge-base example against a PostgreSQL server (in a scratch schema, rolled
    /// back) and compare pgrisk's claims with the locks the server really takes.
    VerifyLocks {
        /// e.g. postgresql://user@localhost/db or "host=/tmp user=postgres"
        #[arg(long)]
        database_url: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    Text,
    Json,
    Markdown,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// One self-contained HTML page: summary, lock timeline (SVG) and findings.
    Html,
    /// GitLab Code Quality report (JSON), for `artifacts:reports:codequality`.
    Gitlab,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Debug)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn read_inputs(files: &[PathBuf]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            bail!(
                "no input: pipe SQL into pgrisk (alembic upgrade head --sql | pgrisk) or name files"
            );
        }
        return Ok(vec![read_stdin()?]);
    }
    for f in files {
        if f.as_os_str() == "-" {
            sources.push(read_stdin()?);
        } else {
            sources.push(Source::read_file(f)?);
        }
    }
    Ok(sources)
}

/// Stdin, copied to a temporary file that is then mapped (a large input need not stay in
/// memory), or read into memory when no temporary file can be made.
fn read_stdin() -> Result<Source> {
    if let Ok(mut file) = tempfile::tempfile() {
        std::io::copy(&mut std::io::stdin().lock(), &mut file).context("<stdin>: cannot read")?;
        return Source::from_file("<stdin>", &file);
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("<stdin>: cannot read")?;
    Source::from_bytes("<stdin>", bytes)
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Explain { name }) => {
            if let Some(doc) = pgrisk::suggest::doc(&name) {
                print!("{}", doc.text);
            } else if let Some(mode) = pgrisk::explain::parse_lock_mode(&name) {
                print!("{}", pgrisk::explain::explain_lock_mode(mode));
            } else {
                let rules: Vec<&str> = pgrisk::suggest::docs()
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect();
                let modes: Vec<String> = pgrisk::locks::LockMode::ALL
                    .iter()
                    .map(|m| m.sql_name().to_lowercase().replace(' ', "-"))
                    .collect();
                bail!(
                    "no rule or lock mode named {name:?}\n  rules: {}\n  lock modes: {}",
                    rules.join(", "),
                    modes.join(", ")
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Rules) => {
            for d in pgrisk::suggest::docs() {
                println!("{:<38} {:<8} {}", d.id, d.severity, d.title);
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::VerifyLocks { database_url }) => {
            let out = pgrisk::verify::verify_locks(&database_url, None)?;
            print!("{out}");
            return Ok(if out.mismatches().count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Some(Command::PreCommit { .. }) | None => {}
    }
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let config = Config::load(cli.config.as_deref(), &cwd)?;
    let index = scripts(cli.alembic_dir.as_deref())?.map(std::sync::Arc::new);
    let (sources, pre_commit_since) = match &cli.command {
        Some(Command::PreCommit { files, alembic }) => {
            let Some(index) = &index else {
                bail!(
                    "pre-commit: no alembic.ini here; run it where alembic.ini is, or pass --alembic-dir"
                );
            };
            match pre_commit(index, files, alembic, cli.alembic_dir.as_deref())? {
                Some((sources, since)) => (sources, Some(since)),
                None => return Ok(ExitCode::SUCCESS),
            }
        }
        _ => (read_inputs(&cli.files)?, None),
    };
    let pg_version = cli
        .pg_version
        .or(config.pg_version)
        .unwrap_or(kb::DEFAULT_VERSION);
    let fail_on = match (cli.fail_on, config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some(f)) => FailOn::from_str(f, true).map_err(anyhow::Error::msg)?,
        (None, None) => FailOn::Error,
    };
    let options = Options {
        pg_version,
        since: match pre_commit_since {
            Some(s) => s,
            None if cli.since.is_empty() => config.since.clone(),
            None => cli.since.clone(),
        },
        rules: config.rules.clone(),
        scripts: index,
        stats: match &cli.stats {
            Some(p) => Some(std::sync::Arc::new(pgrisk::stats::Stats::read(p)?)),
            None => None,
        },
    };
    let stdout = std::io::stdout();
    let written = match cli.format {
        Format::Json => {
            // Streamed: statements are written as their transactions end.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = json::JsonStream::begin(out, pg_version, &names(&sources))?;
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish(&outcome.summary).map(drop), outcome)
        }
        Format::Github => {
            // Streamed: one line per finding as its transaction ends.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = ci::GithubStream::new(out);
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish().map(drop), outcome)
        }
        Format::Sarif => {
            // Streamed: results as their transactions end, then the rules that fired.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = ci::SarifStream::begin(out)?;
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish().map(drop), outcome)
        }
        Format::Gitlab => {
            // Streamed: one issue per line as its transaction ends.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = gitlab::GitlabStream::begin(out)?;
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish().map(drop), outcome)
        }
        Format::Text if !cli.verbose => {
            // Streamed: the table's rows and the findings' blocks are spooled until the end.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = text::TextStream::begin(
                out,
                text_options(&cli, &stdout),
                pg_version,
                &names(&sources),
            );
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish(&outcome.summary).map(drop), outcome)
        }
        Format::Markdown => {
            // Built as the analysis goes: each level of detail in memory, dropped once it
            // cannot fit GitHub's comment limit.
            let mut stream = markdown::MarkdownStream::new(pg_version);
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            let rendered = stream.finish(&outcome.summary);
            let mut out = stdout.lock();
            written(
                out.write_all(rendered.as_bytes()).and_then(|_| out.flush()),
                outcome,
            )
        }
        Format::Html => {
            // Streamed: the sections are spooled and come out in order at the end.
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut stream = html::HtmlStream::begin(out, pg_version, &names(&sources));
            let outcome = pgrisk::analyze::run(&sources, &options, &mut stream)?;
            written(stream.finish(&outcome.summary).map(drop), outcome)
        }
        Format::Text => {
            let mut all = Collect::default();
            let outcome = pgrisk::analyze::run(&sources, &options, &mut all)?;
            let input_error = outcome.input_error();
            let unmapped = outcome.unmapped_revisions;
            let report = Report {
                pg_version,
                files: outcome.files,
                statements: all.statements,
                findings: all.findings,
                summary: outcome.summary,
            };
            // --verbose: the bordered table is laid out over all its rows at once.
            let rendered = text::render(&report, &text_options(&cli, &stdout));
            let mut out = stdout.lock();
            (
                out.write_all(rendered.as_bytes()).and_then(|_| out.flush()),
                report.max_severity(),
                input_error,
                unmapped,
            )
        }
    };
    let (result, max_severity, input_error, unmapped) = written;
    if !unmapped.is_empty() {
        eprintln!(
            "pgrisk: no migration script found for revision(s) {}: their findings point at the SQL",
            unmapped.join(", ")
        );
    }
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("writing the report");
    }
    if let Some(e) = input_error {
        bail!("{e}");
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = matches!((threshold, max_severity), (Some(t), Some(m)) if m >= t);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The rendered upgrade SQL and the revisions that are history.
type Rendered = (Vec<Source>, Vec<String>);

/// What a pre-commit run analyses: `alembic upgrade heads --sql` of the project, with the parents
/// of the changed revisions as history. None: no changed file is a migration script.
fn pre_commit(
    index: &ScriptIndex,
    files: &[PathBuf],
    alembic: &str,
    dir: Option<&std::path::Path>,
) -> Result<Option<Rendered>> {
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b
            || (a.canonicalize().ok().is_some() && a.canonicalize().ok() == b.canonicalize().ok())
    };
    let changed: Vec<&pgrisk::migrations::Script> = index
        .scripts()
        .iter()
        .filter(|s| files.iter().any(|f| same(f, &s.path)))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    let ours: Vec<&str> = changed.iter().map(|s| s.revision.as_str()).collect();
    let mut since: Vec<String> = changed
        .iter()
        .flat_map(|s| s.down_revisions.iter())
        .filter(|r| !ours.contains(&r.as_str()))
        .cloned()
        .collect();
    since.sort();
    since.dedup();
    // alembic runs where alembic.ini is.
    let ini_dir = match dir {
        Some(d) if d.join("alembic.ini").is_file() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out = std::process::Command::new(alembic)
        .args(["upgrade", "heads", "--sql"])
        .current_dir(&ini_dir)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| {
            format!("pre-commit: cannot run `{alembic}` (is the project's virtualenv active?)")
        })?;
    if !out.status.success() {
        bail!(
            "pre-commit: `{alembic} upgrade heads --sql` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let src = Source::from_bytes("<alembic upgrade heads --sql>", out.stdout)?;
    Ok(Some((vec![src], since)))
}

/// The migration scripts: `--alembic-dir`, else ./alembic.ini when present. Files the index could
/// not read are named once on stderr; their revisions' findings keep the SQL position.
fn scripts(dir: Option<&std::path::Path>) -> Result<Option<ScriptIndex>> {
    let index = match dir {
        Some(d) => Some(ScriptIndex::discover(d)?),
        None => ScriptIndex::from_cwd()?,
    };
    if let Some(i) = &index {
        for p in i.problems() {
            eprintln!("pgrisk: {p}");
        }
    }
    Ok(index)
}

/// What a run left: the result of writing the report, the worst finding, an input error, and
/// the revisions without a migration script.
type Written = (
    std::io::Result<()>,
    Option<Severity>,
    Option<String>,
    Vec<String>,
);

fn written(result: std::io::Result<()>, outcome: pgrisk::model::Outcome) -> Written {
    (
        result,
        outcome.summary.max_severity(),
        outcome.input_error(),
        outcome.unmapped_revisions,
    )
}

fn names(sources: &[Source]) -> Vec<String> {
    sources.iter().map(|s| s.name.clone()).collect()
}

/// The text report's options from the command line and the terminal.
fn text_options(cli: &Cli, stdout: &std::io::Stdout) -> text::TextOptions {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    text::TextOptions {
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout.is_terminal() && !no_color,
        },
        all: cli.all,
        width: terminal_width().unwrap_or(120),
        verbose: cli.verbose,
    }
}

fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

/// Return freed memory to the system at once instead of keeping it for reuse: pgrisk's peak
/// memory is what CI machines pay for, and the reuse buys little here. And no transparent huge
/// pages: a 2 MB page made resident for a few live objects costs memory, and zeroing it on
/// every fault after a purge costs time (measured with bench/run.sh: about 10 MB less at the
/// peak, no slower).
fn lean_allocator() {
    // mimalloc option ids (the same in v2 and v3): arena_eager_commit = 4 (off), purge_delay = 15 (2 ms).
    // SAFETY: plain option setters, called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(4, 0);
        libmimalloc_sys::mi_option_set(15, 2);
    }
    // SAFETY: PR_SET_THP_DISABLE only changes this process's page policy.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    lean_allocator();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pgrisk: {e:#}");
            ExitCode::from(2)
        }
    }
}

// libpg_query's parse trees become many small Rust allocations; mimalloc serves them faster
// than the system allocator, from several threads at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
