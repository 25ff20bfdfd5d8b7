//! TOML files (with toml_edit, which keeps spans): every string value, keyed by its dotted
//! path. `.cargo/config.toml` `[env]` entries are also variable bindings (cargo sets them for
//! `cargo run` and `env!`).

use std::ops::Range;

use toml_edit::{ImDocument, Item, Table, Value};

use super::Cx;
use crate::site::{Container, OffsetMap};

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let doc = match ImDocument::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.message().to_string();
            // Still find connection strings in it: a broken file is one nobody has run yet.
            cx.out
                .notes
                .push(format!("not valid TOML ({msg}): scanned as text"));
            return super::text::extract(cx);
        }
    };
    let mut strings = Vec::new();
    walk_table(doc.as_table(), "", &mut strings);
    let is_cargo_config = {
        let p = cx.file.path.to_string_lossy().replace('\\', "/");
        p.ends_with(".cargo/config.toml") || p.ends_with(".cargo/config")
    };
    if is_cargo_config {
        if let Some(env) = doc.as_table().get("env").and_then(Item::as_table_like) {
            for (name, item) in env.iter() {
                let value = match item {
                    Item::Value(v) => Some(v),
                    _ => None,
                };
                let value = value.and_then(|v| match v {
                    Value::String(_) => Some(v),
                    Value::InlineTable(t) => t.get("value"),
                    _ => None,
                });
                let Some(Value::String(s)) = value else {
                    continue;
                };
                let Some(span) = s.span() else { continue };
                let name_span = env.key(name).and_then(|k| k.span()).unwrap_or(span.clone());
                let map = string_map(text, span);
                cx.binding(name, name_span, s.value(), map);
            }
        }
    }
    for (key, value, span) in strings {
        let map = string_map(text, span);
        cx.string_value(&value, map, Container::ConfigValue, Some(key));
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk_table(t: &Table, prefix: &str, out: &mut Vec<(String, String, Range<usize>)>) {
    for (k, item) in t.iter() {
        walk_item(item, &join(prefix, k), out);
    }
}

fn walk_item(item: &Item, path: &str, out: &mut Vec<(String, String, Range<usize>)>) {
    match item {
        Item::Value(v) => walk_value(v, path, out),
        Item::Table(t) => walk_table(t, path, out),
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                walk_table(t, path, out);
            }
        }
        Item::None => {}
    }
}

fn walk_value(v: &Value, path: &str, out: &mut Vec<(String, String, Range<usize>)>) {
    match v {
        Value::String(s) => {
            if let Some(span) = s.span() {
                out.push((path.to_string(), s.value().clone(), span));
            }
        }
        Value::Array(a) => {
            for v in a.iter() {
                walk_value(v, path, out);
            }
        }
        Value::InlineTable(t) => {
            for (k, v) in t.iter() {
                walk_value(v, &join(path, k), out);
            }
        }
        _ => {}
    }
}

/// Maps a TOML string's value offsets to the file: exact for single-line strings without
/// escapes, the whole literal otherwise.
pub(super) fn string_map(text: &str, span: Range<usize>) -> OffsetMap {
    let raw = text.get(span.clone()).unwrap_or("");
    let simple_basic = raw.starts_with('"') && !raw.starts_with("\"\"\"") && !raw.contains('\\');
    let simple_literal = raw.starts_with('\'') && !raw.starts_with("'''");
    if simple_basic || simple_literal {
        OffsetMap::Identity {
            start: span.start + 1,
        }
    } else {
        OffsetMap::Opaque { span }
    }
}
