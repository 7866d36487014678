#!/usr/bin/env python3
"""Statement finder for the blind review set (stdlib only, deterministic).

Splits a PostgreSQL script into statements and reports, for each one, the
1-based line of its first SQL token (leading comments are skipped), its text
(without the terminating ';') and its collapsed 80-character prefix.

Handled: -- and (nested) /* */ comments, '...' strings with '' escapes,
E'...' strings with backslash escapes, "..." identifiers, $tag$...$tag$
dollar quoting (DO blocks, function bodies), empty statements (';;').

Printed non-SQL lines (Python print()/log output captured by
`alembic upgrade --sql > file`) are skipped: when a new statement is about to
start on a line whose first word is not a SQL statement keyword, the whole
line is treated as printed text and is not a statement.

Usage:
    python3 lines.py FILE...           # list statements: line<TAB>prefix
    python3 lines.py --check           # verify labels.jsonl against revisions/
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))

# First words a top-level statement may begin with.
SQL_START_WORDS = {
    "abort", "alter", "analyze", "begin", "call", "checkpoint", "close",
    "cluster", "comment", "commit", "copy", "create", "deallocate", "declare",
    "delete", "discard", "do", "drop", "end", "execute", "explain", "fetch",
    "grant", "import", "insert", "listen", "load", "lock", "merge", "move",
    "notify", "prepare", "reassign", "refresh", "reindex", "release", "reset",
    "revoke", "rollback", "savepoint", "security", "select", "set", "show",
    "start", "table", "truncate", "unlisten", "update", "vacuum", "values",
    "with",
}

_word_re = re.compile(r"[A-Za-z_]+")
_dollar_tag_re = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass
class Statement:
    line: int          # 1-based line of first token
    end_line: int      # 1-based line of the terminating ';' (or last token)
    text: str          # statement text without the final ';'

    @property
    def prefix(self) -> str:
        return collapse(self.text)[:80]

    @property
    def first_word(self) -> str:
        m = _word_re.match(self.text)
        return m.group(0).upper() if m else ""


def collapse(text: str) -> str:
    return " ".join(text.split())


def _is_printed_line(line: str) -> bool:
    s = line.strip()
    if not s or s.startswith("--") or s.startswith("/*") or s.startswith(";"):
        return False
    if s.startswith("("):
        return False
    m = _word_re.match(s)
    if not m:
        return True  # e.g. starts with a digit (timestamped log line)
    return m.group(0).lower() not in SQL_START_WORDS


def split_statements(src: str) -> list[Statement]:
    stmts: list[Statement] = []
    n = len(src)
    i = 0
    line = 1
    start = -1        # index of first token of the current statement
    start_line = 0
    at_line_start = True

    def finish(end_idx: int, end_line: int) -> None:
        nonlocal start
        if start >= 0:
            text = src[start:end_idx].rstrip()
            if text:
                stmts.append(Statement(start_line, end_line, text))
        start = -1

    while i < n:
        c = src[i]
        if start < 0 and at_line_start:
            eol = src.find("\n", i)
            eol = n if eol < 0 else eol
            if _is_printed_line(src[i:eol]):
                i = eol  # skip printed text; newline handled below
                at_line_start = False
                continue
        if c == "\n":
            line += 1
            i += 1
            at_line_start = True
            continue
        if c in " \t\r\f":
            i += 1
            continue
        at_line_start = False
        # comments
        if src.startswith("--", i):
            eol = src.find("\n", i)
            i = n if eol < 0 else eol
            continue
        if src.startswith("/*", i):
            depth = 1
            i += 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth += 1
                    i += 2
                elif src.startswith("*/", i):
                    depth -= 1
                    i += 2
                else:
                    if src[i] == "\n":
                        line += 1
                    i += 1
            continue
        if c == ";":
            finish(i, line)
            i += 1
            continue
        if start < 0:
            start = i
            start_line = line
        # quoted things
        if c == "'" or (c in "eE" and i + 1 < n and src[i + 1] == "'"
                        and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_"))):
            backslash = c in "eE"
            i += 2 if backslash else 1
            while i < n:
                ch = src[i]
                if ch == "\n":
                    line += 1
                if backslash and ch == "\\":
                    i += 2
                    continue
                if ch == "'":
                    if i + 1 < n and src[i + 1] == "'":
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            continue
        if c == '"':
            i += 1
            while i < n:
                ch = src[i]
                if ch == "\n":
                    line += 1
                if ch == '"':
                    if i + 1 < n and src[i + 1] == '"':
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            continue
        if c == "$":
            m = _dollar_tag_re.match(src, i)
            prev_ok = i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")
            if m and prev_ok:
                tag = m.group(0)
                j = src.find(tag, m.end())
                j = n if j < 0 else j + len(tag)
                line += src.count("\n", i, j)
                i = j
                continue
        if c.isalnum() or c == "_":
            j = i
            while j < n and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            i = j
            continue
        i += 1
    finish(n, line)
    return stmts


def statements_of_file(path: str) -> list[Statement]:
    with open(path, encoding="utf-8") as fh:
        return split_statements(fh.read())


def labelled_statements(path: str) -> list[Statement]:
    """Statements to label: all except bare BEGIN/COMMIT transaction lines."""
    out = []
    for s in statements_of_file(path):
        if collapse(s.text).upper() in ("BEGIN", "COMMIT"):
            continue
        out.append(s)
    return out


def check(labels_path: str, rev_root: str) -> int:
    errors = 0
    seen: dict[str, list[int]] = {}
    with open(labels_path, encoding="utf-8") as fh:
        rows = [json.loads(l) for l in fh if l.strip()]
    for r in rows:
        seen.setdefault(r["file"], []).append(r["line"])
        if r["label"] not in ("block", "caution", "fine"):
            print("bad label", r)
            errors += 1
        if not re.fullmatch(r"R\d+", r.get("rule", "")):
            print("bad rule", r)
            errors += 1
    for f, lines in seen.items():
        stmts = labelled_statements(os.path.join(rev_root, f))
        want = [s.line for s in stmts]
        if lines != want:
            print(f"{f}: labelled lines {lines} != statement lines {want}")
            errors += 1
        by_line = {s.line: s for s in stmts}
        for r in rows:
            if r["file"] == f and r["line"] in by_line:
                if by_line[r["line"]].prefix != r["sql"]:
                    print(f"{f}:{r['line']}: sql prefix mismatch")
                    errors += 1
    print(f"checked {len(rows)} labels in {len(seen)} files, {errors} errors")
    return errors


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--check":
        return 1 if check(os.path.join(HERE, "labels.jsonl"),
                          os.path.join(HERE, "revisions")) else 0
    for p in argv:
        for s in labelled_statements(p):
            print(f"{p}:{s.line}\t{s.prefix}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
