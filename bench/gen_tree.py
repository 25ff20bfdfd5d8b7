#!/usr/bin/env python3
"""Generate a deterministic synthetic project tree for benchmarking neon-lint against rg.

    python3 bench/gen_tree.py --files 10000 --seed 7 --out /tmp/neon-lint-bench/tree-10000

The tree is a monorepo with a realistic mix: Rust crates (sqlx / tokio-postgres code and plenty of
unrelated Rust), Python packages, a web app, `.env*` files, YAML/TOML/JSON/INI config, CI files,
Markdown docs, binary assets, plus `target/` and `node_modules/` folders (ignored by the root
`.gitignore`) that a linter must skip, and a `.git/` made by `git init -q`.

About 1% of the files that a linter scans carry Neon connection strings (pooled and direct hosts,
with `sslmode=require`, `verify-full`, none, `disable`...). Ignored folders carry some too, so a
walker that does not honour `.gitignore` shows up as extra findings.

The same (files, seed) always gives byte-identical trees: every file's content comes from its own
RNG seeded with (seed, path). A manifest describing what was planted is written next to the tree
(`<out>.manifest.json`, outside the tree so nothing scans it).
"""

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

GEN_VERSION = 1

# Share of the N files per category. `target` absorbs rounding so the total is exactly N.
MIX = [
    ("rust", 0.30),
    ("python", 0.17),
    ("web", 0.04),
    ("config", 0.07),
    ("env", 0.006),
    ("ci", 0.006),
    ("docs", 0.08),
    ("assets", 0.05),
    ("node_modules", 0.12),
    ("target", None),
]
IGNORED_CATEGORIES = {"target", "node_modules"}
# Share of scanned non-env text files that get a connection string planted (env files mostly
# have one anyway); tuned so that about 1% of scanned files hold a Neon URL.
URL_SHARE_TEXT = 0.0045
URL_SHARE_ENV = 0.85
# Share of ignored text files with a Neon URL in them (READMEs of pg drivers, build outputs).
URL_SHARE_IGNORED = 0.01

# --------------------------------------------------------------------------------------------
# vocabulary (kept free of the needles: no "postgres", "neon", "sslmode", "database"+"url")

WORDS = (
    "account action adapter agent alert alias anchor archive asset audit batch beacon binder "
    "block bloom border bucket buffer builder bundle cache canvas carrier cell channel chart "
    "checkpoint chunk cipher circuit client cluster codec column command config context cursor "
    "delta depot digest dispatch domain draft driver edge engine entry event exporter feature "
    "fetcher field filter flag frame gateway graph guard handle harbor header heap hook index "
    "inbox job journal kernel key label layer ledger lease limit link listener loader locale "
    "lock manifest marker matrix meter metric mirror module monitor node notice offset order "
    "packet page parcel parser patch payload peer pipeline planner plugin policy portal probe "
    "profile prompt proxy queue quota range reader record region registry relay render report "
    "request resolver resource result route router runner sample scanner schedule scope segment "
    "sensor session shard signal sketch slot snapshot socket source span spool stage stash "
    "status store stream summary switch table tag task template tenant ticket timer token "
    "topic trace tracker tree trigger tunnel updater upload usage user vault vector version "
    "view visitor volume watcher widget window worker writer zone"
).split()
ADJS = (
    "quick lazy bright calm dark eager fair gentle happy icy jolly keen little mighty noble "
    "odd proud quiet rapid silent tidy vivid warm young zesty amber brave crisp dusty early "
    "fuzzy grand hollow ivory jade lunar misty"
).split()
VERBS = (
    "load store build parse render fetch apply merge split flush drain reset check compute "
    "encode decode resolve spawn attach detach update insert remove collect scan sort"
).split()
LOREM = (
    "the service keeps a small cache of recent results so repeated calls stay cheap while the "
    "background worker refreshes entries on a fixed schedule and evicts anything older than the "
    "configured limit each handler validates its input before touching shared state and returns "
    "a typed error that the caller can match on without parsing strings we prefer explicit "
    "configuration over implicit defaults because it makes deployments reproducible and reviews "
    "easier the following section describes the layout of the crate and the reasoning behind "
    "each module boundary along with the trade offs we accepted to keep the build fast"
).split()
PG_DOC_LINES = [
    "The service stores its state in PostgreSQL; see the deployment guide for the connection settings.",
    "Run the migrations against the direct (unpooled) Postgres endpoint, never through the pooler.",
    "Set `DATABASE_URL` in your shell or in `.env` before starting the API.",
    "Local development uses a postgres:16 container started by `docker compose up db`.",
    "Always keep `sslmode=require` on production connection strings.",
]

NEON_REGIONS = [
    ("us-east-2", "aws"), ("us-east-1", "aws"), ("us-west-2", "aws"), ("eu-central-1", "aws"),
    ("eu-west-2", "aws"), ("ap-southeast-1", "aws"), ("ap-southeast-2", "aws"),
    ("sa-east-1", "aws"), ("eastus2", "azure"), ("westus3", "azure"),
]
ENDPOINT_WORDS = (
    "cool rain bold wave dry sky red fog blue moon calm sea wild glade still lake young hill "
    "damp pond royal bird misty field soft frost lively sun"
).split()
USERS = ["alex", "neondb_owner", "app_user", "api", "web", "reporting", "sam", "migrator"]
DBNAMES = ["neondb", "app", "main", "analytics", "shop", "prod", "staging"]
# (sslmode or None, weight). None = no sslmode at all.
SSLMODES = [("require", 0.40), (None, 0.30), ("verify-full", 0.10), ("disable", 0.08),
            ("prefer", 0.05), ("require&channel_binding=require", 0.07)]
INSECURE = {None, "disable", "prefer", "allow"}


def weighted(rng, pairs):
    x = rng.random() * sum(w for _, w in pairs)
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def ident(rng, n=2):
    return "_".join(rng.choice(WORDS) for _ in range(n))


def camel(rng, n=2):
    return "".join(rng.choice(WORDS).capitalize() for _ in range(n))


def file_size(rng, lo=512, hi=20480, median=3000.0, sigma=0.9):
    """Log-normal file size clipped to [lo, hi] (median ~3 KB, mean ~4.5 KB)."""
    return int(min(hi, max(lo, math.exp(rng.gauss(math.log(median), sigma)))))


def neon_url(rng, placeholder=False):
    """A Neon connection string; returns (url, sslmode-or-None, pooled)."""
    region, cloud = rng.choice(NEON_REGIONS)
    ep = "ep-%s-%s-%06d" % (rng.choice(ENDPOINT_WORDS), rng.choice(ENDPOINT_WORDS),
                            rng.randrange(1000000))
    pooled = rng.random() < 0.6
    host = "%s%s.%s.%s.neon.tech" % (ep, "-pooler" if pooled else "", region, cloud)
    if placeholder:
        user, pw, host = "alex", "AbC123dEf", "ep-cool-darkness-123456%s.us-east-2.aws.neon.tech" % (
            "-pooler" if pooled else "")
    else:
        user = rng.choice(USERS)
        pw = "npg_" + "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                              for _ in range(12))
    scheme = "postgres" if rng.random() < 0.25 else "postgresql"
    mode = weighted(rng, SSLMODES)
    url = "%s://%s:%s@%s/%s" % (scheme, user, pw, host, rng.choice(DBNAMES))
    if mode is not None:
        url += "?sslmode=" + mode
    return url, (mode.split("&")[0] if mode else None), pooled


# --------------------------------------------------------------------------------------------
# content pools: pre-rendered chunks (seeded once), assembled per file by that file's own RNG

class Pools:
    def __init__(self, seed):
        rng = random.Random("pools:%d" % seed)
        self.rust = [rust_chunk(rng) for _ in range(600)]
        self.rust_db = [rust_db_chunk(rng) for _ in range(80)]
        self.py = [py_chunk(rng) for _ in range(500)]
        self.py_db = [py_db_chunk(rng) for _ in range(60)]
        self.js = [js_chunk(rng) for _ in range(400)]
        self.ts = [ts_chunk(rng) for _ in range(200)]
        self.md = [md_chunk(rng) for _ in range(400)]


def rust_chunk(rng):
    k = rng.randrange(7)
    a, b, c = camel(rng), ident(rng), ident(rng, 1)
    if k == 0:
        fields = "\n".join("    pub %s: %s," % (ident(rng), rng.choice(
            ["u64", "String", "Vec<u8>", "Option<u32>", "bool", "f64", "HashMap<String, u64>"]))
            for _ in range(rng.randrange(2, 8)))
        return "/// %s\n#[derive(Debug, Clone, Default)]\npub struct %s {\n%s\n}\n" % (
            " ".join(rng.choice(LOREM) for _ in range(10)), a, fields)
    if k == 1:
        methods = []
        for _ in range(rng.randrange(1, 4)):
            m = ident(rng)
            methods.append(
                "    pub fn %s(&mut self, input: &[u64]) -> u64 {\n"
                "        let mut acc = 0u64;\n"
                "        for (i, v) in input.iter().enumerate() {\n"
                "            if v %% %d == 0 {\n                acc = acc.wrapping_add(*v * i as u64);\n"
                "            } else {\n                acc ^= v.rotate_left(%d);\n            }\n"
                "        }\n        self.%s = acc;\n        acc\n    }\n" % (m, rng.randrange(2, 9), rng.randrange(1, 31), c))
        return "impl %s {\n%s}\n" % (a, "\n".join(methods))
    if k == 2:
        return ("pub fn %s(items: &[%s]) -> Vec<String> {\n"
                "    items\n        .iter()\n        .filter(|x| !x.%s.is_empty())\n"
                "        .map(|x| format!(\"{}:{}\", x.%s, x.%s.len()))\n"
                "        .take(%d)\n        .collect()\n}\n" % (b, a, c, c, c, rng.randrange(5, 500)))
    if k == 3:
        vs = [camel(rng, 1) + str(i) for i in range(rng.randrange(3, 7))]
        arms = "\n".join("            %s::%s => %d," % (a, v, i) for i, v in enumerate(vs))
        return ("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum %s {\n%s\n}\n\n"
                "impl %s {\n    pub fn code(self) -> u32 {\n        match self {\n%s\n        }\n    }\n}\n"
                % (a, "\n".join("    %s," % v for v in vs), a, arms))
    if k == 4:
        return ("pub trait %s {\n    fn %s(&self) -> Result<(), Error>;\n    fn %s(&self) -> usize {\n"
                "        %d\n    }\n}\n\nimpl %s for Vec<u8> {\n    fn %s(&self) -> Result<(), Error> {\n"
                "        if self.len() > %d {\n            return Err(Error::TooLarge(self.len()));\n"
                "        }\n        Ok(())\n    }\n}\n" % (a, b, c, rng.randrange(100), a, b, rng.randrange(64, 4096)))
    if k == 5:
        return ("#[cfg(test)]\nmod tests_%s {\n    use super::*;\n\n    #[test]\n    fn %s_roundtrip() {\n"
                "        let input: Vec<u64> = (0..%d).collect();\n        let total: u64 = input.iter().sum();\n"
                "        assert_eq!(total, %d);\n    }\n}\n" % (b, b, rng.randrange(10, 99), 0))
    return ("pub const %s: [&str; 3] = [\"%s\", \"%s\", \"%s\"];\n"
            "static %s_LIMIT: usize = %d;\n" % (b.upper(), ident(rng), ident(rng), ident(rng), c.upper(), rng.randrange(10000)))


def rust_db_chunk(rng):
    k = rng.randrange(5)
    n = ident(rng)
    if k == 0:
        return ("pub async fn %s_pool() -> Result<sqlx::PgPool, sqlx::Error> {\n"
                "    let url = std::env::var(\"DATABASE_URL\").expect(\"DATABASE_URL must be set\");\n"
                "    sqlx::postgres::PgPoolOptions::new()\n        .max_connections(%d)\n"
                "        .acquire_timeout(std::time::Duration::from_secs(%d))\n        .connect(&url)\n        .await\n}\n"
                % (n, rng.randrange(2, 32), rng.randrange(3, 30)))
    if k == 1:
        return ("pub async fn %s_client(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {\n"
                "    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;\n"
                "    tokio::spawn(async move {\n        if let Err(e) = connection.await {\n"
                "            eprintln!(\"postgres connection error: {e}\");\n        }\n    });\n    Ok(client)\n}\n" % n)
    if k == 2:
        return ("pub async fn migrate_%s(pool: &sqlx::PgPool) -> Result<(), sqlx::migrate::MigrateError> {\n"
                "    sqlx::migrate!(\"./migrations\").run(pool).await\n}\n" % n)
    if k == 3:
        return ("pub async fn find_%s(pool: &sqlx::PgPool, id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {\n"
                "    sqlx::query_as::<_, (i64, String)>(\"SELECT id, name FROM %s WHERE id = $1\")\n"
                "        .bind(id)\n        .fetch_optional(pool)\n        .await\n}\n" % (n, n))
    return ("pub fn %s_config() -> deadpool_postgres::Config {\n    let mut cfg = deadpool_postgres::Config::new();\n"
            "    cfg.url = std::env::var(\"DATABASE_URL\").ok();\n    cfg\n}\n" % n)


def rust_url_chunk(rng, url):
    k = rng.randrange(3)
    n = ident(rng)
    if k == 0:
        return "pub const %s_URL: &str = \"%s\";\n" % (n.upper(), url)
    if k == 1:
        return ("pub async fn %s_pool() -> Result<sqlx::PgPool, sqlx::Error> {\n"
                "    sqlx::postgres::PgPoolOptions::new()\n        .max_connections(5)\n"
                "        .connect(\"%s\")\n        .await\n}\n" % (n, url))
    return ("pub async fn %s_client() -> Result<tokio_postgres::Client, tokio_postgres::Error> {\n"
            "    let (client, conn) = tokio_postgres::connect(\"%s\", tokio_postgres::NoTls).await?;\n"
            "    tokio::spawn(conn);\n    Ok(client)\n}\n" % (n, url))


def py_chunk(rng):
    k = rng.randrange(4)
    a, b = camel(rng), ident(rng)
    if k == 0:
        fields = "\n".join("    %s: %s = %s" % (ident(rng), *rng.choice(
            [("int", "0"), ("str", '""'), ("bool", "False"), ("float", "0.0")])) for _ in range(rng.randrange(2, 7)))
        return "@dataclass\nclass %s:\n    \"\"\"%s\"\"\"\n\n%s\n" % (a, " ".join(rng.choice(LOREM) for _ in range(9)), fields)
    if k == 1:
        return ("def %s(items, limit=%d):\n    out = []\n    for i, item in enumerate(items):\n"
                "        if i >= limit:\n            break\n        if item and i %% %d == 0:\n"
                "            out.append(str(item).strip().lower())\n    return out\n" % (b, rng.randrange(10, 999), rng.randrange(2, 7)))
    if k == 2:
        m1, m2 = ident(rng), ident(rng)
        return ("class %s:\n    def __init__(self, %s=None):\n        self.%s = %s or {}\n\n"
                "    def %s(self, key, default=None):\n        return self.%s.get(key, default)\n\n"
                "    def __len__(self):\n        return len(self.%s)\n" % (a, m1, m1, m1, m2, m1, m1))
    return ("async def %s(queue):\n    while True:\n        item = await queue.get()\n        try:\n"
            "            await handle_%s(item)\n        finally:\n            queue.task_done()\n" % (b, b))


def py_db_chunk(rng):
    k = rng.randrange(4)
    n = ident(rng)
    if k == 0:
        return ("def %s_conn():\n    import psycopg\n\n    return psycopg.connect(os.environ[\"DATABASE_URL\"])\n" % n)
    if k == 1:
        return ("async def %s_pool():\n    import asyncpg\n\n"
                "    return await asyncpg.create_pool(os.environ[\"DATABASE_URL\"], min_size=1, max_size=%d)\n" % (n, rng.randrange(2, 20)))
    if k == 2:
        return ("def %s_engine():\n    from sqlalchemy import create_engine\n\n"
                "    url = os.environ[\"DATABASE_URL\"].replace(\"postgres://\", \"postgresql+psycopg://\", 1)\n"
                "    return create_engine(url, pool_pre_ping=True)\n" % n)
    return ("def %s_rows(conn, limit=%d):\n    with conn.cursor() as cur:\n"
            "        cur.execute(\"SELECT id, name FROM %s LIMIT %%s\", (limit,))\n        return cur.fetchall()\n" % (n, rng.randrange(10, 500), n))


def py_url_chunk(rng, url):
    k = rng.randrange(3)
    n = ident(rng)
    if k == 0:
        return "%s_DSN = \"%s\"\n" % (n.upper(), url)
    if k == 1:
        return ("def %s_conn():\n    import psycopg2\n\n    return psycopg2.connect(\"%s\")\n" % (n, url))
    return ("async def %s_pool():\n    import asyncpg\n\n    return await asyncpg.create_pool(\"%s\")\n" % (n, url))


def js_chunk(rng):
    a, b = ident(rng), camel(rng)
    if rng.random() < 0.5:
        return ("function %s(input, options) {\n  var out = [];\n  for (var i = 0; i < input.length; i++) {\n"
                "    if (options && options.skip && options.skip(input[i])) continue;\n"
                "    out.push(String(input[i]).trim());\n  }\n  return out;\n}\nexports.%s = %s;\n" % (a, a, a))
    return ("class %s {\n  constructor(opts) {\n    this.opts = Object.assign({ limit: %d }, opts);\n    this.items = new Map();\n  }\n"
            "  get(key) {\n    return this.items.get(key);\n  }\n  set(key, value) {\n    if (this.items.size >= this.opts.limit) this.items.clear();\n"
            "    this.items.set(key, value);\n  }\n}\nmodule.exports.%s = %s;\n" % (b, rng.randrange(10, 1000), b, b))


def ts_chunk(rng):
    a, b = ident(rng), camel(rng)
    return ("export interface %s {\n  id: string;\n  %s: number;\n  tags: string[];\n}\n\n"
            "export function %s(items: %s[]): number {\n  return items.reduce((acc, it) => acc + it.%s, 0);\n}\n"
            % (b, a, a, b, a))


def md_chunk(rng):
    k = rng.randrange(4)
    if k == 0:
        return "## %s %s\n\n" % (rng.choice(WORDS).capitalize(), rng.choice(WORDS))
    if k == 1:
        return "- %s\n- %s\n- %s\n\n" % tuple(" ".join(rng.choice(LOREM) for _ in range(rng.randrange(4, 12))) for _ in range(3))
    if k == 2:
        return "```sh\ncargo run --bin %s -- --%s %d\n```\n\n" % (ident(rng, 1), ident(rng, 1), rng.randrange(100))
    return " ".join(rng.choice(LOREM) for _ in range(rng.randrange(30, 90))).capitalize() + ".\n\n"


def fill(rng, parts, pool, target, sep="\n"):
    """Append chunks from `pool` to `parts` until the text reaches `target` bytes."""
    size = sum(len(p) + len(sep) for p in parts)
    while size < target:
        c = rng.choice(pool)
        parts.append(c)
        size += len(c) + len(sep)
    return sep.join(parts)


# --------------------------------------------------------------------------------------------
# file writers: each returns bytes. spec = dict(path, kind, urls=[url strings], db=bool, ...)

def w_rust(rng, spec, pools):
    head = ["//! %s\n" % " ".join(rng.choice(LOREM) for _ in range(12)),
            "use std::collections::HashMap;\nuse std::fmt;\n"]
    if spec.get("db"):
        head.append("use sqlx::postgres::{PgPool, PgPoolOptions};\n" if rng.random() < 0.6
                    else "use tokio_postgres::{Client, NoTls};\n")
        head.extend(rng.choice(pools.rust_db) for _ in range(rng.randrange(1, 4)))
    for u in spec.get("urls", []):
        head.append(rust_url_chunk(rng, u))
    return fill(rng, head, pools.rust, spec["size"]).encode()


def w_cargo(rng, spec, pools):
    name = spec["crate"]
    deps = ["serde = { version = \"1\", features = [\"derive\"] }", "anyhow = \"1\"", "thiserror = \"1\""]
    if spec.get("db"):
        deps.append("tokio = { version = \"1\", features = [\"full\"] }")
        deps.append(rng.choice([
            "sqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"tls-rustls\", \"postgres\", \"macros\"] }",
            "sqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"postgres\"] }",
            "tokio-postgres = \"0.7\"\npostgres-native-tls = \"0.5\"",
            "tokio-postgres = \"0.7\"\ndeadpool-postgres = \"0.14\"",
        ]))
    for _ in range(rng.randrange(2, 10)):
        deps.append("%s = \"%d.%d\"" % (ident(rng, 1).replace("_", "-") + "-" + ident(rng, 1), rng.randrange(3), rng.randrange(30)))
    text = ("[package]\nname = \"%s\"\nversion = \"0.%d.%d\"\nedition = \"2021\"\nlicense = \"MIT OR Apache-2.0\"\n"
            "description = \"%s\"\n\n[dependencies]\n%s\n\n[dev-dependencies]\ntempfile = \"3\"\n"
            % (name, rng.randrange(9), rng.randrange(20), " ".join(rng.choice(LOREM) for _ in range(8)), "\n".join(deps)))
    if len(text) < spec["size"]:
        text += "\n[features]\ndefault = []\n"
    while len(text) < spec["size"]:
        text += "%s = []\n" % ident(rng)
    return text.encode()


def w_python(rng, spec, pools):
    head = ["\"\"\"%s\"\"\"\n" % " ".join(rng.choice(LOREM) for _ in range(10)),
            "import os\nimport sys\nfrom dataclasses import dataclass\n"]
    if spec.get("db"):
        head.extend(rng.choice(pools.py_db) for _ in range(rng.randrange(1, 3)))
    for u in spec.get("urls", []):
        head.append(py_url_chunk(rng, u))
    return fill(rng, head, pools.py, spec["size"]).encode()


def w_pyproject(rng, spec, pools):
    deps = ["requests>=2.31", "pydantic>=2", "click>=8"]
    if spec.get("db"):
        deps += rng.sample(["psycopg[binary]>=3.1", "asyncpg>=0.29", "sqlalchemy>=2", "alembic>=1.13", "python-dotenv>=1"], 3)
    text = ("[project]\nname = \"%s\"\nversion = \"0.%d.0\"\nrequires-python = \">=3.10\"\ndependencies = [\n%s\n]\n\n"
            "[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\n"
            % (spec["pkg"], rng.randrange(20), "\n".join("    \"%s\"," % d for d in deps)))
    while len(text) < spec["size"]:
        text += "\n[tool.%s]\n" % ident(rng, 1) + "\n".join("%s = %d" % (ident(rng), rng.randrange(1000)) for _ in range(15)) + "\n"
    return text.encode()


def w_requirements(rng, spec, pools):
    lines = ["%s==%d.%d.%d" % (ident(rng, 1), rng.randrange(5), rng.randrange(30), rng.randrange(10)) for _ in range(rng.randrange(8, 40))]
    if spec.get("db"):
        lines += ["psycopg2-binary==2.9.9", "SQLAlchemy==2.0.30"]
    text = "\n".join(lines) + "\n"
    while len(text) < spec["size"]:
        text += "%s-%s>=%d.%d\n" % (ident(rng, 1), ident(rng, 1), rng.randrange(5), rng.randrange(30))
    return text.encode()


def w_alembic_ini(rng, spec, pools):
    url = spec["urls"][0] if spec.get("urls") else "driver://user:pass@localhost/dbname"
    text = ("[alembic]\nscript_location = migrations\nprepend_sys_path = .\n"
            "sqlalchemy.url = %s\n\n[loggers]\nkeys = root,sqlalchemy,alembic\n\n[handlers]\nkeys = console\n\n"
            "[formatters]\nkeys = generic\n\n[logger_root]\nlevel = WARN\nhandlers = console\nqualname =\n" % url)
    while len(text) < spec["size"]:
        text += "\n[logger_%s]\nlevel = INFO\nhandlers =\nqualname = %s\n" % (ident(rng), ident(rng, 1))
    return text.encode()


def w_env(rng, spec, pools):
    lines = ["# %s" % " ".join(rng.choice(LOREM) for _ in range(8))]
    urls = list(spec.get("urls", []))
    names = ["DATABASE_URL", "DATABASE_URL_UNPOOLED", "POSTGRES_URL", "DIRECT_URL"]
    for i, u in enumerate(urls):
        lines.append("%s=%s" % (names[i % len(names)], u))
    if not urls and rng.random() < 0.5:
        lines.append("DATABASE_URL=")
    lines += ["PGHOST=%s" % ("localhost" if not urls else "ep-%s-%s-%06d.us-east-2.aws.neon.tech" % (
        rng.choice(ENDPOINT_WORDS), rng.choice(ENDPOINT_WORDS), rng.randrange(1000000)))] if rng.random() < 0.3 else []
    while sum(len(l) + 1 for l in lines) < spec["size"]:
        lines.append("%s=%s" % (ident(rng).upper(), rng.choice(
            ["true", "false", str(rng.randrange(100000)), ident(rng, 1), "https://%s.example.com/%s" % (ident(rng, 1), ident(rng, 1))])))
    return ("\n".join(lines) + "\n").encode()


def w_yaml(rng, spec, pools):
    lines = ["# %s" % " ".join(rng.choice(LOREM) for _ in range(8)), "service: %s" % ident(rng, 1), "settings:"]
    if spec.get("db"):
        lines += ["  db:", "    driver: postgres", "    url: ${DATABASE_URL}", "    pool_size: %d" % rng.randrange(2, 40)]
    for u in spec.get("urls", []):
        lines += ["  primary:", "    url: \"%s\"" % u]
    while sum(len(l) + 1 for l in lines) < spec["size"]:
        lines.append("  %s:" % ident(rng))
        for _ in range(rng.randrange(2, 6)):
            lines.append("    %s: %s" % (ident(rng, 1), rng.choice(["true", "false", str(rng.randrange(9999)), "\"%s\"" % ident(rng)])))
    return ("\n".join(lines) + "\n").encode()


def w_toml(rng, spec, pools):
    lines = ["# %s" % " ".join(rng.choice(LOREM) for _ in range(8)), "[server]", "port = %d" % rng.randrange(1024, 65535)]
    for u in spec.get("urls", []):
        lines += ["", "[db]", "url = \"%s\"" % u, "max_connections = %d" % rng.randrange(2, 30)]
    while sum(len(l) + 1 for l in lines) < spec["size"]:
        lines += ["", "[%s]" % ident(rng)]
        lines += ["%s = %s" % (ident(rng, 1), rng.choice(["true", "false", str(rng.randrange(9999)), "\"%s\"" % ident(rng)]))
                  for _ in range(rng.randrange(2, 8))]
    return ("\n".join(lines) + "\n").encode()


def w_json(rng, spec, pools):
    obj = {"name": ident(rng), "version": "%d.%d.%d" % (rng.randrange(3), rng.randrange(20), rng.randrange(9))}
    for u in spec.get("urls", []):
        obj["databaseUrl"] = u
    size = len(json.dumps(obj))
    while size < spec["size"]:
        sub = {ident(rng, 1): rng.choice([True, False, rng.randrange(10000), ident(rng)]) for _ in range(rng.randrange(3, 10))}
        obj[ident(rng)] = sub
        size += len(json.dumps(sub)) + 30
    return (json.dumps(obj, indent=2) + "\n").encode()


def w_ini(rng, spec, pools):
    lines = ["; %s" % " ".join(rng.choice(LOREM) for _ in range(8))]
    for u in spec.get("urls", []):
        lines += ["[database]", "dsn = %s" % u, ""]
    while sum(len(l) + 1 for l in lines) < spec["size"]:
        lines.append("[%s]" % ident(rng))
        lines += ["%s = %s" % (ident(rng, 1), rng.choice(["yes", "no", str(rng.randrange(9999)), ident(rng)])) for _ in range(rng.randrange(2, 7))]
        lines.append("")
    return ("\n".join(lines) + "\n").encode()


def w_markdown(rng, spec, pools):
    head = ["# %s\n\n" % " ".join(rng.choice(WORDS).capitalize() for _ in range(3))]
    if spec.get("db"):
        head.append(rng.choice(PG_DOC_LINES) + "\n\n")
    for u in spec.get("urls", []):
        head.append("Connect with:\n\n```sh\npsql \"%s\"\n```\n\n" % u)
    return fill(rng, head, pools.md, spec["size"], sep="").encode()


def w_workflow(rng, spec, pools):
    text = ("name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    env:\n      DATABASE_URL: ${{ secrets.DATABASE_URL }}\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - run: cargo install sqlx-cli --no-default-features --features rustls,postgres\n"
            "      - run: sqlx migrate run\n      - run: cargo test --workspace\n")
    for u in spec.get("urls", []):
        text += "  smoke:\n    runs-on: ubuntu-latest\n    env:\n      DATABASE_URL: \"%s\"\n    steps:\n      - run: ./scripts/smoke.sh\n" % u
    while len(text) < spec["size"]:
        j = ident(rng)
        text += "  %s:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make %s\n" % (j, ident(rng, 1))
    return text.encode()


def w_compose(rng, spec, pools):
    text = ("services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: ${DATABASE_URL}\n      RUST_LOG: info\n"
            "    ports:\n      - \"8080:8080\"\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: dev\n")
    while len(text) < spec["size"]:
        text += "  %s:\n    image: %s:latest\n    restart: unless-stopped\n" % (ident(rng, 1), ident(rng, 1))
    return text.encode()


def w_shell(rng, spec, pools):
    text = "#!/usr/bin/env bash\nset -euo pipefail\n\n"
    if spec.get("db"):
        text += "export DATABASE_URL=\"${DATABASE_URL_UNPOOLED:?set DATABASE_URL_UNPOOLED}\"\nsqlx migrate run\n"
    for u in spec.get("urls", []):
        text += "psql \"%s\" -c 'select 1'\n" % u
    while len(text) < spec["size"]:
        text += "%s() {\n  local dir=\"$1\"\n  find \"$dir\" -name '*.%s' -print0 | xargs -0 -r wc -l\n}\n\n" % (ident(rng), ident(rng, 1))
    return text.encode()


def w_makefile(rng, spec, pools):
    text = ".PHONY: build test migrate\n\nbuild:\n\tcargo build --release\n\ntest:\n\tcargo test --workspace\n\n"
    if spec.get("db"):
        text += "migrate:\n\tsqlx migrate run --database-url \"$$DATABASE_URL\"\n\n"
    while len(text) < spec["size"]:
        t = ident(rng)
        text += "%s:\n\t@echo building %s\n\tcargo run --bin %s\n\n" % (t, t, ident(rng, 1))
    return text.encode()


def w_ts(rng, spec, pools):
    head = ["import { readFileSync } from \"node:fs\";\n"]
    if spec.get("db"):
        head.append("import { neon } from \"@neondatabase/serverless\";\n\nexport const sql = neon(process.env.DATABASE_URL!);\n")
    for u in spec.get("urls", []):
        head.append("export const FALLBACK_DSN = \"%s\";\n" % u)
    return fill(rng, head, pools.ts, spec["size"]).encode()


def w_package_json(rng, spec, pools):
    deps = {ident(rng, 1).replace("_", "-"): "^%d.%d.0" % (rng.randrange(5), rng.randrange(20)) for _ in range(rng.randrange(5, 40))}
    if spec.get("db"):
        deps["@neondatabase/serverless"] = "^0.10.0"
        deps["pg"] = "^8.11.0"
    obj = {"name": spec.get("pkg", ident(rng)), "version": "1.%d.0" % rng.randrange(30), "private": True,
           "main": "index.js", "scripts": {"build": "tsc -p .", "test": "vitest run"}, "dependencies": deps}
    text = json.dumps(obj, indent=2) + "\n"
    if len(text) < spec["size"]:
        obj["keywords"] = [ident(rng) for _ in range((spec["size"] - len(text)) // 20 + 1)]
        text = json.dumps(obj, indent=2) + "\n"
    return text.encode()


def w_js(rng, spec, pools):
    head = ["'use strict';\n"]
    if spec.get("db"):
        head.append("// Client for postgres servers; reads PGHOST, PGUSER, PGSSLMODE from the environment.\n"
                    "const defaults = { host: process.env.PGHOST, ssl: process.env.PGSSLMODE === 'require' };\n")
    for u in spec.get("urls", []):
        head.append("// example: new Client({ connectionString: '%s' })\n" % u)
    return fill(rng, head, pools.js, spec["size"]).encode()


def w_binary(rng, spec, pools):
    magic = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff\xe0", ".woff2": b"wOF2", ".sqlite": b"SQLite format 3\x00",
             ".gz": b"\x1f\x8b\x08\x00", ".rlib": b"!<arch>\n", ".rmeta": b"rust\x00\x00\x00\x08", ".o": b"\x7fELF\x02\x01\x01\x00"}
    ext = os.path.splitext(spec["path"])[1]
    data = bytearray(magic.get(ext, b"") + rng.randbytes(spec["size"]))
    for needle in spec.get("needles", []):
        at = rng.randrange(len(data) - len(needle))
        data[at:at + len(needle)] = needle
    return bytes(data)


def w_dep_file(rng, spec, pools):
    crate = spec["crate"]
    srcs = " ".join("/src/%s/src/%s.rs" % (crate, ident(rng)) for _ in range(rng.randrange(3, 30)))
    text = "target/release/deps/lib%s-%016x.rlib: %s\n" % (crate.replace("-", "_"), rng.getrandbits(64), srcs)
    if spec.get("db"):
        text += "# deps: sqlx-postgres tokio-postgres postgres-protocol\n"
    while len(text) < spec["size"]:
        text += "/src/%s/src/%s.rs:\n" % (crate, ident(rng))
    return text.encode()


def w_fingerprint_json(rng, spec, pools):
    obj = {"rustc": rng.getrandbits(63), "features": "[\"default\"]", "target": rng.getrandbits(63), "profile": rng.getrandbits(63),
           "path": rng.getrandbits(63), "deps": [[rng.getrandbits(40), ident(rng), False, rng.getrandbits(60)] for _ in range(rng.randrange(2, 60))]}
    if spec.get("db"):
        obj["features"] = "[\"postgres\", \"runtime-tokio\"]"
    return json.dumps(obj).encode()


WRITERS = {
    "rust": w_rust, "cargo": w_cargo, "python": w_python, "pyproject": w_pyproject,
    "requirements": w_requirements, "alembic_ini": w_alembic_ini, "env": w_env, "yaml": w_yaml,
    "toml": w_toml, "json": w_json, "ini": w_ini, "markdown": w_markdown, "workflow": w_workflow,
    "compose": w_compose, "shell": w_shell, "makefile": w_makefile, "ts": w_ts,
    "package_json": w_package_json, "js": w_js, "binary": w_binary, "dep_file": w_dep_file,
    "fingerprint_json": w_fingerprint_json,
}
# kinds that may carry a planted URL when in a scanned folder
URL_KINDS = {"rust", "python", "alembic_ini", "env", "yaml", "toml", "json", "ini", "markdown",
             "workflow", "shell", "ts", "js"}


# --------------------------------------------------------------------------------------------
# planning: an infinite, structured stream of file specs per category

class Namer:
    def __init__(self):
        self.used = set()

    def unique(self, rng, base):
        name, i = base, 1
        while name in self.used:
            i += 1
            name = "%s%d" % (base, i)
        self.used.add(name)
        return name


def stream_rust(rng, names):
    while True:
        crate = names.unique(rng, "%s-%s" % (rng.choice(ADJS), rng.choice(WORDS)))
        db = rng.random() < 0.25
        root = "crates/%s" % crate
        yield dict(path=root + "/Cargo.toml", kind="cargo", crate=crate, db=db, size=file_size(rng, hi=4096, median=900))
        yield dict(path=root + "/src/lib.rs", kind="rust", db=False)
        local = Namer()
        mods = [local.unique(rng, ident(rng)) for _ in range(rng.randrange(4, 20))]
        for m in mods:
            yield dict(path="%s/src/%s.rs" % (root, m), kind="rust", db=db and rng.random() < 0.2)
        for m in mods[: rng.randrange(0, len(mods) // 2 + 1)]:
            for _ in range(rng.randrange(1, 8)):
                yield dict(path="%s/src/%s/%s.rs" % (root, m, local.unique(rng, ident(rng))), kind="rust", db=db and rng.random() < 0.15)
        for _ in range(rng.randrange(0, 5)):
            yield dict(path="%s/tests/%s.rs" % (root, local.unique(rng, ident(rng))), kind="rust", db=db and rng.random() < 0.3)


def stream_python(rng, names):
    while True:
        pkg = names.unique(rng, "%s_%s" % (rng.choice(ADJS), rng.choice(WORDS)))
        db = rng.random() < 0.3
        root = "services/%s" % pkg
        yield dict(path=root + "/pyproject.toml", kind="pyproject", pkg=pkg, db=db, size=file_size(rng, hi=4096, median=900))
        yield dict(path=root + "/requirements.txt", kind="requirements", db=db, size=file_size(rng, hi=2048, median=600))
        yield dict(path="%s/%s/__init__.py" % (root, pkg), kind="python", db=False, size=file_size(rng, hi=1024, median=520))
        local = Namer()
        if db:
            yield dict(path=root + "/alembic.ini", kind="alembic_ini", db=True, size=file_size(rng, hi=4096, median=1500))
            yield dict(path=root + "/migrations/env.py", kind="python", db=True)
        for _ in range(rng.randrange(4, 25)):
            sub = "" if rng.random() < 0.7 else local.unique(rng, ident(rng, 1)) + "/"
            yield dict(path="%s/%s/%s%s.py" % (root, pkg, sub, local.unique(rng, ident(rng))), kind="python", db=db and rng.random() < 0.2)
        for _ in range(rng.randrange(1, 6)):
            yield dict(path="%s/tests/test_%s.py" % (root, local.unique(rng, ident(rng))), kind="python", db=db and rng.random() < 0.3)


def stream_web(rng, names):
    while True:
        app = names.unique(rng, "%s-%s" % (rng.choice(ADJS), rng.choice(WORDS)))
        db = rng.random() < 0.4
        root = "web/%s" % app
        yield dict(path=root + "/package.json", kind="package_json", pkg=app, db=db)
        local = Namer()
        for _ in range(rng.randrange(5, 30)):
            yield dict(path="%s/src/%s.ts" % (root, local.unique(rng, ident(rng))), kind="ts", db=db and rng.random() < 0.2)


def stream_config(rng, names):
    kinds = [("yaml", ".yaml", 0.35), ("toml", ".toml", 0.25), ("json", ".json", 0.25), ("ini", ".ini", 0.15)]
    while True:
        env = names.unique(rng, rng.choice(["dev", "staging", "prod", "test", "local", "ci", "qa"]))
        local = Namer()
        for _ in range(rng.randrange(5, 25)):
            kind, ext = weighted(rng, [((k, e), w) for k, e, w in kinds])
            yield dict(path="config/%s/%s%s" % (env, local.unique(rng, ident(rng)), ext), kind=kind, db=rng.random() < 0.05)


def stream_env(rng, names):
    i = 0
    while True:
        root = "." if i == 0 else "deploy/%s" % names.unique(rng, "%s-%s" % (rng.choice(ADJS), rng.choice(WORDS)))
        i += 1
        for name in [".env", ".env.example", ".env.local", ".env.production"][: rng.randrange(2, 5) if i > 1 else 4]:
            p = name if root == "." else "%s/%s" % (root, name)
            yield dict(path=p, kind="env", size=file_size(rng, hi=4096, median=700))


def stream_ci(rng, names):
    yield dict(path=".github/workflows/ci.yml", kind="workflow", db=True)
    yield dict(path="docker-compose.yml", kind="compose", db=True)
    yield dict(path="Makefile", kind="makefile", db=True)
    local = Namer()
    while True:
        k = rng.random()
        if k < 0.4:
            yield dict(path=".github/workflows/%s.yml" % local.unique(rng, ident(rng)), kind="workflow")
        else:
            yield dict(path="scripts/%s.sh" % local.unique(rng, ident(rng)), kind="shell", db=rng.random() < 0.3)


def stream_docs(rng, names):
    yield dict(path="README.md", kind="markdown", db=True)
    while True:
        section = names.unique(rng, rng.choice(WORDS))
        local = Namer()
        for _ in range(rng.randrange(3, 20)):
            yield dict(path="docs/%s/%s.md" % (section, local.unique(rng, ident(rng))), kind="markdown", db=rng.random() < 0.08)


def stream_assets(rng, names):
    exts = [".png", ".jpg", ".woff2", ".bin", ".sqlite", ".gz"]
    while True:
        d = names.unique(rng, rng.choice(["img", "fonts", "data", "fixtures", "icons", "media"]))
        local = Namer()
        for _ in range(rng.randrange(5, 40)):
            ext = rng.choice(exts)
            needles = [b"postgres"] if rng.random() < 0.1 else []
            if needles and rng.random() < 0.3:
                needles.append(b"postgresql://")
            yield dict(path="assets/%s/%s%s" % (d, local.unique(rng, ident(rng)), ext), kind="binary", needles=needles)


def stream_node_modules(rng, names):
    popular = ["pg", "@neondatabase/serverless", "postgres", "pg-pool", "pg-protocol", "drizzle-orm", "prisma"]
    while True:
        app = names.unique(rng, "%s-%s" % (rng.choice(ADJS), rng.choice(WORDS)))
        root = "web/%s/node_modules" % app
        for i in range(rng.randrange(20, 80)):
            pkg = popular[i] if i < len(popular) else names.unique(rng, "%s-%s" % (rng.choice(WORDS), rng.choice(WORDS)))
            db = i < len(popular)
            proot = "%s/%s" % (root, pkg)
            yield dict(path=proot + "/package.json", kind="package_json", pkg=pkg, db=db)
            yield dict(path=proot + "/README.md", kind="markdown", db=db)
            local = Namer()
            for _ in range(rng.randrange(1, 15)):
                sub = rng.choice(["", "lib/", "dist/", "src/"])
                yield dict(path="%s/%s%s.js" % (proot, sub, local.unique(rng, ident(rng))), kind="js", db=db and rng.random() < 0.5)


def stream_target(rng, names):
    while True:
        profile = rng.choice(["debug", "release"])
        for i in range(rng.randrange(50, 200)):
            crate = "%s_%s" % (rng.choice(WORDS), rng.choice(WORDS))
            db = rng.random() < 0.05
            h = "%016x" % rng.getrandbits(64)
            base = "target/%s" % profile
            yield dict(path="%s/deps/%s-%s.d" % (base, crate, h), kind="dep_file", crate=crate, db=db)
            yield dict(path="%s/deps/lib%s-%s.rlib" % (base, crate, h), kind="binary", needles=[b"postgres"] if db else [])
            yield dict(path="%s/deps/lib%s-%s.rmeta" % (base, crate, h), kind="binary", needles=[])
            yield dict(path="%s/.fingerprint/%s-%s/lib-%s.json" % (base, crate, h, crate), kind="fingerprint_json", db=db)
            if rng.random() < 0.3:
                yield dict(path="%s/build/%s-%s/out/generated.rs" % (base, crate, h), kind="rust", db=db)
            if rng.random() < 0.5:
                yield dict(path="%s/incremental/%s-%s/s-%s/query-cache.bin" % (base, crate, h, h[:8]), kind="binary", needles=[])


STREAMS = {
    "rust": stream_rust, "python": stream_python, "web": stream_web, "config": stream_config,
    "env": stream_env, "ci": stream_ci, "docs": stream_docs, "assets": stream_assets,
    "node_modules": stream_node_modules, "target": stream_target,
}


def plan(n, seed):
    rng = random.Random("plan:%d:%d" % (seed, n))
    fixed = [dict(path=".gitignore", kind="raw", cat="fixed", data=b"target/\nnode_modules/\n.env\n.env.local\n.env.production\n*.log\n")]
    budget = n - len(fixed)
    if budget < 0:
        raise SystemExit("need at least %d files" % len(fixed))
    counts = {}
    for cat, frac in MIX:
        counts[cat] = int(round(budget * frac)) if frac is not None else 0
    counts["target"] = budget - sum(counts.values())
    if counts["target"] < 0:
        counts["rust"] += counts["target"]
        counts["target"] = 0
    names = Namer()
    specs = list(fixed)
    for cat, _ in MIX:
        stream = STREAMS[cat](rng, names)
        seen = set()
        for _ in range(counts[cat]):
            s = next(stream)
            while s["path"] in seen:  # defensive: never emit a path twice
                s = next(stream)
            seen.add(s["path"])
            s["cat"] = cat
            specs.append(s)
    paths = [s["path"] for s in specs]
    assert len(paths) == len(set(paths)) == n, (len(paths), len(set(paths)), n)

    # sizes, and plant connection strings
    for s in specs:
        if "size" not in s:
            s["size"] = file_size(rng)
        s.setdefault("urls", [])
        s["sslmodes"] = []
        if s["kind"] not in URL_KINDS:
            continue
        ignored = s["cat"] in IGNORED_CATEGORIES
        share = URL_SHARE_IGNORED if ignored else (URL_SHARE_ENV if s["kind"] == "env" else URL_SHARE_TEXT)
        if s["kind"] == "alembic_ini":
            share = 0.5
        if s["path"] in (".env", ".env.example"):
            share = 1.0  # the root .env always has the project's URLs
        if rng.random() < share:
            k = 1 if s["kind"] not in ("env",) else rng.choice([1, 1, 2])
            for _ in range(k):
                placeholder = s["kind"] in ("markdown", "env") and (".example" in s["path"] or s["kind"] == "markdown") and rng.random() < 0.5
                url, mode, pooled = neon_url(rng, placeholder=placeholder)
                s["urls"].append(url)
                s["sslmodes"].append(mode)
    return specs


def write_tree(specs, out, seed, jobs=1):
    pools = Pools(seed)
    total = 0
    made = set()
    for s in specs:
        p = os.path.join(out, s["path"])
        d = os.path.dirname(p)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        if s["kind"] == "raw":
            data = s["data"]
        else:
            frng = random.Random("file:%d:%s" % (seed, s["path"]))
            data = WRITERS[s["kind"]](frng, s, pools)
        with open(p, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def generator_sha256():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def manifest(specs, n, seed, total_bytes, elapsed):
    scanned = [s for s in specs if s["cat"] not in IGNORED_CATEGORIES]
    url_files = [s for s in scanned if s["urls"]]
    modes = {}
    for s in url_files:
        for m in s["sslmodes"]:
            modes[str(m)] = modes.get(str(m), 0) + 1
    by_cat = {}
    for s in specs:
        by_cat[s["cat"]] = by_cat.get(s["cat"], 0) + 1
    return {
        "gen_version": GEN_VERSION,
        "generator_sha256": generator_sha256(),
        "files": n,
        "seed": seed,
        "bytes": total_bytes,
        "generate_seconds": round(elapsed, 2),
        "files_by_category": by_cat,
        "files_ignored": sum(1 for s in specs if s["cat"] in IGNORED_CATEGORIES),
        "files_scanned": len(scanned),
        "files_hidden_scanned": sum(1 for s in scanned if any(part.startswith(".") for part in s["path"].split("/"))),
        "url_files": len(url_files),
        "url_files_share_of_scanned": round(len(url_files) / max(1, len(scanned)), 4),
        "urls": sum(len(s["urls"]) for s in url_files),
        "urls_by_sslmode": modes,
        "urls_missing_or_insecure_sslmode": sum(1 for s in url_files for m in s["sslmodes"] if m in INSECURE),
        "urls_in_ignored_folders": sum(len(s["urls"]) for s in specs if s["cat"] in IGNORED_CATEGORIES),
        "url_files_list": [{"path": s["path"], "sslmodes": s["sslmodes"]} for s in url_files],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", "-n", type=int, required=True, help="number of files to generate (excluding .git/)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="tree directory (replaced if it exists)")
    ap.add_argument("--quiet", "-q", action="store_true")
    args = ap.parse_args(argv)

    out = os.path.abspath(args.out)
    t0 = time.time()
    specs = plan(args.files, args.seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    subprocess.run(["git", "init", "-q", out], check=True)
    total = write_tree(specs, out, args.seed)
    m = manifest(specs, args.files, args.seed, total, time.time() - t0)
    with open(out.rstrip("/") + ".manifest.json", "w") as f:
        json.dump(m, f, indent=1)
    if not args.quiet:
        print("generated %d files (%.1f MB, %d scanned, %d ignored, %d with Neon URLs, %d URLs missing/insecure sslmode) in %s in %.1fs"
              % (m["files"], total / 1e6, m["files_scanned"], m["files_ignored"], m["url_files"],
                 m["urls_missing_or_insecure_sslmode"], out, m["generate_seconds"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
