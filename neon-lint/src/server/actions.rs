//! From a lint run to LSP answers: diagnostics, quick fixes, hovers.
//!
//! Every piece of text sent goes through the run's redaction ([`report::clean`]); a fix's
//! edit carries only the bytes it inserts, and an edit whose text the redaction would
//! change (it holds a secret) is not offered at all, since masking it would write `****`
//! into the user's file.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Diagnostic as LspDiagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, Hover, HoverContents, Location,
    MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Url, WorkspaceEdit,
};
use neon_lint_core::rule::Applicability;
use neon_lint_core::Level;

use super::documents::Document;
use super::positions::{Encoding, LineTable};
use crate::diagnostic::{Diagnostic, FileEdit};
use crate::project::Project;
use crate::report::clean;
use crate::source::{FileId, SourceFile};

/// The kind of the "fix everything in this file" action.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.neon-lint")
}

/// A file's text as the client sees it, to place byte spans of the pipeline's text.
pub struct View<'a> {
    text: &'a str,
    table: LineTable,
    /// Bytes the client's text has before the pipeline's (a leading BOM the decoder
    /// dropped): pipeline offset + shift = client offset.
    shift: usize,
}

impl<'a> View<'a> {
    /// The view of `file`: the open document's text when there is one, else the file's.
    pub fn of(file: &'a SourceFile, doc: Option<&'a Document>) -> View<'a> {
        let (text, shift) = match doc {
            Some(d) if d.text.ends_with(file.text.as_str()) => {
                (d.text.as_str(), d.text.len() - file.text.len())
            }
            _ => (file.text.as_str(), 0),
        };
        View {
            text,
            table: LineTable::new(text),
            shift,
        }
    }

    fn range(&self, r: std::ops::Range<usize>, enc: Encoding) -> Range {
        self.table
            .range(self.text, r.start + self.shift..r.end + self.shift, enc)
    }

    /// The pipeline offset of a client position.
    fn offset(&self, p: Position, enc: Encoding) -> usize {
        self.table
            .offset(self.text, p, enc)
            .saturating_sub(self.shift)
    }
}

fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Error => DiagnosticSeverity::ERROR,
        Level::Warn => DiagnosticSeverity::WARNING,
        // `Allow` never reaches here (such findings are not produced); shown as a hint
        // rather than dropped if one did.
        Level::Info => DiagnosticSeverity::INFORMATION,
        Level::Allow => DiagnosticSeverity::HINT,
    }
}

/// One finding as an LSP diagnostic.
pub fn diagnostic(
    project: &Project,
    d: &Diagnostic,
    view: &View,
    uri: &Url,
    enc: Encoding,
) -> LspDiagnostic {
    let mut message = clean(project, &d.message);
    if !d.label.is_empty() {
        message.push_str(&format!(" ({})", clean(project, &d.label)));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {}", clean(project, h)));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: view.range(span.clone(), enc),
            },
            message: clean(project, label),
        })
        .collect();
    LspDiagnostic {
        range: view.range(d.span.clone(), enc),
        severity: Some(severity(d.level)),
        code: Some(NumberOrString::String(d.rule.code.to_string())),
        code_description: Url::parse(&d.rule.url())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("neon-lint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The diagnostics of file `id`.
pub fn diagnostics_of(
    project: &Project,
    diags: &[Diagnostic],
    id: FileId,
    view: &View,
    uri: &Url,
    enc: Encoding,
) -> Vec<LspDiagnostic> {
    diags
        .iter()
        .filter(|d| d.file == id)
        .map(|d| diagnostic(project, d, view, uri, enc))
        .collect()
}

/// Whether two LSP ranges touch (an empty request range at a diagnostic's edge counts:
/// a cursor at the end of the URL asks for its fix).
fn touches(a: &Range, b: &Range) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

/// Whether `kind` is asked for by the client's `only` filter (kinds are hierarchical:
/// asking for `source` includes `source.fixAll.neon-lint`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|o| {
        let (o, k) = (o.as_str(), kind.as_str());
        k == o || (k.starts_with(o) && k[o.len()..].starts_with('.'))
    })
}

/// The edits of the diagnostics `ids` as LSP text edits, when the fixed text reads back
/// with the values the fixes mean (the check `--fix` makes before writing) and no edit
/// holds a secret.
fn verified_edits(
    project: &Project,
    diags: &[Diagnostic],
    file_id: FileId,
    edits: &[(usize, FileEdit)],
    view: &View,
    enc: Encoding,
) -> Option<Vec<TextEdit>> {
    if edits.is_empty() {
        return None;
    }
    let file = &project.files[file_id];
    crate::fix::fixed_text(file_id, file, diags, edits).ok()?;
    edits
        .iter()
        .map(|(_, e)| {
            // The inserted bytes are sent as they are; if redaction would touch them they
            // hold a secret, and no masked version of them is a correct edit.
            (clean(project, &e.content) == e.content).then(|| TextEdit {
                range: view.range(e.range.clone(), enc),
                new_text: e.content.clone(),
            })
        })
        .collect()
}

fn action(
    title: String,
    kind: CodeActionKind,
    uri: &Url,
    edits: Vec<TextEdit>,
    fixes: Vec<LspDiagnostic>,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: (!fixes.is_empty()).then_some(fixes),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        command: None,
        is_preferred: preferred.then_some(true),
        disabled: None,
        data: None,
    })
}

/// Quick fixes for the safe fixes of findings touching `range` in file `id`, and one
/// action fixing every safe finding of the file.
#[allow(clippy::too_many_arguments)]
pub fn code_actions(
    project: &Project,
    diags: &[Diagnostic],
    id: FileId,
    view: &View,
    uri: &Url,
    range: Range,
    only: Option<&[CodeActionKind]>,
    enc: Encoding,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let safe = |d: &Diagnostic| {
        d.file == id
            && d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
    };
    if wanted(only, &CodeActionKind::QUICKFIX) {
        for (i, d) in diags.iter().enumerate().filter(|(_, d)| safe(d)) {
            let lsp = diagnostic(project, d, view, uri, enc);
            if !touches(&lsp.range, &range) {
                continue;
            }
            let Some(fix) = &d.fix else { continue };
            let edits: Vec<(usize, FileEdit)> = fix.edits.iter().map(|e| (i, e.clone())).collect();
            if let Some(text_edits) = verified_edits(project, diags, id, &edits, view, enc) {
                let title = format!("{} ({})", clean(project, &fix.title), d.rule.code);
                out.push(action(
                    title,
                    CodeActionKind::QUICKFIX,
                    uri,
                    text_edits,
                    vec![lsp],
                    true,
                ));
            }
        }
    }
    let kind = fix_all_kind();
    if wanted(only, &kind) {
        let all = crate::fix::safe_edits(diags);
        if let Some(edits) = all.get(&id) {
            let fixed = {
                let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
                ids.dedup();
                ids.len()
            };
            // With one fix, the quick fix above is the same edit; a second entry saying
            // the same thing is noise, unless the client asked for this kind by name. And
            // at a place with nothing to fix, "fix all" is not offered unasked.
            let asked = only.is_some_and(|o| !o.contains(&CodeActionKind::QUICKFIX));
            if asked || (fixed > 1 && !out.is_empty()) {
                if let Some(text_edits) = verified_edits(project, diags, id, edits, view, enc) {
                    out.push(action(
                        format!("Fix all safe neon-lint findings in this file ({fixed})"),
                        kind,
                        uri,
                        text_edits,
                        Vec::new(),
                        false,
                    ));
                }
            }
        }
    }
    out
}

/// The documentation of the rules whose findings cover `pos` (what `--explain` prints).
pub fn hover(
    project: &Project,
    diags: &[Diagnostic],
    id: FileId,
    view: &View,
    pos: Position,
    enc: Encoding,
) -> Option<Hover> {
    let offset = view.offset(pos, enc);
    let here: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.file == id && d.span.start <= offset && offset <= d.span.end)
        .collect();
    let first = here.first()?;
    let mut rules: Vec<&'static neon_lint_core::RuleMeta> = here.iter().map(|d| d.rule).collect();
    rules.sort_by_key(|r| r.code);
    rules.dedup_by_key(|r| r.code);
    let text = rules
        .iter()
        .map(|r| clean(project, &crate::cli::explain(r)))
        .collect::<Vec<_>>()
        .join("\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(view.range(first.span.clone(), enc)),
    })
}
