//! Environment variables that hosting platforms set from a file committed with the code,
//! read as `.env` values are: each entry is a variable binding (so `process.env.X` in the
//! program resolves to it), and a connection string among them is keyed by its variable's
//! name (so the variable-name rules, `DATABASE_URL_UNPOOLED` holding a pooled host, read
//! it as they read a `.env` line).
//!
//! | file | tables | who sees the values |
//! |---|---|---|
//! | `vercel.json` | `env`, `build.env` | the deployment (`env`, a legacy property Vercel now steers away from) and the build (`build.env`) |
//! | `netlify.toml` | `[build.environment]`, `[context.<name>.environment]` | the build in that deploy context (Netlify documents them as build-time variables, not given to deployed Functions) |
//! | `wrangler.toml`, `wrangler.json`, `wrangler.jsonc` | `[vars]`, `[env.<name>.vars]` | the Worker, as `env.X` of its handlers' `env` parameter (vars are not inherited by `[env.<name>]`) |
//!
//! Every file's variables reach every reader of the name in its program: which deploy
//! context or Wrangler environment a value belongs to is not modelled, nor that Netlify
//! gives its values to the build only.
//!
//! The connection strings themselves are found by the TOML and JSON extractors, which run
//! first; only their keys change here. Values are not interpolated by these platforms, and
//! `${X}` in them stays unknown, as everywhere in configuration files.

use std::collections::HashMap;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::Cx;
use crate::site::{mark_placeholders, OffsetMap, Syntax};

/// The platform a file name (lower case) configures, if it is one of these files.
fn platform(name: &str) -> Option<Platform> {
    match name {
        "vercel.json" => Some(Platform::Vercel),
        "netlify.toml" => Some(Platform::Netlify),
        "wrangler.toml" | "wrangler.json" | "wrangler.jsonc" => Some(Platform::Wrangler),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Vercel,
    Netlify,
    Wrangler,
}

impl Platform {
    /// The tables whose entries are variables, as key paths (`*`: any one key).
    fn tables(self) -> &'static [&'static [&'static str]] {
        match self {
            Platform::Vercel => &[&["env"], &["build", "env"]],
            Platform::Netlify => &[&["build", "environment"], &["context", "*", "environment"]],
            Platform::Wrangler => &[&["vars"], &["env", "*", "vars"]],
        }
    }
}

/// Whether the file at `path` gives a program's environment values, as a `.env` file does
/// (and so reaches only the program that owns its folder).
pub(crate) fn is_platform_env_file(path: &std::path::Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|n| platform(&n).is_some())
}

/// One variable: its name, the name's span, its value and the value's offsets.
struct Entry {
    name: String,
    name_span: std::ops::Range<usize>,
    value: String,
    map: OffsetMap,
}

pub(super) fn extract(cx: &mut Cx) {
    let Some(platform) = platform(&super::file_name(cx.file)) else {
        return;
    };
    let text = cx.file.text.as_str();
    let toml = cx
        .file
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let entries = if toml {
        from_toml(text, platform)
    } else {
        from_json(text, platform)
    };
    // The file's connection strings by where they start (one look per entry: a file of
    // many variables stays linear).
    let file = cx.file_id;
    let mut by_start: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, site) in cx.out.urls.iter().enumerate() {
        if site.file == file {
            by_start
                .entry(site.map.range(0..site.text.len()).start)
                .or_default()
                .push(i);
        }
    }
    for e in entries {
        // The same offsets the TOML/JSON extractor gave the value's connection string.
        let map = mark_placeholders(&e.value, e.map, &[Syntax::Dollar]);
        let start = map.range(0..e.value.len()).start;
        for &i in by_start.get(&start).map(Vec::as_slice).unwrap_or_default() {
            let site = &mut cx.out.urls[i];
            if site.text == e.value && site.map == map {
                site.key = Some(e.name.clone());
            }
        }
        cx.binding(&e.name, e.name_span, &e.value, map);
    }
}

/// Whether the key path `path` is one of `tables` followed by one variable name.
fn variable<'a>(path: &[&'a str], tables: &[&[&str]]) -> Option<&'a str> {
    let (name, table) = path.split_last()?;
    let matches = tables.iter().any(|t| {
        t.len() == table.len()
            && t.iter()
                .zip(table)
                .all(|(want, got)| *want == "*" || want == got)
    });
    matches.then_some(*name)
}

fn from_json(text: &str, platform: Platform) -> Vec<Entry> {
    super::json::strings(text)
        .into_iter()
        .filter_map(|(key, value, map)| {
            let path: Vec<&str> = key.split('.').collect();
            let name = variable(&path, platform.tables())?.to_string();
            // The JSON reader keeps no key positions: the value stands for the entry.
            let name_span = map.range(0..value.len());
            Some(Entry {
                name,
                name_span,
                value,
                map,
            })
        })
        .collect()
}

fn from_toml(text: &str, platform: Platform) -> Vec<Entry> {
    // A file that does not parse is the TOML extractor's to report.
    let Ok(doc) = ImDocument::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for table in platform.tables() {
        let mut found: Vec<&dyn TableLike> = vec![doc.as_table()];
        for seg in *table {
            found = found
                .into_iter()
                .flat_map(|t| -> Vec<&dyn TableLike> {
                    if *seg == "*" {
                        t.iter().filter_map(|(_, i)| i.as_table_like()).collect()
                    } else {
                        t.get(seg)
                            .and_then(Item::as_table_like)
                            .into_iter()
                            .collect()
                    }
                })
                .collect();
        }
        for t in found {
            for (name, item) in t.iter() {
                let Some(Value::String(s)) = item.as_value() else {
                    continue;
                };
                let Some(span) = s.span() else { continue };
                let name_span = t
                    .key(name)
                    .and_then(|k| k.span())
                    .unwrap_or_else(|| span.clone());
                out.push(Entry {
                    name: name.to_string(),
                    name_span,
                    value: s.value().clone(),
                    map: super::toml::string_map(text, span),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[Entry]) -> Vec<(&str, &str)> {
        entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect()
    }

    #[test]
    fn reads_the_variable_tables_of_each_platform() {
        let vercel = r#"{ "env": { "A": "1", "B": 2 }, "build": { "env": { "C": "3" } }, "rewrites": [{ "source": "/x" }] }"#;
        assert_eq!(
            names(&from_json(vercel, Platform::Vercel)),
            [("A", "1"), ("C", "3")]
        );
        let netlify = "[build]\ncommand = \"npm run build\"\n[build.environment]\nA = \"1\"\n[context.production.environment]\nB = \"2\"\n[context.deploy-preview]\ncommand = \"x\"\n";
        assert_eq!(
            names(&from_toml(netlify, Platform::Netlify)),
            [("A", "1"), ("B", "2")]
        );
        let wrangler = "name = \"w\"\n[vars]\nA = \"1\"\nJ = { x = 1 }\n[env.staging.vars]\nB = \"2\"\n[env.staging]\nname = \"s\"\n";
        assert_eq!(
            names(&from_toml(wrangler, Platform::Wrangler)),
            [("A", "1"), ("B", "2")]
        );
        let jsonc = "{\n  // vars\n  \"vars\": { \"A\": \"1\" },\n  \"env\": { \"prod\": { \"vars\": { \"B\": \"2\" } } }\n}";
        assert_eq!(
            names(&from_json(jsonc, Platform::Wrangler)),
            [("A", "1"), ("B", "2")]
        );
        assert!(from_toml("[vars\n", Platform::Wrangler).is_empty());
    }

    #[test]
    fn knows_the_files() {
        assert!(is_platform_env_file(std::path::Path::new(
            "apps/web/vercel.json"
        )));
        assert!(is_platform_env_file(std::path::Path::new("Netlify.toml")));
        assert!(!is_platform_env_file(std::path::Path::new("config.toml")));
    }
}
