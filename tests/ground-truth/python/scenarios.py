#!/usr/bin/env python3
"""Ground-truth scenarios for neon-lint with the real Python drivers.

Run by the Rust tests in ../tests/python.rs (and stale_pool.rs) with the venv interpreter that
.ci/servers/start.sh makes (GT_PYTHON), one scenario per call:

    $GT_PYTHON scenarios.py <scenario>

Prints `OBSERVED <rule>: <what>: <text>` lines on stdout; exits 0 when the flagged configuration
failed as expected and the fix worked, 1 otherwise (with the reason on stderr), 2 on bad usage.
Reads the GT_* variables of the env file start.sh writes.
"""

import asyncio
import json
import os
import re
import ssl
import subprocess
import sys
import uuid
from urllib.parse import quote

TASKS = 16  # client connections sharing PgBouncer's 4 server connections per alias
ITERS = 40


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit(f"{name} is not set: source the env file .ci/servers/start.sh printed")
    return v


USER, PASSWORD, DB = env("GT_PG_USER"), env("GT_PG_PASSWORD"), env("GT_PG_DBNAME")
CA = env("GT_CA_FILE")
PG_PORT, BOUNCER_PORT = env("GT_PG_PORT"), env("GT_BOUNCER_PORT")
BOUNCER_PS_PORT = os.environ.get("GT_BOUNCER_PS_PORT") or None
PGB_VERSION = env("GT_PGBOUNCER_VERSION")
PGB_PS_VERSION = os.environ.get("GT_PGBOUNCER_PS_VERSION") or None
P18 = f"PgBouncer {PGB_VERSION}"
P24 = f"PgBouncer {PGB_PS_VERSION} max_prepared_statements=1000"


def url(port, db, params="", scheme="postgresql"):
    u = f"{scheme}://{USER}:{quote(PASSWORD)}@127.0.0.1:{port}/{db}"
    return u + ("?" + params if params else "")


def observed(rule, what, text):
    print(f"OBSERVED {rule}: {what}: {text}", flush=True)


def cell(rule, driver, config, pooler, outcome, error="", fix=None):
    """One cell of the generated matrix in docs/ground-truth.md (render_doc.py reads these lines).

    outcome: "ok" | "errors" | "wrong results" | "errors and wrong results" | "SKIP"; error: the
    exact (normalised) error text, or the SKIP reason; fix: True/False when the configuration is a
    suggested fix (verified or not), None when it is the flagged configuration."""
    print("CELL " + json.dumps({"rule": rule, "driver": driver, "config": config, "pooler": pooler,
                                "outcome": outcome, "error": error, "fix": fix}), flush=True)


def tally_cell(rule, driver, config, pooler, t, fix=None):
    if t.failed() == 0:
        outcome = "ok"
    elif t.wrong and sum(t.errors.values()):
        outcome = "errors and wrong results"
    elif t.wrong:
        outcome = "wrong results"
    else:
        outcome = "errors"
    cell(rule, driver, config, pooler, outcome, str(t), None if fix is None else t.failed() == 0)


class Failed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)


def one_line(e):
    """An exception as a log line: type and message, whitespace folded."""
    return f"{type(e).__module__}.{type(e).__name__}: " + " ".join(str(e).split())


class Tally:
    def __init__(self):
        self.ok = self.wrong = 0
        self.first_wrong = None
        self.errors = {}
        self.hint = None

    def err(self, e):
        # The driver's own error, first line only (SQLAlchemy wraps it in e.orig and appends the SQL).
        orig = getattr(e, "orig", None)
        head = f"{type(e).__module__}.{type(e).__name__}"
        if orig is not None:
            head += f" ({type(orig).__module__}.{type(orig).__name__})"
        msg = str(orig if orig is not None else e)
        key = head + ": " + " ".join(msg.split("\n")[0].split())
        # group statement names: __asyncpg_stmt_1a__ -> __asyncpg_stmt_N__
        key = re.sub(r"__asyncpg_stmt_[0-9a-f]+__", "__asyncpg_stmt_N__", key)
        key = re.sub(r"__asyncpg_[0-9a-f-]{36}__", "__asyncpg_UUID__", key)
        self.errors[key] = self.errors.get(key, 0) + 1
        hint = getattr(orig if orig is not None else e, "hint", None)
        if hint and not self.hint:
            self.hint = " ".join(hint.split())

    def failed(self):
        return self.wrong + sum(self.errors.values())

    def __str__(self):
        errs = "; ".join(f"{n}x `{k}`" for k, n in sorted(self.errors.items(), key=lambda kv: -kv[1]))
        s = f"{self.ok} ok, {self.wrong} wrong results, {sum(self.errors.values())} errors" + (": " + errs if errs else "")
        if self.first_wrong:
            s += f" (wrong result, e.g. {self.first_wrong})"
        return s


def tls_context():
    ctx = ssl.create_default_context(cafile=CA)  # verifies the chain and the host (IP SAN 127.0.0.1)
    return ctx


# --------------------------------------------------------------------------------------------------
# NL002 insecure-sslmode: psycopg (3) and psycopg2 against a TLS-only server
# --------------------------------------------------------------------------------------------------
def nl002_psycopg_sslmode():
    import psycopg
    import psycopg2

    for mod, name in ((psycopg, f"psycopg {psycopg.__version__}"), (psycopg2, f"psycopg2 {psycopg2.__version__.split()[0]}")):
        for where, port, expect in (("direct", PG_PORT, "no encryption"), ("pooled", BOUNCER_PORT, "SSL required")):
            db = DB if where == "direct" else "gt_nl002_py"
            try:
                mod.connect(url(port, db, "sslmode=disable")).close()
                raise Failed(f"{name} sslmode=disable connected ({where})")
            except (psycopg.OperationalError, psycopg2.OperationalError) as e:
                observed("NL002", f"{name} sslmode=disable, {where}", one_line(e))
                check(expect in str(e), f"unexpected error: {e}")

    # allow / prefer: libpq falls back to (or starts with) TLS, so against a TLS-only server they
    # connect. They are insecure (an attacker can strip TLS), not broken.
    for mode in ("allow", "prefer"):
        with psycopg.connect(url(PG_PORT, DB, f"sslmode={mode}")) as c:
            ssl_on = c.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]
        observed("NL002", f"psycopg sslmode={mode}, direct (TLS-only server)", f"connected, pg_stat_ssl.ssl = {ssl_on} (no failure: the risk is a downgrade, not an error)")

    # Fixes.
    with psycopg.connect(url(PG_PORT, DB, "sslmode=require")) as c:
        check(c.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0], "no TLS")
    with psycopg.connect(url(PG_PORT, DB, f"sslmode=verify-full&sslrootcert={quote(CA)}")) as c:
        check(c.execute("SELECT 1").fetchone()[0] == 1, "verify-full")
    with psycopg2.connect(url(BOUNCER_PORT, "gt_nl002_py", "sslmode=require")) as c:
        cur = c.cursor(); cur.execute("SELECT 1"); check(cur.fetchone()[0] == 1, "pooled")
    observed("NL002", "fix: psycopg/psycopg2 sslmode=require (and verify-full+sslrootcert)", "connected over TLS, direct and pooled")


# --------------------------------------------------------------------------------------------------
# NL001, the seed's claim "omitting sslmode raises SSL errors or connection refusal": each driver's
# default, with no sslmode / ssl argument at all, against the TLS-only server and the pooler
# --------------------------------------------------------------------------------------------------
SSL_Q = "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), true)"


def nl002_default_sslmode():
    import asyncpg
    import psycopg
    import psycopg2

    def via_psycopg(u):
        with psycopg.connect(u) as c:
            return c.execute(SSL_Q).fetchone()[0]

    def via_psycopg2(u):
        c = psycopg2.connect(u)
        try:
            cur = c.cursor(); cur.execute(SSL_Q); return cur.fetchone()[0]
        finally:
            c.close()

    def via_asyncpg(u):
        async def go():
            c = await asyncpg.connect(u)
            try:
                return await c.fetchval(SSL_Q)
            finally:
                await c.close()
        return asyncio.run(go())

    where = (("direct", PG_PORT, DB), (f"pooled ({P18})", BOUNCER_PORT, "gt_nl002_default"))
    if BOUNCER_PS_PORT:
        where += ((f"pooled ({P24})", BOUNCER_PS_PORT, "gt_nl002_default"),)
    results = {}
    drivers = ((f"psycopg {psycopg.__version__}", via_psycopg), (f"psycopg2 {psycopg2.__version__.split()[0]}", via_psycopg2),
               (f"asyncpg {asyncpg.__version__}", via_asyncpg))
    for name, fn in drivers:
        for w, port, db in where:
            try:
                on = fn(url(port, db))
                text, outcome = f"connected, TLS = {on} (no sslmode: the driver's default tries TLS first)", "ok"
            except Exception as e:  # noqa: BLE001
                text, outcome = one_line(e), "errors"
            observed("NL001", f"{name} no sslmode at all, {w}", text)
            cell("NL001", name, "no sslmode at all", w, outcome, text)
            results[(name, w)] = outcome
    try:
        mods = fetch_node_clients()
    except RuntimeError as e:
        for n in ("node-postgres (pg) 8.23.1", "postgres.js 3.4.9"):
            cell("NL001", n, "no ssl option at all", "direct and pooled", "SKIP", str(e))
        mods = None
    if mods:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node", "connect.js")
        for client, n in (("pg", "node-postgres (pg) 8.23.1"), ("postgres", "postgres.js 3.4.9")):
            for w, port, db in where:
                r = subprocess.run(["node", script, mods, client, str(port), db], capture_output=True, text=True, timeout=60)
                d = json.loads(r.stdout.strip().splitlines()[-1])
                text = f"connected, TLS = {d['ssl']}" if d["connected"] else d["error"]
                outcome = "ok" if d["connected"] else "errors"
                observed("NL001", f"{n} no ssl option at all, {w}", text)
                cell("NL001", n, "no ssl option at all", w, outcome, text)
                results[(n, w)] = outcome
    # libpq (psycopg, psycopg2) defaults to sslmode=prefer and asyncpg to ssl="prefer": they connect
    # over TLS. node-postgres and postgres.js default to plaintext: refused.
    for (name, w), outcome in results.items():
        expect = "errors" if name.startswith(("node-postgres", "postgres.js")) else "ok"
        check(outcome == expect, f"{name} with no sslmode, {w}: {outcome}, expected {expect}")


# --------------------------------------------------------------------------------------------------
# NL023 pooled-dump-restore: pg_dump / pg_restore (PostgreSQL client tools) through each pooler
# --------------------------------------------------------------------------------------------------
def nl020_pg_dump():
    import shutil
    import tempfile

    import psycopg

    tools = [shutil.which(t) for t in ("pg_dump", "pg_restore")]
    poolers = [(P18, BOUNCER_PORT)] + ([(P24, BOUNCER_PS_PORT)] if BOUNCER_PS_PORT else [])
    if not all(tools):
        for pooler, _ in poolers:
            cell("NL023", "pg_dump -Fc / pg_restore --clean", "through the pooler", pooler, "SKIP", "pg_dump/pg_restore not installed")
        return
    ver = subprocess.run([tools[0], "--version"], capture_output=True, text=True).stdout.split()[2]
    with psycopg.connect(url(PG_PORT, DB, "sslmode=require"), autocommit=True) as c:
        c.execute("DROP SCHEMA IF EXISTS gt_dump CASCADE")
        c.execute("CREATE SCHEMA gt_dump")
        c.execute("CREATE TABLE gt_dump.t AS SELECT g AS id FROM generate_series(1, 1000) g")
    # The password goes through the environment, never the command line or the log.
    penv = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="require", PGSSLROOTCERT=CA)
    common = ["-h", "127.0.0.1", "-U", USER, "-n", "gt_dump"]
    with tempfile.TemporaryDirectory() as d:
        for pooler, port in poolers:
            f = os.path.join(d, f"{port}.dump")
            steps = ((f"pg_dump {ver} -Fc -n gt_dump", [tools[0], *common, "-p", str(port), "-d", "gt_nl020_dump", "-Fc", "-f", f]),
                     (f"pg_restore {ver} --clean -n gt_dump", [tools[1], *common, "-p", str(port), "-d", "gt_nl020_dump", "--clean", "--if-exists", f]))
            for what, cmd in steps:
                r = subprocess.run(cmd, capture_output=True, text=True, env=penv, timeout=60)
                err = " ".join(r.stderr.split())[-300:]
                text = "ok" if r.returncode == 0 else f"exit {r.returncode}: {err}"
                observed("NL023", f"{what} through {pooler} (no other clients)", text)
                cell("NL023", what, "through the pooler, no other clients", pooler, "ok" if r.returncode == 0 else "errors", text)
                check(r.returncode == 0, f"{what} through {pooler}: {text}")
            with psycopg.connect(url(PG_PORT, DB, "sslmode=require")) as c:
                n = c.execute("SELECT count(*) FROM gt_dump.t").fetchone()[0]
            check(n == 1000, f"restored {n} rows, expected 1000")
    with psycopg.connect(url(PG_PORT, DB, "sslmode=require"), autocommit=True) as c:
        c.execute("DROP SCHEMA gt_dump CASCADE")


# --------------------------------------------------------------------------------------------------
# NL010 statement-cache-on-pooler: asyncpg and SQLAlchemy+asyncpg through the transaction pooler
# --------------------------------------------------------------------------------------------------
async def hammer(run_query):
    """TASKS tasks, each with its own statement text, ITERS queries each; answers are checked."""
    tally = Tally()

    async def task(t):
        k = t % 8
        for i in range(ITERS):
            try:
                v = await run_query(f"SELECT $1::int4 + {k}", i, k)
                if v == i + k:
                    tally.ok += 1
                else:
                    tally.wrong += 1
                    if tally.first_wrong is None:
                        tally.first_wrong = f"`SELECT $1::int4 + {k}` with $1 = {i} returned {v}"
            except Exception as e:  # noqa: BLE001 - every driver error is an observation
                tally.err(e)

    await asyncio.gather(*(task(t) for t in range(TASKS)))
    return tally


async def asyncpg_run(port, alias, **kw):
    import asyncpg

    pool = await asyncpg.create_pool(url(port, alias), ssl=tls_context(), min_size=TASKS, max_size=TASKS, **kw)
    try:
        return await hammer(lambda sql, i, k: pool.fetchval(sql, i))
    finally:
        await pool.close()


def nl010_asyncpg():
    import asyncpg

    name = f"asyncpg {asyncpg.__version__}"
    t = asyncio.run(asyncpg_run(BOUNCER_PORT, "gt_nl010_asyncpg_default"))
    observed("NL010", f"{name} default statement cache, PgBouncer {PGB_VERSION}", t)
    tally_cell("NL010", name, "default statement cache", P18, t)
    if t.hint:
        observed("NL010", f"{name} error HINT", t.hint)
    check(t.failed() > 0, f"expected asyncpg's cache to break through PgBouncer {PGB_VERSION}: {t}")

    t = asyncio.run(asyncpg_run(BOUNCER_PORT, "gt_nl010_asyncpg_fix", statement_cache_size=0))
    observed("NL010", f"fix: {name} statement_cache_size=0, PgBouncer {PGB_VERSION}", t)
    tally_cell("NL010", name, "statement_cache_size=0", P18, t, fix=True)
    check(t.failed() == 0, f"statement_cache_size=0 did not fix it: {t}")

    if BOUNCER_PS_PORT:
        t = asyncio.run(asyncpg_run(BOUNCER_PS_PORT, "gt_nl010_asyncpg_default"))
        observed("NL010", f"{name} default statement cache, {P24}", t)
        tally_cell("NL010", name, "default statement cache", P24, t)
        check(t.failed() == 0, f"PgBouncer {PGB_PS_VERSION} with max_prepared_statements: {t}")
        # The unnamed-statement path on a pooler that tracks named statements only: does it
        # misroute like sqlx's .persistent(false)?
        t = asyncio.run(asyncpg_run(BOUNCER_PS_PORT, "gt_nl010_asyncpg_fix", statement_cache_size=0))
        observed("NL010", f"fix: {name} statement_cache_size=0, {P24}", t)
        tally_cell("NL010", name, "statement_cache_size=0", P24, t, fix=True)
        check(t.failed() == 0, f"statement_cache_size=0 on PgBouncer {PGB_PS_VERSION}: {t}")
    else:
        observed("NL010", "asyncpg through a PgBouncer >= 1.21", "SKIPPED: GT_BOUNCER_PS_PORT unset")
        for c in ("default statement cache", "statement_cache_size=0"):
            cell("NL010", name, c, "PgBouncer >= 1.21", "SKIP", "GT_BOUNCER_PS_PORT unset: start.sh could not build PgBouncer 1.24")


async def sqlalchemy_run(port, alias, connect_args=None, url_params=""):
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    args = {"ssl": tls_context()}
    args.update(connect_args or {})
    engine = create_async_engine(
        url(port, alias, url_params, scheme="postgresql+asyncpg"),
        connect_args=args, pool_size=TASKS, max_overflow=0,
    )

    async def run_query(sql, i, k):
        async with engine.connect() as conn:
            r = await conn.execute(text(f"SELECT CAST(:i AS int4) + {k}"), {"i": i})
            v = r.scalar_one()
            await conn.commit()
            return v

    try:
        return await hammer(run_query)
    finally:
        await engine.dispose()


def nl010_sqlalchemy_asyncpg():
    import sqlalchemy

    name = f"SQLAlchemy {sqlalchemy.__version__} + asyncpg"
    v = PGB_VERSION
    t = asyncio.run(sqlalchemy_run(BOUNCER_PORT, "gt_nl010_sa_default"))
    observed("NL010", f"{name} defaults, PgBouncer {v}", t)
    tally_cell("NL010", name, "defaults", P18, t)
    check(t.failed() > 0, f"expected SQLAlchemy+asyncpg defaults to break through PgBouncer {v}: {t}")

    # The fix NL010 prints: both caches off.
    t = asyncio.run(sqlalchemy_run(BOUNCER_PORT, "gt_nl010_sa_fix", {"statement_cache_size": 0}, "prepared_statement_cache_size=0"))
    observed("NL010", f"fix: {name} connect_args statement_cache_size=0 + prepared_statement_cache_size=0, PgBouncer {v}", t)
    tally_cell("NL010", name, "connect_args statement_cache_size=0 + prepared_statement_cache_size=0", P18, t, fix=True)
    fix1 = t.failed()

    # SQLAlchemy's documented PgBouncer recipe adds unique statement names.
    t = asyncio.run(sqlalchemy_run(
        BOUNCER_PORT, "gt_nl010_sa_fix_uuid",
        {"statement_cache_size": 0, "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__"},
        "prepared_statement_cache_size=0"))
    observed("NL010", f"fix: {name} the above + prepared_statement_name_func=uuid4, PgBouncer {v}", t)
    tally_cell("NL010", name, "the above + prepared_statement_name_func=uuid4", P18, t, fix=True)
    fix2 = t.failed()
    check(fix1 == 0 or fix2 == 0, "neither SQLAlchemy fix worked")
    print(f"VERDICT NL010 {name} on PgBouncer {v}: caches off {'works' if fix1 == 0 else 'does NOT work'}; "
          f"caches off + unique names {'works' if fix2 == 0 else 'does NOT work'}", flush=True)

    if BOUNCER_PS_PORT:
        t = asyncio.run(sqlalchemy_run(BOUNCER_PS_PORT, "gt_nl010_sa_default"))
        observed("NL010", f"{name} defaults, {P24}", t)
        tally_cell("NL010", name, "defaults", P24, t)
        check(t.failed() == 0, f"PgBouncer {PGB_PS_VERSION} with max_prepared_statements: {t}")
        t = asyncio.run(sqlalchemy_run(BOUNCER_PS_PORT, "gt_nl010_sa_fix", {"statement_cache_size": 0}, "prepared_statement_cache_size=0"))
        observed("NL010", f"fix: {name} connect_args statement_cache_size=0 + prepared_statement_cache_size=0, {P24}", t)
        tally_cell("NL010", name, "connect_args statement_cache_size=0 + prepared_statement_cache_size=0", P24, t, fix=True)
        check(t.failed() == 0, f"SQLAlchemy+asyncpg caches off on PgBouncer {PGB_PS_VERSION}: {t}")
    else:
        for c in ("defaults", "connect_args statement_cache_size=0 + prepared_statement_cache_size=0"):
            cell("NL010", name, c, "PgBouncer >= 1.21", "SKIP", "GT_BOUNCER_PS_PORT unset: start.sh could not build PgBouncer 1.24")


# --------------------------------------------------------------------------------------------------
# NL010: psycopg 3's prepared statements (prepare_threshold) through both poolers
# --------------------------------------------------------------------------------------------------
async def psycopg3_run(port, alias, **kw):
    """TASKS connections (autocommit: one transaction per query), ITERS checked queries each."""
    import psycopg

    conns = [await psycopg.AsyncConnection.connect(url(port, alias, "sslmode=require"), autocommit=True, **kw)
             for _ in range(TASKS)]
    tally = Tally()

    async def task(t):
        k, conn = t % 8, conns[t]
        for i in range(ITERS):
            try:
                cur = await conn.execute(f"SELECT %s::int4 + {k}", (i,))
                v = (await cur.fetchone())[0]
                if v == i + k:
                    tally.ok += 1
                else:
                    tally.wrong += 1
                    if tally.first_wrong is None:
                        tally.first_wrong = f"`SELECT %s::int4 + {k}` with %s = {i} returned {v}"
            except Exception as e:  # noqa: BLE001 - every driver error is an observation
                tally.err(e)
                if conn.closed:
                    conns[t] = conn = await psycopg.AsyncConnection.connect(
                        url(port, alias, "sslmode=require"), autocommit=True, **kw)
    try:
        await asyncio.gather(*(task(t) for t in range(TASKS)))
    finally:
        for c in conns:
            await c.close()
    grouped = {}
    for k, n in tally.errors.items():
        k = re.sub(r"_pg3_\d+", "_pg3_N", k)
        grouped[k] = grouped.get(k, 0) + n
    tally.errors = grouped
    check(tally.ok + tally.failed() == TASKS * ITERS, f"lost answers: {tally}")
    return tally


def nl010_psycopg3():
    import psycopg

    name = f"psycopg {psycopg.__version__}"
    poolers = [(P18, BOUNCER_PORT)] + ([(P24, BOUNCER_PS_PORT)] if BOUNCER_PS_PORT else [])
    results = {}
    for pooler, port in poolers:
        for config, kw, fix in (("default (prepare_threshold=5)", {}, None),
                                ("prepare_threshold=0 (prepare every query)", {"prepare_threshold": 0}, None),
                                ("prepare_threshold=None (never prepare)", {"prepare_threshold": None}, True)):
            alias = "gt_nl010_pg3_" + ("default" if not kw else "t0" if kw["prepare_threshold"] == 0 else "none")
            t = asyncio.run(psycopg3_run(port, alias, **kw))
            observed("NL010", f"{'fix: ' if fix else ''}{name} {config}, {pooler}", t)
            tally_cell("NL010", name, config, pooler, t, fix)
            results[(pooler, config)] = t
    if not BOUNCER_PS_PORT:
        cell("NL010", name, "all", "PgBouncer >= 1.21", "SKIP", "GT_BOUNCER_PS_PORT unset: start.sh could not build PgBouncer 1.24")
    # What must hold: preparing on 1.18 breaks, never preparing works everywhere, 1.24 tracks names.
    check(results[(P18, "prepare_threshold=0 (prepare every query)")].failed() > 0,
          "psycopg prepare_threshold=0 did not break through PgBouncer 1.18")
    for (pooler, config), t in results.items():
        if config.startswith("prepare_threshold=None") or pooler == P24:
            check(t.failed() == 0, f"psycopg {config} on {pooler}: {t}")


# --------------------------------------------------------------------------------------------------
# NL010: node-postgres (pg) and postgres.js, fetched from npm into the cache, through both poolers
# --------------------------------------------------------------------------------------------------
NODE_PINS = ("pg@8.23.1", "postgres@3.4.9")
NODE_CACHE = os.path.join(
    os.environ.get("GT_CACHE")
    or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "neon-lint-gt"),
    "nl010-node")


def fetch_node_clients():
    """node_modules with the pinned clients, or raises RuntimeError with the reason (then: SKIP)."""
    import shutil

    mods = os.path.join(NODE_CACHE, "node_modules")
    stamp = os.path.join(NODE_CACHE, ".gt-pins")
    if os.path.isfile(stamp) and open(stamp).read() == " ".join(NODE_PINS):
        return mods
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} is not installed")
    os.makedirs(NODE_CACHE, exist_ok=True)
    try:
        r = subprocess.run(["npm", "install", "--loglevel=error", "--no-audit", "--no-fund", "--ignore-scripts",
                            "--prefix", NODE_CACHE, *NODE_PINS], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        raise RuntimeError("npm install timed out (registry unreachable?)") from None
    if r.returncode != 0:
        last = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        raise RuntimeError(f"npm install failed (registry unreachable?): {last[0][-300:]}")
    with open(stamp, "w") as f:
        f.write(" ".join(NODE_PINS))
    return mods


def node_run(mods, client, config, port, alias):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node", "nl010.js")
    r = subprocess.run(["node", script, mods, client, config, str(port), alias],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise Failed(f"node {client} {config} failed: {r.stderr.strip()[-500:]}")
    d = json.loads(r.stdout.strip().splitlines()[-1])
    t = Tally()
    t.ok, t.wrong, t.first_wrong = d["ok"], d["wrong"], d["first_wrong"]
    for k, n in d["errors"].items():
        k = re.sub(r'"gt_q\d"', '"gt_qN"', k)
        t.errors[k] = t.errors.get(k, 0) + n
    check(t.ok + t.failed() == TASKS * ITERS, f"lost answers: {t}")
    return t


def nl010_node():
    names = {"pg": "node-postgres (pg) 8.23.1", "postgres": "postgres.js 3.4.9"}
    configs = (("pg", "default", "default (unnamed statements)", None),
               ("pg", "named", "named queries {name, text, values}", None),
               ("postgres", "default", "default (prepare: true)", None),
               ("postgres", "prepare-false", "prepare: false", True))
    poolers = [(P18, BOUNCER_PORT)] + ([(P24, BOUNCER_PS_PORT)] if BOUNCER_PS_PORT else [])
    try:
        mods = fetch_node_clients()
    except RuntimeError as e:
        print(f"SKIP nl010_node: {e}", flush=True)
        for client, _, label, _ in configs:
            for pooler, _ in poolers:
                cell("NL010", names[client], label, pooler, "SKIP", str(e))
        return
    results = {}
    for pooler, port in poolers:
        for client, config, label, fix in configs:
            t = node_run(mods, client, config, port, f"gt_nl010_node_{client}_{config.replace('-', '_')}")
            observed("NL010", f"{'fix: ' if fix else ''}{names[client]} {label}, {pooler}", t)
            tally_cell("NL010", names[client], label, pooler, t, fix)
            results[(pooler, client, config)] = t
    # Named statements break on a pooler without tracking; everything works on 1.24.
    check(results[(P18, "pg", "named")].failed() > 0, "pg named queries did not break through PgBouncer 1.18")
    check(results[(P18, "pg", "default")].failed() == 0, f"pg default on 1.18: {results[(P18, 'pg', 'default')]}")
    check(results[(P18, "postgres", "prepare-false")].failed() == 0, "postgres.js prepare: false on 1.18")
    if BOUNCER_PS_PORT:
        for (pooler, client, config), t in results.items():
            if pooler == P24:
                check(t.failed() == 0, f"{client} {config} on {pooler}: {t}")


# --------------------------------------------------------------------------------------------------
# NL040 stale-pool: SQLAlchemy (psycopg) pool_pre_ping and pool_recycle, psycopg_pool with and
# without `check`, across ONE server restart (the script restarts the second cluster itself)
# --------------------------------------------------------------------------------------------------
RESTARTED = "direct (server restarted)"


def first_query(fn):
    """Runs fn() (one `SELECT 1` through a pool); returns (outcome, text) for a CELL line."""
    try:
        v = fn()
        return "ok", f"ok ({v})"
    except Exception as e:  # noqa: BLE001 - the failure is the observation
        orig = getattr(e, "orig", None)
        return "errors", one_line(orig) if orig is not None else one_line(e)


def nl040_sqlalchemy_pre_ping():
    import time

    import psycopg
    import sqlalchemy
    from sqlalchemy import create_engine, text

    restart_url = url(env("GT_PG_RESTART_PORT"), DB, "sslmode=require", scheme="postgresql+psycopg")
    plain_url = url(env("GT_PG_RESTART_PORT"), DB, "sslmode=require")
    stale = create_engine(restart_url, pool_size=1, max_overflow=0)  # pool_pre_ping defaults to False
    checked = create_engine(restart_url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    # pool_recycle replaces a connection older than N seconds at checkout; it sends nothing to the
    # server, so a connection younger than N that the restart killed is handed out as it is.
    recycle_300 = create_engine(restart_url, pool_size=1, max_overflow=0, pool_recycle=300)
    recycle_1 = create_engine(restart_url, pool_size=1, max_overflow=0, pool_recycle=1)
    engines = (stale, checked, recycle_300, recycle_1)
    t_warm = time.monotonic()
    for e in engines:
        with e.connect() as c:
            check(c.execute(text("SELECT 1")).scalar_one() == 1, "warm-up")

    pools = []
    try:
        import psycopg_pool
        from psycopg_pool import ConnectionPool

        pool_name = f"psycopg_pool {psycopg_pool.__version__} (psycopg {psycopg.__version__})"
        pool_plain = ConnectionPool(plain_url, min_size=1, max_size=1, open=True)
        pool_check = ConnectionPool(plain_url, min_size=1, max_size=1, open=True,
                                    check=ConnectionPool.check_connection)
        pools = [pool_plain, pool_check]
        for p in pools:
            p.wait(timeout=10)
            with p.connection() as c:
                check(c.execute("SELECT 1").fetchone()[0] == 1, "psycopg_pool warm-up")
    except ImportError as e:
        pool_name = None
        for config in ("ConnectionPool without check", "ConnectionPool(check=ConnectionPool.check_connection)"):
            cell("NL040", "psycopg_pool", config, RESTARTED, "SKIP", f"psycopg_pool not installed in the venv: {e}")

    subprocess.run([env("GT_PG_RESTART_CMD")], check=True)
    name = f"SQLAlchemy {sqlalchemy.__version__} + psycopg"

    def sa_select(engine):
        with engine.connect() as c:
            return c.execute(text("SELECT 1")).scalar_one()

    # pool_pre_ping=False (the default): flagged.
    outcome, text1 = first_query(lambda: sa_select(stale))
    observed("NL040", f"{name} pool_pre_ping=False, first query after the restart", text1)
    check(outcome == "errors", "the pool without pre-ping handed out a live connection after the restart")
    outcome2, text2 = first_query(lambda: sa_select(stale))
    observed("NL040", f"{name} pool_pre_ping=False, second query", f"{text2} (the failed connection was discarded)")
    cell("NL040", name, "pool_pre_ping=False (default)", RESTARTED, "errors",
         f"first query after the restart: {text1}; second query: {text2}")

    outcome, text1 = first_query(lambda: sa_select(checked))
    observed("NL040", f"fix: {name} pool_pre_ping=True, first query after the restart", text1)
    cell("NL040", name, "pool_pre_ping=True", RESTARTED, outcome, f"first query after the restart: {text1}", fix=outcome == "ok")
    check(outcome == "ok", f"pool_pre_ping=True: {text1}")

    # pool_recycle=300: the connection is a few seconds old, well inside the age, so it is NOT replaced.
    age = time.monotonic() - t_warm
    outcome, text1 = first_query(lambda: sa_select(recycle_300))
    observed("NL040", f"{name} pool_recycle=300, first query after the restart (connection {age:.1f} s old)", text1)
    cell("NL040", name, "pool_recycle=300, restart while the connection is younger than 300 s", RESTARTED, outcome,
         f"first query after the restart: {text1}", fix=outcome == "ok")
    check(outcome == "errors", f"pool_recycle=300 caught a restart inside its age: {text1}")

    # pool_recycle=1, and more than 1 s since the connection was made: replaced by age at checkout.
    time.sleep(max(0.0, 1.2 - (time.monotonic() - t_warm)))
    outcome, text1 = first_query(lambda: sa_select(recycle_1))
    observed("NL040", f"{name} pool_recycle=1, first query after the restart (connection older than 1 s)", text1)
    cell("NL040", name, "pool_recycle=1, connection older than the recycle age at the restart", RESTARTED, outcome,
         f"first query after the restart: {text1} (replaced because of its age, not because it was dead)")
    check(outcome == "ok", f"pool_recycle=1 with an older connection: {text1}")

    if pool_name:
        def pool_select(p):
            with p.connection() as c:
                return c.execute("SELECT 1").fetchone()[0]

        outcome, text1 = first_query(lambda: pool_select(pools[0]))
        observed("NL040", f"{pool_name} ConnectionPool without check, first query after the restart", text1)
        outcome2, text2 = first_query(lambda: pool_select(pools[0]))
        observed("NL040", f"{pool_name} ConnectionPool without check, second query", text2)
        cell("NL040", pool_name, "ConnectionPool without check", RESTARTED, outcome,
             f"first query after the restart: {text1}; second query: {text2}")
        check(outcome == "errors", f"psycopg_pool without check handed out a live connection: {text1}")

        outcome, text1 = first_query(lambda: pool_select(pools[1]))
        observed("NL040", f"fix: {pool_name} ConnectionPool(check=ConnectionPool.check_connection), first query after the restart", text1)
        cell("NL040", pool_name, "ConnectionPool(check=ConnectionPool.check_connection)", RESTARTED, outcome,
             f"first query after the restart: {text1}", fix=outcome == "ok")
        check(outcome == "ok", f"psycopg_pool check=check_connection: {text1}")
        for p in pools:
            p.close()
    for e in engines:
        e.dispose()


# --------------------------------------------------------------------------------------------------
# NL020 pooled-migration-url: Alembic `upgrade head` and Django `migrate` through each pooler and
# direct, while other clients use the same pool; NL012: Django `QuerySet.iterator()` (server-side
# cursors) through the poolers
# --------------------------------------------------------------------------------------------------
LOAD_CLIENTS = 6  # other clients on the migration's pool (PgBouncer gives the alias 4 server connections)


class Load:
    """LOAD_CLIENTS threads running short autocommit queries on `alias` through `port` until stopped,
    so that a migration's successive transactions land on whichever server connection is free."""

    def __init__(self, port, alias, clients=LOAD_CLIENTS):
        import threading

        self.port, self.alias, self.stop, self.queries, self.errors = port, alias, threading.Event(), 0, []
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]
        self.running = threading.Semaphore(0)

    def run(self):
        import psycopg2  # not psycopg 3: the Django scenarios can run with it hidden

        try:
            c = psycopg2.connect(url(self.port, self.alias, "sslmode=require"))
            c.autocommit = True
            cur = c.cursor()
            cur.execute("SELECT 1")
            self.running.release()
            while not self.stop.is_set():
                cur.execute("SELECT pg_sleep(0.003) /* gt-load */")
                self.queries += 1
            c.close()
        except Exception as e:  # noqa: BLE001 - reported with the cell
            self.errors.append(one_line(e))
            self.running.release()

    def __enter__(self):
        for t in self.threads:
            t.start()
        for _ in self.threads:  # every client connected and querying before the migration starts
            self.running.acquire(timeout=10)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(10)

    def __str__(self):
        if not self.threads:
            return "no other clients"
        return f"{len(self.threads)} other clients, {self.queries} queries" + (f", their errors: {self.errors[0]}" if self.errors else "")


def migration_targets(alias):
    """(label, port, database) for direct and each pooler."""
    t = [("direct", PG_PORT, DB), (P18, BOUNCER_PORT, alias)]
    if BOUNCER_PS_PORT:
        t.append((P24, BOUNCER_PS_PORT, alias))
    return t


def direct_sql(*stmts):
    """Runs stmts on the direct URL (autocommit, psycopg2); returns the last one's first row or None."""
    import psycopg2

    c = psycopg2.connect(url(PG_PORT, DB, "sslmode=require"))
    try:
        c.autocommit = True
        cur = c.cursor()
        row = None
        for q in stmts:
            cur.execute(q)
            row = cur.fetchone() if cur.description else None
        return row
    finally:
        c.close()


def count_rows(table, where="true"):
    """Rows of `table` matching `where` (direct URL), or -1 when the table does not exist."""
    if not direct_sql(f"SELECT to_regclass('{table}') IS NOT NULL")[0]:
        return -1
    return direct_sql(f"SELECT count(*) FROM {table} WHERE {where}")[0]


def alembic_tree(d, version_table):
    """A minimal Alembic project in d: env.py (online mode, URL from the config) and two revisions."""
    os.makedirs(os.path.join(d, "versions"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(f"""from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None, version_table={version_table!r})
    with context.begin_transaction():
        context.run_migrations()
""")
    with open(os.path.join(d, "script.py.mako"), "w") as f:
        f.write("")
    revs = (("0001", None, """    op.create_table("gt_alembic_items", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text, nullable=False))
    op.create_index("gt_alembic_items_name", "gt_alembic_items", ["name"])
    op.execute("INSERT INTO gt_alembic_items (name) SELECT 'item ' || g FROM generate_series(1, 200) g")"""),
            ("0002", "0001", """    op.create_table("gt_alembic_tags", sa.Column("id", sa.Integer, primary_key=True), sa.Column("item_id", sa.Integer, sa.ForeignKey("gt_alembic_items.id")))
    op.add_column("gt_alembic_items", sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()))
    op.execute("UPDATE gt_alembic_items SET name = upper(name)")"""))
    for rev, down, body in revs:
        with open(os.path.join(d, "versions", f"{rev}_gt.py"), "w") as f:
            f.write(f"""import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{body}


def downgrade():
    pass
""")


def nl020_alembic():
    import shutil
    import tempfile
    import time

    try:
        import alembic
        from alembic import command
        from alembic.config import Config
    except ImportError as e:
        for label, _, _ in migration_targets("x"):
            cell("NL020", "Alembic", "upgrade head", label, "SKIP", f"alembic not installed in the venv: {e}")
        return
    import psycopg
    import psycopg2

    version_table = "gt_alembic_version"
    drop = ("DROP TABLE IF EXISTS gt_alembic_tags, gt_alembic_items, gt_alembic_version CASCADE",)
    d = tempfile.mkdtemp(prefix="gt-alembic-")
    results = {}
    try:
        alembic_tree(os.path.join(d, "migrations"), version_table)
        drivers = (("psycopg2", f"psycopg2 {psycopg2.__version__.split()[0]}"), ("psycopg", f"psycopg {psycopg.__version__}"))
        for scheme_driver, dname in drivers:
            name = f"Alembic {alembic.__version__} + {dname}"
            for label, port, db in migration_targets("gt_nl020_alembic"):
                direct_sql(*drop)
                cfg = Config()
                cfg.set_main_option("script_location", os.path.join(d, "migrations"))
                # configparser interpolation: a literal % in the URL must be doubled
                cfg.set_main_option("sqlalchemy.url", url(port, db, "sslmode=require", scheme=f"postgresql+{scheme_driver}").replace("%", "%%"))
                t0 = time.monotonic()
                with Load(port, db) as load:
                    try:
                        command.upgrade(cfg, "head")
                        err = None
                    except Exception as e:  # noqa: BLE001 - the failure is the observation
                        orig = getattr(e, "orig", None)
                        err = one_line(orig) if orig is not None else one_line(e)
                secs = time.monotonic() - t0
                ver = direct_sql("SELECT (SELECT string_agg(version_num, ',') FROM gt_alembic_version), "
                                 "(SELECT count(*) FROM gt_alembic_items WHERE name LIKE 'ITEM %') "
                                 "WHERE to_regclass('gt_alembic_version') IS NOT NULL "
                                 "AND to_regclass('gt_alembic_items') IS NOT NULL")
                state = f"version {ver[0]}, {ver[1]} rows migrated" if ver else "tables missing"
                text = (f"ok ({state}; {secs:.1f} s)" if err is None else f"error: {err} ({state})")
                observed("NL020", f"{name} upgrade head, {label}, with {load}", text)
                ok = err is None and ver is not None and ver[0] == "0002" and ver[1] == 200
                cell("NL020", name, f"upgrade head (2 revisions, one transaction), {LOAD_CLIENTS} other clients on the same database",
                     label, "ok" if ok else "errors", text, fix=ok if label == "direct" else None)
                results[(dname, label)] = ok
    finally:
        shutil.rmtree(d, ignore_errors=True)
        direct_sql(*drop)
    for (dname, label), ok in results.items():
        if label == "direct":
            check(ok, f"Alembic + {dname} direct did not apply both revisions")


DJANGO_APP_MODELS = """from django.db import models


class Item(models.Model):
    name = models.TextField()
    n = models.IntegerField()
"""
DJANGO_APP_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.TextField()),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunSQL("INSERT INTO gtapp_item (name, n) SELECT 'item ' || g, g FROM generate_series(1, 2000) g", migrations.RunSQL.noop),
    ]
"""


def django_setup(d, targets, disable_cursors=None):
    """Writes a settings module and app `gtapp` into d, and sets Django up with one DATABASES entry per
    target ((alias, port, db, options)); returns the django module."""
    os.makedirs(os.path.join(d, "gtapp", "migrations"))
    for rel, body in (("gtapp/__init__.py", ""), ("gtapp/models.py", DJANGO_APP_MODELS),
                      ("gtapp/migrations/__init__.py", ""), ("gtapp/migrations/0001_initial.py", DJANGO_APP_MIGRATION)):
        with open(os.path.join(d, rel), "w") as f:
            f.write(body)
    dbs = {}
    for alias, port, db, extra in targets:
        dbs[alias] = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": str(port), "NAME": db,
                      "USER": USER, "PASSWORD": PASSWORD, "OPTIONS": {"sslmode": "require"}, **extra}
    dbs["default"] = dict(dbs[targets[0][0]])
    with open(os.path.join(d, "gt_settings.py"), "w") as f:
        f.write("SECRET_KEY = 'gt'\nUSE_TZ = True\nTIME_ZONE = 'UTC'\n"
                "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', 'gtapp']\n"
                "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
                f"DATABASES = {dbs!r}\n")
    sys.path.insert(0, d)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gt_settings"
    import django

    django.setup()
    return django


DJANGO_DROP = ("DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
               "AND (tablename LIKE 'django\\_%' OR tablename LIKE 'auth\\_%' OR tablename LIKE 'gtapp\\_%') "
               "LOOP EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename); END LOOP; END $$",)


def django_driver():
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:
        import psycopg
        return f"psycopg {psycopg.__version__}"
    import psycopg2
    return f"psycopg2 {psycopg2.__version__.split()[0]}"


def nl020_django():
    import io
    import shutil
    import tempfile
    import time

    try:
        import django  # noqa: F401
    except ImportError as e:
        for label, _, _ in migration_targets("x"):
            cell("NL020", "Django", "manage.py migrate", label, "SKIP", f"Django not installed in the venv: {e}")
        return
    targets = migration_targets("gt_nl020_django")
    aliases = [(f"t{i}", port, db, {}) for i, (_, port, db) in enumerate(targets)]
    d = tempfile.mkdtemp(prefix="gt-django-")
    results = {}
    try:
        django = django_setup(d, aliases)
        from django.core.management import call_command
        from django.db import connections

        name = f"Django {django.get_version()} + {django_driver()}"
        for (label, port, db), (alias, _, _, _) in zip(targets, aliases):
            direct_sql(*DJANGO_DROP)
            t0 = time.monotonic()
            with Load(port, db) as load:
                try:
                    call_command("migrate", database=alias, interactive=False, verbosity=0, stdout=io.StringIO())
                    err = None
                except Exception as e:  # noqa: BLE001 - the failure is the observation
                    cause = e.__cause__ or e
                    err = one_line(e) if cause is e else f"{one_line(e)} (from {one_line(cause)})"
            secs = time.monotonic() - t0
            connections[alias].close()
            applied = direct_sql("SELECT count(*) FROM django_migrations")[0] \
                if direct_sql("SELECT to_regclass('django_migrations') IS NOT NULL")[0] else 0
            rows = direct_sql("SELECT count(*) FROM gtapp_item")[0] \
                if direct_sql("SELECT to_regclass('gtapp_item') IS NOT NULL")[0] else 0
            state = f"{applied} migrations recorded, {rows} rows"
            text = f"ok ({state}; {secs:.1f} s)" if err is None else f"error: {err} ({state})"
            observed("NL020", f"{name} manage.py migrate (contenttypes, auth, one app), {label}, with {load}", text)
            ok = err is None and rows == 2000
            cell("NL020", name, f"manage.py migrate (contenttypes, auth, one app), {LOAD_CLIENTS} other clients on the same database",
                 label, "ok" if ok else "errors", text, fix=ok if label == "direct" else None)
            results[label] = ok
    finally:
        shutil.rmtree(d, ignore_errors=True)
        direct_sql(*DJANGO_DROP)
    check(results.get("direct"), "Django migrate on the direct URL failed")


def nl012_django_cursors():
    import shutil
    import tempfile

    try:
        import django  # noqa: F401
    except ImportError as e:
        for label, _, _ in migration_targets("x"):
            cell("NL012", "Django", "QuerySet.iterator()", label, "SKIP", f"Django not installed in the venv: {e}")
        return
    targets = migration_targets("gt_nl012_django")
    aliases = []
    for i, (label, port, db) in enumerate(targets):
        aliases.append((f"t{i}_on", port, db, {}))
        aliases.append((f"t{i}_off", port, db, {"DISABLE_SERVER_SIDE_CURSORS": True}))
    d = tempfile.mkdtemp(prefix="gt-django-cursors-")
    results = {}
    try:
        django = django_setup(d, aliases)
        import io

        from django.core.management import call_command
        from django.db import connections

        direct_sql(*DJANGO_DROP)
        call_command("migrate", database=aliases[0][0], interactive=False, verbosity=0, stdout=io.StringIO())
        from gtapp.models import Item

        name = f"Django {django.get_version()} + {django_driver()}"
        for i, (label, port, db) in enumerate(targets):
            runs = [(f"t{i}_on", "QuerySet.iterator(chunk_size=100), server-side cursors on (default)", None, LOAD_CLIENTS),
                    (f"t{i}_off", "QuerySet.iterator(chunk_size=100), DISABLE_SERVER_SIDE_CURSORS=True", True, LOAD_CLIENTS)]
            if label != "direct":
                # The same, alone on the pool: PgBouncer may hand the same server connection back.
                runs.insert(0, (f"t{i}_on", "QuerySet.iterator(chunk_size=100), server-side cursors on (default)", None, 0))
            for alias, config, fix, n_load in runs:
                with Load(port, db, n_load) as load:
                    total, seen = 0, 0
                    try:
                        for it in Item.objects.using(alias).order_by("n").iterator(chunk_size=100):
                            seen += 1
                            total += it.n
                        err = None
                    except Exception as e:  # noqa: BLE001 - the failure is the observation
                        cause = e.__cause__ or e
                        err = f"{type(e).__module__}.{type(e).__name__}: " + " ".join(str(e).split())
                        if cause is not e:
                            err += f" (from {type(cause).__module__}.{type(cause).__name__})"
                        err = re.sub(r"_django_curs_\d+_sync_\d+", "_django_curs_N_sync_N", err)
                connections[alias].close()
                ok = err is None and seen == 2000 and total == 2000 * 2001 // 2
                text = "ok (2000 rows)" if ok else (f"error after {seen} of 2000 rows: {err}" if err else f"{seen} rows, sum {total}")
                observed("NL012", f"{'fix: ' if fix else ''}{name} {config}, {label}, with {load}", text)
                cell("NL012", name, f"{config}, {n_load or 'no'} other clients on the same database", label,
                     "ok" if ok else "errors", text, fix=ok if fix else None)
                if n_load:
                    results[(label, alias.endswith("_off"))] = ok
    finally:
        shutil.rmtree(d, ignore_errors=True)
        direct_sql(*DJANGO_DROP)
    # Only the fix and the direct URL must hold; the flagged runs' outcome is recorded, not asserted
    # (whether a FETCH lands on another server connection is up to PgBouncer).
    for (label, off), ok in results.items():
        if off or label == "direct":
            check(ok, f"Django iterator() {'with DISABLE_SERVER_SIDE_CURSORS' if off else 'direct'} on {label} failed")


# drizzle-kit takes `pg` when it is installed, else postgres.js: one node_modules tree for each.
DRIZZLE_TREES = {
    "postgres.js 3.4.9": ("nl020-drizzle", ("drizzle-kit@0.31.11", "drizzle-orm@0.45.4", "postgres@3.4.9")),
    "node-postgres (pg) 8.23.1": ("nl020-drizzle-pg", ("drizzle-kit@0.31.11", "drizzle-orm@0.45.4", "pg@8.23.1")),
}


def fetch_npm_tree(subdir, pins):
    """node_modules with exactly these npm pins under the cache, or raises RuntimeError with the
    reason (then: SKIP)."""
    import shutil

    root = os.path.join(os.path.dirname(NODE_CACHE), subdir)
    mods = os.path.join(root, "node_modules")
    stamp = os.path.join(root, ".gt-pins")
    if os.path.isfile(stamp) and open(stamp).read() == " ".join(pins):
        return mods
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} is not installed")
    os.makedirs(root, exist_ok=True)
    try:
        r = subprocess.run(["npm", "install", "--loglevel=error", "--no-audit", "--no-fund", "--ignore-scripts",
                            "--prefix", root, *pins], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        raise RuntimeError("npm install timed out (registry unreachable?)") from None
    if r.returncode != 0:
        lines = [ln for ln in (r.stderr or r.stdout).strip().splitlines() if "A complete log" not in ln]
        last = lines[-1:] or [f"exit {r.returncode}"]
        raise RuntimeError(f"npm install failed (registry unreachable?): {last[0][-300:]}")
    with open(stamp, "w") as f:
        f.write(" ".join(pins))
    return mods


DRIZZLE_SQL = """CREATE TABLE "gt_drizzle_items" ("id" serial PRIMARY KEY NOT NULL, "name" text NOT NULL);
--> statement-breakpoint
CREATE INDEX "gt_drizzle_items_name" ON "gt_drizzle_items" ("name");
--> statement-breakpoint
INSERT INTO "gt_drizzle_items" ("name") SELECT 'item ' || g FROM generate_series(1, 200) g;
"""
DRIZZLE_SQL_2 = """CREATE TABLE "gt_drizzle_tags" ("id" serial PRIMARY KEY NOT NULL, "item_id" integer REFERENCES "gt_drizzle_items" ("id"));
--> statement-breakpoint
ALTER TABLE "gt_drizzle_items" ADD COLUMN "created_at" timestamptz DEFAULT now();
--> statement-breakpoint
UPDATE "gt_drizzle_items" SET "name" = upper("name");
"""


def drizzle_output(r):
    """drizzle-kit's output lines without colours, spinner frames, stack frames and Node's pg SSL-mode warning."""
    out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", r.stdout + r.stderr)
    skip = ("at ", "(Use `node", "In the next major", "To prepare", "- If you want", "See https://www.postgresql.org")
    return [ln.strip() for ln in re.split(r"[\r\n]", out)
            if ln.strip() and not ln.strip().startswith(skip) and "SECURITY WARNING" not in ln]


def nl020_drizzle():
    import shutil
    import tempfile
    import time

    targets = migration_targets("gt_nl020_drizzle")
    drop = ("DROP TABLE IF EXISTS gt_drizzle_tags, gt_drizzle_items CASCADE", "DROP SCHEMA IF EXISTS gt_drizzle CASCADE")
    d = tempfile.mkdtemp(prefix="gt-drizzle-")
    results = {}
    try:
        os.makedirs(os.path.join(d, "drizzle", "meta"))
        entries = []
        for i, (tag, body) in enumerate((("0000_gt_init", DRIZZLE_SQL), ("0001_gt_tags", DRIZZLE_SQL_2))):
            with open(os.path.join(d, "drizzle", f"{tag}.sql"), "w") as f:
                f.write(body)
            entries.append({"idx": i, "version": "7", "when": 1767225600000 + i * 1000, "tag": tag, "breakpoints": True})
        with open(os.path.join(d, "drizzle", "meta", "_journal.json"), "w") as f:
            json.dump({"version": "7", "dialect": "postgresql", "entries": entries}, f)
        # The URL comes from the environment, so no password is written to disk.
        with open(os.path.join(d, "drizzle.config.js"), "w") as f:
            f.write("module.exports = { dialect: 'postgresql', out: './drizzle', "
                    "dbCredentials: { url: process.env.GT_DRIZZLE_URL }, "
                    "migrations: { table: '__drizzle_migrations', schema: 'gt_drizzle' } };\n")
        for client, (subdir, pins) in DRIZZLE_TREES.items():
            label = f"drizzle-kit 0.31.11 migrate (drizzle-orm 0.45.4, {client})"
            try:
                mods = fetch_npm_tree(subdir, pins)
            except RuntimeError as e:
                print(f"SKIP nl020_drizzle ({client}): {e}", flush=True)
                for where, _, _ in targets:
                    cell("NL020", label, "2 migrations", where, "SKIP", str(e))
                continue
            kit = ["node", os.path.join(mods, "drizzle-kit", "bin.cjs"), "migrate", "--config", "drizzle.config.js"]
            if "pg" in subdir:
                # node-postgres 8 treats sslmode=require as verify-full: without the CA in Node's trust
                # store the run must fail (NL003's premise); the runs below add it (NODE_EXTRA_CA_CERTS).
                direct_sql(*drop)
                r = subprocess.run(kit, cwd=d, capture_output=True, text=True, timeout=120,
                                   env=dict(os.environ, GT_DRIZZLE_URL=url(PG_PORT, DB, "sslmode=require"), NO_COLOR="1"))
                out = drizzle_output(r)
                text = f"exit {r.returncode}" + (f"; last line: {out[-1][:200]}" if out else "") + \
                    f"; {'an error message' if any('rror' in ln for ln in out) else 'no error message'} printed"
                observed("NL003", f"{label}, sslmode=require, server certificate from a CA not in Node's trust store, direct", text)
                cell("NL003", label, "sslmode=require, server certificate from a CA Node does not trust", "direct",
                     "ok" if r.returncode == 0 else "errors", text)
            for where, port, db in targets:
                direct_sql(*drop)
                t0 = time.monotonic()
                with Load(port, db) as load:
                    r = subprocess.run(kit, cwd=d, capture_output=True, text=True, timeout=120,
                                       env=dict(os.environ, GT_DRIZZLE_URL=url(port, db, "sslmode=require"), NO_COLOR="1",
                                                NODE_EXTRA_CA_CERTS=CA))
                secs = time.monotonic() - t0
                out = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout + r.stderr)
                used = re.search(r"Using '([^']+)' driver", out)
                n = (count_rows("gt_drizzle.__drizzle_migrations"), count_rows("gt_drizzle_items", "name LIKE 'ITEM %'"))
                state = f"{max(n[0], 0)} migrations recorded, {max(n[1], 0)} rows migrated"
                ok = r.returncode == 0 and n[0] == 2 and n[1] == 200
                if r.returncode == 0:
                    text = f"ok ({state}; {secs:.1f} s; drizzle-kit said: using '{used.group(1) if used else '?'}' driver)"
                else:
                    lines = drizzle_output(r)
                    err = next((ln for ln in lines if "rror" in ln or "does not exist" in ln or "already exists" in ln),
                               lines[-1] if lines else "no output")
                    text = f"exit {r.returncode}: {err[:300]} ({state})"
                observed("NL020", f"{label}, {where}, with {load}", text)
                cell("NL020", label, f"2 migrations, {LOAD_CLIENTS} other clients on the same database", where,
                     "ok" if ok else "errors", text, fix=ok if where == "direct" else None)
                results[(client, where)] = ok
    finally:
        shutil.rmtree(d, ignore_errors=True)
        direct_sql(*drop)
    for (client, where), ok in results.items():
        if where == "direct":
            check(ok, f"drizzle-kit migrate ({client}) on the direct URL failed")


def hide_psycopg3():
    """Makes `import psycopg` fail, so that Django's PostgreSQL backend uses psycopg2 (as it does
    where psycopg 3 is not installed)."""
    sys.modules["psycopg"] = None


def nl020_django_psycopg2():
    hide_psycopg3()
    nl020_django()


def nl012_django_cursors_psycopg2():
    hide_psycopg3()
    nl012_django_cursors()


SCENARIOS = {f.__name__: f for f in (nl002_psycopg_sslmode, nl002_default_sslmode, nl020_pg_dump, nl010_asyncpg, nl010_psycopg3, nl010_node, nl010_sqlalchemy_asyncpg, nl040_sqlalchemy_pre_ping, nl020_alembic, nl020_django, nl020_django_psycopg2, nl012_django_cursors,
                                     nl012_django_cursors_psycopg2, nl020_drizzle)}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print(f"usage: {sys.argv[0]} {{{'|'.join(SCENARIOS)}}}", file=sys.stderr)
        sys.exit(2)
    try:
        SCENARIOS[sys.argv[1]]()
    except Failed as e:
        print(f"FAILED {sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
