//! Spring Boot's datasource settings (`application*.properties`, `application*.yml`):
//! `spring.datasource.url` with its password in `spring.datasource.password` (also the
//! `spring.flyway.*`, `spring.liquibase.*` and `spring.r2dbc.*` sets).
//!
//! The password is not in the URL, so the URL's own site cannot show it committed. It is
//! recorded as a second site: the URL with `password=` added as a query parameter (pgjdbc
//! reads it there), each part mapped to where it is written, keyed `<prefix>.password`. The
//! URL rules only report committed credentials on it (the URL's own site carries the rest),
//! and the redaction step masks the password where it is written.

use neon_lint_core::Role;

use super::Cx;
use crate::site::{Container, OffsetMap, PiecesBuilder, UrlSite, SPRING_PREFIXES};

/// One `key = value` of the file.
pub(super) struct Entry<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub map: &'a OffsetMap,
}

/// Records each Neon URL's password written beside it.
pub(super) fn record(cx: &mut Cx, entries: &[Entry]) {
    for prefix in SPRING_PREFIXES {
        let find = |name: &str| {
            let key = format!("{prefix}.{name}");
            entries.iter().rev().find(|e| e.key == key)
        };
        let (Some(url), Some(pw)) = (find("url"), find("password")) else {
            continue;
        };
        // `${DB_PASSWORD}`: filled in at run time. A password needing percent-encoding
        // would not map byte for byte: skipped rather than mis-mapped.
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
        };
        if url.value.contains('$')
            || !url.value.to_ascii_lowercase().contains(".neon.tech")
            || !plain(pw.value)
            || url.value.contains('#')
        {
            continue;
        }
        let glue = if url.value.contains('?') {
            "&password="
        } else {
            "?password="
        };
        let mut b = PiecesBuilder::default();
        b.shared(url.value.len(), url.map.clone());
        b.shared(
            glue.len(),
            OffsetMap::Opaque {
                span: pw.map.range(0..pw.value.len()),
            },
        );
        b.shared(pw.value.len(), pw.map.clone());
        let text = format!("{}{glue}{}", url.value, pw.value);
        let placement = cx.placement();
        cx.out.urls.push(UrlSite {
            file: cx.file_id,
            text,
            map: b.build(),
            container: Container::ConfigValue,
            key: Some(format!("{prefix}.password")),
            role: Role::Unknown,
            role_evidence: None,
            placement,
        });
    }
}
