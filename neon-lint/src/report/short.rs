//! `--format short`: `path:line:col: level[code]: message`, one line each.

use super::{clean, positions};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders one line per diagnostic.
pub fn render(project: &Project, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (s, _) = positions(project, d);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {} ({})\n",
            project.files[d.file].display,
            s.line,
            s.column,
            d.level.as_str(),
            d.rule.code,
            clean(&d.message).replace('\n', " "),
            d.rule.name
        ));
    }
    out
}
