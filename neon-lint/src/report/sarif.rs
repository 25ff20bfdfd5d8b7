//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! - Every rule is described once (`tool.driver.rules`, unique ids), with the summary, the
//!   "What it does" paragraph as `fullDescription`, the whole documentation as `help`
//!   (text and Markdown) and the rule page as `helpUri`.
//! - Artifact URIs are relative to `%SRCROOT%` (the directory neon-lint ran in, normally the
//!   repository root), percent-encoded.
//! - `partialFingerprints.primaryLocationLineHash` is a stable hash of rule + path + the
//!   redacted connection string (never the password, never the line number) plus an
//!   occurrence index, so alerts survive edits elsewhere in the file.
//! - Messages, snippets and fix replacements go through the redactor like every format.

use std::collections::HashMap;

use neon_lint_core::rule::{Applicability, Group, RuleMeta};
use neon_lint_core::Level;
use serde_json::{json, Value};

use super::{clean, RedactedText};
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::source::SourceFile;

/// The SARIF schema neon-lint writes to.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Rules that guard transport security; their findings carry a `security-severity`.
const TLS_RULES: &[&str] = &[
    "missing-sslmode",
    "insecure-sslmode",
    "missing-sni",
    "plaintext-connector",
    "diesel-async-without-tls",
    "missing-tls-feature",
    "tls-verification-disabled",
];

/// Renders one SARIF log with one run.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let rules = crate::rules::all();
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut masked: HashMap<usize, RedactedText> = HashMap::new();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let m = masked
                .entry(d.file)
                .or_insert_with(|| super::redaction(project).file_text(project, d.file));
            result(project, d, index.get(d.rule.code).copied(), &mut seen, m)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "neon-lint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/neon-lint/neon-lint",
                "rules": rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": "neon-lint/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Info | Level::Allow => "note",
    }
}

/// The first paragraph of a documentation section, as plain text.
pub fn section_paragraph(doc: &str, title: &str) -> Option<String> {
    let start = doc.find(&format!("## {title}\n"))? + title.len() + 4;
    let body = &doc[start..];
    let para: Vec<&str> = body
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("## "))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

fn descriptor(r: &RuleMeta) -> Value {
    let doc = r.documentation();
    let full = section_paragraph(&doc, "What it does").unwrap_or_else(|| r.summary.to_string());
    let mut props = json!({
        "tags": ["neon", "postgresql", group_tag(r.group)],
        "precision": "high",
        "problem.severity": match r.default_level {
            Level::Error => "error",
            Level::Warn => "warning",
            _ => "recommendation",
        },
    });
    if r.group == Group::Secrets || TLS_RULES.contains(&r.name) {
        props["tags"]
            .as_array_mut()
            .expect("tags array")
            .push("security".into());
        let sev = if r.default_level == Level::Error {
            "8.0"
        } else {
            "4.0"
        };
        props["security-severity"] = sev.into();
    }
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": full},
        "help": {"text": doc, "markdown": doc},
        "helpUri": r.url(),
        "defaultConfiguration": {"level": level(r.default_level)},
        "properties": props,
    })
}

fn group_tag(g: Group) -> &'static str {
    match g {
        Group::ConnectionString => "connection-string",
        Group::Pooler => "pooler",
        Group::Migrations => "migrations",
        Group::RustDrivers => "rust-drivers",
        Group::Reliability => "reliability",
        Group::Python => "python",
        Group::Secrets => "secrets",
        Group::Meta => "neon-lint",
    }
}

/// A display path as a relative URI reference (percent-encoded), or a `file://` URI for a
/// path outside the working directory.
pub fn uri(display: &str) -> (String, bool) {
    let enc = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    if display.starts_with('/') {
        (format!("file://{}", enc(display)), false)
    } else {
        (enc(display), true)
    }
}

fn location(display: &str) -> Value {
    let (u, relative) = uri(display);
    if relative {
        json!({"uri": u, "uriBaseId": "%SRCROOT%"})
    } else {
        json!({"uri": u})
    }
}

fn region(file: &SourceFile, span: std::ops::Range<usize>, masked: &RedactedText) -> Value {
    let s = file.lines.position(&file.text, span.start);
    let e = file.lines.position(&file.text, span.end.max(span.start));
    let snippet = masked
        .text
        .get(masked.map_range(span))
        .unwrap_or_default()
        .to_string();
    let mut r = json!({
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": e.line,
        "endColumn": e.column.max(1),
    });
    if !snippet.is_empty() {
        r["snippet"] = json!({"text": snippet});
    }
    r
}

/// The whole lines around a region, masked (SARIF `contextRegion`).
fn context_region(file: &SourceFile, span: std::ops::Range<usize>, masked: &RedactedText) -> Value {
    let first = file.lines.line_of(span.start);
    let last = file.lines.line_of(span.end.max(span.start));
    let lines =
        file.lines.line_range(&file.text, first).start..file.lines.line_range(&file.text, last).end;
    let text = masked.text.get(masked.map_range(lines)).unwrap_or_default();
    json!({
        "startLine": first + 1,
        "endLine": last + 1,
        "snippet": {"text": text},
    })
}

fn result(
    project: &Project,
    d: &Diagnostic,
    rule_index: Option<usize>,
    seen: &mut HashMap<String, usize>,
    masked: &RedactedText,
) -> Value {
    let f = &project.files[d.file];
    let fp = crate::baseline::fingerprint(project, d, &f.display);
    let n = seen.entry(fp.clone()).or_insert(0);
    *n += 1;
    // The help is a paragraph of its own: code scanning shows the message as written, and
    // "... without `sslmode` Help: append ..." read as one sentence.
    let mut text = clean(project, &d.message);
    if let Some(h) = &d.help {
        text.push_str(&format!("\n\nHelp: {}", clean(project, h)));
    }
    let mut r = json!({
        "ruleId": d.rule.code,
        "level": level(d.level),
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": location(&f.display),
            "region": region(f, d.span.clone(), masked),
            "contextRegion": context_region(f, d.span.clone(), masked),
        }}],
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{fp}:{n}"),
            "neonLintFingerprint/v1": fp,
        },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = i.into();
    }
    if !d.secondary.is_empty() {
        r["relatedLocations"] = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, (span, label))| {
                json!({
                    "id": i + 1,
                    "message": {"text": clean(project, label)},
                    "physicalLocation": {
                        "artifactLocation": location(&f.display),
                        "region": region(f, span.clone(), masked),
                    },
                })
            })
            .collect();
    }
    if let Some(fix) = d
        .fix
        .as_ref()
        .filter(|x| x.applicability == Applicability::Safe)
    {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let s = f.lines.position(&f.text, e.range.start);
                let en = f.lines.position(&f.text, e.range.end);
                json!({
                    "deletedRegion": {
                        "startLine": s.line, "startColumn": s.column,
                        "endLine": en.line, "endColumn": en.column,
                    },
                    "insertedContent": {"text": clean(project, &e.content)},
                })
            })
            .collect();
        r["fixes"] = json!([{
            "description": {"text": clean(project, &fix.title)},
            "artifactChanges": [{
                "artifactLocation": location(&f.display),
                "replacements": replacements,
            }],
        }]);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("src/db.rs"), ("src/db.rs".into(), true));
        assert_eq!(uri("a b/%.env"), ("a%20b/%25.env".into(), true));
        assert_eq!(uri("/tmp/x y"), ("file:///tmp/x%20y".into(), false));
    }

    #[test]
    fn first_paragraph_of_a_section() {
        let doc = "## What it does\nFinds a\nthing.\n\nMore.\n## Why\nx\n";
        assert_eq!(
            section_paragraph(doc, "What it does").as_deref(),
            Some("Finds a thing.")
        );
    }
}
