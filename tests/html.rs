//! `--format html`: one self-contained page for the bundled example and every corpus file, and
//! what a person sees when headless Chromium (Debian's `chromium`) opens it: the lock timeline
//! drawn, the findings listed, no console error, nothing fetched.

use pgrisk::report::html::{self, escape};
use pgrisk::{Options, Report, Source, analyze_sources};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("examples/shop-upgrade.sql")
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/corpus/alembic"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn analyse(path: &Path) -> Report {
    analyze_sources(&[Source::read_file(path).unwrap()], &Options::default()).expect("analysis")
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Well-formed enough and self-contained: one document, balanced elements, the only script
/// ours, nothing that loads from anywhere.
fn check_static(name: &str, report: &Report, page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{name}");
    for (open, close) in [
        ("<html", "</html>"),
        ("<head>", "</head>"),
        ("<body>", "</body>"),
        ("<style>", "</style>"),
        ("<script>", "</script>"),
    ] {
        assert_eq!(count(page, open), 1, "{name}: {open}");
        assert_eq!(count(page, close), 1, "{name}: {close}");
    }
    for (open, close) in [
        ("<svg", "</svg>"),
        ("<figure", "</figure>"),
        ("<section", "</section>"),
        ("<article", "</article>"),
        ("<details>", "</details>"),
        ("<pre>", "</pre>"),
        ("<table>", "</table>"),
        ("<tr", "</tr>"),
        ("<g ", "</g>"),
        ("<title>", "</title>"),
    ] {
        assert_eq!(count(page, open), count(page, close), "{name}: {open}");
    }
    for external in [
        "src=", "<link", "<img", "<iframe", "<object", "<embed", "url(", "@import", "xmlns",
    ] {
        assert!(!page.contains(external), "{name}: {external}");
    }
    // Links only within the page, to a finding that is there.
    for link in page.split("href=\"").skip(1) {
        let target = &link[..link.find('"').unwrap()];
        assert!(target.starts_with("#f"), "{name}: {target}");
        assert!(
            page.contains(&format!("id=\"{}\"", &target[1..])),
            "{name}: {target}"
        );
    }
    // No URL at all, apart from what the input SQL itself says (a comment in airflow's).
    let mut rest = page.to_string();
    for st in &report.statements {
        rest = rest.replace(&escape(st.sql.trim()), "");
    }
    assert!(
        !rest.contains("http:") && !rest.contains("https:"),
        "{name}: a URL in the page"
    );
    // Every finding is listed with its rule; every transaction holding a blocking lock is drawn.
    for f in &report.findings {
        assert!(
            page.contains(&format!("data-rule=\"{}\"", f.rule)),
            "{name}: {}",
            f.rule
        );
    }
    let held = report
        .statements
        .iter()
        .filter(|s| s.held_until.is_some())
        .count();
    assert_eq!(held == 0, !page.contains("<rect"), "{name}");
    for svg in page.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.starts_with(" role=\"img\" aria-label=\""), "{name}");
        let rows = count(svg, "<g class=\"row\">");
        assert!((1..=html::MAX_ROWS).contains(&rows), "{name}: {rows} rows");
        assert_eq!(rows, count(svg, "<rect"), "{name}");
        assert_eq!(rows, count(svg, "<title>"), "{name}");
    }
}

#[test]
fn example_and_corpus_pages_are_self_contained() {
    let report = analyse(&example());
    let page = html::render(&report);
    check_static("example", &report, &page);
    assert!(!page.contains("http"), "the example page names no URL");
    assert!(page.contains("<svg"), "the example has a timeline");
    assert!(page.contains("<details><summary>Safe recipe:"));
    for path in corpus() {
        let report = analyse(&path);
        check_static(&path.display().to_string(), &report, &html::render(&report));
    }
}

#[test]
fn input_text_is_escaped() {
    let sql = "-- Running upgrade a1 -> b<script>alert(1)</script>\n\
BEGIN;\n\
ALTER TABLE \"<b>&'x\" ADD COLUMN \"y\"\"<i>\" int DEFAULT 1 NOT NULL;\n\
ALTER TABLE \"<b>&'x\" ALTER COLUMN \"y\"\"<i>\" TYPE bigint;\n\
COMMIT;\n";
    let report = pgrisk::analyze_sql(sql, &Options::default()).unwrap();
    assert!(!report.findings.is_empty());
    let page = html::render(&report);
    check_static("escaping", &report, &page);
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<b>"), "{page}");
    assert!(!page.contains("<i>"), "{page}");
    assert!(page.contains("&lt;b&gt;&amp;&#39;x"), "{page}");
}

/// Debian's `chromium`, installed when missing and we are root; otherwise a clear failure.
fn chromium() -> PathBuf {
    let on_path = || {
        std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("chromium"))
                .find(|c| c.is_file())
        })
    };
    if let Some(c) = on_path() {
        return c;
    }
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        panic!(
            "the HTML test needs Debian's `chromium` on PATH: install it (`sudo apt-get install -y chromium`)"
        );
    }
    let install = |update: bool| {
        if update {
            let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        }
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install(false) && !install(true) {
        panic!("the HTML test needs Debian's `chromium`: `apt-get install -y chromium` failed");
    }
    on_path().expect("chromium on PATH after apt-get install")
}

struct Run {
    dom: String,
    console: Vec<String>,
    screenshot: Option<u64>,
}

/// Opens `page` in headless Chromium (fresh profile, no network) and returns the DOM after
/// scripts ran, the page's console lines, and the screenshot's size when asked for.
fn open(chromium: &Path, dir: &Path, page: &str, screenshot: bool) -> Run {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("page.html");
    std::fs::write(&file, page).unwrap();
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=5000",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,2000",
    ]
    .map(String::from)
    .to_vec();
    args.push(format!("--user-data-dir={}", dir.join("profile").display()));
    let shot = dir.join("shot.png");
    args.push(if screenshot {
        format!("--screenshot={}", shot.display())
    } else {
        "--dump-dom".to_string()
    });
    args.push(format!("file://{}", file.display()));
    let mut child = Command::new(chromium)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 45 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (dom, stderr) = (out.join().unwrap(), err.join().unwrap());
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(String::from)
        .collect();
    Run {
        dom,
        console,
        screenshot: screenshot.then(|| std::fs::metadata(&shot).map_or(0, |m| m.len())),
    }
}

/// Added to the page under test: measures what the browser laid out and writes it into the
/// DOM, where `--dump-dom` shows it.
const PROBE: &str = r##"<script>
(function () {
  function shown(e) { var b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }
  var all = function (s) { return Array.prototype.slice.call(document.querySelectorAll(s)); };
  var r = {
    svgs: all("#timeline svg").filter(function (s) { var b = s.getBoundingClientRect(); return b.width > 300 && b.height > 20; }).length,
    bars: all("#timeline svg rect").filter(shown).length,
    findings: all("#findings article.finding").filter(function (a) { return shown(a) && a.innerText.length > 0; }).map(function (a) { return a.getAttribute("data-rule"); }),
    resources: performance.getEntriesByType("resource").length
  };
  // Printing opens every recipe.
  window.dispatchEvent(new Event("beforeprint"));
  r.closedWhenPrinted = all("details").filter(function (d) { return !d.open; }).length;
  r.details = all("details").length;
  var p = document.createElement("pre");
  p.id = "probe";
  p.textContent = "PROBE " + JSON.stringify(r) + " END";
  document.body.appendChild(p);
})();
</script>
"##;

fn probe(dom: &str) -> &str {
    let start = dom.find("<pre id=\"probe\">PROBE ").expect("the probe ran")
        + "<pre id=\"probe\">PROBE ".len();
    &dom[start..start + dom[start..].find(" END</pre>").unwrap()]
}

#[test]
fn headless_chromium_shows_timeline_and_findings() {
    let started = Instant::now();
    let chromium = chromium();
    let tmp = std::env::temp_dir().join(format!("pgrisk-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);

    let report = analyse(&example());
    let page = html::render(&report);
    let probed = page.replace("</body>", &format!("{PROBE}</body>"));
    let rules: Vec<String> = report
        .findings
        .iter()
        .filter(|f| !f.ignored)
        .map(|f| format!("\"{}\"", f.rule))
        .collect();
    assert!(!rules.is_empty());

    // Each in its own profile, at once: the example (DOM and screenshot), a larger corpus
    // file, and a page with a console error that the check must catch.
    let broken = "<!DOCTYPE html><html><body><p>x</p><script>console.error(\"boom\"); \
throw new Error(\"boom\");</script></body></html>";
    let corpus_file = root().join("tests/corpus/alembic/superset.sql");
    let corpus_report = analyse(&corpus_file);
    let corpus_page = html::render(&corpus_report).replace("</body>", &format!("{PROBE}</body>"));
    let runs = std::thread::scope(|s| {
        let c = &chromium;
        let jobs = [
            (tmp.join("dom"), probed.as_str(), false),
            (tmp.join("shot"), page.as_str(), true),
            (tmp.join("corpus"), corpus_page.as_str(), false),
            (tmp.join("broken"), broken, false),
        ]
        .map(|(dir, page, shot)| s.spawn(move || open(c, &dir, page, shot)));
        jobs.map(|j| j.join().unwrap())
    });
    let [dom, shot, corpus, broken] = runs;

    // The example: the timeline is laid out with its bars, every finding is listed, in order.
    assert!(dom.dom.contains("<svg role=\"img\""), "{}", dom.dom);
    assert!(dom.dom.contains("<rect class=\"bar"));
    for f in report.findings.iter().filter(|f| !f.ignored) {
        assert!(dom.dom.contains(&format!("data-rule=\"{}\"", f.rule)));
    }
    let p = probe(&dom.dom);
    let held = report
        .statements
        .iter()
        .map(|s| {
            s.held_until.as_ref().map_or(0, |_| {
                s.locks.iter().filter(|l| l.mode.is_dangerous()).count()
            })
        })
        .sum::<usize>();
    assert!(p.contains("\"svgs\":2,"), "{p}");
    assert!(p.contains(&format!("\"bars\":{held},")), "{p}");
    assert!(
        p.contains(&format!("\"findings\":[{}]", rules.join(","))),
        "{p}"
    );
    assert!(p.contains("\"resources\":0,"), "nothing fetched: {p}");
    assert!(p.contains("\"closedWhenPrinted\":0,"), "{p}");
    assert!(!p.contains("\"details\":0"), "{p}");
    assert!(dom.console.is_empty(), "console: {:?}", dom.console);

    // The screenshot is a real picture, not an empty page.
    let size = shot.screenshot.unwrap();
    assert!(size > 20_000, "screenshot of {size} bytes");
    assert!(shot.console.is_empty(), "console: {:?}", shot.console);

    // A corpus page: drawn and listed too, without console errors.
    let p = probe(&corpus.dom);
    assert!(
        !p.contains("\"bars\":0,") && !p.contains("\"svgs\":0,"),
        "{p}"
    );
    assert!(!p.contains("\"findings\":[]"), "{p}");
    assert!(p.contains("\"resources\":0,"), "{p}");
    assert!(corpus.console.is_empty(), "console: {:?}", corpus.console);

    // The console check sees errors where there are some.
    assert!(
        broken.console.iter().any(|l| l.contains("Uncaught")),
        "console errors are not detected: {:?}",
        broken.console
    );

    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn large_transactions_are_capped_and_say_so() {
    let mut sql = String::from("-- Running upgrade a1 -> b2\nBEGIN;\n");
    let n = html::MAX_ROWS + 5;
    for i in 0..n {
        sql.push_str(&format!("ALTER TABLE t{i} ADD COLUMN x int;\n"));
    }
    sql.push_str("COMMIT;\n");
    let report = pgrisk::analyze_sql(&sql, &Options::default()).unwrap();
    let page = html::render(&report);
    check_static("capped", &report, &page);
    assert_eq!(count(&page, "<svg"), 1);
    assert_eq!(count(&page, "<rect"), html::MAX_ROWS);
    assert!(
        page.contains("5 more locks in this transaction not drawn"),
        "{page}"
    );
    assert!(page.contains(&format!("t{} (ACCESS EXCLUSIVE, line", n - 1)));
    // The summary names every table the revision locks ACCESS EXCLUSIVE.
    assert!(page.contains(&format!("<code>t{}</code>", n - 1)));
}
