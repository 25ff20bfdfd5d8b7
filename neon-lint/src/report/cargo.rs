//! `--message-format json` (`--format cargo`): one rustc-shaped JSON diagnostic per line, the
//! shape `rustc --error-format=json` prints and cargo wraps. rust-analyzer's
//! `check.overrideCommand` reads these lines (as `cargo_metadata::Message` or a bare
//! `cargo_metadata::diagnostic::Diagnostic`) and shows the findings in the editor, with safe
//! fixes offered as quick fixes. A final `{"reason":"build-finished"}` line closes the run
//! as cargo's does.
//!
//! Paths are relative to the working directory (rust-analyzer joins them to the workspace
//! root it runs the command in). Source lines and every text pass through the redactor.

use neon_lint_core::rule::Applicability;
use neon_lint_core::Level;
use serde_json::{json, Value};

use super::{clean, RedactedText};
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::source::SourceFile;

/// Renders one JSON object per line, then the `build-finished` line.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut masked: std::collections::HashMap<usize, RedactedText> = Default::default();
    for d in diags {
        let m = masked
            .entry(d.file)
            .or_insert_with(|| super::redaction(project).file_text(project, d.file));
        let v = diagnostic(project, d, m);
        out.push_str(&v.to_string());
        out.push('\n');
    }
    let success = !diags.iter().any(|d| d.level == Level::Error);
    out.push_str(&json!({"reason": "build-finished", "success": success}).to_string());
    out.push('\n');
    out
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Info | Level::Allow => "note",
    }
}

/// A rustc `DiagnosticSpan` for `range` of `file`; its source lines are masked.
fn span(
    file: &SourceFile,
    masked: &RedactedText,
    range: std::ops::Range<usize>,
    primary: bool,
    label: Option<String>,
    replacement: Option<(String, &str)>,
) -> Value {
    let s = file.lines.position(&file.text, range.start);
    let e = file.lines.position(&file.text, range.end.max(range.start));
    let mut text = Vec::new();
    for line in s.line..=e.line {
        let lr = file.lines.line_range(&file.text, line - 1);
        let mr = masked.map_range(lr.clone());
        let shown = masked.text.get(mr.clone()).unwrap_or_default();
        // Highlight columns in the masked line (1-based characters).
        let hs = if line == s.line {
            masked.map(range.start)
        } else {
            mr.start
        };
        let he = if line == e.line {
            masked.map_range(range.clone()).end
        } else {
            mr.end
        };
        let col = |o: usize| {
            masked
                .text
                .get(mr.start..o.clamp(mr.start, mr.end))
                .map(|p| p.chars().count())
                .unwrap_or(0)
                + 1
        };
        text.push(json!({"text": shown, "highlight_start": col(hs), "highlight_end": col(he)}));
    }
    let (replacement, applicability) = match replacement {
        Some((r, a)) => (Value::from(r), Value::from(a)),
        None => (Value::Null, Value::Null),
    };
    json!({
        "file_name": file.display,
        "byte_start": range.start,
        "byte_end": range.end,
        "line_start": s.line,
        "line_end": e.line,
        "column_start": s.column,
        "column_end": e.column,
        "is_primary": primary,
        "text": text,
        "label": label,
        "suggested_replacement": replacement,
        "suggestion_applicability": applicability,
        "expansion": null,
    })
}

fn child(level: &str, message: String, spans: Vec<Value>) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

fn diagnostic(project: &Project, d: &Diagnostic, masked: &RedactedText) -> Value {
    let file = &project.files[d.file];
    let mut spans = vec![span(
        file,
        masked,
        d.span.clone(),
        true,
        Some(clean(project, &d.label)),
        None,
    )];
    for (r, l) in &d.secondary {
        spans.push(span(
            file,
            masked,
            r.clone(),
            false,
            Some(clean(project, l)),
            None,
        ));
    }
    let mut children = Vec::new();
    if let Some(fix) = &d.fix {
        // Offer the edits as a suggestion only when redaction left them intact: an editor
        // applying `****` would corrupt the file.
        let intact = fix
            .edits
            .iter()
            .all(|e| clean(project, &e.content) == e.content);
        let applicability = match fix.applicability {
            Applicability::Safe => "MachineApplicable",
            Applicability::Unsafe => "MaybeIncorrect",
        };
        let fix_spans = if intact {
            fix.edits
                .iter()
                .map(|e| {
                    span(
                        file,
                        masked,
                        e.range.clone(),
                        true,
                        None,
                        Some((e.content.clone(), applicability)),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        children.push(child("help", clean(project, &fix.title), fix_spans));
    }
    if let Some(h) = &d.help {
        children.push(child("help", clean(project, h), Vec::new()));
    }
    children.push(child(
        "note",
        format!(
            "`{}` is {} (neon-lint); for further information visit {}",
            d.rule.name,
            match d.level {
                Level::Error => "an error",
                Level::Warn => "a warning",
                _ => "advice",
            },
            d.rule.url()
        ),
        Vec::new(),
    ));
    let rendered = super::human::render(project, std::slice::from_ref(d), false);
    json!({
        "$message_type": "diagnostic",
        "message": format!("{} ({})", clean(project, &d.message), d.rule.name),
        "code": {"code": d.rule.code, "explanation": null},
        "level": level(d.level),
        "spans": spans,
        "children": children,
        "rendered": rendered,
    })
}
