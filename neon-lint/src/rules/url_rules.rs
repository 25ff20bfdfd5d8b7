//! Runs the core's URL rules on every connection string found, mapping spans and fixes from
//! string offsets to file bytes.

use neon_lint_core::rule::UrlFinding;
use neon_lint_core::{UrlContext, UrlInput};

use super::pooled_url_in_direct_variable::says_direct;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, FileEdit, FileFix};
use crate::project::Project;
use crate::site::UrlSite;

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for site in &project.urls {
        let mut ctx = context(site, config);
        ctx.tls_beside = super::client_values::tls_beside(project, site);
        ctx.reader = reader_of(project, site);
        let input = UrlInput::new(&site.text, &ctx);
        for f in neon_lint_core::rules::check_all(&input) {
            // A pooled URL in a variable named for direct use is reported once, by
            // `pooled-url-in-direct-variable`, which can say more.
            if f.rule.code == "NL020" && site.key.as_deref().is_some_and(|k| says_direct(k, config))
            {
                continue;
            }
            out.push(to_diagnostic(site, f));
        }
    }
}

/// The core's view of a site's surroundings.
///
/// A variable named for direct use (`DATABASE_URL_UNPOOLED`, `DIRECT_URL`) holds the URL
/// migrations and other session-level work use, so its role is Migration.
pub(crate) fn context(site: &UrlSite, config: &Config) -> UrlContext {
    let direct_key = site.key.as_deref().is_some_and(|k| says_direct(k, config));
    let role = if site.role == neon_lint_core::Role::Unknown && direct_key {
        neon_lint_core::Role::Migration
    } else {
        site.role
    };
    UrlContext {
        role,
        role_evidence: site.role_evidence.clone(),
        placement: site.placement,
        tls_beside: false,
        overrides: config.hosts.clone(),
        reader: neon_lint_core::Reader::Unknown,
    }
}

/// Who reads the string at `site`: the driver whose call takes it as a literal, Prisma for
/// `schema.prisma`; otherwise unknown (a value in `.env` may be read by several programs).
pub(crate) fn reader_of(project: &Project, site: &UrlSite) -> neon_lint_core::Reader {
    if project.files[site.file].kind == crate::classify::FileKind::Prisma {
        return neon_lint_core::Reader::Prisma;
    }
    project
        .clients
        .iter()
        .find(|c| {
            c.file == site.file
                && matches!(&c.url, crate::site::UrlSource::Literal { text, map }
                    if text == &site.text && map == &site.map)
        })
        .map_or(neon_lint_core::Reader::Unknown, |c| c.driver.reader())
}

/// The context for a value written in `file` whose use is otherwise unknown.
pub(crate) fn context_for(
    project: &Project,
    file: crate::source::FileId,
    config: &Config,
) -> UrlContext {
    UrlContext {
        placement: crate::extract::placement_of(&project.files[file]),
        overrides: config.hosts.clone(),
        ..UrlContext::default()
    }
}

/// A URL finding placed in the site's file.
pub(crate) fn to_diagnostic(site: &UrlSite, f: UrlFinding) -> Diagnostic {
    let map = &site.map;
    let fix = f.fix.and_then(|fix| {
        if !map.is_exact() {
            return None;
        }
        Some(FileFix {
            applicability: fix.applicability,
            title: fix.title,
            edits: fix
                .edits
                .into_iter()
                .map(|e| FileEdit {
                    range: map.range(e.range),
                    content: e.content,
                })
                .collect(),
        })
    });
    Diagnostic {
        rule: f.rule,
        level: f.rule.default_level,
        file: site.file,
        span: map.range(f.span),
        message: f.message,
        label: f.label,
        help: f.help,
        secondary: f
            .secondary
            .into_iter()
            .map(|(r, l)| (map.range(r), l))
            .collect(),
        fix,
    }
}
