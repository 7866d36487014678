#!/usr/bin/env python3
"""Compile the hand-written labels.src into labels.jsonl (stdlib only).

labels.src holds the labeller's verdicts: "@<file>" opens a revision file,
then one "<line> <label> <rule> [note]" per statement.  This script only
attaches the statement prefix found by lines.py and refuses to write if a
labelled line does not start a statement, a statement is unlabelled, or a
sampled file is missing.
"""
from __future__ import annotations

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lines import labelled_statements  # noqa: E402


def parse_src(path):
    out: dict[str, list[tuple[int, str, str, str]]] = {}
    cur = None
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                cur = line[1:].strip()
                if cur in out:
                    raise SystemExit(f"labels.src:{n}: {cur} listed twice")
                out[cur] = []
                continue
            parts = line.split(None, 3)
            lineno, label, rule = int(parts[0]), parts[1], parts[2]
            note = parts[3] if len(parts) > 3 else ""
            if label not in ("block", "caution", "fine"):
                raise SystemExit(f"labels.src:{n}: bad label {label}")
            out[cur].append((lineno, label, rule, note))
    return out


def main() -> int:
    src = parse_src(os.path.join(HERE, "labels.src"))
    with open(os.path.join(HERE, "sample.tsv"), encoding="utf-8") as fh:
        files = [r["file"] for r in csv.DictReader(fh, delimiter="\t")]
    errors = 0
    rows = []
    for f in files:
        if f not in src:
            print(f"missing labels for {f}")
            errors += 1
            continue
        stmts = {s.line: s for s in labelled_statements(os.path.join(HERE, "revisions", f))}
        got = [l for l, *_ in src[f]]
        if got != sorted(stmts):
            print(f"{f}: labelled {got} but statements start at {sorted(stmts)}")
            errors += 1
            continue
        for lineno, label, rule, note in src[f]:
            row = {"file": f, "line": lineno, "sql": stmts[lineno].prefix,
                   "label": label, "rule": rule}
            if note:
                row["note"] = note
            rows.append(row)
    extra = set(src) - set(files)
    if extra:
        print(f"labels for files not in the sample: {sorted(extra)}")
        errors += 1
    if errors:
        return 1
    with open(os.path.join(HERE, "labels.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} labels for {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
