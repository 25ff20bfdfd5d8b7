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
mod rust_link;

use std::ops::Range;

use neon_lint_core::Role;

use crate::project::Project;
use crate::site::{OffsetMap, UrlSource};
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

/// One concrete value a [`UrlSource`] can take, with where it was written.
#[derive(Debug, Clone)]
pub struct ResolvedUrl {
    /// The connection string.
    pub text: String,
    /// The file it is written in.
    pub file: FileId,
    /// How offsets in `text` map into that file.
    pub map: OffsetMap,
    /// How we got there, for messages ("`DATABASE_URL`, set in `.env`").
    pub via: Option<String>,
}

impl ResolvedUrl {
    /// File span of the whole value.
    pub fn span(&self) -> Range<usize> {
        self.map.range(0..self.text.len())
    }
}

/// Every value `source` can take in this project (empty when unknown).
pub fn resolve_source(project: &Project, source: &UrlSource, at_file: FileId) -> Vec<ResolvedUrl> {
    match source {
        UrlSource::Literal { text, map } => vec![ResolvedUrl {
            text: text.clone(),
            file: at_file,
            map: map.clone(),
            via: None,
        }],
        // A `.env` value (or a `vercel.json`, `netlify.toml`, `wrangler.*` one) reaches
        // only the program that owns its folder (see `programs`).
        UrlSource::EnvVar(name) => project
            .values_of(name)
            .into_iter()
            .filter(|b| {
                !programs::program_scoped(&project.files[b.file])
                    || project.programs.env_reaches(b.file, at_file)
            })
            .map(|b| ResolvedUrl {
                text: b.value.clone(),
                file: b.file,
                map: b.map.clone(),
                via: Some(format!(
                    "`{name}`, set in `{}`",
                    project.files[b.file].display
                )),
            })
            .collect(),
        UrlSource::Unknown => Vec::new(),
    }
}
