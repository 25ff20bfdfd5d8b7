//! Every rule: the URL rules of `neon-lint-core` (run on each connection string found) and
//! the project rules below (which need more than one string: variables, git, tokens).
//! Adding a rule: one file here (or in the core for URL rules) and one registry line.

mod alembic_percent_escape;
mod client_values;
mod client_without_sni;
mod committed_env_file;
mod connect_timeout_too_low;
mod connection_values;
mod diesel_async_without_tls;
mod missing_direct_url;
mod missing_dotenv_dependency;
mod missing_tls_feature;
mod neon_api_key;
mod no_ssl_variable;
mod plaintext_connector;
mod pooled_dump_restore;
mod pooled_migration_run;
mod pooled_url_in_direct_variable;
mod server_side_cursors_on_pooler;
mod session_state_on_pooler;
mod stale_pool;
mod startup_options_beside_url;
mod statement_cache_on_pooler;
mod tcp_driver_on_edge;
mod tls_verification_disabled;
mod unsupported_driver_parameter;
pub mod unused_suppression;
mod url_rules;

use neon_lint_core::rule::RuleMeta;
use neon_lint_core::rules::URL_RULES;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// A rule that reads the whole project.
pub struct ProjectRule {
    /// Identity and docs.
    pub meta: &'static RuleMeta,
    /// Appends findings.
    pub check: fn(&Project, &Config, &mut Vec<Diagnostic>),
}

/// Project rules, in code order.
pub static PROJECT_RULES: &[ProjectRule] = &[
    ProjectRule {
        meta: &statement_cache_on_pooler::STATEMENT_CACHE_ON_POOLER,
        check: statement_cache_on_pooler::check,
    },
    ProjectRule {
        meta: &session_state_on_pooler::SESSION_STATE_ON_POOLER,
        check: session_state_on_pooler::check,
    },
    ProjectRule {
        meta: &server_side_cursors_on_pooler::SERVER_SIDE_CURSORS_ON_POOLER,
        check: server_side_cursors_on_pooler::check,
    },
    ProjectRule {
        meta: &missing_direct_url::MISSING_DIRECT_URL,
        check: missing_direct_url::check,
    },
    ProjectRule {
        meta: &pooled_url_in_direct_variable::POOLED_URL_IN_DIRECT_VARIABLE,
        check: pooled_url_in_direct_variable::check,
    },
    ProjectRule {
        meta: &pooled_dump_restore::POOLED_DUMP_RESTORE,
        check: pooled_dump_restore::check,
    },
    ProjectRule {
        meta: &plaintext_connector::PLAINTEXT_CONNECTOR,
        check: plaintext_connector::check,
    },
    ProjectRule {
        meta: &diesel_async_without_tls::DIESEL_ASYNC_WITHOUT_TLS,
        check: diesel_async_without_tls::check,
    },
    ProjectRule {
        meta: &missing_tls_feature::MISSING_TLS_FEATURE,
        check: missing_tls_feature::check,
    },
    ProjectRule {
        meta: &unsupported_driver_parameter::UNSUPPORTED_DRIVER_PARAMETER,
        check: unsupported_driver_parameter::check,
    },
    ProjectRule {
        meta: &tls_verification_disabled::TLS_VERIFICATION_DISABLED,
        check: tls_verification_disabled::check,
    },
    ProjectRule {
        meta: &tcp_driver_on_edge::TCP_DRIVER_ON_EDGE,
        check: tcp_driver_on_edge::check,
    },
    ProjectRule {
        meta: &stale_pool::STALE_POOL,
        check: stale_pool::check,
    },
    ProjectRule {
        meta: &connect_timeout_too_low::CONNECT_TIMEOUT_TOO_LOW,
        check: connect_timeout_too_low::check,
    },
    ProjectRule {
        meta: &missing_dotenv_dependency::MISSING_DOTENV_DEPENDENCY,
        check: missing_dotenv_dependency::check,
    },
    ProjectRule {
        meta: &alembic_percent_escape::ALEMBIC_PERCENT_ESCAPE,
        check: alembic_percent_escape::check,
    },
    ProjectRule {
        meta: &client_without_sni::CLIENT_WITHOUT_SNI,
        check: client_without_sni::check,
    },
    ProjectRule {
        meta: &committed_env_file::COMMITTED_ENV_FILE,
        check: committed_env_file::check,
    },
    ProjectRule {
        meta: &neon_api_key::NEON_API_KEY,
        check: neon_api_key::check,
    },
];

/// Every rule's metadata, sorted by code.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = URL_RULES
        .iter()
        .map(|r| r.meta)
        .chain(PROJECT_RULES.iter().map(|r| r.meta))
        .chain([&unused_suppression::UNUSED_SUPPRESSION])
        .collect();
    v.sort_by_key(|r| r.code);
    v
}

/// A rule by name or code (case-insensitive code).
pub fn find(name: &str) -> Option<&'static RuleMeta> {
    all()
        .into_iter()
        .find(|r| r.name == name || r.code.eq_ignore_ascii_case(name))
}

/// Runs every rule over the project; levels from `config`, allowed rules dropped.
pub fn run(project: &Project, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    url_rules::check(project, config, &mut out);
    no_ssl_variable::check(project, config, &mut out);
    pooled_migration_run::check(project, config, &mut out);
    startup_options_beside_url::check(project, config, &mut out);
    for rule in PROJECT_RULES {
        (rule.check)(project, config, &mut out);
    }
    // A configured level wins; otherwise a finding keeps its own, which a rule may set
    // below its default (a case that holds only on some platforms).
    for d in &mut out {
        d.level = config.levels.get(d.rule.name).copied().unwrap_or(d.level);
    }
    out.retain(|d| d.level != neon_lint_core::Level::Allow);
    out
}
