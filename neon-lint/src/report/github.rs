//! `--format github`: GitHub Actions workflow commands, so findings appear as annotations
//! on the pull request. Data and properties are escaped as the runner requires.

use neon_lint_core::Level;

use super::{clean_line, positions};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders one `::error`/`::warning`/`::notice` command per diagnostic.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (s, e) = positions(project, d);
        let cmd = match d.level {
            Level::Error => "error",
            Level::Warn => "warning",
            _ => "notice",
        };
        let mut props = format!(
            "file={},line={},endLine={}",
            escape_property(&clean_line(project, &project.files[d.file].display)),
            s.line,
            e.line
        );
        // Columns only mean something on one-line spans.
        if s.line == e.line {
            props.push_str(&format!(",col={},endColumn={}", s.column, e.column));
        }
        props.push_str(&format!(
            ",title={}",
            escape_property(&format!("{} {}", d.rule.code, d.rule.name))
        ));
        let mut msg = clean_line(project, &d.message);
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(&clean_line(project, h));
        }
        msg.push_str("\nsee ");
        msg.push_str(&d.rule.url());
        out.push_str(&format!("::{cmd} {props}::{}\n", escape_data(&msg)));
    }
    out
}

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
