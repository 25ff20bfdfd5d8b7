//! `--format human`: rustc-like reports drawn by ariadne, with the source snippet (secrets
//! masked), the label on the offending parameter, and a help line with the fix.

use std::collections::BTreeMap;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use neon_lint_core::Level;

use super::{clean_line, redaction};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders every diagnostic; `color` turns ANSI colours on.
pub fn render(project: &Project, diags: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    let mut by_file: BTreeMap<usize, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_file.entry(d.file).or_default().push(d);
    }
    for (file_id, ds) in by_file {
        let file = &project.files[file_id];
        let masked = redaction(project).file_text(project, file_id);
        let shown = clean_line(project, &file.display);
        let mut cache = (shown.clone(), Source::from(masked.text.clone()));
        for d in ds {
            let (kind, main_color) = match d.level {
                Level::Error => (ReportKind::Error, Color::Red),
                Level::Warn => (ReportKind::Warning, Color::Yellow),
                _ => (ReportKind::Custom("info", Color::Blue), Color::Blue),
            };
            let span = masked.map_range(d.span.clone());
            let mut report = Report::build(kind, (shown.clone(), span.clone()))
                .with_config(
                    Config::default()
                        .with_color(color)
                        .with_index_type(IndexType::Byte),
                )
                .with_code(d.rule.code)
                .with_message(format!(
                    "{} ({})",
                    clean_line(project, &d.message),
                    d.rule.name
                ))
                .with_label(
                    Label::new((shown.clone(), span))
                        .with_message(clean_line(project, &d.label))
                        .with_color(main_color),
                );
            for (r, l) in &d.secondary {
                report = report.with_label(
                    Label::new((shown.clone(), masked.map_range(r.clone())))
                        .with_message(clean_line(project, l))
                        .with_color(Color::Cyan),
                );
            }
            if let Some(h) = &d.help {
                report = report.with_help(clean_line(project, h));
            }
            if let Some(fix) = &d.fix {
                let how = match fix.applicability {
                    neon_lint_core::rule::Applicability::Safe => "`--fix` can apply this",
                    neon_lint_core::rule::Applicability::Unsafe => {
                        "suggested; not applied automatically"
                    }
                };
                report =
                    report.with_note(format!("fix: {} ({how})", clean_line(project, &fix.title)));
            }
            report = report.with_note(format!("see {}", d.rule.url()));
            let _ = report.finish().write(&mut cache, &mut out);
        }
    }
    let s = String::from_utf8_lossy(&out).into_owned();
    if color {
        s
    } else {
        super::strip_ansi(&s)
    }
}
