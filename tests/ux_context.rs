//! Files named on the command line (what pre-commit passes) are judged with their project's
//! context: the untracked `.env` beside the crate, the crate's other sources, manifests;
//! and only findings located in the named files are reported.

mod ux;

use ux::{Project, NO_SSLMODE};

const POOLED: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require";

const CARGO_TOML: &str = r#"[package]
name = "api"
version = "0.1.0"
edition = "2021"

[dependencies]
sqlx = { version = "0.8", features = ["runtime-tokio", "tls-rustls", "postgres", "migrate"] }
tokio = { version = "1", features = ["full"] }
"#;

/// Runs the migrations on the pool built from `DATABASE_URL` (line 7).
const MAIN_RS: &str = r#"use sqlx::postgres::PgPoolOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")?;
    let pool = PgPoolOptions::new().max_connections(5).connect(&url).await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(())
}
"#;

fn crate_with_env(env: &str) -> Project {
    Project::new(&[
        ("Cargo.toml", CARGO_TOML),
        ("src/main.rs", MAIN_RS),
        // Untracked and gitignored (the scratch `.gitignore` says `.env`): never staged.
        (".env", env),
    ])
}

fn nl020_on_main(found: &[(String, String, String, u64)]) -> bool {
    found
        .iter()
        .any(|(code, _, path, line)| code == "NL020" && path == "src/main.rs" && *line == 7)
}

#[test]
fn a_named_file_gets_the_untracked_env_beside_its_crate() {
    let p = crate_with_env(&format!("DATABASE_URL={POOLED}\n"));
    let full = p.run(&["--format", "json"]);
    assert!(nl020_on_main(&full.findings()), "{}", full.all());

    let named = p.run(&["--format", "json", "src/main.rs"]);
    assert_eq!(named.code, 1, "{}", named.all());
    assert!(nl020_on_main(&named.findings()), "{}", named.all());
    // The same findings in the named file as the full run's, and none elsewhere.
    let in_main = |f: &[(String, String, String, u64)]| -> Vec<_> {
        f.iter().filter(|x| x.2 == "src/main.rs").cloned().collect()
    };
    assert_eq!(in_main(&named.findings()), in_main(&full.findings()));
    assert!(
        named.findings().iter().all(|f| f.2 == "src/main.rs"),
        "{}",
        named.all()
    );
}

#[test]
fn the_human_summary_counts_only_the_named_files() {
    let p = crate_with_env(&format!("DATABASE_URL={POOLED}\n"));
    let out = p.run(&["src/main.rs"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("pooled-migration-url"), "{}", out.all());
    assert!(out.stdout.contains("(1 file scanned)"), "{}", out.all());

    std::fs::write(
        p.join(".env"),
        "DATABASE_URL=postgres://app@localhost/dev\n",
    )
    .unwrap();
    let clean = p.run(&["src/main.rs"]);
    assert_eq!(clean.code, 0, "{}", clean.all());
    assert!(
        clean.stdout.contains("no problems found (1 file scanned)"),
        "{}",
        clean.all()
    );
}

#[test]
fn findings_located_in_context_files_are_left_to_their_own_runs() {
    // The `.env` value lacks `sslmode` (NL001, located in `.env`) and is pooled (NL020,
    // located at the migration run in main.rs).
    let pooled_no_tls =
        "postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb";
    let p = crate_with_env(&format!("DATABASE_URL={pooled_no_tls}\n"));
    let main_only = p.run(&["--format", "json", "src/main.rs"]);
    let found = main_only.findings();
    assert!(nl020_on_main(&found), "{}", main_only.all());
    assert!(!found.iter().any(|f| f.2 == ".env"), "{}", main_only.all());

    // Naming the `.env` reports its own findings, still with the crate as its context.
    let env_only = p.run(&["--format", "json", ".env"]);
    let found = env_only.findings();
    assert!(
        found.iter().any(|f| f.0 == "NL001" && f.2 == ".env"),
        "{}",
        env_only.all()
    );
    assert!(found.iter().all(|f| f.2 == ".env"), "{}", env_only.all());
}

#[test]
fn the_pool_built_in_another_file_of_the_crate_is_joined() {
    let p = Project::new(&[
        ("Cargo.toml", CARGO_TOML),
        (".env", &format!("DATABASE_URL={POOLED}\n")),
        (
            "src/db.rs",
            "use sqlx::postgres::{PgPool, PgPoolOptions};\n\n\
             pub async fn connect() -> PgPool {\n    \
             let url = std::env::var(\"DATABASE_URL\").expect(\"DATABASE_URL\");\n    \
             PgPoolOptions::new().connect(&url).await.expect(\"pool\")\n}\n",
        ),
        (
            "src/main.rs",
            "mod db;\n\n#[tokio::main]\nasync fn main() {\n    let pool = db::connect().await;\n    \
             sqlx::migrate!().run(&pool).await.expect(\"migrations\");\n}\n",
        ),
    ]);
    let full = p.run(&["--format", "json"]);
    let named = p.run(&["--format", "json", "src/main.rs"]);
    let nl020 = |o: &ux::Out| -> Vec<_> {
        o.findings()
            .into_iter()
            .filter(|f| f.0 == "NL020")
            .collect()
    };
    assert!(!nl020(&full).is_empty(), "{}", full.all());
    assert_eq!(nl020(&named), nl020(&full), "{}", named.all());
}

#[test]
fn a_sibling_programs_env_stays_out_of_the_context() {
    let p = Project::new(&[
        ("apps/web/package.json", "{\"name\": \"web\"}\n"),
        ("apps/web/.env", &format!("DATABASE_URL={POOLED}\n")),
        ("apps/api/Cargo.toml", CARGO_TOML),
        ("apps/api/src/main.rs", MAIN_RS),
    ]);
    let out = p.run(&["--format", "json", "apps/api/src/main.rs"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.findings(), vec![], "{}", out.all());
}

#[test]
fn a_named_file_with_no_context_keeps_its_findings_and_exit_status() {
    let p = Project::new(&[(".env", &format!("DATABASE_URL={NO_SSLMODE}\n"))]);
    let out = p.run(&["--format", "json", ".env"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(out.codes(), vec!["NL001"], "{}", out.all());
    let missing = p.run(&["--format", "json", ".env", "nope.rs"]);
    assert_eq!(missing.code, 2, "{}", missing.all());
}

#[test]
fn fixing_a_named_file_leaves_its_context_files_alone() {
    let p = crate_with_env(&format!("DATABASE_URL={NO_SSLMODE}\n"));
    let before = p.read(".env");
    let out = p.run(&["--fix", "src/main.rs"]);
    assert_eq!(p.read(".env"), before, "{}", out.all());
    assert!(!out.stderr.contains("fixed"), "{}", out.all());
    // Named, the `.env` is fixed.
    p.run(&["--fix", ".env"]);
    assert!(p.read(".env").contains("sslmode=require"));
}

#[test]
fn the_context_stops_at_the_repository_of_the_named_file() {
    // Run from above the repository: a `.env` beside it (outside it) is not its context.
    let direct = POOLED.replace("-pooler", "");
    let p = Project::bare(&[
        ("repo/Cargo.toml", CARGO_TOML),
        ("repo/src/main.rs", MAIN_RS),
        ("repo/.env", &format!("DATABASE_URL={direct}\n")),
        ("elsewhere/.env", &format!("DATABASE_URL={POOLED}\n")),
    ]);
    std::fs::create_dir_all(p.join("repo/.git")).expect(".git");
    let out = p.run(&["--format", "json", "repo/src/main.rs"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.findings(), vec![], "{}", out.all());
    // The pooled value inside the repository is found the same way.
    p.write("repo/.env", &format!("DATABASE_URL={POOLED}\n"));
    let out = p.run(&["--format", "json", "repo/src/main.rs"]);
    assert!(
        out.findings()
            .iter()
            .any(|f| f.0 == "NL020" && f.2 == "repo/src/main.rs"),
        "{}",
        out.all()
    );
}

/// A monorepo's root `netlify.toml` (above every manifest) gives every program its
/// variables, as a root `.env` does: a named file is judged with it.
#[test]
fn a_root_platform_file_is_context_for_every_program() {
    let p = Project::new(&[
        (
            "netlify.toml",
            &format!("[build]\nbase = \"apps/web\"\n\n[build.environment]\nDATABASE_URL = \"{POOLED}\"\n"),
        ),
        ("apps/web/package.json", "{\"name\": \"web\"}\n"),
        (
            "apps/web/src/db.ts",
            "import postgres from \"postgres\";\nexport const sql = postgres(process.env.DATABASE_URL!);\n",
        ),
    ]);
    let nl010 = |f: &[(String, String, String, u64)]| -> Vec<(String, u64)> {
        f.iter()
            .filter(|x| x.0 == "NL010")
            .map(|x| (x.2.clone(), x.3))
            .collect()
    };
    let full = p.run(&["--format", "json"]);
    assert_eq!(
        nl010(&full.findings()),
        [("apps/web/src/db.ts".to_string(), 2)],
        "{}",
        full.all()
    );
    let named = p.run(&["--format", "json", "apps/web/src/db.ts"]);
    assert_eq!(
        nl010(&named.findings()),
        nl010(&full.findings()),
        "{}",
        named.all()
    );
}
