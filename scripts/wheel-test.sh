#!/usr/bin/env bash
# Builds the Python wheel (maturin, `bindings = "bin"`), installs it into a fresh virtualenv
# with no index and no Rust toolchain on PATH, and runs `pgrisk --version` and one analysis
# from there. Run by scripts/test.sh.
#
#   CARGO_TARGET_DIR   shared with cargo (default: target/), so the release build is reused
#   WHEEL_PYTHON       the interpreter for both virtualenvs (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
scripts/setup.sh

MATURIN_VERSION=1.16.0
python="${WHEEL_PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
wheels="$CARGO_TARGET_DIR/wheels"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/pgrisk-wheel-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
step() { echo "wheel-test: $*" >&2; }
fail() { echo "wheel-test: FAILED: $*" >&2; exit 1; }

step "maturin $MATURIN_VERSION in a fresh virtualenv"
"$python" -m venv "$tmp/build"
"$tmp/build/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  "maturin==$MATURIN_VERSION" || fail "pip install maturin==$MATURIN_VERSION (is PyPI reachable?)"

step "maturin build --release -o $wheels"
rm -f "$wheels"/pgrisk-*.whl
"$tmp/build/bin/maturin" build --release --quiet -o "$wheels" </dev/null
shopt -s nullglob
built=("$wheels"/pgrisk-*.whl)
[ ${#built[@]} -eq 1 ] || fail "expected one pgrisk wheel in $wheels, found ${#built[@]}"
wheel="${built[0]}"
step "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"

step "install into another fresh virtualenv (no index: the wheel needs nothing else)"
"$python" -m venv "$tmp/run"
"$tmp/run/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-index \
  "$wheel" || fail "pip install $wheel"

# Run from the venv as a user would, outside the repository, with only the venv and the system
# folders on PATH (no ~/.cargo/bin).
cp examples/shop-upgrade.sql "$tmp/shop-upgrade.sql"
cd "$tmp"
PATH="$tmp/run/bin:/usr/bin:/bin"
[ "$(command -v pgrisk)" = "$tmp/run/bin/pgrisk" ] || fail "pgrisk on PATH is $(command -v pgrisk), not the venv's"

version="$(pgrisk --version)" || fail "pgrisk --version exited with $?"
step "pgrisk --version: $version"
expected="pgrisk $(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)"
[ "$version" = "$expected" ] || fail "pgrisk --version printed '$version', expected '$expected'"

pgrisk shop-upgrade.sql --fail-on never --format json >report.json || fail "pgrisk exited with $?"
python - "$expected" <<'PY' || fail "the JSON report is not what was expected"
import json, sys
with open("report.json") as f:
    report = json.load(f)
findings = report["findings"]
assert isinstance(findings, list) and findings, "no findings"
assert "pgrisk " + report["pgrisk_version"] == sys.argv[1], report["pgrisk_version"]
rules = sorted({f["rule"] for f in findings})
print(f"wheel-test: pgrisk shop-upgrade.sql --format json: {len(report['statements'])} statements, "
      f"{len(findings)} findings ({', '.join(rules)})", file=sys.stderr)
PY
step "ok"
