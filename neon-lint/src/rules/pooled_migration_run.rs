//! The project-level half of `pooled-migration-url` (NL020, documented in the core with the
//! URL-level half): a migration run whose URL resolves to a pooled host. Also the walk that
//! `pooled-dump-restore` (NL023) shares: runs of one kind of work on a pooled URL.

use neon_lint_core::rules::pooled_migration_url::POOLED_MIGRATION_URL;
use neon_lint_core::{Level, UrlInput};

use super::connection_values::Judged;
use super::url_rules::context_for;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{MigrationRun, Work};

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    pooled_runs(project, config, Work::Migration, |run, pooled| {
        out.push(pooled.diagnostic(
            run,
            &POOLED_MIGRATION_URL,
            POOLED_MIGRATION_URL.default_level,
            format!(
                "`{}` runs migrations on a pooled URL{}",
                run.tool, pooled.via
            ),
            "migrations through PgBouncer in transaction mode",
            "migrations",
        ));
    });
}

/// What a run on a pooled URL was found with.
pub(super) struct PooledRun {
    /// ` through DATABASE_URL (set in .env:1)`, or empty.
    pub via: String,
    /// The pooled host's span, when it is in the run's own file.
    host: Option<std::ops::Range<usize>>,
    /// The direct endpoint's id, when the host is Neon's.
    endpoint: Option<String>,
}

impl PooledRun {
    /// The finding at `run`, with the direct host to use instead.
    pub(super) fn diagnostic(
        &self,
        run: &MigrationRun,
        rule: &'static neon_lint_core::rule::RuleMeta,
        level: Level,
        message: String,
        label: &str,
        what: &str,
    ) -> Diagnostic {
        Diagnostic::new(rule, run.file, run.span.clone(), message, label)
            .level(level)
            .help(match &self.endpoint {
                Some(ep) => format!("run {what} on the direct host `{ep}` (no `-pooler`), e.g. from `DATABASE_URL_UNPOOLED`"),
                None => format!("run {what} on the direct (non-pooled) host"),
            })
            .secondary(
                self.host
                    .iter()
                    .map(|h| (h.clone(), "pooled host".to_string()))
                    .collect(),
            )
    }
}

/// Calls `found` once for each run of `work` whose URL takes a pooled value (the first such
/// value).
pub(super) fn pooled_runs(
    project: &Project,
    config: &Config,
    work: Work,
    mut found: impl FnMut(&MigrationRun, PooledRun),
) {
    for run in project.migrations.iter().filter(|r| r.work == work) {
        for value in Judged::of(project, &run.url, run.file).values {
            let ctx = context_for(project, value.file, config);
            let input = UrlInput::new(&value.text, &ctx);
            if !input.is_pooled() {
                continue;
            }
            found(
                run,
                PooledRun {
                    via: value
                        .via
                        .clone()
                        .map(|v| format!(" through {v}"))
                        .unwrap_or_default(),
                    // A secondary label can only point into the same file.
                    host: (value.file == run.file).then(|| value.map.range(input.host_span())),
                    endpoint: input.neon().and_then(|n| n.endpoint_id.clone()),
                },
            );
            break;
        }
    }
}
