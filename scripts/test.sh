#!/usr/bin/env bash
# The whole test suite, as CI runs it: build dependencies, then every test (unit, snapshot, CLI,
# rule and the real-PostgreSQL truth tests, which fetch and start their own servers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --all-targets --no-fail-fast
else
  cargo test --all-targets --no-fail-fast
fi
