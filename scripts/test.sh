#!/usr/bin/env bash
# The whole test suite, as CI runs it: build dependencies, then every test (unit, snapshot, CLI,
# rule, the real-PostgreSQL truth tests, which fetch and start their own servers, and the Alembic
# fixture project, which installs pinned Alembic from PyPI into target/alembic-venv, and the HTML
# report opened in headless Chromium, installed here from Debian when missing), then the Python
# wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test: installing chromium for the HTML report test" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --all-targets --no-fail-fast
else
  cargo test --all-targets --no-fail-fast
fi
# The Python wheel: built with maturin (release build, sharing cargo's target dir), installed into
# a fresh virtualenv and run from there.
scripts/wheel-test.sh
