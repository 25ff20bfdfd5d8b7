//! INI-style files (`alembic.ini`, `*.cfg`, `*.conf`, `*.properties`): `[section]` headers,
//! `key = value` / `key: value` pairs, `#` and `;` comment lines, as configparser and Java
//! properties read them. Keys are reported as `section.key` (`alembic.sqlalchemy.url`).

use super::Cx;
use crate::site::{Container, OffsetMap};

pub(super) fn extract(cx: &mut Cx) {
    let text = &cx.file.text;
    let mut section = String::new();
    let mut offset = 0;
    let mut entries = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.starts_with('[') {
            if let Some(close) = trimmed.find(']') {
                section = trimmed[1..close].trim().to_string();
            }
            continue;
        }
        let Some(sep) = content.find(['=', ':']) else {
            continue;
        };
        // `postgresql://...` with no key is not a pair.
        if content[..sep].contains('/') {
            continue;
        }
        let key = content[..sep].trim();
        let raw = &content[sep + 1..];
        let lead = raw.len() - raw.trim_start().len();
        let value = raw.trim();
        if key.is_empty() {
            continue;
        }
        let vstart = start + sep + 1 + lead;
        let full_key = if section.is_empty() {
            key.to_string()
        } else {
            format!("{section}.{key}")
        };
        entries.push((full_key, value.to_string(), vstart));
    }
    for (key, value, vstart) in entries {
        cx.string_value(
            &value,
            OffsetMap::Identity { start: vstart },
            Container::ConfigValue,
            Some(key),
        );
    }
}
