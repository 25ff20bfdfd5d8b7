//! Python, migration configs, CI and deploy files (issue 4): each fixture project under
//! `tests/fixtures/python/` and `tests/fixtures/deploy/` is linted by the built binary and
//! must produce exactly the listed (path, code, line) findings.
//!
//! `unverified-tls` (NL003, info) is left out of the exact sets: it fires on every
//! `sslmode=require` URL, including the seed card's "correct" strings, as advice that never
//! fails a run; its own tests live with the foundation.

mod common;

use common::{findings, run};

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

fn want(items: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    items
        .iter()
        .map(|(p, c, l)| (p.to_string(), c.to_string(), *l))
        .collect()
}

fn check(dir: &str, expected: &[(&str, &str, usize)]) {
    let (_, got) = lint(dir);
    assert_eq!(got, want(expected), "{dir}");
}

#[test]
fn seed_card_correct_snippets_pass_clean() {
    let (code, got) = lint("tests/fixtures/python/seed-correct");
    assert_eq!(got, want(&[]));
    assert_eq!(code, 0, "only advice (NL003) may remain");
}

#[test]
fn seed_card_wrong_snippets_are_flagged_with_the_rule_the_warning_describes() {
    check(
        "tests/fixtures/python/seed-wrong",
        &[
            // "Raises: prepared statement errors": migrations through the pooler.
            ("alembic.ini", "NL020", 4),
            // "ModuleNotFoundError: No module named 'dotenv'".
            ("app.py", "NL050", 3),
            // "prepared statement 'asyncpg_stmt_X' does not exist".
            ("asyncpg_pooled.py", "NL010", 5),
            // "SSL connection has been closed unexpectedly": no pre-ping.
            ("engine.py", "NL040", 7),
            // SQLAlchemy + asyncpg on the pooler without statement_cache_size=0.
            ("engine.py", "NL010", 8),
            ("engine.py", "NL040", 8),
            // "Missing sslmode".
            ("psycopg2_no_sslmode.py", "NL001", 3),
        ],
    );
}

#[test]
fn django_settings_and_manage_py_migrate() {
    check(
        "tests/fixtures/python/django",
        &[
            // `PGHOST` without `PGSSLMODE`: what `psql` and node-postgres' `new Pool()` use.
            (".env", "NL001", 3),
            // `manage.py migrate` reads DATABASES, which reads the pooled DATABASE_URL.
            ("Makefile", "NL020", 4),
            // Pooled host, server-side cursors left on.
            ("mysite/settings.py", "NL012", 7),
            ("mysite/settings.py", "NL009", 15),
            ("mysite/settings.py", "NL041", 16),
            ("mysite/settings.py", "NL040", 18),
            ("mysite/settings.py", "NL001", 37),
            ("mysite/settings_env.py", "NL012", 4),
            ("mysite/settings_env.py", "NL040", 4),
        ],
    );
}

#[test]
fn alembic_env_py_pooled_and_unescaped() {
    check(
        "tests/fixtures/python/alembic-env",
        &[
            ("alembic/env.py", "NL020", 7),
            ("alembic/env.py", "NL051", 7),
        ],
    );
    check("tests/fixtures/python/alembic-env-ok", &[]);
}

/// Every shape of Alembic `env.py` (issue 14, item 1): the URL it connects with is a
/// migration URL, whether given to `context.configure(url=...)` (offline mode), to
/// `create_engine` / `create_async_engine`, or to `engine_from_config` /
/// `async_engine_from_config` through the `sqlalchemy.url` key of a dictionary (written
/// there or assigned before the call), and whether it comes from `os.environ`,
/// `os.getenv`, a settings object or a function of the file that returns one. The
/// application's own engine on the same pooled variable is not a migration; the same
/// shapes on the direct variable are clean.
#[test]
fn alembic_env_py_every_shape_connects_with_a_migration_url() {
    check(
        "tests/fixtures/python/alembic-shapes",
        &[
            ("async-settings/env.py", "NL020", 17),
            ("config-dict/env.py", "NL020", 16),
            ("literal/env.py", "NL020", 4),
            // psycopg 3 engine on the pooled URL: prepares after five runs of a query.
            ("literal/env.py", "NL010", 8),
            ("offline/env.py", "NL020", 9),
            ("online/env.py", "NL020", 8),
        ],
    );
    check("tests/fixtures/python/alembic-shapes-ok", &[]);
}

#[test]
fn libpq_parameters_through_sqlalchemy_to_asyncpg() {
    check(
        "tests/fixtures/python/asyncpg-sslmode",
        &[("db.py", "NL033", 6), ("db.py", "NL033", 12)],
    );
}

#[test]
fn startup_options_beside_a_pooled_url() {
    check(
        "tests/fixtures/python/psycopg-options",
        &[
            // psycopg 3 on the pooled URL (prepare_threshold not None) is NL010 too.
            ("db.py", "NL010", 8),
            ("db.py", "NL009", 8),
            ("db.py", "NL009", 15),
            ("db.py", "NL010", 17),
            ("db.py", "NL040", 17),
            ("db.py", "NL009", 17),
            ("db.py", "NL009", 24),
            ("db.py", "NL041", 25),
        ],
    );
}

#[test]
fn tls_beside_the_url_and_swapped_variables() {
    check(
        "tests/fixtures/python/tls-and-variables",
        &[("db.py", "NL001", 14), ("settings.py", "NL022", 3)],
    );
}

#[test]
fn prisma_pooled_url_without_direct_url() {
    check(
        "tests/fixtures/deploy/prisma-no-direct",
        &[("prisma/schema.prisma", "NL021", 7)],
    );
    check("tests/fixtures/deploy/prisma-direct", &[]);
}

#[test]
fn ci_workflow_flags_the_command_and_guesses_nothing() {
    // Lines 17 (job env pooled) and 40 (step env pooled) are flagged; the step with
    // `--database-url "$DIRECT"`, the `${{ secrets.DATABASE_URL }}` job, the Prisma job
    // (directUrl is direct) and the job with no environment are not. `env.py` reads
    // DATABASE_URL, which the workflow's jobs set to the pooled URL.
    check(
        "tests/fixtures/deploy/ci",
        &[
            (".github/workflows/migrate.yml", "NL020", 17),
            (".github/workflows/migrate.yml", "NL020", 40),
            ("alembic/env.py", "NL020", 5),
        ],
    );
    check(
        "tests/fixtures/deploy/gitlab",
        &[(".gitlab-ci.yml", "NL020", 9)],
    );
}

#[test]
fn dockerfile_and_compose() {
    // Build-stage `ARG` without a value: unknown, not guessed.
    check(
        "tests/fixtures/deploy/docker",
        &[("Dockerfile", "NL020", 9)],
    );
    // `env_file:` pooled; list-form `environment:` direct; `${PROD_DATABASE_URL}` unset.
    check(
        "tests/fixtures/deploy/compose",
        &[
            ("docker-compose.yml", "NL020", 5),
            ("prisma/schema.prisma", "NL021", 3),
        ],
    );
}

#[test]
fn scripts_makefiles_package_json_and_tool_configs() {
    // `Procfile` runs with the platform's environment: unknown. `bin/migrate.sh` exports
    // the direct URL first.
    check(
        "tests/fixtures/deploy/scripts",
        &[
            ("Makefile", "NL020", 5),
            ("drizzle.config.ts", "NL020", 8),
            ("package.json", "NL020", 4),
            ("package.json", "NL020", 5),
        ],
    );
    check(
        "tests/fixtures/deploy/tool-configs",
        &[
            ("flyway.conf", "NL020", 1),
            ("prisma.config.ts", "NL020", 6),
        ],
    );
}

#[test]
fn python_files_without_needles_are_rejected_before_parsing() {
    use neon_lint::classify::FileKind;
    use neon_lint::prefilter::is_candidate;
    assert!(!is_candidate(
        FileKind::Python,
        b"import os\nprint(os.getcwd())\n"
    ));
    assert!(is_candidate(FileKind::Python, b"import asyncpg\n"));
    assert!(is_candidate(
        FileKind::Python,
        b"from dotenv import load_dotenv\n"
    ));
    assert!(!is_candidate(FileKind::Shell, b"echo hello\n"));
    assert!(is_candidate(FileKind::Shell, b"alembic upgrade head\n"));
    assert!(is_candidate(FileKind::PythonManifest, b"flask\n"));
}

/// `missing-dotenv-dependency` (issue 14, item 9): `python-dotenv` arriving through an
/// include (`-r requirements/base.txt`), a dev group (Pipenv, PEP 735), a package that
/// depends on it (`fastapi[standard]`) or possibly through a source the tree does not show
/// (`git+https://`, `-e ../lib`, Poetry `{ git = ... }`, an include outside the tree) is not
/// reported; a project whose manifests and includes all lack it is.
#[test]
fn dotenv_provided_through_includes_groups_and_unknown_sources_is_not_missing() {
    check(
        "tests/fixtures/python/dotenv-providers",
        &[("missing/app.py", "NL050", 1)],
    );
}

/// `stale-pool` (issue 14, item 7) fires on long-lived pools only: health checks given
/// through a `**options` dictionary written in the file (a literal, `dict(...)`, a renamed
/// name) count, a dictionary from elsewhere is not judged, `NullPool` has nothing to go
/// stale, Alembic's `env.py` engine serves one migration run, and a one-shot script's
/// engine disposed of in the function that creates it never idles. Known options without a
/// health check, no options at all, and an engine disposed of elsewhere are reported.
#[test]
fn stale_pool_reads_option_spreads_and_skips_engines_that_cannot_go_stale() {
    check(
        "tests/fixtures/python/stale-pool-shapes",
        &[
            ("engines.py", "NL040", 27),
            ("engines.py", "NL040", 28),
            // Disposed of in another function: a long-lived engine.
            ("engines.py", "NL040", 42),
        ],
    );
}

/// NL001 on a Django `DATABASES` entry (issue 14, item 6) says where Django takes driver
/// parameters (`OPTIONS`), not "append to the URL": there is no URL in that entry.
#[test]
fn django_missing_sslmode_help_names_options() {
    let out = run(&["--format", "json", "."], "tests/fixtures/python/django");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let help: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "NL001" && d["path"] == "mysite/settings.py")
        .filter_map(|d| d["help"].as_str())
        .collect();
    assert_eq!(help.len(), 1, "{}", out.stdout);
    assert!(
        help[0].contains(r#""OPTIONS": {"sslmode": "require"}"#) && !help[0].contains("append"),
        "{}",
        help[0]
    );
}

/// `pg_dump`/`pg_restore` through the pooler (issue 14, item 5): Neon documents that they
/// need the direct connection (they use `SET`): `pooled-dump-restore`. A URL given on the command line or through
/// a step's `env:` counts, also when its password is a `${{ secrets.X }}` expression (the
/// host and role stay visible); the direct host and a plain `psql` query are fine.
#[test]
fn pg_dump_and_pg_restore_through_the_pooler_in_ci() {
    check(
        "tests/fixtures/deploy/dump-restore",
        &[
            (".github/workflows/backup.yml", "NL023", 12),
            (".github/workflows/backup.yml", "NL023", 18),
        ],
    );
}

/// libpq's variables as a connection (issue 14, item 3): `PGHOST` naming a Neon host with
/// no `PGSSLMODE` in the same environment is a missing sslmode, `PGSSLMODE=disable`/`prefer`
/// is insecure, a real `PGPASSWORD` in a tracked file is a committed credential (with the
/// placeholder logic of URLs: `CHANGEME`, `${{ secrets.X }}` are not passwords). The
/// environment is the file for `.env` and Dockerfiles, the service for compose, and a CI
/// step's, job's and workflow's `env:` together (never a sibling step's); a `PGHOST` that
/// is not Neon's is left alone, and so is a compose service that loads an `env_file:`
/// (which may set `PGSSLMODE`) unless its `environment:` sets one itself. `pg_dump` with
/// no connection string, host flag or expansion on its line runs on `PGHOST`.
#[test]
fn libpq_variables_in_env_files_compose_dockerfiles_and_ci() {
    check(
        "tests/fixtures/deploy/libpq-env",
        &[
            (".env", "NL001", 2),
            // `pg_dump` with no connection string reads `PGHOST`: the pooled one here.
            (".github/workflows/backup.yml", "NL023", 12),
            (".github/workflows/check.yml", "NL002", 20),
            // GitLab: a job's `variables:` with the top-level ones.
            (".gitlab-ci.yml", "NL023", 7),
            (".gitlab-ci.yml", "NL002", 11),
            ("docker-compose.yml", "NL002", 7),
            // `env_file:` beside it: judged only when `environment:` sets `PGSSLMODE`.
            ("docker-compose.yml", "NL002", 30),
            ("docker/Dockerfile", "NL060", 4),
        ],
    );
}

/// Spring Boot's `spring.datasource.password` (and the `flyway`/`liquibase`/`r2dbc` sets)
/// beside a Neon `spring.datasource.url`, in `.properties` and `.yml` (issue 14, item 3):
/// a real password is a committed credential; `${DB_PASSWORD}`, `YOUR_NEON_PASSWORD` and a
/// password beside a non-Neon URL are not reported.
#[test]
fn spring_datasource_passwords_beside_a_neon_url() {
    check(
        "tests/fixtures/deploy/spring",
        &[
            ("src/main/resources/application-dev.yml", "NL060", 5),
            ("src/main/resources/application.properties", "NL060", 3),
        ],
    );
}

/// NL011 for Python drivers (issue 14, item 6): SQL that sets session state (`SET` without
/// `LOCAL`, `RESET`, `LISTEN`, `pg_advisory_lock`, temporary tables without `ON COMMIT
/// DROP`, `WITH HOLD` cursors) run through psycopg2, psycopg, asyncpg and SQLAlchemy
/// connections whose URL is pooled, followed through variables, `with ... as`, `await`,
/// `cursor()`, `connect()`, `begin()` and `acquire()`; asyncpg `add_listener` and psycopg2
/// `cursor(..., withhold=True)` and SQLAlchemy `@event.listens_for(engine, "connect")`
/// hooks too. Transaction-scoped forms, `NOTIFY`, the direct URL and a plain function's
/// parameter (not known) are fine.
#[test]
fn session_state_through_python_drivers_on_a_pooled_url() {
    check(
        "tests/fixtures/python/session-state",
        &[
            ("apg.py", "NL011", 8),
            ("apg.py", "NL011", 9),
            ("apg.py", "NL011", 13),
            ("pg2.py", "NL011", 7),
            ("pg2.py", "NL011", 8),
            ("pg2.py", "NL011", 10),
            ("pg2.py", "NL011", 11),
            // SQL held in a module constant: reported on the SQL text.
            ("pg2.py", "NL011", 23),
            ("pg3.py", "NL010", 5),
            ("pg3.py", "NL011", 6),
            ("pg3.py", "NL011", 8),
            // Through `self.conn` / `self.url` set in `__init__` (the engine has no health
            // check either).
            ("repo.py", "NL040", 11),
            ("repo.py", "NL011", 15),
            ("sa.py", "NL011", 7),
            // `@event.listens_for(engine, "connect")` hooks (also on `sync_engine`).
            ("sa.py", "NL011", 19),
            // SQLAlchemy on psycopg 3 (the URL rewritten to `postgresql+psycopg://`).
            ("sa.py", "NL010", 23),
            ("sa.py", "NL011", 31),
        ],
    );
}

/// NL012 (issue 14, item 6): Django on a pooled URL needs `DISABLE_SERVER_SIDE_CURSORS`
/// (Django's docs, "Transaction pooling and server-side cursors"), given in the entry, set
/// afterwards on `DATABASES["default"]`, or as dj-database-url's
/// `disable_server_side_cursors=True`; a direct host is fine.
#[test]
fn django_on_a_pooled_url_without_disabling_server_side_cursors() {
    check(
        "tests/fixtures/python/django-cursors",
        &[
            ("site_a/settings.py", "NL012", 4),
            ("site_b/settings.py", "NL012", 6),
            ("site_c/settings.py", "NL012", 4),
        ],
    );
}

/// f-strings, `+`, `.format(...)` and `%` built from module constants (issue 14, item 2),
/// key/value strings too: judged as the URL they make,
/// with findings on the f-string; a fix only where it lands inside the f-string's own
/// literal text (`sslmode=disable` -> `require`), never on a value that ends in a field;
/// a host known only at run time is not judged.
#[test]
fn fstrings_from_module_constants_get_the_url_rules() {
    check(
        "tests/fixtures/python/fstrings",
        &[
            ("built.py", "NL001", 8),
            ("built.py", "NL002", 11),
            ("built.py", "NL001", 17),
            ("db.py", "NL001", 13),
            ("db.py", "NL009", 19),
            ("db.py", "NL002", 25),
        ],
    );
    let out = run(&["--format", "json", "."], "tests/fixtures/python/fstrings");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    for d in v.as_array().expect("array") {
        match d["code"].as_str() {
            Some("NL001") => assert!(d["fix"].is_null(), "{d}"),
            Some("NL002") => assert_eq!(d["fix"]["edits"][0]["content"], "require", "{d}"),
            _ => {}
        }
    }
}

/// Passwords given as keywords (issue 14, item 3): `password="..."` beside a Neon `host=`
/// in psycopg2 and asyncpg calls, and Django's `DATABASES` `PASSWORD` literal, are
/// committed credentials, reported on the password itself; placeholders, the environment
/// and a non-Neon host are not.
#[test]
fn keyword_and_django_passwords_beside_a_neon_host() {
    check(
        "tests/fixtures/python/credentials",
        &[
            ("db.py", "NL060", 11),
            ("db.py", "NL060", 37),
            ("settings.py", "NL060", 9),
        ],
    );
}

/// A `.pgpass` that git tracks, with a Neon password (issue 14, item 3): a committed
/// credential on the password; a local (untracked) `.pgpass`, non-Neon lines and
/// placeholders are not reported.
#[test]
fn tracked_pgpass_with_a_neon_password() {
    check("tests/fixtures/deploy/pgpass", &[(".pgpass", "NL060", 2)]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        "tests/fixtures/deploy/pgpass/.pgpass",
        dir.path().join(".pgpass"),
    )
    .expect("copy");
    let out = run(
        &["--format", "json", "."],
        dir.path().to_str().expect("utf-8"),
    );
    assert_eq!(common::findings(&out.stdout), Vec::new(), "{}", out.stdout);
}

/// `os.getenv("X", "fallback")` keeps both values (issue 14, item 2): the variable's value
/// (pooled: asyncpg's statement cache is reported) and the fallback (no sslmode: reported).
#[test]
fn getenv_fallback_and_variable_are_both_values() {
    check(
        "tests/fixtures/python/getenv-fallback",
        &[("app.py", "NL001", 7), ("app.py", "NL010", 11)],
    );
}

/// Go, Java, PHP, C# and Ruby sources have no front end of their own: their URIs, JDBC URLs
/// and quoted libpq key/value strings still get the URL rules (issue 14, item 4). Npgsql's
/// `Host=...;Database=...`, prose and comments do not.
#[test]
fn connection_strings_in_other_languages_get_the_url_rules() {
    check(
        "tests/fixtures/deploy/other-languages",
        &[
            ("Db.java", "NL002", 3),
            ("db.php", "NL001", 2),
            ("main.go", "NL001", 4),
        ],
    );
}

/// psycopg 3 on a pooled URL (issue 17's matrix): its default `prepare_threshold=5` and
/// `prepare_threshold=0` gave errors and wrong results on PgBouncer 1.18; only
/// `prepare_threshold=None` was correct there. `connect`, psycopg_pool (`kwargs=`) and
/// SQLAlchemy on `postgresql+psycopg://` (`connect_args=`) are flagged without it.
#[test]
fn psycopg3_prepared_statements_on_the_pooler() {
    check(
        "tests/fixtures/python/psycopg3-prepare",
        &[
            ("db.py", "NL010", 8),
            ("db.py", "NL010", 11),
            ("db.py", "NL010", 16),
            ("db.py", "NL040", 16),
            ("db.py", "NL010", 23),
        ],
    );
}

/// aiopg (a driver file added after the driver redesign, `drivers/python/aiopg.rs`): its
/// `timeout` is its connect timeout (NL041 at 2 s), `options` goes to libpq's startup
/// packet (NL009 on the pooler), and `sslmode=` beside a literal URL asks for TLS, so the
/// literal without `sslmode` is not NL001.
#[test]
fn aiopg_set_ups_are_judged_by_their_driver_file() {
    check(
        "tests/fixtures/python/aiopg",
        &[("app.py", "NL041", 14), ("app.py", "NL009", 15)],
    );
}

/// A URL imported from another module (issue 12): `from app.config import DATABASE_URL`
/// and `from .config import DATABASE_URL as URL` reach the pools created with them; the
/// direct URL imported the same way stays silent, and `worker/config.py`, a module of the
/// same name elsewhere, is not the one `app.config` names.
#[test]
fn urls_imported_from_another_module_reach_their_pools() {
    check(
        "tests/fixtures/python/cross-module",
        &[("app/db.py", "NL010", 8), ("app/jobs.py", "NL010", 8)],
    );
}
