use neon_lint_core::{Placement, UrlInput};

use super::url_rules::context;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds a variable whose name says "direct" (`*_UNPOOLED`, `DIRECT_URL`,
    /// `*_NON_POOLING`, `*_DIRECT*`, `*MIGRAT*`, plus the names configured in
    /// `direct-variables`) holding a pooled (`-pooler`) URL, and the swapped pair: the
    /// `_UNPOOLED` variable pooled while its plain sibling is direct.
    ///
    /// ## Why is this bad?
    /// Tools read these variables precisely because they must not go through the pooler:
    /// Prisma's `directUrl`, Vercel's `POSTGRES_URL_NON_POOLING` and Neon's
    /// `DATABASE_URL_UNPOOLED` feed migrations, `LISTEN`, session advisory locks and
    /// `pg_dump`. Through PgBouncer in transaction mode those fail or misbehave
    /// (`prepared statement "s0" already exists`, locks held by someone else).
    ///
    /// ## Example
    /// ```text
    /// DATABASE_URL=postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// DATABASE_URL_UNPOOLED=postgresql://alex:****@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ## Use instead
    /// The direct host (no `-pooler`) in the direct variable; the pooled one in the app's.
    pub static POOLED_URL_IN_DIRECT_VARIABLE = {
        code: "NL022",
        name: "pooled-url-in-direct-variable",
        level: Error,
        group: Migrations,
        summary: "variable named for a direct connection holds a pooled URL",
        fixable: false,
    };
}

/// Whether a variable's name says it holds a direct (non-pooled) URL.
pub(crate) fn says_direct(name: &str, config: &Config) -> bool {
    let upper = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    upper.contains("UNPOOLED")
        || upper.contains("NON_POOLING")
        || upper.contains("NONPOOLING")
        || upper.contains("DIRECT")
        || upper.contains("MIGRAT")
        || config
            .direct_variables
            .iter()
            .any(|v| v.eq_ignore_ascii_case(name))
}

/// The plain sibling of a direct variable: `DATABASE_URL_UNPOOLED` -> `DATABASE_URL`.
fn sibling(name: &str) -> Option<String> {
    for suffix in ["_UNPOOLED", "_NON_POOLING", "_DIRECT"] {
        if let Some(base) = name.strip_suffix(suffix) {
            return Some(base.to_string());
        }
    }
    None
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for site in &project.urls {
        let Some(key) = site.key.as_deref() else {
            continue;
        };
        // Templates and docs illustrate; only the secrets rules judge them.
        if matches!(site.placement, Placement::Example | Placement::Docs) {
            continue;
        }
        if !says_direct(key, config) {
            continue;
        }
        let ctx = context(site, config);
        let input = UrlInput::new(&site.text, &ctx);
        if !input.is_pooled() {
            continue;
        }
        // Is the plain sibling in the same file direct? Then the two look swapped.
        let swapped = sibling(key).and_then(|base| {
            project.urls.iter().find(|other| {
                other.file == site.file && other.key.as_deref() == Some(base.as_str()) && {
                    let octx = context(other, config);
                    let o = UrlInput::new(&other.text, &octx);
                    o.is_linted_host() && !o.is_pooled()
                }
            })
        });
        let mut secondary = Vec::new();
        let mut help = "use the direct host (without `-pooler`) in this variable".to_string();
        if let Some(other) = swapped {
            let base = other.key.clone().unwrap_or_default();
            secondary.push((
                other.map.range(0..other.text.len()),
                format!("while `{base}` is direct"),
            ));
            help = format!("the two look swapped: `{key}` should hold the direct URL and `{base}` the pooled one");
        }
        let host_span = input.host_span();
        out.push(
            Diagnostic::new(
                &POOLED_URL_IN_DIRECT_VARIABLE,
                site.file,
                site.map.range(host_span),
                format!("`{key}` is meant for direct connections but holds a pooled URL"),
                "`-pooler` host",
            )
            .help(help)
            .secondary(secondary),
        );
    }
}
