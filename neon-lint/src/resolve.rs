//! The project-wide pass: what each connection string is for, and which values a variable
//! can have.
//!
//! Roles come from well-known keys (Alembic's `sqlalchemy.url`, Flyway and Liquibase URLs
//! run migrations). Variables resolve through the project's bindings (`.env*`, compose, CI,
//! `.cargo/config.toml [env]`), never by guessing: an unknown variable stays unknown.

mod commands;
mod edge;
mod js_link;
pub mod programs;
mod py_link;
mod rust_link;

use neon_lint_core::Role;

use crate::project::Project;
use crate::site::UrlSource;
use crate::source::FileId;

/// Keys whose value is the URL migrations run on, with the evidence shown to users.
const MIGRATION_KEYS: &[(&str, &str, &str)] = &[
    // (file name suffix or "" for any, key suffix, evidence)
    (
        "alembic.ini",
        "sqlalchemy.url",
        "alembic.ini `sqlalchemy.url`",
    ),
    ("", "flyway.url", "Flyway `flyway.url`"),
    ("liquibase.properties", "url", "Liquibase `url`"),
    ("", "liquibase.url", "Liquibase `url`"),
];

/// Fills in roles and evidence.
pub fn resolve(project: &mut Project) {
    project.programs = programs::Programs::find(project);
    // Rust sites whose URL depends on other files of their crate; Cargo inheritance.
    rust_link::link(project);
    // JavaScript migration runs and SQL uses whose client another file exports.
    js_link::link(project);
    // Python set-ups whose URL is a name another module defines.
    py_link::link(project);
    // Migration commands in scripts, CI and containers: which URL each one runs on.
    commands::resolve(project);
    for site in &mut project.urls {
        let Some(key) = site.key.as_deref() else {
            continue;
        };
        let file = &project.files[site.file];
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        for (file_suffix, key_suffix, evidence) in MIGRATION_KEYS {
            let key_matches = key == *key_suffix || key.ends_with(&format!(".{key_suffix}"));
            if key_matches && (file_suffix.is_empty() || name.ends_with(file_suffix)) {
                site.role = Role::Migration;
                site.role_evidence = Some((*evidence).to_string());
            }
        }
    }
}

pub use crate::project::ResolvedUrl;

/// Every value `source` can take in this project (empty when unknown).
pub fn resolve_source(project: &Project, source: &UrlSource, at_file: FileId) -> Vec<ResolvedUrl> {
    project.values_of_source(source, at_file)
}
