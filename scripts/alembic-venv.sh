#!/usr/bin/env bash
# Creates (once) a Python virtualenv holding pinned Alembic and SQLAlchemy from PyPI, and prints its
# bin directory on stdout (and nothing else). Used by tests/alembic.rs to run
# `alembic upgrade ... --sql` for real on tests/alembic_project, and by hand to add revisions there.
#
#   ALEMBIC_VENV         where the venv lives (default: target/alembic-venv; relative to the repository)
#   ALEMBIC_VENV_PYTHON  the interpreter that creates it (default: python3)
#
# Idempotent: a venv whose stamp records the same pins is reused as is. Concurrent runs wait on a
# lock file, and the stamp is written last, so a half-built venv is never reused.
set -euo pipefail
cd "$(dirname "$0")/.."

ALEMBIC_VERSION=1.20.1
SQLALCHEMY_VERSION=2.1.9
pins="alembic==$ALEMBIC_VERSION sqlalchemy==$SQLALCHEMY_VERSION"

venv="${ALEMBIC_VENV:-target/alembic-venv}"
python="${ALEMBIC_VENV_PYTHON:-python3}"
mkdir -p "$(dirname "$venv")"
venv="$(cd "$(dirname "$venv")" && pwd)/$(basename "$venv")"
stamp="$venv/.pgrisk-pins"

ready() { [ -x "$venv/bin/alembic" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; }

if ! ready; then
  exec 9>"$venv.lock"
  flock 9
  if ! ready; then
    command -v "$python" >/dev/null 2>&1 || { echo "alembic-venv: $python not found (set ALEMBIC_VENV_PYTHON)" >&2; exit 1; }
    echo "alembic-venv: creating $venv with $pins" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2 \
      || { echo "alembic-venv: '$python -m venv $venv' failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $pins >&2 \
      || { echo "alembic-venv: 'pip install $pins' failed (is PyPI reachable?)" >&2; exit 1; }
    echo "$pins" >"$stamp"
  fi
fi
echo "$venv/bin"
