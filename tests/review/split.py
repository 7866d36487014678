#!/usr/bin/env python3
"""Split the Alembic offline-SQL corpus into one file per revision and draw
the blind review sample (stdlib only, deterministic, re-runnable).

Input : /work/shared/corpus/alembic/*.sql   (override with --corpus DIR)
Output: tests/review/revisions/<project>/<NNN>_<revision>.sql
        tests/review/sample.tsv   (the drawn sample, one revision per line)

Splitting
---------
A revision's *stretch* is the text from its `-- Running upgrade A -> B` marker
line up to (not including) the next marker line (or the end of the file).
The revision file is

    BEGIN;
    <blank line>
    <stretch, verbatim>
    COMMIT;

except that trailing transaction-control lines of the stretch are dropped:
a bare `COMMIT;` that closes the file (or a segment of a concatenated
multi-segment run) and a bare `BEGIN;` that opens the next segment / the next
migration's transaction (transaction_per_migration output).  Trailing blank
lines are normalised to exactly one blank line before the final `COMMIT;`.
`COMMIT;` / `BEGIN;` lines that sit between statements of the revision
(an autocommit block, e.g. CREATE INDEX CONCURRENTLY) are kept verbatim.
Everything before the first marker (BEGIN; CREATE TABLE alembic_version ...)
is a preamble, not a revision, and is dropped.

NNN is the 1-based position of the revision's marker in its corpus file.

Sampling
--------
See LABELLING.md, section "Sample".  Per project, with
random.Random(f"2026:{project}"): shuffle all eligible revisions and take the
first U ("uniform"); then shuffle the project's risky-shaped revisions and take
the first R not already taken ("risky").  A revision is risky-shaped if it has
ALTER TABLE / DROP TABLE / UPDATE / DELETE / CREATE INDEX / ALTER INDEX on a
table not created earlier in the same revision, or DROP INDEX of an index not
created in it.  Starting quotas are in QUOTA; they grow by one uniform and one
risky draw per project per round until MIN_STATEMENTS labelled statements are
reached.  Revisions with more than MAX_STATEMENTS_PER_REVISION labelled
statements are not eligible.

Usage: python3 split.py [--all] [--corpus DIR]
  --all  write every revision, not only the sampled ones.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lines import split_statements, collapse  # noqa: E402

DEFAULT_CORPUS = "/work/shared/corpus/alembic"
MARKER_RE = re.compile(r"^-- Running upgrade (.*?) -> (\S+)\s*$")
TX_LINES = {"BEGIN;", "COMMIT;"}

# project -> (uniform draws, risky draws): starting quotas, fixed before any
# labelling.  draw_sample() then adds one uniform and one risky draw to every
# project that still has revisions left, round after round, until the sample
# holds at least MIN_STATEMENTS labelled statements.
QUOTA = {
    "airflow": (6, 6),
    "ctfd": (5, 5),
    "full-stack-fastapi-template": (5, 0),  # only 5 revisions: take all
    "mlflow": (6, 6),
    "polar": (6, 6),
    "prefect": (6, 6),
    "superset": (7, 7),
}
MIN_STATEMENTS = 350
# Revisions with more labelled statements than this are left out of the draw
# (only polar's squashed initial schema, 575 CREATE statements, which would
# otherwise be most of the set).
MAX_STATEMENTS_PER_REVISION = 150


def split_file(path: str) -> list[tuple[int, str, str]]:
    """Return [(order, revision, file_text)] for one corpus file."""
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    marks = [i for i, l in enumerate(lines) if MARKER_RE.match(l)]
    out = []
    for k, start in enumerate(marks):
        end = marks[k + 1] if k + 1 < len(marks) else len(lines)
        body = lines[start:end]
        # drop trailing blank lines and trailing bare BEGIN;/COMMIT; lines
        while body and (body[-1].strip() == "" or body[-1].strip() in TX_LINES):
            body.pop()
        rev = MARKER_RE.match(lines[start]).group(2)
        text = "BEGIN;\n\n" + "\n".join(body) + "\n\nCOMMIT;\n"
        out.append((k + 1, rev, text))
    return out


_ident = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_qual = rf"(?:{_ident}\.)?({_ident})"
CREATE_TABLE_RE = re.compile(rf"^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_qual}", re.I)
CREATE_INDEX_RE = re.compile(
    rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_qual}?\s*ON\s+(?:ONLY\s+)?{_qual}", re.I)
ALTER_TABLE_RE = re.compile(rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_qual}", re.I)
DROP_TABLE_RE = re.compile(rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_qual}", re.I)
DROP_INDEX_RE = re.compile(rf"^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?{_qual}", re.I)
UPDATE_RE = re.compile(rf"^UPDATE\s+(?:ONLY\s+)?{_qual}", re.I)
DELETE_RE = re.compile(rf"^DELETE\s+FROM\s+(?:ONLY\s+)?{_qual}", re.I)
WITH_DML_RE = re.compile(rf"\b(?:UPDATE|DELETE\s+FROM|INSERT\s+INTO)\s+{_qual}", re.I)


def _norm(name: str) -> str:
    return name.strip('"').lower()


def is_risky_shaped(text: str) -> bool:
    created_tables: set[str] = set()
    created_indexes: set[str] = set()
    for st in split_statements(text):
        s = collapse(st.text)
        if m := CREATE_TABLE_RE.match(s):
            created_tables.add(_norm(m.group(1)))
            continue
        if m := CREATE_INDEX_RE.match(s):
            if m.group(1):
                created_indexes.add(_norm(m.group(1)))
            if _norm(m.group(2)) not in created_tables:
                return True
            continue
        for rx in (ALTER_TABLE_RE, DROP_TABLE_RE, UPDATE_RE, DELETE_RE):
            if m := rx.match(s):
                t = _norm(m.group(1))
                if t != "alembic_version" and t not in created_tables:
                    return True
                break
        else:
            if m := DROP_INDEX_RE.match(s):
                if _norm(m.group(1)) not in created_indexes:
                    return True
            elif s.upper().startswith("ALTER INDEX"):
                return True
            elif s.upper().startswith("WITH"):
                for m in WITH_DML_RE.finditer(s):
                    t = _norm(m.group(1))
                    if t != "alembic_version" and t not in created_tables:
                        return True
    return False


def count_labelled(text: str) -> int:
    return sum(1 for st in split_statements(text)
               if collapse(st.text).upper() not in ("BEGIN", "COMMIT"))


def _draw(revs, n_uni, n_risky, project):
    eligible = [(o, r, t) for o, r, t in revs
                if count_labelled(t) <= MAX_STATEMENTS_PER_REVISION]
    rng = random.Random(f"2026:{project}")
    order_all = [o for o, _, _ in eligible]
    rng.shuffle(order_all)                      # uniform draw order
    risky_all = [o for o, _, t in eligible if is_risky_shaped(t)]
    rng.shuffle(risky_all)                      # risky draw order
    uni = order_all[:n_uni]
    risky = [o for o in risky_all if o not in uni][:n_risky]
    by_order = {o: r for o, r, _ in revs}
    picked = [(o, by_order[o], "uniform") for o in uni] + \
             [(o, by_order[o], "risky") for o in risky]
    return sorted(picked), len(eligible)


def draw_sample(revs_by_project: dict[str, list[tuple[int, str, str]]]):
    """Return ({project: [(order, rev, how)]}, rounds) sorted by order."""
    texts = {(p, o): t for p, revs in revs_by_project.items() for o, _, t in revs}
    extra = 0
    while True:
        sample = {}
        for project in sorted(revs_by_project):
            n_uni, n_risky = QUOTA[project]
            if n_risky:  # projects sampled exhaustively do not grow
                n_uni, n_risky = n_uni + extra, n_risky + extra
            sample[project], _ = _draw(revs_by_project[project], n_uni, n_risky, project)
        total = sum(count_labelled(texts[(p, o)])
                    for p, picks in sample.items() for o, _, _ in picks)
        if total >= MIN_STATEMENTS or extra > 100:
            return sample, extra
        extra += 1


def main(argv: list[str]) -> int:
    corpus = DEFAULT_CORPUS
    write_all = "--all" in argv
    if "--corpus" in argv:
        corpus = argv[argv.index("--corpus") + 1]
    revs_by_project = {}
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".sql"):
            revs_by_project[name[:-4]] = split_file(os.path.join(corpus, name))
    sample, extra = draw_sample(revs_by_project)

    out_root = os.path.join(HERE, "revisions")
    if os.path.isdir(out_root):
        shutil.rmtree(out_root)
    rows = ["project\torder\trevision\tdrawn_as\tfile\trisky_shaped"]
    for project, revs in sorted(revs_by_project.items()):
        wanted = {o for o, _, _ in sample[project]}
        how = {o: h for o, _, h in sample[project]}
        os.makedirs(os.path.join(out_root, project), exist_ok=True)
        for order, rev, text in revs:
            if not write_all and order not in wanted:
                continue
            rel = f"{project}/{order:03d}_{rev}.sql"
            with open(os.path.join(out_root, rel), "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            if order in wanted:
                rows.append(f"{project}\t{order}\t{rev}\t{how[order]}\t{rel}\t"
                            f"{int(is_risky_shaped(text))}")
    with open(os.path.join(HERE, "sample.tsv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(rows) + "\n")
    total = sum(len(v) for v in revs_by_project.values())
    n_stmts = sum(count_labelled(t) for p, revs in revs_by_project.items()
                  for o, _, t in revs if o in {x for x, _, _ in sample[p]})
    print(f"{total} revisions in corpus; sampled {len(rows) - 1} "
          f"({n_stmts} labelled statements, quotas grown by {extra})")
    for project, revs in sorted(revs_by_project.items()):
        nr = sum(is_risky_shaped(t) for _, _, t in revs)
        print(f"  {project}: {len(revs)} revisions, {nr} risky-shaped, "
              f"sampled {len(sample[project])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
