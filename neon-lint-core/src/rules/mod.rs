//! The rules that judge one connection string. One file per rule; the doc comment on its
//! `declare_rule!` is its documentation.

pub mod deprecated_region;
pub mod endpoint_mismatch;
pub mod hardcoded_credentials;
pub mod insecure_sslmode;
pub mod invalid_conninfo;
pub mod missing_sni;
pub mod missing_sslmode;
pub mod owner_role_in_app;
pub mod placeholder_credentials;
pub mod pooled_migration_url;
pub mod secrets;
pub mod startup_options_on_pooler;
pub mod unverified_tls;
pub mod wrong_port;

use crate::rule::{RuleMeta, UrlFinding};
use crate::url::UrlInput;

/// A URL rule: its identity and its check.
pub struct UrlRule {
    /// Code, name, level, docs.
    pub meta: &'static RuleMeta,
    /// Appends findings for one string.
    pub check: fn(&UrlInput, &mut Vec<UrlFinding>),
}

/// Every URL rule, in code order.
pub static URL_RULES: &[UrlRule] = &[
    UrlRule {
        meta: &missing_sslmode::MISSING_SSLMODE,
        check: missing_sslmode::check,
    },
    UrlRule {
        meta: &insecure_sslmode::INSECURE_SSLMODE,
        check: insecure_sslmode::check,
    },
    UrlRule {
        meta: &unverified_tls::UNVERIFIED_TLS,
        check: unverified_tls::check,
    },
    UrlRule {
        meta: &invalid_conninfo::INVALID_CONNINFO,
        check: invalid_conninfo::check,
    },
    UrlRule {
        meta: &missing_sni::MISSING_SNI,
        check: missing_sni::check,
    },
    UrlRule {
        meta: &endpoint_mismatch::ENDPOINT_MISMATCH,
        check: endpoint_mismatch::check,
    },
    UrlRule {
        meta: &wrong_port::WRONG_PORT,
        check: wrong_port::check,
    },
    UrlRule {
        meta: &deprecated_region::DEPRECATED_REGION,
        check: deprecated_region::check,
    },
    UrlRule {
        meta: &startup_options_on_pooler::STARTUP_OPTIONS_ON_POOLER,
        check: startup_options_on_pooler::check,
    },
    UrlRule {
        meta: &pooled_migration_url::POOLED_MIGRATION_URL,
        check: pooled_migration_url::check,
    },
    UrlRule {
        meta: &hardcoded_credentials::HARDCODED_CREDENTIALS,
        check: hardcoded_credentials::check,
    },
    UrlRule {
        meta: &placeholder_credentials::PLACEHOLDER_CREDENTIALS,
        check: placeholder_credentials::check,
    },
    UrlRule {
        meta: &owner_role_in_app::OWNER_ROLE_IN_APP,
        check: owner_role_in_app::check,
    },
];

/// Runs every URL rule over one string.
///
/// Strings in documentation and templates illustrate rather than configure, so there only
/// the secrets rules run (a real password in a README or `.env.example` is still a leak).
pub fn check_all(url: &UrlInput) -> Vec<UrlFinding> {
    let mut out = Vec::new();
    let docs = matches!(
        url.ctx.placement,
        crate::url::Placement::Docs | crate::url::Placement::Example
    );
    for rule in URL_RULES {
        if docs && rule.meta.group != crate::rule::Group::Secrets {
            continue;
        }
        (rule.check)(url, &mut out);
    }
    // Messages are built from the string (a parameter name, a value, libpq's error text):
    // whatever a rule quotes, no secret of the string leaves in it.
    let known = crate::redact::KnownSecrets::of(url.text);
    for f in &mut out {
        f.message = known.redact(&f.message);
        f.label = known.redact(&f.label);
        f.help = f.help.as_deref().map(|h| known.redact(h));
        for (_, l) in &mut f.secondary {
            *l = known.redact(l);
        }
        if let Some(fix) = &mut f.fix {
            fix.title = known.redact(&fix.title);
        }
    }
    out
}
