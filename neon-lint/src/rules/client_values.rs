//! What a driver set-up call connects to: every value its URL source takes in the project,
//! with the rewrites written on it applied (`url.replace("postgresql://",
//! "postgresql+asyncpg://")`), and, for Django entries whose `HOST` is read from a variable,
//! the host that variable holds. Shared by the rules that judge driver settings.

use neon_lint_core::{UrlContext, UrlInput};

use super::url_rules::context_for;
use crate::config::Config;
use crate::project::Project;
use crate::project::ResolvedUrl;
use crate::site::{ClientSetup, Driver, OffsetMap, UrlSource};

/// Every value the client's URL can take (empty when unknown).
pub(crate) fn client_values(project: &Project, client: &ClientSetup) -> Vec<ResolvedUrl> {
    let rewrites: Vec<(&str, &str)> = client
        .settings
        .iter()
        .filter(|s| s.name == "url.replace")
        .filter_map(|s| s.value.split_once('\n'))
        .collect();
    let mut values = project.values_of_source(&client.url, client.file);
    if values.is_empty() && client.driver == Driver::Django {
        // `"HOST": os.environ["PGHOST"]`: the host is enough to tell Neon and the pooler.
        if let Some(var) = client
            .settings
            .iter()
            .find(|s| s.name == "HOST")
            .and_then(|s| s.value.strip_prefix("${"))
            .and_then(|v| v.strip_suffix('}'))
        {
            values = project
                .values_of_source(&UrlSource::EnvVar(var.to_string()), client.file)
                .into_iter()
                .map(|mut v| {
                    let span = v.span();
                    v.text = format!("host={}", v.text);
                    v.map = OffsetMap::Opaque { span };
                    v
                })
                .collect();
        }
    }
    if rewrites.is_empty() {
        return values;
    }
    values
        .into_iter()
        .map(|mut v| {
            let span = v.span();
            for (from, to) in &rewrites {
                v.text = v.text.replace(from, to);
            }
            // Offsets into the rewritten text no longer match the file.
            v.map = OffsetMap::Opaque { span };
            v
        })
        .collect()
}

/// The context a value is judged in.
pub(crate) fn value_context(project: &Project, value: &ResolvedUrl, config: &Config) -> UrlContext {
    context_for(project, value.file, config)
}

/// The first value whose parsed form satisfies `test`.
fn first_value(
    project: &Project,
    config: &Config,
    values: &[ResolvedUrl],
    test: impl Fn(&UrlInput) -> bool,
) -> Option<ResolvedUrl> {
    values
        .iter()
        .find(|v| {
            let ctx = value_context(project, v, config);
            test(&UrlInput::new(&v.text, &ctx))
        })
        .cloned()
}

/// The first value that is on a pooled host, with how we know.
pub(crate) fn pooled_value(
    project: &Project,
    config: &Config,
    values: &[ResolvedUrl],
) -> Option<ResolvedUrl> {
    first_value(project, config, values, |u| u.is_pooled())
}

/// The first value that is a Neon (or configured) host.
pub(crate) fn neon_value(
    project: &Project,
    config: &Config,
    values: &[ResolvedUrl],
) -> Option<ResolvedUrl> {
    first_value(project, config, values, |u| u.is_linted_host())
}

/// "` through `DATABASE_URL`, set in `.env``" for messages, or nothing for a literal.
pub(crate) fn via(value: &ResolvedUrl) -> String {
    value
        .via
        .as_ref()
        .map(|v| format!(" (through {v})"))
        .unwrap_or_default()
}

/// Whether TLS is configured beside the URL at `site`, so that a URL without `sslmode` is
/// no finding: a driver call takes this literal and sets TLS in its options (asyncpg
/// `ssl=`, psycopg `sslmode=`, SQLAlchemy `connect_args={"ssl": ...}`,
/// `dj_database_url.config(ssl_require=True)`, node-postgres `ssl: true`, postgres.js
/// `ssl: "require"`, any `@neondatabase/serverless` client); or the site is the value of
/// a variable, and every driver call in the project that reads that variable (and that the
/// value reaches) sets TLS so.
pub(crate) fn tls_beside(project: &Project, site: &crate::site::UrlSite) -> bool {
    let literal = project.clients.iter().any(|c| {
        c.file == site.file
            && matches!(&c.url, UrlSource::Literal { text, map } if text == &site.text && map == &site.map)
            && crate::drivers::sets_tls(c)
    });
    if literal {
        return true;
    }
    let Some(name) = site.key.as_deref() else {
        return false;
    };
    let same = |b: &&crate::site::EnvBinding| {
        b.file == site.file && b.name == name && b.value == site.text && b.map == site.map
    };
    // The name's index (linear in the tree) for real values; templates are not in it.
    let is_binding = if site.placement == neon_lint_core::Placement::Example {
        project.bindings.iter().any(|b| same(&b))
    } else {
        project.values_of(name).iter().any(same)
    };
    if !is_binding {
        return false;
    }
    let from_env_file = project.program_scoped(site.file);
    let mut readers = project.clients.iter().filter(|c| {
        matches!(&c.url, UrlSource::EnvVar(v) if v == name)
            && (!from_env_file || project.programs.env_reaches(site.file, c.file))
    });
    let mut any = false;
    let all = readers.all(|c| {
        any = true;
        crate::drivers::sets_tls(c)
    });
    any && all
}

/// Whether a setting value means zero (`0`, `"0"`).
pub(crate) fn is_zero(v: &str) -> bool {
    v.trim().trim_matches(['"', '\'']) == "0"
}

/// Whether a setting value is Python's `True`.
pub(crate) fn is_true(v: &str) -> bool {
    matches!(v.trim(), "True" | "true" | "1")
}
