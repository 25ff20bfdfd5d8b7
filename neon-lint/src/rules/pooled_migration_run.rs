//! The project-level half of `pooled-migration-url` (NL020, documented in the core with the
//! URL-level half): a migration run whose URL resolves to a pooled host.

use neon_lint_core::rules::pooled_migration_url::POOLED_MIGRATION_URL;
use neon_lint_core::UrlInput;

use super::url_rules::context_for;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::resolve::resolve_source;
use crate::site::Work;

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for run in &project.migrations {
        for value in resolve_source(project, &run.url, run.file) {
            let ctx = context_for(project, value.file, config);
            let input = UrlInput::new(&value.text, &ctx);
            if !input.is_pooled() {
                continue;
            }
            let mut secondary = Vec::new();
            // A secondary label can only point into the same file.
            if value.file == run.file {
                secondary.push((
                    value.map.range(input.host_span()),
                    "pooled host".to_string(),
                ));
            }
            let via = value
                .via
                .clone()
                .map(|v| format!(" through {v}"))
                .unwrap_or_default();
            let (message, label, what) = match run.work {
                Work::Migration => (
                    format!("`{}` runs migrations on a pooled URL{via}", run.tool),
                    "migrations through PgBouncer in transaction mode",
                    "migrations",
                ),
                // Neon's pooling guide: `pg_dump`/`pg_restore` need the direct connection
                // (they use `SET` statements).
                Work::DumpRestore => (
                    format!(
                        "`{}` runs through the pooler{via}: its session `SET`s do not hold in transaction mode",
                        run.tool
                    ),
                    "a dump or restore through PgBouncer in transaction mode",
                    "it",
                ),
            };
            out.push(Diagnostic {
                rule: &POOLED_MIGRATION_URL,
                level: POOLED_MIGRATION_URL.default_level,
                file: run.file,
                span: run.span.clone(),
                message,
                label: label.into(),
                help: Some(match input.neon().and_then(|n| n.endpoint_id.clone()) {
                    Some(ep) => format!("run {what} on the direct host `{ep}` (no `-pooler`), e.g. from `DATABASE_URL_UNPOOLED`"),
                    None => format!("run {what} on the direct (non-pooled) host"),
                }),
                secondary,
                fix: None,
            });
            break;
        }
    }
}
