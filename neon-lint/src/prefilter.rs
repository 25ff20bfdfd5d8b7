//! The byte-level test that rejects files which cannot matter, before any parsing. On real
//! trees most files stop here; this is where speed comes from.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::classify::FileKind;

/// Words whose absence proves a file holds no connection string, driver set-up or Neon
/// secret, in the spellings that occur (lower, upper and title case).
///
/// Matched case-sensitively on purpose: a case-insensitive automaton loses aho-corasick's
/// SIMD prefilter (Teddy) and costs several times more per byte, and this runs on every
/// file of the tree.
const NEEDLES: &[&str] = &[
    "postgres",
    "Postgres",
    "POSTGRES",
    "neon.tech",
    "sslmode",
    "SSLMODE",
    "DATABASE_URL",
    "database_url",
    "DatabaseUrl",
    "napi_",
    "host=",
    "dbname=",
    // Every Workers configuration (`wrangler.toml`/`.json`) sets one: whether the Worker
    // has Node's sockets decides `tcp-driver-on-edge`.
    "compatibility_date",
    // Node's process-wide switch for certificate checks, set in any file that gives the
    // program variables (`.env`, CI, `vercel.json`, `netlify.toml`, Dockerfiles).
    "NODE_TLS_REJECT_UNAUTHORIZED",
];

/// Extra words for Python, scripts, Dockerfiles, YAML, JSON, Prisma and JS configs:
/// driver and framework names (a set-up call reading `os.environ["X"]` names no URL),
/// `dotenv` (the missing-dependency rule), and migration tools (a `prisma migrate deploy`
/// step names no URL either).
const CODE_NEEDLES: &[&str] = &[
    "asyncpg",
    "psycopg",
    "sqlalchemy",
    "sqlmodel",
    "DATABASES",
    "dotenv",
    "migrat",
    "alembic",
    "prisma",
    "drizzle",
    "flyway",
    "liquibase",
    "sqlx",
    "diesel",
    // `pg_dump "$DATABASE_URL"` names no URL either (the pooler breaks it).
    "pg_dump",
    "pg_restore",
    // Platform evidence (`runs-on: ubuntu-24.04-arm`, `platform: linux/arm64`) for the
    // wheels that bundled an old libpq on 64-bit ARM only.
    "arm64",
    "aarch64",
    "-arm",
    // conda's `libpq=13` in `environment.yml`.
    "libpq",
];

/// Extra words for Rust sources and `Cargo.toml`: driver crates and the API names a
/// set-up, migration or TLS configuration can be written with and no URL (`PgPool`,
/// `NoTls`, `danger_accept_invalid_certs`), and `pq-sys` for its TLS-less feature.
const RUST_NEEDLES: &[&str] = &[
    "sqlx",
    "diesel",
    "sea_orm",
    "sea-orm",
    "deadpool",
    "bb8",
    "r2d2",
    "refinery",
    "NoTls",
    "PgPool",
    "PgConnect",
    "danger_accept",
    "RootCertStore",
    "SslVerifyMode",
    "prepare_cached",
    "pq-sys",
];

/// Words for lock files: the client packages the SNI table knows (`pg` as the lock formats
/// spell a package key: `"pg"`, `pg@`, ` pg:`, Ruby's `pg (`).
const LOCK_NEEDLES: &[&str] = &[
    "psycopg", "asyncpg", "pg8000", "postgres", "jackc/pg", "lib/pq", "\"pg\"", "pg@", " pg:",
    "/pg:", "pg (", "pq-sys", "postgrex",
];

/// Extra words for JavaScript and TypeScript: the driver packages as import specifiers (a
/// `new Pool({ connectionString: process.env.DATABASE_URL })` names no URL), the ORMs and
/// migrators, and `rejectUnauthorized` (certificate checks turned off).
const JS_NEEDLES: &[&str] = &[
    "'pg'",
    "\"pg\"",
    "@neondatabase",
    "drizzle",
    "prisma",
    "kysely",
    "knex",
    "typeorm",
    "sequelize",
    "connectionString",
    "rejectUnauthorized",
    "migrat",
    // Where code runs (`tcp-driver-on-edge`): a route that asks for the Edge Runtime, and
    // Next.js middleware (which imports `next/server`), even when their driver import is
    // in another file.
    "'edge'",
    "\"edge\"",
    "next/server",
];

/// Teddy (SIMD) when the CPU has it, the general automaton otherwise.
enum Matcher {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Matcher {
    fn is_match(&self, bytes: &[u8]) -> bool {
        match self {
            Matcher::Packed(s) => s.find(bytes).is_some(),
            Matcher::Automaton(a) => a.is_match(bytes),
        }
    }
}

/// One automaton over `sets` together: a file is searched once, however many lists apply.
fn build(sets: &[&[&str]]) -> Matcher {
    let mut needles: Vec<&str> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    needles.sort_unstable();
    needles.dedup();
    match aho_corasick::packed::Searcher::new(needles.iter()) {
        Some(s) => Matcher::Packed(s),
        None => Matcher::Automaton(AhoCorasick::new(&needles).expect("static needles build")),
    }
}

/// The automaton for one group of kinds, built once.
macro_rules! matcher {
    ($name:ident, $($set:expr),+) => {
        fn $name() -> &'static Matcher {
            static M: OnceLock<Matcher> = OnceLock::new();
            M.get_or_init(|| build(&[$($set),+]))
        }
    };
}

matcher!(matcher, NEEDLES);
matcher!(code_matcher, NEEDLES, CODE_NEEDLES);
matcher!(lock_matcher, LOCK_NEEDLES);
matcher!(js_matcher, NEEDLES, JS_NEEDLES);
matcher!(rust_matcher, NEEDLES, RUST_NEEDLES);

/// Whether a file of `kind` with these bytes needs extracting.
///
/// `.env` files always do: their variables resolve `env::var(...)` elsewhere, whatever
/// their values look like.
pub fn is_candidate(kind: FileKind, bytes: &[u8]) -> bool {
    match kind {
        // Python manifests: whether they list a package matters even when they name no
        // database (they are few and small). Dockerfiles: their base image decides which
        // libpq the project's clients load, whatever else they say.
        FileKind::DotEnv
        | FileKind::DotEnvTemplate
        | FileKind::PythonManifest
        | FileKind::Dockerfile => true,
        FileKind::LockFile => lock_matcher().is_match(bytes),
        FileKind::Python
        | FileKind::Shell
        | FileKind::Yaml
        | FileKind::Json
        | FileKind::Prisma
        | FileKind::JsConfig => code_matcher().is_match(bytes),
        FileKind::JavaScript => js_matcher().is_match(bytes),
        FileKind::Rust | FileKind::CargoManifest => rust_matcher().is_match(bytes),
        _ => matcher().is_match(bytes),
    }
}

/// Whether the bytes look binary (a NUL in the first 8 KiB, as git and ripgrep decide).
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}
