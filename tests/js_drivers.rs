//! JavaScript and TypeScript (issue 13): each fixture project under `tests/fixtures/js/` is
//! linted by the built binary and must produce exactly the listed (path, code, line)
//! findings; scratch projects check fixes placed in JS literals.
//!
//! `unverified-tls` (NL003, info) is left out of the exact sets, as in `python_deploy.rs`:
//! it fires on every `sslmode=require` URL as advice that never fails a run.

mod common;
mod ux;

use common::{findings, run};
use ux::{Project, NO_SSLMODE};

/// Findings of `neon-lint --format json .` in `dir`, NL003 left out, with the exit code.
fn lint(dir: &str) -> (i32, Vec<(String, String, usize)>) {
    let out = run(&["--format", "json", "."], dir);
    assert!(
        out.code == 0 || out.code == 1,
        "{dir}: exit {}\n{}",
        out.code,
        out.stderr
    );
    let got = findings(&out.stdout)
        .into_iter()
        .filter(|(_, code, _)| code != "NL003")
        .collect();
    (out.code, got)
}

fn check(dir: &str, expected: &[(&str, &str, usize)]) {
    let (_, got) = lint(dir);
    let want: Vec<(String, String, usize)> = expected
        .iter()
        .map(|(p, c, l)| (p.to_string(), c.to_string(), *l))
        .collect();
    assert_eq!(got, want, "{dir}");
}

#[test]
fn node_postgres_service() {
    check(
        "tests/fixtures/js/node-pg",
        &[
            // `NODE_TLS_REJECT_UNAUTHORIZED=0` in `.env`, and set by the program.
            (".env", "NL034", 4),
            // `connectionTimeoutMillis: 2000`: under the 5 s a cold start can take.
            ("src/db.js", "NL041", 8),
            ("src/db.js", "NL034", 14),
            // No sslmode and no `ssl` option.
            ("src/report.ts", "NL001", 5),
            // `ssl: { rejectUnauthorized: false }` on a Neon URL.
            ("src/report.ts", "NL034", 14),
            // pg's own `sslmode=no-verify` (no NL004 "invalid sslmode" where pg reads it).
            ("src/verify.js", "NL034", 5),
            // Silent: `.env`'s DATABASE_URL (its only reader sets `ssl: true`), the
            // commented-out call, `new Client(url)` with a `verify-full` default, and
            // `ssl: cond ? { ca } : true`.
        ],
    );
}

#[test]
fn tls_in_the_options_object_is_tls_beside_the_url() {
    // The `.env` value without sslmode is read by one pg client, which sets `ssl: true`:
    // no finding. A second reader without `ssl` brings NL001 back, on the `.env` line.
    let env = format!("DATABASE_URL={NO_SSLMODE}\n");
    let with_tls = "import pg from 'pg';\nexport const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, ssl: true });\n";
    let p = Project::new(&[
        (".gitignore", ".env\n"),
        (".env", &env),
        ("src/db.ts", with_tls),
    ]);
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.codes(), Vec::<String>::new(), "{}", out.all());
    p.write(
        "src/other.js",
        "const { Client } = require('pg');\nconst c = new Client(process.env.DATABASE_URL);\n",
    );
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, String, u64)> = out
        .findings()
        .into_iter()
        .map(|(code, _, path, line)| (path, code, line))
        .collect();
    assert_eq!(
        got,
        [(".env".to_string(), "NL001".to_string(), 1)],
        "{}",
        out.all()
    );
}

#[test]
fn postgres_js_on_the_pooler() {
    check(
        "tests/fixtures/js/postgres-js-pooler",
        &[
            // `prepare` defaults to true. Silent: `prepare: false` in a constant options
            // object, and `?prepare=false` in the URL (a postgres.js option, not a libpq
            // error there).
            ("src/db.ts", "NL010", 4),
            // `` sql`SET search_path ...` `` and `client.query("LISTEN jobs")` where
            // `client = await pool.connect()`. Silent: `SET LOCAL` in `sql.begin`, SELECTs,
            // `pg_advisory_xact_lock` in a query config object.
            ("src/session.ts", "NL011", 8),
            ("src/session.ts", "NL011", 19),
            // pg `query({ name, text })`: a named prepared statement.
            ("src/session.ts", "NL010", 25),
            // Startup parameters on the pooler: postgres.js `connection: { search_path }`
            // (its `application_name` passes), pg `statement_timeout` and `options: "-c"`.
            ("src/tenant.ts", "NL009", 7),
            ("src/tenant.ts", "NL009", 12),
            ("src/tenant.ts", "NL009", 13),
        ],
    );
}

#[test]
fn postgres_js_prepare_rule_follows_the_pooler_switch() {
    let env = "DATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require\n";
    let code = "import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL);\n";
    let p = Project::new(&[(".gitignore", ".env\n"), (".env", env), ("db.mjs", code)]);
    assert_eq!(p.run(&["--format", "json", "."]).codes(), ["NL010"]);
    p.write("neon-lint.toml", "pooler-prepared-statements = true\n");
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.codes(), Vec::<String>::new(), "{}", out.all());
}

#[test]
fn neon_serverless_guide_code_is_silent() {
    // `neon(process.env.DATABASE_URL!)` over HTTPS and `new Pool({ connectionString })`
    // over WSS, with a `.env` URL that has no sslmode: the transport is TLS whatever the
    // URL says.
    let (code, got) = lint("tests/fixtures/js/neon-serverless");
    assert_eq!(got, Vec::new());
    assert_eq!(code, 0);
}

#[test]
fn drizzle_migrations_on_the_pooled_url() {
    check(
        "tests/fixtures/js/drizzle-migrate",
        &[
            // `migrate(db)` where `db = drizzle({ client: pool })` and the pool reads the
            // pooled DATABASE_URL. Silent: the postgres-js migrator on
            // DATABASE_URL_UNPOOLED, and the neon-http app on the pooled URL.
            ("scripts/migrate-imported.ts", "NL020", 5),
            ("scripts/migrate.ts", "NL020", 9),
            // Across files: `db` and `pool` imported from `src/db-pg.ts` (as `../src/db-pg.js`
            // and `./db-pg`); its `export { direct as migrationDb }` on the direct URL is
            // silent.
            ("src/tenant.ts", "NL011", 6),
        ],
    );
}

#[test]
fn rejecting_unauthorized_false_fix_is_a_suggestion_only_where_it_can_work() {
    let code = format!(
        "import {{ Pool }} from 'pg';\n\
         export const a = new Pool({{ connectionString: '{NO_SSLMODE}', ssl: {{ rejectUnauthorized: false }} }});\n\
         export const b = new Pool({{ connectionString: '{NO_SSLMODE}', ssl: {{ ca: process.env.CA, rejectUnauthorized: false }} }});\n\
         export const c = new Pool({{ connectionString: '{NO_SSLMODE}?sslmode=require', ssl: {{ rejectUnauthorized: false }} }});\n"
    );
    let p = Project::new(&[("db.ts", &code)]);
    let out = p.run(&["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let nl034: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "NL034")
        .collect();
    assert_eq!(nl034.len(), 2, "{}", out.all());
    assert_eq!(nl034[0]["line"], 2);
    assert_eq!(nl034[0]["fix"]["applicability"], "unsafe");
    assert_eq!(nl034[0]["fix"]["edits"][0]["content"], "true");
    // With a `ca` of its own, turning checks on might fail against Neon: help only.
    assert_eq!(nl034[1]["line"], 3);
    assert!(nl034[1]["fix"].is_null(), "{}", out.all());
    // Line 4: `sslmode` in the URL replaces pg's whole `ssl` option, so the setting is dead
    // (no NL034 there). `--fix` applies safe fixes only: the file keeps
    // `rejectUnauthorized: false`.
    p.run(&["--fix", "."]);
    assert_eq!(p.read("db.ts"), code);
}

#[test]
fn fix_lands_inside_js_literals_and_never_inside_assembled_templates() {
    // An escape in the literal (`\u0061` is `a`): the appended parameter still goes right
    // before the closing quote. A template with a `${}` hole of a constant is assembled:
    // its finding has no fix.
    let escaped = NO_SSLMODE.replacen("app@", "\\u0061pp@", 1);
    let code = format!(
        "import postgres from 'postgres';\n\
         const HOST = 'ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech';\n\
         export const a = postgres(\"{escaped}\");\n\
         export const b = postgres(`postgresql://app@${{HOST}}/neondb`);\n"
    );
    let p = Project::new(&[("db.mjs", &code)]);
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, u64)> = out
        .findings()
        .into_iter()
        .map(|(code, _, _, line)| (code, line))
        .collect();
    assert_eq!(
        got,
        [("NL001".to_string(), 3), ("NL001".to_string(), 4)],
        "{}",
        out.all()
    );
    p.run(&["--fix", "."]);
    assert_eq!(
        p.read("db.mjs"),
        code.replace(&escaped, &format!("{escaped}?sslmode=require")),
        "only the literal is edited"
    );
}

#[test]
fn require_import_and_namespace_forms_are_the_same_driver() {
    // No sslmode in the URL: with one, pg would replace the whole `ssl` option.
    let url = NO_SSLMODE;
    let files = [
        (
            "a.cjs",
            format!("const pg = require('pg');\nnew pg.Pool({{ connectionString: '{url}', ssl: {{ rejectUnauthorized: false }} }});\n"),
        ),
        (
            "b.ts",
            format!("import * as pg from 'pg';\nnew pg.Client({{ connectionString: '{url}', ssl: {{ rejectUnauthorized: false }} }});\n"),
        ),
        (
            "c.mjs",
            format!("import pg from 'pg';\nconst {{ Pool: P }} = pg;\nnew P({{ connectionString: '{url}', ssl: {{ rejectUnauthorized: false }} }});\n"),
        ),
        (
            "d.js",
            format!("import postgres from 'postgres';\npostgres('{url}', {{ ssl: {{ rejectUnauthorized: false }} }});\n"),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let p = Project::new(&refs);
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, String, u64)> = out
        .findings()
        .into_iter()
        .filter(|(code, _, _, _)| code != "NL003")
        .map(|(code, _, path, line)| (path, code, line))
        .collect();
    let want: Vec<(String, String, u64)> = [("a.cjs", 2), ("b.ts", 2), ("c.mjs", 3), ("d.js", 2)]
        .iter()
        .map(|(f, l)| (f.to_string(), "NL034".to_string(), *l))
        .collect();
    assert_eq!(got, want, "{}", out.all());
}

#[test]
fn prisma_adapters_and_kysely_migrator() {
    check(
        "tests/fixtures/js/prisma-kysely",
        &[
            // `new PrismaPg({ ..., ssl: { rejectUnauthorized: false } })`: a pg pool config
            // (REPORTS_URL has no sslmode that would replace `ssl`).
            ("lib/reports.ts", "NL034", 7),
            // `new Migrator({ db })`, `db` a Kysely over a pg Pool on the pooled URL.
            // Silent: Neon's Prisma guide (`new PrismaNeon({ connectionString })`), and the
            // migrator on DATABASE_URL_UNPOOLED.
            ("scripts/migrate.ts", "NL020", 13),
        ],
    );
}

#[test]
fn hostile_javascript_is_read_without_panicking() {
    // Cyclic constants, a 20 000-deep expression, broken syntax, escapes that decode to
    // nothing (`\u{110000}`, a lone surrogate), an unterminated template: the run ends,
    // and what can be read still is.
    let deep = format!("const x = {}1{};\n", "(".repeat(20_000), ")".repeat(20_000));
    let code = format!(
        "import {{ Pool }} from 'pg';\n\
         const a = b; const b = a;\n\
         new Pool({{ connectionString: a }});\n\
         const c = {{ ...c, ssl: c }};\n\
         new Pool(c);\n\
         {deep}\
         const s = '\\u{{110000}}\\uD800{NO_SSLMODE}';\n\
         new Pool({{ connectionString: '{NO_SSLMODE}', ssl: {{ rejectUnauthorized: false }} }});\n\
         const t = `postgres://${{\n"
    );
    let p = Project::new(&[("db.ts", &code)]);
    let out = p.run(&["--format", "json", "."]);
    assert!(out.code == 0 || out.code == 1, "{}", out.all());
    assert!(!out.stderr.contains("panicked"), "{}", out.all());
    let codes = out.codes();
    assert!(codes.contains(&"NL034".to_string()), "{}", out.all());
}

#[test]
fn knex_typeorm_and_sequelize_over_node_postgres() {
    check(
        "tests/fixtures/js/knex-typeorm",
        &[
            // `migrationsRun: true` on the pooled DATABASE_URL, and `connectTimeoutMS: 3000`.
            ("src/data-source.ts", "NL020", 9),
            ("src/data-source.ts", "NL041", 12),
            // `require("knex")({ client: "pg", connection: { ssl: { rejectUnauthorized: false } } })`.
            // Silent: `.env`'s URL without sslmode (both readers set `ssl`).
            ("src/knex.cjs", "NL034", 6),
            // Sequelize: `dialectOptions.ssl.rejectUnauthorized: false`; its
            // `dialectOptions: { ssl: { require: true } }` sibling is silent.
            ("src/sequelize.js", "NL034", 12),
        ],
    );
}

#[test]
fn sslmode_require_is_judged_by_the_driver_that_reads_it() {
    // pg 8 verifies on `sslmode=require` (and the serverless driver ignores it): no
    // `unverified-tls` advice there; postgres.js reads it as libpq does: advice.
    let url = format!("{NO_SSLMODE}?sslmode=require");
    let code = format!(
        "import pg from 'pg';\nimport postgres from 'postgres';\nimport {{ neon }} from '@neondatabase/serverless';\n\
         new pg.Pool({{ connectionString: '{url}' }});\n\
         postgres('{url}');\n\
         neon('{url}');\n\
         import {{ Sequelize }} from 'sequelize';\n\
         new Sequelize('{url}', {{ dialect: 'postgres' }});\n"
    );
    let p = Project::new(&[("db.mjs", &code)]);
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, u64)> = out
        .findings()
        .into_iter()
        .map(|(code, _, _, line)| (code, line))
        .collect();
    assert_eq!(got, [("NL003".to_string(), 5)], "{}", out.all());
}

#[test]
fn drizzle_builds_the_client_of_its_entry_point() {
    // `drizzle(url)` and `drizzle({ connection })` create the entry's client: postgres.js
    // (`prepare` on by default) for `postgres-js`, `neon()` for `neon-http`.
    let env = "DATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require\n";
    let code = "import { drizzle } from 'drizzle-orm/postgres-js';\n\
                import { drizzle as http } from 'drizzle-orm/neon-http';\n\
                export const a = drizzle(process.env.DATABASE_URL!);\n\
                export const b = drizzle({ connection: { url: process.env.DATABASE_URL!, prepare: false } });\n\
                export const c = http(process.env.DATABASE_URL!);\n";
    let p = Project::new(&[(".gitignore", ".env\n"), (".env", env), ("db.ts", code)]);
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, u64)> = out
        .findings()
        .into_iter()
        .map(|(code, _, _, line)| (code, line))
        .collect();
    assert_eq!(got, [("NL010".to_string(), 3)], "{}", out.all());
}

/// `tcp-driver-on-edge` (NL035) in a Next.js app: an edge route handler importing `pg`, a
/// pages API route with `config = { runtime: "edge" }` importing `postgres`, and middleware
/// (Edge Runtime on Next.js 15.1) whose import of `./src/lib/session` leads to a pg pool in
/// `src/lib/db.ts`. `session.ts` names no database, so the run does not read it as a
/// candidate; it is read for its imports only. Prisma: the edge route `app/api/feed`
/// imports `src/lib/prisma.ts`, whose `new PrismaClient()` has no driver adapter. Silent:
/// the edge route on the serverless driver (HTTP), the `runtime = "nodejs"` routes (the
/// same pg pool; a Prisma Client without adapter), the edge route whose Prisma Client has
/// `PrismaNeon` as its adapter, and the one on Prisma Accelerate (`@prisma/client/edge`).
#[test]
fn tcp_drivers_in_nextjs_edge_code() {
    check(
        "tests/fixtures/js/nextjs-edge",
        &[
            ("app/api/users/route.ts", "NL035", 2),
            ("pages/api/legacy.ts", "NL035", 1),
            ("src/lib/db.ts", "NL035", 1),
            ("src/lib/prisma.ts", "NL035", 5),
        ],
    );
    let out = run(&["--format", "json", "."], "tests/fixtures/js/nextjs-edge");
    assert!(
        out.stdout
            .contains("imported from the Next.js middleware `middleware.ts`"),
        "the finding names the entry that reaches it:\n{}",
        out.stdout
    );
}

/// Middleware that asks for Node.js (Next.js 15.5+) and Next.js 16's `proxy.ts` (Node.js by
/// default) may use `pg`.
#[test]
fn tcp_drivers_in_nodejs_middleware_and_proxy_are_fine() {
    check("tests/fixtures/js/nextjs-node-middleware", &[]);
}

/// Cloudflare Workers: postgres.js reached from the `main` module of a Worker without
/// `nodejs_compat` is reported (through `src/index.ts`, which names no database), and so is
/// a Prisma Client whose options give a URL but no driver adapter; a Worker with the flag
/// (`wrangler.jsonc`, Hyperdrive and pg) and one on the serverless driver over HTTP are
/// silent.
#[test]
fn tcp_drivers_in_cloudflare_workers() {
    check(
        "tests/fixtures/js/cloudflare-worker",
        &[
            ("api/src/routes.ts", "NL035", 1),
            ("prisma/src/index.ts", "NL035", 6),
        ],
    );
    let out = run(
        &["--format", "json", "."],
        "tests/fixtures/js/cloudflare-worker",
    );
    assert!(
        out.stdout
            .contains("compatibility_flags = [\\\"nodejs_compat\\\"]"),
        "{}",
        out.stdout
    );
}

/// Where JavaScript projects keep values: `vercel.json` (`env`, `build.env`),
/// `netlify.toml` (`[build.environment]`, `[context.*.environment]`) and `wrangler.toml`
/// (`[vars]`, `[env.*.vars]`) are read as `.env` files are. Their connection strings get
/// the URL rules at their own lines, keyed by the variable's name (NL022 on
/// `DATABASE_URL_UNPOOLED`), and their variables reach `process.env.X` in the program that
/// owns the file: postgres.js in `site/` gets netlify.toml's pooled URL (NL010), and
/// `web/vercel.json`'s URL without sslmode is read by one pg pool that sets `ssl: true`
/// (no NL001), while the sibling program `api/`, whose pool sets no `ssl`, is not reached.
/// The Worker reads its `[vars]` as `env.DATABASE_URL` (`env` is its handler's parameter):
/// NL041 names `wrangler.toml`, and the `[env.staging.vars]` URL without sslmode is NL001.
/// Silent: `quiet/vercel.json` (no database values) and the Worker's `[vars]` URL with
/// `sslmode=require&channel_binding=require`.
#[test]
fn platform_files_are_env_sources() {
    check(
        "tests/fixtures/js/platform-env",
        &[
            ("site/netlify.toml", "NL034", 9),
            ("site/netlify.toml", "NL002", 10),
            ("site/src/db.ts", "NL010", 4),
            ("web/vercel.json", "NL060", 4),
            ("web/vercel.json", "NL022", 8),
            ("worker/src/index.ts", "NL041", 6),
            ("worker/wrangler.toml", "NL001", 10),
        ],
    );
    let out = run(&["--format", "json", "."], "tests/fixtures/js/platform-env");
    assert!(
        out.stdout.contains("set in `worker/wrangler.toml`"),
        "a Worker's `env.X` reads its `[vars]`:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("set in `site/netlify.toml`"),
        "the client finding names the file that sets the variable:\n{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("Qx7mR2vLp9sT4wZk"),
        "a password committed in vercel.json is never printed"
    );
}

/// Prisma Client on the edge: reported only when its options are known and hold neither
/// `adapter` nor `accelerateUrl`; options neon-lint cannot see (a variable, a spread of
/// one) may hold an adapter, and are never guessed.
#[test]
fn prisma_client_without_adapter_on_the_edge() {
    let route = |body: &str| {
        format!(
            "import {{ PrismaClient }} from \"@prisma/client\";\nimport {{ neon }} from \"@neondatabase/serverless\";\nexport const runtime = \"edge\";\n{body}\nexport const sql = neon(process.env.DATABASE_URL!);\n"
        )
    };
    let p = Project::new(&[
        ("package.json", "{ \"name\": \"app\" }\n"),
        (
            "app/a/route.ts",
            &route("const p = new PrismaClient({ log: [\"query\"] });"),
        ),
        (
            "app/b/route.ts",
            &route("const p = new PrismaClient(options);"),
        ),
        (
            "app/c/route.ts",
            &route("const p = new PrismaClient({ ...options, log: [] });"),
        ),
        (
            "app/d/route.ts",
            &route("const p = new PrismaClient({ accelerateUrl: process.env.ACCELERATE_URL });"),
        ),
        (
            "app/e/route.ts",
            &route("const base = { log: [] };\nconst p = new PrismaClient({ ...base });"),
        ),
    ]);
    let out = p.run(&["--format", "json", "."]);
    let got: Vec<(String, String, u64)> = out
        .findings()
        .into_iter()
        .map(|(code, _, path, line)| (path, code, line))
        .collect();
    assert_eq!(
        got,
        [
            ("app/a/route.ts".to_string(), "NL035".to_string(), 4),
            ("app/e/route.ts".to_string(), "NL035".to_string(), 5),
        ],
        "{}",
        out.all()
    );
}

/// `@vercel/postgres`, added as one driver file: `createPool()` reads `POSTGRES_URL`
/// (pooled in `.env.local`, so `SET` is NL011, and options without a connection string
/// mean the same variable: NL041 on a 1 s connect timeout), `createClient()` reads
/// `POSTGRES_URL_NON_POOLING` (direct: its `LISTEN` is silent). It runs over Neon's
/// serverless driver, so the edge route using it is silent.
#[test]
fn vercel_postgres_reads_its_default_variables() {
    check(
        "tests/fixtures/js/vercel-postgres",
        &[("src/db.ts", "NL011", 7), ("src/db.ts", "NL041", 19)],
    );
}

/// `insecure-sslmode` (NL002) on a set-up that reads Vercel's `POSTGRES_URL_NO_SSL` whose
/// value neon-lint cannot see: reported at the set-up, unless the driver sets TLS itself
/// (`ssl: true`, the serverless driver); a value in the project is judged as a URL instead
/// (NL001 on its `.env` line, no second finding at the set-up).
#[test]
fn no_ssl_variable_for_a_connection() {
    let code = "import pg from 'pg';\nimport { neon } from '@neondatabase/serverless';\nexport const a = new pg.Pool({ connectionString: process.env.POSTGRES_URL_NO_SSL });\nexport const b = new pg.Pool({ connectionString: process.env.POSTGRES_URL_NO_SSL, ssl: true });\nexport const c = neon(process.env.POSTGRES_URL_NO_SSL!);\n";
    let p = Project::new(&[
        ("package.json", "{ \"name\": \"app\" }\n"),
        ("src/db.ts", code),
    ]);
    let got = |p: &Project| -> Vec<(String, String, u64)> {
        p.run(&["--format", "json", "."])
            .findings()
            .into_iter()
            .map(|(code, _, path, line)| (path, code, line))
            .collect()
    };
    assert_eq!(got(&p), [("src/db.ts".to_string(), "NL002".to_string(), 3)]);
    p.write(".gitignore", ".env\n");
    p.write(".env", &format!("POSTGRES_URL_NO_SSL={NO_SSLMODE}\n"));
    assert_eq!(got(&p), [(".env".to_string(), "NL001".to_string(), 1)]);
}

/// `NODE_TLS_REJECT_UNAUTHORIZED` is a prefilter needle: a CI workflow (or `vercel.json`,
/// `netlify.toml`) that sets it and names no database is still read (NL034).
#[test]
fn node_tls_reject_unauthorized_alone_passes_the_prefilter() {
    let p = Project::new(&[
        (".gitignore", ".env\n"),
        (".env", "DATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require\n"),
        (".github/workflows/ci.yml", "jobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      NODE_TLS_REJECT_UNAUTHORIZED: \"0\"\n    steps:\n      - run: npm test\n"),
        ("netlify.toml", "[build.environment]\nNODE_TLS_REJECT_UNAUTHORIZED = \"0\"\n"),
    ]);
    let got: Vec<(String, String, u64)> = p
        .run(&["--format", "json", "."])
        .findings()
        .into_iter()
        .filter(|(code, ..)| code != "NL003")
        .map(|(code, _, path, line)| (path, code, line))
        .collect();
    assert_eq!(
        got,
        [
            (
                ".github/workflows/ci.yml".to_string(),
                "NL034".to_string(),
                5
            ),
            ("netlify.toml".to_string(), "NL034".to_string(), 2),
        ]
    );
}
