#!/usr/bin/env bash
# Speed and memory of pgrisk beside Squawk (and pgfence when present), in one run, on the same
# inputs: a generated Alembic-like file of 200,000 statements in both layouts (a transaction per
# 50 revisions, and the whole upgrade as one transaction) in every output format, the real
# corpus, and a typical 50-statement migration. Prints a Markdown table (median of RUNS runs; wall time and peak RSS
# from GNU time). Usage: bench/run.sh [RUNS]   (installs squawk-cli with pip when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=${TMPDIR:-/tmp}/pgrisk-bench
mkdir -p "$work"
scripts/setup.sh
cargo build --release -q
command -v squawk >/dev/null || pip install -q squawk-cli
pgfence=""
if command -v npm >/dev/null; then
  [ -x "$work/node_modules/.bin/pgfence" ] || (cd "$work" && npm install -q --no-audit --no-fund @flvmnt/pgfence >/dev/null 2>&1) || true
  [ -x "$work/node_modules/.bin/pgfence" ] && pgfence="$work/node_modules/.bin/pgfence"
fi
[ -s "$work/big.sql" ] || python3 bench/gen_alembic.py 200000 > "$work/big.sql"
[ -s "$work/single.sql" ] || python3 bench/gen_alembic.py 200000 single > "$work/single.sql"
python3 bench/gen_alembic.py 50 > "$work/small.sql"
cat tests/corpus/alembic/*.sql > "$work/corpus.sql"

measure() { # label input command...
  local label=$1 input=$2; shift 2
  python3 - "$runs" "$label" "$input" "$@" <<'PY'
import subprocess, sys, statistics, os
runs, label, inp, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
walls, rss = [], []
for _ in range(runs):
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd, inp], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall, kb = r.stderr.strip().splitlines()[-1].split()
    walls.append(float(wall)); rss.append(int(kb))
print(f"| {os.path.basename(inp)} | {label} | {statistics.median(walls):.2f} s | {statistics.median(rss)/1024:.0f} MB |")
PY
}

echo "| input | tool | wall time (median of $runs) | peak RSS |"
echo "|---|---|---|---|"
# big.sql: a transaction per 50 revisions; single.sql: the whole upgrade in one transaction
# (Alembic's default). Every output format, against Squawk in the same run.
for input in "$work/big.sql" "$work/single.sql"; do
  measure "squawk --reporter json" "$input" squawk --reporter json
  for format in json sarif github gitlab text markdown html; do
    measure "pgrisk --format $format" "$input" ./target/release/pgrisk --format "$format" --fail-on never
  done
  [ -n "$pgfence" ] && measure "pgfence analyze --output json" "$input" "$pgfence" analyze --format sql --output json
done
measure "pgrisk --format json" "$work/corpus.sql" ./target/release/pgrisk --format json --fail-on never
measure "squawk --reporter json" "$work/corpus.sql" squawk --reporter json
[ -n "$pgfence" ] && measure "pgfence analyze --output json" "$work/corpus.sql" "$pgfence" analyze --format sql --output json
# A typical migration: time many runs (process start included).
python3 - "$work/small.sql" <<'PY'
import subprocess, sys, time
n = 100
t = time.perf_counter()
for _ in range(n):
    subprocess.run(["./target/release/pgrisk", "--format", "json", "--fail-on", "never", sys.argv[1]], stdout=subprocess.DEVNULL, check=True)
print(f"| small.sql (50 statements) | pgrisk --format json | {(time.perf_counter() - t) / n * 1000:.1f} ms (mean of {n}) | |")
PY
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); big.sql: $(wc -c < "$work/big.sql") bytes, $(grep -c ';$' "$work/big.sql") statements; single.sql: $(grep -c ';$' "$work/single.sql") statements"
