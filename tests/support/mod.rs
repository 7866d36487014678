//! Throwaway PostgreSQL servers for the truth tests. `scripts/postgres.sh` knows how to get and start
//! one; this guard makes sure each server stops, when a test passes, fails, or its process is killed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Why a server is not running.
pub enum StartError {
    /// No binaries for this major could be had (not installed, nothing to fetch them with).
    Unavailable(String),
    /// Binaries exist but initdb or the server failed: a real error.
    Failed(String),
}

/// A running server in a private directory; stopped (immediate) and deleted on drop.
pub struct Server {
    pub major: u32,
    dir: PathBuf,
    conninfo: String,
    /// Stops the server if this process dies without running `Drop` (SIGKILL, abort).
    watchdog: Option<Child>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres.sh")
}

impl Server {
    pub fn start(major: u32) -> Result<Server, StartError> {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        // Short: the unix socket lives here and its path must stay under 108 bytes.
        let dir = PathBuf::from(format!("/tmp/pgrisk-pg{major}-{}-{n}", std::process::id()));
        let out = Command::new(script())
            .arg("start")
            .arg(major.to_string())
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| StartError::Failed(format!("cannot run {}: {e}", script().display())))?;
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !out.status.success() {
            let _ = Command::new(script()).arg("stop").arg(&dir).status();
            return Err(if out.status.code() == Some(3) {
                StartError::Unavailable(stderr)
            } else {
                StartError::Failed(format!(
                    "scripts/postgres.sh start {major} failed: {stderr}"
                ))
            });
        }
        let conninfo = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let watchdog = Command::new("setsid")
            .arg("sh")
            .arg("-c")
            .arg(r#"while kill -0 "$0" 2>/dev/null; do sleep 1; done; exec "$1" stop "$2""#)
            .arg(std::process::id().to_string())
            .arg(script())
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        Ok(Server {
            major,
            dir,
            conninfo,
            watchdog,
        })
    }

    pub fn config(&self) -> postgres::Config {
        self.conninfo
            .parse()
            .expect("scripts/postgres.sh prints a valid connection string")
    }

    pub fn conninfo(&self) -> &str {
        &self.conninfo
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let stopped = Command::new(script())
            .arg("stop")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .status();
        if !matches!(stopped, Ok(s) if s.success()) {
            let _ = writeln!(
                std::io::stderr(),
                "could not stop the PostgreSQL {} server in {}",
                self.major,
                self.dir.display()
            );
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

/// Says something the test runner does not capture: a skipped version must be seen.
pub fn announce(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
