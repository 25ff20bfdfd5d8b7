//! `--format json`: one array, one object per diagnostic, fields fixed by the design.

use serde_json::{json, Value};

use super::{clean, positions};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders diagnostics as the JSON array.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let items: Vec<Value> = diags.iter().map(|d| object(project, d)).collect();
    let mut s = serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn object(project: &Project, d: &Diagnostic) -> Value {
    let f = &project.files[d.file];
    let (start, end) = positions(project, d);
    let fix = d.fix.as_ref().map(|fix| {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let s = f.lines.position(&f.text, e.range.start);
                let en = f.lines.position(&f.text, e.range.end);
                json!({
                    "line": s.line, "column": s.column,
                    "end_line": en.line, "end_column": en.column,
                    "content": clean(project, &e.content),
                })
            })
            .collect();
        json!({"applicability": fix.applicability.as_str(), "title": clean(project, &fix.title), "edits": edits})
    });
    json!({
        "code": d.rule.code,
        "rule": d.rule.name,
        "severity": d.level.as_str(),
        "path": f.display,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "message": clean(project, &d.message),
        "help": d.help.as_deref().map(|h| clean(project, h)),
        "url": d.rule.url(),
        "fix": fix,
    })
}
