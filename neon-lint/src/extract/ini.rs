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
    // Alembic reads its ini file with configparser's interpolation: `%%` is one `%`.
    let interpolated = cx
        .file
        .path
        .file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("alembic.ini"));
    let maps: Vec<OffsetMap> = entries
        .iter()
        .map(|(_, _, vstart)| OffsetMap::Identity { start: *vstart })
        .collect();
    let spring: Vec<super::spring::Entry> = entries
        .iter()
        .zip(&maps)
        .map(|((key, value, _), map)| super::spring::Entry { key, value, map })
        .collect();
    super::spring::record(cx, &spring);
    drop(spring);
    for (key, value, vstart) in entries {
        let (value, map) = match interpolated.then(|| unescape_percents(&value, vstart)) {
            Some(Some((v, table))) => (v, OffsetMap::Table(table)),
            _ => (value, OffsetMap::Identity { start: vstart }),
        };
        cx.string_value(&value, map, Container::ConfigValue, Some(key));
    }
}

/// `value` (at file offset `start`) as configparser's interpolation reads it, with one file
/// offset per byte: `%%` is `%`. None when there is no `%%`, or when a `%` would make
/// configparser fail (then the raw text is what `alembic-percent-escape` judges).
fn unescape_percents(value: &str, start: usize) -> Option<(String, Vec<usize>)> {
    if !value.contains("%%") || crate::configparser::bad_percent(value).is_some() {
        return None;
    }
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut table = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while i < b.len() {
        table.push(start + i);
        out.push(b[i]);
        i += if b[i] == b'%' && b.get(i + 1) == Some(&b'%') {
            2
        } else {
            1
        };
    }
    table.push(start + b.len());
    // Only ASCII `%%` pairs were removed, so the bytes are still UTF-8.
    String::from_utf8(out).ok().map(|v| (v, table))
}
