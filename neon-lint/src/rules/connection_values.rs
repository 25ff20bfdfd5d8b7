//! What a driver set-up, a migration run or a SQL use connects to, judged: every value its
//! URL source takes in the project, and whether one is a Neon host, a pooled host. Shared by
//! the driver rules (NL010, NL011, NL030-NL034, NL040, NL041).

use std::ops::Range;

use neon_lint_core::UrlInput;

use super::url_rules::context_for;
use crate::config::Config;
use crate::project::Project;
pub(crate) use crate::project::ResolvedUrl;
use crate::site::{ClientSetup, Container, UrlSource};
use crate::source::FileId;

/// What the values of a URL source say.
pub(crate) struct Judged {
    /// Every value (empty: unknown).
    pub values: Vec<ResolvedUrl>,
}

impl Judged {
    /// Resolves `url`, written in `file`.
    pub fn of(project: &Project, url: &UrlSource, file: FileId) -> Judged {
        Judged {
            values: project.values_of_source(url, file),
        }
    }

    /// The first value that satisfies `pred`.
    pub fn find(
        &self,
        project: &Project,
        config: &Config,
        pred: impl Fn(&UrlInput) -> bool,
    ) -> Option<&ResolvedUrl> {
        self.values.iter().find(|v| {
            let ctx = context_for(project, v.file, config);
            pred(&UrlInput::new(&v.text, &ctx))
        })
    }

    /// The first value on a Neon (or configured) host.
    pub fn neon(&self, project: &Project, config: &Config) -> Option<&ResolvedUrl> {
        self.find(project, config, |u| u.is_linted_host())
    }

    /// The first value on a pooled host.
    pub fn pooled(&self, project: &Project, config: &Config) -> Option<&ResolvedUrl> {
        self.find(project, config, |u| u.is_pooled())
    }

    /// Whether nothing is known of the URL.
    pub fn unknown(&self) -> bool {
        self.values.is_empty()
    }
}

/// Why a security rule judges a connection as going to Neon.
pub(crate) enum NeonEvidence<'a> {
    /// A value of its URL is a Neon host.
    Value(&'a ResolvedUrl),
    /// Its URL is unknown, and every database URL of the project is a Neon one.
    OnlyNeonProject,
}

impl NeonEvidence<'_> {
    /// Text for messages: " (through `DATABASE_URL`, set in `.env`)", or the fallback's.
    pub fn because(&self) -> String {
        match self {
            NeonEvidence::Value(v) => via(v),
            NeonEvidence::OnlyNeonProject => {
                " (its URL is not known here, and every database URL of this project is a Neon one)"
                    .to_string()
            }
        }
    }
}

/// For the security rules (plaintext, TLS checks off): a Neon value, or, when the URL is
/// unknown and the call is not test code, a project whose only database URLs are Neon's.
pub(crate) fn neon_evidence<'a>(
    project: &Project,
    config: &Config,
    judged: &'a Judged,
    in_test: bool,
    only_neon: &mut Option<bool>,
) -> Option<NeonEvidence<'a>> {
    if let Some(v) = judged.neon(project, config) {
        return Some(NeonEvidence::Value(v));
    }
    if !judged.unknown() || in_test {
        return None;
    }
    let only = *only_neon.get_or_insert_with(|| only_neon_databases(project, config));
    only.then_some(NeonEvidence::OnlyNeonProject)
}

/// Whether the project's database URLs (outside docs and examples) are all Neon hosts, and
/// there is at least one.
pub(crate) fn only_neon_databases(project: &Project, config: &Config) -> bool {
    let mut any = false;
    for u in &project.urls {
        if matches!(
            u.placement,
            neon_lint_core::Placement::Docs | neon_lint_core::Placement::Example
        ) {
            continue;
        }
        // Templates (`postgres://{}:{}@{}/{}`) are not databases.
        if u.container == Container::RustLiteral && (u.text.contains('{') || u.text.contains("${"))
        {
            continue;
        }
        let ctx = context_for(project, u.file, config);
        let input = UrlInput::new(&u.text, &ctx);
        if input.hosts.is_empty() {
            continue;
        }
        if !input.is_linted_host() {
            return false;
        }
        any = true;
    }
    any
}

/// Whether the project connects to Neon anywhere (a Neon URL outside docs).
pub(crate) fn project_uses_neon(project: &Project, config: &Config) -> bool {
    project.urls.iter().any(|u| {
        u.placement != neon_lint_core::Placement::Docs && {
            let ctx = context_for(project, u.file, config);
            UrlInput::new(&u.text, &ctx).is_neon()
        }
    })
}

/// Whether the project is a Neon project: a Neon URL outside docs, or a client of Neon's
/// serverless driver (whose URL may live only in the platform's settings).
pub(crate) fn project_on_neon(project: &Project, config: &Config) -> bool {
    project
        .clients
        .iter()
        .any(|c| c.driver == crate::site::Driver::NeonServerless)
        || project_uses_neon(project, config)
}

/// "` (through `DATABASE_URL`, set in `.env`)`" for messages, or nothing for a literal.
pub(crate) fn via(value: &ResolvedUrl) -> String {
    value
        .via
        .as_ref()
        .map(|v| format!(" (through {v})"))
        .unwrap_or_default()
}

/// A secondary label on `value` when it is written in `file` (a literal at the call).
pub(crate) fn value_label(
    value: &ResolvedUrl,
    file: FileId,
    label: &str,
) -> Vec<(Range<usize>, String)> {
    if value.file == file && value.map.is_exact() {
        vec![(value.span(), label.to_string())]
    } else {
        Vec::new()
    }
}

/// Whether the set-up sits in test code (`#[cfg(test)]`, `#[test]`).
pub(crate) fn in_test(c: &ClientSetup) -> bool {
    c.setting("in_test").is_some()
}

pub(crate) use crate::drivers::rust::{duration_secs, is_tls_connector};
