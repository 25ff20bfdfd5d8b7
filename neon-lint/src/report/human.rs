//! `--format human`: rustc-like reports drawn by ariadne, with the source snippet (secrets
//! masked), the label on the offending parameter, and a help line with the fix.

use std::collections::BTreeMap;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use neon_lint_core::Level;

use super::{clean_line, positions, redaction};
use crate::diagnostic::Diagnostic;
use crate::project::Project;

/// Renders every diagnostic; `color` turns ANSI colours on.
pub fn render(project: &Project, diags: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
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
                // Capitalised like ariadne's own `Error` and `Warning`.
                _ => (ReportKind::Custom("Info", Color::Blue), Color::Blue),
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
            let mut one = Vec::new();
            let _ = report.finish().write(&mut cache, &mut one);
            let (start, _) = positions(project, d);
            let one = String::from_utf8_lossy(&one);
            out.push_str(&true_header(&one, &shown, start.line, start.column));
        }
    }
    super::terminal::tidy(&out, color)
}

/// `report` with its header's `path:line:col` set to the finding's true position.
///
/// ariadne counts the column on the text it draws, where a password before the span is
/// `****`: the header would be off by the password's length minus four. The header is
/// the first `path:L:C` after the title line; only those two numbers are replaced.
pub(crate) fn true_header(report: &str, shown: &str, line: usize, column: usize) -> String {
    let title_end = report.find('\n').unwrap_or(report.len());
    let needle = format!(" {shown}:");
    let Some(at) = report[title_end..]
        .find(&needle)
        .map(|i| title_end + i + needle.len())
    else {
        return report.to_string();
    };
    let rest = &report[at..];
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let l = digits(rest);
    let c = if rest[l..].starts_with(':') {
        digits(&rest[l + 1..])
    } else {
        0
    };
    if l == 0 || c == 0 {
        return report.to_string();
    }
    format!("{}{line}:{column}{}", &report[..at], &rest[l + 1 + c..])
}
