//! Prisma schemas (`schema.prisma`, `*.prisma`): the `datasource` block's `url` and
//! `directUrl`, written as `env("VAR")` or a string literal.
//!
//! Prisma Migrate (4.10 to 6) runs on `directUrl` when there is one and on `url` otherwise;
//! so `directUrl` is a migration URL (a literal gets the Migration role, a variable becomes a
//! migration run), and both settings are recorded as tool URLs for the project-wide pass
//! (the `missing-direct-url` rule, and `prisma migrate` commands in CI steps).

use neon_lint_core::Role;

use super::Cx;
use crate::site::{Container, MigrationRun, OffsetMap, ToolUrl, ToolUrlKind, UrlSource};

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.clone();
    for block in datasources(&text) {
        if block
            .provider
            .as_deref()
            .is_some_and(|p| !p.contains("postgres"))
        {
            continue;
        }
        for entry in block.entries {
            let kind = match entry.key.as_str() {
                "url" => ToolUrlKind::PrismaUrl,
                "directUrl" => ToolUrlKind::PrismaDirectUrl,
                _ => continue,
            };
            let url = match entry.value {
                Value::Env(name) => UrlSource::EnvVar(name),
                Value::Literal(text, start) => {
                    let map = OffsetMap::Identity { start };
                    cx.string_value(
                        &text,
                        map.clone(),
                        Container::ConfigValue,
                        Some(entry.key.clone()),
                    );
                    if kind == ToolUrlKind::PrismaDirectUrl {
                        if let Some(site) = cx.out.urls.last_mut().filter(|u| u.map == map) {
                            site.role = Role::Migration;
                            site.role_evidence = Some("Prisma `directUrl`".into());
                        }
                    }
                    UrlSource::Literal { text, map }
                }
                Value::Other => UrlSource::Unknown,
            };
            if kind == ToolUrlKind::PrismaDirectUrl && matches!(url, UrlSource::EnvVar(_)) {
                cx.out.migrations.push(MigrationRun {
                    file: cx.file_id,
                    span: entry.span.clone(),
                    tool: "Prisma Migrate (directUrl)".into(),
                    work: crate::site::Work::Migration,
                    url: url.clone(),
                });
            }
            cx.out.tool_urls.push(ToolUrl {
                file: cx.file_id,
                span: entry.span,
                kind,
                url,
                percent_escaped: false,
            });
        }
    }
    super::shell::text_scan_rest(cx);
}

enum Value {
    /// `env("NAME")`.
    Env(String),
    /// `"..."`, with the file offset of its first character.
    Literal(String, usize),
    Other,
}

struct Entry {
    key: String,
    value: Value,
    /// `key = value`, for diagnostics.
    span: std::ops::Range<usize>,
}

struct Datasource {
    provider: Option<String>,
    entries: Vec<Entry>,
}

/// The `datasource NAME { ... }` blocks, line by line (Prisma puts one field per line).
fn datasources(text: &str) -> Vec<Datasource> {
    let mut out = Vec::new();
    let mut current: Option<Datasource> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let code = match line.find("//") {
            Some(c) if !in_string(line, c) => &line[..c],
            _ => line,
        };
        let trimmed = code.trim();
        if current.is_none() {
            if trimmed.starts_with("datasource ") && trimmed.ends_with('{') {
                current = Some(Datasource {
                    provider: None,
                    entries: Vec::new(),
                });
            }
            continue;
        }
        if trimmed.starts_with('}') {
            out.extend(current.take());
            continue;
        }
        let Some(eq) = code.find('=') else { continue };
        let key = code[..eq].trim().to_string();
        let raw = &code[eq + 1..];
        let lead = raw.len() - raw.trim_start().len();
        let vtext = raw.trim();
        let vstart = start + eq + 1 + lead;
        let key_start = start + (code.len() - code.trim_start().len());
        let value = parse_value(vtext, vstart);
        let ds = current.as_mut().expect("inside a datasource");
        if key == "provider" {
            if let Value::Literal(p, _) = &value {
                ds.provider = Some(p.clone());
            }
            continue;
        }
        ds.entries.push(Entry {
            key,
            value,
            span: key_start..vstart + vtext.len(),
        });
    }
    out
}

fn in_string(line: &str, at: usize) -> bool {
    line[..at].matches('"').count() % 2 == 1
}

fn parse_value(v: &str, at: usize) -> Value {
    if let Some(inner) = v.strip_prefix("env(").and_then(|r| r.strip_suffix(')')) {
        let name = inner.trim().trim_matches(['"', '\'']);
        if !name.is_empty() {
            return Value::Env(name.to_string());
        }
    }
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') && !v[1..v.len() - 1].contains('\\') {
        return Value::Literal(v[1..v.len() - 1].to_string(), at + 1);
    }
    Value::Other
}
