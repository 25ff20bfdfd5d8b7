//! `prisma.config.*` (Prisma 7: `datasource.url` is what the CLI, Migrate included, connects
//! to) and `drizzle.config.*` (`dbCredentials.url` is what `drizzle-kit migrate|push` connects
//! to), read at text level: these files are small, declarative objects, and the value is
//! `env("VAR")`, `process.env.VAR` (with or without `!`), `process.env["VAR"]` or a string
//! literal. Comments are skipped; anything else (template strings, function calls) is left
//! unknown.

use neon_lint_core::Role;

use super::Cx;
use crate::site::{Container, MigrationRun, OffsetMap, ToolUrl, ToolUrlKind, UrlSource};

pub(super) fn extract(cx: &mut Cx) {
    let name = cx
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (kind, tool, keys): (ToolUrlKind, &str, &[&str]) = if name.starts_with("prisma.") {
        (
            ToolUrlKind::PrismaConfig,
            "Prisma Migrate (prisma.config datasource.url)",
            &["url", "directUrl"],
        )
    } else {
        (
            ToolUrlKind::DrizzleConfig,
            "Drizzle Kit (dbCredentials.url)",
            &["url", "connectionString"],
        )
    };
    let text = cx.file.text.clone();
    let code = blank_comments(&text);
    for (key_at, value_at) in keyed_values(&code, keys) {
        let (url, end) = match parse_value(&text, value_at) {
            Some(v) => v,
            None => continue,
        };
        let span = key_at..end;
        if let UrlSource::Literal { text: lit, map } = &url {
            cx.string_value(lit, map.clone(), Container::ConfigValue, Some("url".into()));
            if let Some(site) = cx.out.urls.last_mut().filter(|u| &u.map == map) {
                site.role = Role::Migration;
                site.role_evidence = Some(tool.to_string());
            }
        }
        if matches!(url, UrlSource::EnvVar(_)) {
            cx.out.migrations.push(MigrationRun {
                file: cx.file_id,
                span: span.clone(),
                tool: tool.to_string(),
                work: crate::site::Work::Migration,
                url: url.clone(),
            });
        }
        cx.out.tool_urls.push(ToolUrl {
            file: cx.file_id,
            span,
            kind,
            url,
            percent_escaped: false,
        });
    }
    super::shell::text_scan_rest(cx);
}

/// The text with comments replaced by spaces (offsets unchanged); strings kept.
fn blank_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    if b[i] != b'\n' {
                        out[i] = b' ';
                    }
                    i += 1;
                }
                let end = (i + 2).min(b.len());
                out[i..end].fill(b' ');
                i += 2;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// `key:` (or `"key":`) positions for the given keys: (key start, value start).
fn keyed_values(code: &str, keys: &[&str]) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for key in keys {
        for at in memchr::memmem::find_iter(b, key.as_bytes()) {
            let before = at.checked_sub(1).map(|p| b[p]);
            let quoted = matches!(before, Some(b'"' | b'\''));
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.') {
                continue;
            }
            let mut p = at + key.len();
            if quoted {
                p += 1;
            }
            while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
                p += 1;
            }
            if b.get(p) != Some(&b':') {
                continue;
            }
            p += 1;
            while p < b.len() && b[p].is_ascii_whitespace() {
                p += 1;
            }
            let key_start = if quoted { at - 1 } else { at };
            out.push((key_start, p));
        }
    }
    out.sort();
    out
}

/// The value at `at`: `env("X")`, `process.env.X`, `process.env["X"]`, or a string
/// literal; with the end offset of what was read.
fn parse_value(text: &str, at: usize) -> Option<(UrlSource, usize)> {
    let rest = &text[at..];
    let ident_len = |s: &str| {
        s.bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count()
    };
    if let Some(r) = rest.strip_prefix("env(") {
        let r = r.trim_start();
        let q = r.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let name_len = r[1..].find(q)?;
        let name = &r[1..1 + name_len];
        let end = at + 4 + rest[4..].find(')')? + 1;
        return Some((UrlSource::EnvVar(name.to_string()), end));
    }
    if let Some(r) = rest.strip_prefix("process.env.") {
        let n = ident_len(r);
        if n == 0 {
            return None;
        }
        let end = at + 12 + n;
        return Some((UrlSource::EnvVar(r[..n].to_string()), end));
    }
    if let Some(r) = rest.strip_prefix("process.env[") {
        let q = r.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let name_len = r[1..].find(q)?;
        let end = at + 12 + 1 + name_len + 2;
        return Some((UrlSource::EnvVar(r[1..1 + name_len].to_string()), end));
    }
    let q = rest.chars().next()?;
    if q == '"' || q == '\'' {
        let len = rest[1..].find(q)?;
        let lit = &rest[1..1 + len];
        if lit.contains('\\') || lit.contains('\n') {
            return None;
        }
        return Some((
            UrlSource::Literal {
                text: lit.to_string(),
                map: OffsetMap::Identity { start: at + 1 },
            },
            at + len + 2,
        ));
    }
    None
}
