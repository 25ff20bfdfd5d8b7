//! `--format short`: `path:line:col: level[code]: message`, one line each.

use super::{clean_line, positions};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders one line per diagnostic.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (s, _) = positions(project, d);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {} ({})\n",
            clean_line(project, &project.files[d.file].display),
            s.line,
            s.column,
            d.level.as_str(),
            d.rule.code,
            clean_line(project, &d.message),
            d.rule.name
        ));
    }
    out
}
