//! libpq's password file (`.pgpass`, `pgpass.conf`): `host:port:database:user:password`
//! per line, `\:` and `\\` escaped, `*` a wildcard.
//!
//! A line naming a Neon host is recorded as a key/value [`UrlSite`] keyed [`PGPASS`] (each
//! field mapped to where it is written), so the redaction step masks its password and the
//! URL rules report it committed when git tracks the file. It is not a connection string
//! anyone connects with (the program gives `sslmode` elsewhere): only committed credentials
//! are reported on it.

use neon_lint_core::Role;

use super::Cx;
use crate::site::{Container, OffsetMap, PiecesBuilder, UrlSite};

/// The key of a [`UrlSite`] read from a `.pgpass` line.
pub use crate::site::PGPASS;

/// Whether `path` is a libpq password file (git tracking is looked up for these too).
pub fn is_pgpass(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case(".pgpass") || n.eq_ignore_ascii_case("pgpass.conf"))
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let mut offset = 0;
    let mut sites = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim_start().starts_with('#') || content.trim().is_empty() {
            continue;
        }
        // Fields with their file spans; escapes kept out of the mapped ones.
        let mut fields: Vec<(String, std::ops::Range<usize>, bool)> = Vec::new();
        let mut cur = String::new();
        let mut cur_start = start;
        let mut escaped_any = false;
        let mut chars = content.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                        escaped_any = true;
                    }
                }
                ':' if fields.len() < 4 => {
                    fields.push((std::mem::take(&mut cur), cur_start..start + i, escaped_any));
                    escaped_any = false;
                    cur_start = start + i + 1;
                }
                _ => cur.push(c),
            }
        }
        fields.push((cur, cur_start..start + content.len(), escaped_any));
        if fields.len() != 5 {
            continue;
        }
        let host = &fields[0].0;
        let password = &fields[4];
        if !host.to_ascii_lowercase().contains(".neon.tech")
            || password.0.is_empty()
            || password
                .0
                .contains(|c: char| c.is_whitespace() || c == '\'')
        {
            continue;
        }
        let mut value = String::new();
        let mut pieces = PiecesBuilder::default();
        for (keyword, (v, span, escaped)) in ["host", "port", "dbname", "user", "password"]
            .iter()
            .zip(&fields)
        {
            if v == "*" || v.is_empty() || v.contains(|c: char| c.is_whitespace() || c == '\'') {
                continue;
            }
            let head = if value.is_empty() {
                format!("{keyword}=")
            } else {
                format!(" {keyword}=")
            };
            pieces.shared(head.len(), OffsetMap::Opaque { span: span.clone() });
            value.push_str(&head);
            let map = if *escaped {
                OffsetMap::Opaque { span: span.clone() }
            } else {
                OffsetMap::Identity { start: span.start }
            };
            // A backslash would be an escape in key/value syntax too.
            if v.contains('\\') {
                break;
            }
            pieces.shared(v.len(), map);
            value.push_str(v);
        }
        sites.push((value, pieces.build()));
    }
    let placement = cx.placement();
    for (text, map) in sites {
        cx.out.urls.push(UrlSite {
            file: cx.file_id,
            text,
            map,
            container: Container::ConfigValue,
            key: Some(PGPASS.into()),
            role: Role::Unknown,
            role_evidence: None,
            placement,
        });
    }
}
