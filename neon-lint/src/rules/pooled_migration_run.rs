//! The project-level half of `pooled-migration-url` (NL020, documented in the core with the
//! URL-level half): a migration run whose URL resolves to a pooled host.

use neon_lint_core::rules::pooled_migration_url::POOLED_MIGRATION_URL;
use neon_lint_core::UrlInput;

use super::url_rules::context_for;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::resolve::resolve_source;

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
            out.push(Diagnostic {
                rule: &POOLED_MIGRATION_URL,
                level: POOLED_MIGRATION_URL.default_level,
                file: run.file,
                span: run.span.clone(),
                message: format!("`{}` runs migrations on a pooled URL{via}", run.tool),
                label: "migrations through PgBouncer in transaction mode".into(),
                help: Some(match input.neon().and_then(|n| n.endpoint_id.clone()) {
                    Some(ep) => format!("run migrations on the direct host `{ep}` (no `-pooler`), e.g. from `DATABASE_URL_UNPOOLED`"),
                    None => "run migrations on the direct (non-pooled) host".into(),
                }),
                secondary,
                fix: None,
            });
            break;
        }
    }
}
