//! Every rule: the URL rules of `neon-lint-core` (run on each connection string found) and
//! the project rules below (which need more than one string: variables, git, tokens).
//! Adding a rule: one file here (or in the core for URL rules) and one registry line.

mod committed_env_file;
mod neon_api_key;
mod pooled_migration_run;
mod pooled_url_in_direct_variable;
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
        meta: &pooled_url_in_direct_variable::POOLED_URL_IN_DIRECT_VARIABLE,
        check: pooled_url_in_direct_variable::check,
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
    pooled_migration_run::check(project, config, &mut out);
    for rule in PROJECT_RULES {
        (rule.check)(project, config, &mut out);
    }
    for d in &mut out {
        d.level = config.level(d.rule);
    }
    out.retain(|d| d.level != neon_lint_core::Level::Allow);
    out
}
