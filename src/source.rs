//! One input (a file or stdin): its text, its name, and byte offset → 1-based line/column.
//! Reading refuses what cannot be SQL (invalid UTF-8, NUL bytes) with the file and byte offset.

use anyhow::{Result, bail};
use std::path::Path;

/// The text of an input: in memory, or a read-only map of its file (stdin is copied to a
/// temporary file first). A map's pages the analysis has passed are handed back to the system
/// (`Source::release_before`), so a large input does not stay resident.
#[derive(Debug, Clone)]
pub enum Text {
    Owned(String),
    /// Checked to be UTF-8 when mapped.
    Mapped(std::sync::Arc<memmap2::Mmap>),
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Owned(s) => s,
            // SAFETY: checked to be UTF-8 when mapped (`Source::from_map`); the map is read-only.
            Text::Mapped(m) => unsafe { std::str::from_utf8_unchecked(m) },
        }
    }
}

impl Text {
    pub fn as_str(&self) -> &str {
        self
    }
}

/// An input document. Offsets everywhere in pgrisk are byte offsets into `text`.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: Text,
    /// Byte offset where every `LINE_STRIDE`-th line starts (lines 1, 1 + LINE_STRIDE, …);
    /// the lines between are found by scanning. `\n`, `\r\n` and a lone `\r` all end a line.
    line_index: Vec<usize>,
    /// Length of a leading UTF-8 byte-order mark (0 or 3); it is not counted as a column.
    bom: usize,
    /// How much of a mapped text was handed back to the system already.
    released: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// 1-based line and column (column counted in characters, as editors show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Source {
    /// Validates `bytes` as SQL text: UTF-8, no NUL byte, not empty.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source> {
        check(name, &bytes)?;
        let text = String::from_utf8(bytes).expect("checked above");
        Ok(Source::new(name, text))
    }

    /// A file's text, mapped rather than read (a large input need not stay in memory); read
    /// when it cannot be mapped (a pipe, an empty file).
    pub fn read_file(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("{name}: cannot read file: {e}"))?;
        Source::from_file(&name, &file)
    }

    /// The text of an open file (a regular file is mapped, anything else read).
    pub fn from_file(name: &str, file: &std::fs::File) -> Result<Source> {
        let regular = file.metadata().is_ok_and(|m| m.is_file() && m.len() > 0);
        // SAFETY: a private read-only map; pgrisk does not write the file, and a file changed
        // underneath while pgrisk runs is the caller's race, as with any reader.
        if regular && let Ok(map) = unsafe { memmap2::Mmap::map(file) } {
            check(name, &map)?;
            let src = Source::with_text(name, Text::Mapped(std::sync::Arc::new(map)));
            src.release_all();
            return Ok(src);
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &*file, &mut bytes)
            .map_err(|e| anyhow::anyhow!("{name}: cannot read file: {e}"))?;
        Source::from_bytes(name, bytes)
    }

    /// Hands back to the system every page of a mapped text read so far (after a pass over the
    /// whole text: the check when mapped, the scan for revision markers).
    pub fn release_all(&self) {
        #[cfg(unix)]
        if let Text::Mapped(map) = &self.text {
            // SAFETY: a read-only private map of a file: dropped pages are read back from it.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, map.len())
            };
        }
    }

    /// Hands back to the system the pages of a mapped text before `offset`, as the analysis
    /// passes them (read again from the file if they are needed later).
    pub fn release_before(&self, offset: usize) {
        #[cfg(not(unix))]
        let _ = offset;
        #[cfg(unix)]
        self.release_range(offset);
    }

    #[cfg(unix)]
    fn release_range(&self, offset: usize) {
        let Text::Mapped(map) = &self.text else {
            return;
        };
        let page = 4096;
        let end = offset.min(map.len()) / page * page;
        let from = self
            .released
            .fetch_max(end, std::sync::atomic::Ordering::Relaxed);
        if end > from {
            // SAFETY: a read-only private map of a file: dropped pages are read back from it.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, end - from)
            };
        }
    }
}

/// Refuses what cannot be SQL text: UTF-16, a NUL byte, invalid UTF-8, nothing but whitespace.
fn check(name: &str, bytes: &[u8]) -> Result<()> {
    // What Windows PowerShell 5 writes for `alembic upgrade head --sql > out.sql`.
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        bail!(
            "{name}:1:1: input is UTF-16 (byte-order mark at byte offset 0), not UTF-8; convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)"
        );
    }
    if let Some(at) = memchr::memchr(0, bytes) {
        let pos = line_col_of_bytes(bytes, at);
        bail!(
            "{name}:{}:{}: input contains a NUL byte at byte offset {at}; this is not a SQL text file",
            pos.line,
            pos.column
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.valid_up_to();
            let pos = line_col_of_bytes(bytes, at);
            bail!(
                "{name}:{}:{}: input is not valid UTF-8 at byte offset {at}; convert it to UTF-8 first",
                pos.line,
                pos.column
            );
        }
    };
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        bail!("{name}: input is empty; expected the SQL printed by `alembic upgrade ... --sql`");
    }
    Ok(())
}

impl Source {
    /// A source from text that is already known to be valid (tests, DO bodies, fixtures).
    pub fn new(name: &str, text: String) -> Source {
        Source::with_text(name, Text::Owned(text))
    }

    fn with_text(name: &str, text: Text) -> Source {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let line_index = line_starts(text.as_bytes()).step_by(LINE_STRIDE).collect();
        Source {
            name: name.to_string(),
            text,
            line_index,
            bom,
            released: Default::default(),
        }
    }

    /// Where SQL starts (after a byte-order mark).
    pub fn content_start(&self) -> usize {
        self.bom
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let k = self.line_index.partition_point(|&s| s <= offset) - 1;
        let mut line_idx = k * LINE_STRIDE;
        let mut start = self.line_index[k];
        for s in line_starts_in(self.text.as_bytes(), start, offset + 1) {
            line_idx += 1;
            start = s;
        }
        if line_idx == 0 {
            start = start.max(self.bom).min(offset);
        }
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// Byte offset of the start of each line after `offset` and before `end`.
    pub fn line_starts_between(
        &self,
        offset: usize,
        end: usize,
    ) -> impl Iterator<Item = usize> + '_ {
        line_starts_in(self.text.as_bytes(), offset, end)
    }
}

/// Lines whose start `Source` keeps; the others are found by scanning at most this many.
const LINE_STRIDE: usize = 16;

/// The starts of the lines (after the first) that begin after `from` and before `end`.
fn line_starts_in(bytes: &[u8], from: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
    let stop = end.min(bytes.len());
    let from = from.min(stop);
    memchr::memchr2_iter(b'\n', b'\r', &bytes[from..stop])
        .map(move |i| from + i)
        .filter(move |&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .map(|i| i + 1)
        .take_while(move |&s| s < end)
}

/// The start of every line: 0, then each offset after a line end.
fn line_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(line_starts_in(bytes, 0, bytes.len() + 1))
}

fn line_col_of_bytes(bytes: &[u8], at: usize) -> Position {
    let (lines, line_start) = line_starts(&bytes[..at]).fold((0, 0), |(n, _), s| (n + 1, s));
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    Position {
        line: lines,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offset's position, from the sparse line index, equals a count from the start; and
    /// the line starts between two offsets are the ones a full list has.
    #[test]
    fn positions_from_the_sparse_index_match_a_full_count() {
        let mut text = String::from("\u{feff}SELECT 1;");
        for i in 0..70 {
            text.push_str(["\n", "\r\n", "\r", "\n\n"][i % 4]);
            text.push_str(&format!("-- line {i} é ✓\t"));
        }
        text.push('\n');
        let src = Source::new("t.sql", text.clone());
        let b = text.as_bytes();
        let mut starts = vec![0];
        for i in 0..b.len() {
            if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = starts.iter().filter(|&&s| s <= offset).count();
            let start = starts[line - 1]
                .max(if line == 1 { 3 } else { 0 })
                .min(offset);
            let column = text[start..offset].chars().count() + 1;
            assert_eq!(
                src.position(offset),
                Position { line, column },
                "offset {offset}"
            );
            for end in [offset, offset + 1, offset + 40, text.len() + 5] {
                let want: Vec<usize> = starts
                    .iter()
                    .copied()
                    .filter(|&s| s > offset && s < end)
                    .collect();
                let got: Vec<usize> = src.line_starts_between(offset, end).collect();
                assert_eq!(got, want, "between {offset} and {end}");
            }
        }
    }

    #[test]
    fn positions_with_mixed_line_endings_and_bom() {
        let src = Source::new("t", "\u{feff}a\r\nbc\nd\re".to_string());
        assert_eq!(src.position(3), Position { line: 1, column: 1 });
        assert_eq!(src.position(6), Position { line: 2, column: 1 });
        assert_eq!(src.position(7), Position { line: 2, column: 2 });
        assert_eq!(src.position(9), Position { line: 3, column: 1 });
        assert_eq!(src.position(11), Position { line: 4, column: 1 });
    }

    #[test]
    fn columns_count_characters() {
        let src = Source::new("t", "-- é\nSELECT 'é'; x".to_string());
        let x = src.text.rfind('x').unwrap();
        assert_eq!(
            src.position(x),
            Position {
                line: 2,
                column: 13
            }
        );
    }

    #[test]
    fn refuses_nul_and_bad_utf8_with_offsets() {
        let err = Source::from_bytes("f.sql", b"SELECT 1;\nSEL\0".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.sql:2:4: input contains a NUL byte at byte offset 13; this is not a SQL text file"
        );
        let err = Source::from_bytes("f.sql", b"SELECT '\xff';".to_vec()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.sql:1:9: input is not valid UTF-8 at byte offset 8")
        );
        let err = Source::from_bytes("f.sql", b"\xff\xfeS\0E\0".to_vec()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.sql:1:1: input is UTF-16 (byte-order mark at byte offset 0)")
        );
        let err = Source::from_bytes("f.sql", b" \n\t".to_vec()).unwrap_err();
        assert!(err.to_string().starts_with("f.sql: input is empty"));
    }
}
