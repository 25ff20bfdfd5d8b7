//! The project-wide pass: what each connection string is for, from where it sits.
//!
//! Today this assigns roles from well-known keys (Alembic's `sqlalchemy.url`, Flyway and
//! Liquibase URLs run migrations). Variable flow (a pool reading `DATABASE_URL`, a migration
//! command's environment) builds on the same pass.

use neon_lint_core::Role;

use crate::project::Project;

/// Keys whose value is the URL migrations run on, with the evidence shown to users.
const MIGRATION_KEYS: &[(&str, &str, &str)] = &[
    // (file name suffix or "" for any, key suffix, evidence)
    ("alembic.ini", "sqlalchemy.url", "alembic.ini `sqlalchemy.url`"),
    ("", "flyway.url", "Flyway `flyway.url`"),
    ("liquibase.properties", "url", "Liquibase `url`"),
    ("", "liquibase.url", "Liquibase `url`"),
];

/// Fills in roles and evidence.
pub fn resolve(project: &mut Project) {
    for site in &mut project.urls {
        let Some(key) = site.key.as_deref() else { continue };
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
