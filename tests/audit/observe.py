#!/usr/bin/env python3
"""Observe the relation locks each statement of statements.sql takes on a real server.

usage: observe.py MAJOR CONNINFO [--only N,M,...]

Transaction-capable statements: run in BEGIN ... ROLLBACK on one database copied from the
fixture template; locks read from pg_locks for our own backend after the statement.

Statements that refuse to run in a transaction block (CONCURRENTLY, VACUUM, ALTER TYPE ADD VALUE
on 11): a fresh database per statement; one blocker session per table/partition/matview/sequence
holds a conflicting lock (LOCK TABLE ONLY .. ACCESS EXCLUSIVE; ALTER MATERIALIZED VIEW .. OWNER
TO (AccessExclusive); ALTER SEQUENCE .. RESTART (ShareRowExclusive)), plus one REPEATABLE READ
session holding a snapshot. The statement runs in its own session; we poll pg_locks for its pid,
and each time it waits we record the waited-for lock, release exactly the blockers that block it
(pg_blocking_pids), and continue until it finishes. That gives every relation it touches with the
mode it asks for, in order.
"""
import json, os, re, sys, threading, time
import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))

MODES = ["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
         "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]
RANK = {m: i for i, m in enumerate(MODES)}
TABLEISH = set("rpvmSf")  # tables, partitioned, views, matviews, sequences, foreign
INDEXISH = set("iI")


def stronger(a, b):
    if a is None:
        return b
    return a if RANK[a] >= RANK[b] else b


def load_statements(path):
    out, cur, num = {}, [], None
    for line in open(path):
        m = re.match(r"^-- #(\d+)\s*$", line)
        if m:
            if num is not None:
                out[num] = "".join(cur).strip()
            num, cur = int(m.group(1)), []
        else:
            cur.append(line)
    if num is not None:
        out[num] = "".join(cur).strip()
    return out


def fixture_for(major, path=os.path.join(HERE, "fixture.sql")):
    s = open(path).read()
    if major < 12:
        s = s.split("\n-- @@ pg12+ @@\n")[0]
    return s


def conninfo_db(base, db):
    return re.sub(r"dbname=\S+", "dbname=" + db, base)


def snapshot(conn):
    rows = conn.execute("SELECT c.oid::int, c.relname, c.relkind, c.relfilenode::int FROM pg_class c "
                        "WHERE c.relnamespace = 'public'::regnamespace").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def classify(snap, lockrows):
    """lockrows: (relation oid, mode). Returns (locks, index_locks) strongest per pre-existing relation."""
    locks, idx = {}, {}
    for oid, mode in lockrows:
        if oid not in snap:
            continue
        name, kind, _ = snap[oid]
        if kind in INDEXISH:
            idx[name] = stronger(idx.get(name), mode)
        elif kind in TABLEISH:
            locks[name] = stronger(locks.get(name), mode)
    return locks, idx


def rewrites(before, after):
    rel, idx, seq = [], [], []
    for oid, (name, kind, fn) in before.items():
        if oid in after and after[oid][2] != fn:
            if kind in "rm":
                rel.append(name)
            elif kind in INDEXISH:
                idx.append(name)
            elif kind == "S":
                seq.append(name)
    return sorted(rel), sorted(idx), sorted(seq)


# for a lock the statement asked for: a lock mode compatible with it that conflicts with every stronger one
COMPAT = {"AccessShareLock": "EXCLUSIVE", "RowShareLock": "SHARE ROW EXCLUSIVE", "RowExclusiveLock": "SHARE UPDATE EXCLUSIVE",
          "ShareUpdateExclusiveLock": "ROW EXCLUSIVE", "ShareLock": "SHARE", "ShareRowExclusiveLock": "ROW SHARE",
          "ExclusiveLock": "ACCESS SHARE"}

NONTX = re.compile(r"cannot (run|be executed) inside a transaction block|cannot be executed from a function", re.I)


def first_line(e):
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def run_tx(conn, stmt):
    before = snapshot(conn)
    conn.execute("BEGIN")
    try:
        conn.execute(stmt)
    except psycopg.Error as e:
        conn.execute("ROLLBACK")
        return {"error": first_line(e), "nontx": bool(NONTX.search(str(e)))}
    rows = conn.execute("SELECT relation::int, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' "
                        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchall()
    after = snapshot(conn)
    conn.execute("ROLLBACK")
    locks, idx = classify(before, rows)
    rel, ri, rs = rewrites(before, after)
    return {"locks": locks, "index_locks": idx, "rewrite": bool(rel), "rewritten": rel,
            "index_rebuilt": ri, "seq_reset": rs, "error": None, "method": "tx"}


def run_nontx(admin, base, stmt, major, timeout=30.0):
    db = "fx_nt"
    admin.execute(f"DROP DATABASE IF EXISTS {db}")
    admin.execute(f"CREATE DATABASE {db} TEMPLATE fx_tmpl")
    ci = conninfo_db(base, db)
    mon = psycopg.connect(ci, autocommit=True)
    before = snapshot(mon)
    blockers = {}  # pid -> dict(conn, name, oid, kind, thread)
    # blockers: sequences first (ALTER SEQUENCE takes no other relation lock), then tables, then matviews
    order = sorted(before.items(), key=lambda kv: {"S": 0, "r": 1, "p": 1, "m": 2}.get(kv[1][1], 9))
    for oid, (name, kind, _) in order:
        if kind == "S":
            sql = f'ALTER SEQUENCE "{name}" RESTART'
        elif kind in ("r", "p"):
            sql = f'LOCK TABLE ONLY "{name}" IN ACCESS EXCLUSIVE MODE'
        elif kind == "m":
            sql = f'ALTER MATERIALIZED VIEW "{name}" OWNER TO postgres'
        else:
            continue
        c = psycopg.connect(ci, autocommit=True)
        c.execute("SET lock_timeout = '5s'")
        c.execute("BEGIN")
        try:
            c.execute(sql)
        except psycopg.Error as e:
            c.execute("ROLLBACK")
            c.close()
            print(f"  blocker {name} failed: {first_line(e)}", file=sys.stderr)
            continue
        pid = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        blockers[pid] = {"conn": c, "name": name, "oid": oid, "kind": kind, "thread": None}
    snapc = psycopg.connect(ci, autocommit=True)
    snapc.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    snapc.execute("SELECT 1")
    blockers[snapc.execute("SELECT pg_backend_pid()").fetchone()[0]] = {"conn": snapc, "name": "<snapshot>", "oid": None, "kind": None, "thread": None}

    sconn = psycopg.connect(ci, autocommit=True)
    spid = sconn.execute("SELECT pg_backend_pid()").fetchone()[0]
    result = {}

    def target():
        try:
            sconn.execute(stmt)
            result["error"] = None
        except psycopg.Error as e:
            result["error"] = first_line(e)

    def reblock(oid, name, mode, sql=None):
        """queue a lock on `name` compatible with `mode` but conflicting with every stronger mode"""
        c = psycopg.connect(ci, autocommit=True)
        c.execute("SET lock_timeout = '20s'")
        c.execute("BEGIN")
        pid = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        sqlmode = COMPAT[mode]

        def go():
            try:
                c.execute(sql % name if sql else f'LOCK TABLE ONLY "{name}" IN {sqlmode} MODE')
            except psycopg.Error:
                pass
        th = threading.Thread(target=go)
        th.start()
        for _ in range(500):
            r = mon.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND locktype = 'relation' AND relation = %s",
                            (pid, oid)).fetchone()
            if r:
                break
            time.sleep(0.002)
        blockers[pid] = {"conn": c, "name": name, "oid": oid, "kind": "r", "thread": th}

    th = threading.Thread(target=target)
    th.start()
    seen = []  # (oid, mode)
    waits = []
    t0 = time.time()
    released = set()
    while th.is_alive():
        rows = mon.execute("SELECT locktype, relation::int, mode, granted FROM pg_locks WHERE pid = %s", (spid,)).fetchall()
        waiting = [r for r in rows if not r[3]]
        for lt, rel, mode, gr in rows:
            if lt == "relation" and rel is not None:
                seen.append((rel, mode))
        if waiting:
            bl = mon.execute("SELECT pg_blocking_pids(%s)", (spid,)).fetchone()[0] or []
            ours = [p for p in bl if p in blockers and p not in released]
            if ours:
                for lt, rel, mode, gr in waiting:
                    nm = before.get(rel, (str(rel),))[0] if lt == "relation" else lt
                    waits.append({"on": nm, "mode": mode, "released": [blockers[p]["name"] for p in ours]})
                    if lt == "relation" and rel in before and before[rel][1] in ("r", "p") and COMPAT.get(mode):
                        reblock(rel, before[rel][0], mode)
                    elif lt == "relation" and rel in before and before[rel][1] == "m" and mode == "AccessShareLock":
                        # matviews cannot be LOCKed: REFRESH .. CONCURRENTLY holds ExclusiveLock on it
                        reblock(rel, before[rel][0], mode, sql='REFRESH MATERIALIZED VIEW CONCURRENTLY "%s"')
                for p in ours:
                    blockers[p]["conn"].execute("ROLLBACK")
                    released.add(p)
        if time.time() - t0 > timeout:
            sconn.cancel()
            th.join(10)
            result["error"] = "TIMEOUT (observer)"
            break
        time.sleep(0.002)
    th.join()
    for p, b in list(blockers.items()):
        try:
            if p not in released:
                if b["thread"] is not None and b["thread"].is_alive():
                    b["conn"].cancel()
                    b["thread"].join(5)
                b["conn"].execute("ROLLBACK")
            b["conn"].close()
        except Exception as e:
            print("  cleanup", e, file=sys.stderr)
    after = snapshot(mon)
    mon.close()
    sconn.close()
    admin.execute(f"DROP DATABASE {db}")
    locks, idx = classify(before, seen)
    rel, ri, rs = rewrites(before, after) if result.get("error") is None else ([], [], [])
    return {"locks": locks, "index_locks": idx, "rewrite": bool(rel), "rewritten": rel, "index_rebuilt": ri,
            "seq_reset": rs, "error": result.get("error"), "method": "nontx", "waits": waits}


ITER = "--iter" in sys.argv


def main():
    major = int(sys.argv[1])
    base = sys.argv[2]
    only = None
    if "--only" in sys.argv:
        only = {int(x) for x in sys.argv[sys.argv.index("--only") + 1].split(",")}
    stmts = load_statements(os.path.join(HERE, "statements.sql"))
    admin = psycopg.connect(base, autocommit=True)
    for db in ("fx_work", "fx_nt", "fx_tmpl"):
        admin.execute(f"DROP DATABASE IF EXISTS {db}")
    admin.execute("CREATE DATABASE fx_tmpl")
    with psycopg.connect(conninfo_db(base, "fx_tmpl"), autocommit=True) as c:
        c.execute(fixture_for(major))
        c.execute("VACUUM ANALYZE")
    admin.execute("CREATE DATABASE fx_work TEMPLATE fx_tmpl")
    work = psycopg.connect(conninfo_db(base, "fx_work"), autocommit=True)
    work.execute("SET statement_timeout = '30s'")
    work.execute("SET lock_timeout = '10s'")
    outpath = os.path.join(HERE, f"raw-observed-{major}.json")
    out = {}
    if only:
        try:
            out = json.load(open(outpath))
        except FileNotFoundError:
            pass
    for n, stmt in stmts.items():
        if only and n not in only:
            continue
        r = run_tx(work, stmt)
        if r.get("nontx"):
            r = run_nontx(admin, base, stmt, major)
        r.pop("nontx", None)
        if ITER and r.get("method") == "tx":
            it = run_nontx(admin, base, stmt, major)
            r["iter"] = {"locks": it["locks"], "error": it["error"], "waits": it["waits"], "rewritten": it["rewritten"]}
        r["stmt"] = stmt
        out[str(n)] = r
        tag = r["error"] or r["locks"]
        print(f"pg{major} #{n}: {tag}", flush=True)
    work.close()
    admin.execute("DROP DATABASE IF EXISTS fx_work")
    admin.execute("DROP DATABASE IF EXISTS fx_tmpl")
    json.dump(dict(sorted(out.items(), key=lambda kv: int(kv[0]))), open(outpath, "w"), indent=1)


if __name__ == "__main__":
    main()
