//! `--fix`: applies safe fixes. Only the bytes the fixes name change; the fixed text must
//! read back with the values the fixes meant ([`verify`]); writes are atomic and keep the
//! file's mode, owner and group ([`atomic`]).

mod atomic;
mod verify;

use std::collections::BTreeMap;

pub use atomic::{replace_checked, write_atomic, Snapshot};
pub use verify::verify;

use neon_lint_core::rule::Applicability;

use crate::diagnostic::{Diagnostic, FileEdit, FileFix};
use crate::project::Project;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct FixOutcome {
    /// Findings fixed.
    pub fixed: usize,
    /// Files rewritten (display paths).
    pub files: Vec<String>,
    /// Files that could not be written (display path, error).
    pub errors: Vec<(String, String)>,
}

/// The safe edits of `diags`, grouped per file, overlapping edits dropped.
pub fn safe_edits(diags: &[Diagnostic]) -> BTreeMap<usize, Vec<(usize, FileEdit)>> {
    let mut per_file: BTreeMap<usize, Vec<(usize, FileEdit)>> = BTreeMap::new();
    for (i, d) in diags.iter().enumerate() {
        let Some(fix) = &d.fix else { continue };
        if fix.applicability != Applicability::Safe {
            continue;
        }
        for e in &fix.edits {
            per_file.entry(d.file).or_default().push((i, e.clone()));
        }
    }
    for edits in per_file.values_mut() {
        edits.sort_by_key(|(_, e)| (e.range.start, e.range.end));
        let mut kept: Vec<(usize, FileEdit)> = Vec::with_capacity(edits.len());
        for (i, e) in edits.drain(..) {
            let overlaps = kept.last().is_some_and(|(_, k)| {
                e.range.start < k.range.end
                    || (e.range.start == k.range.start && e.range.is_empty())
            });
            if !overlaps {
                kept.push((i, e));
            }
        }
        *edits = kept;
    }
    per_file
}

/// `text` with `edits` (sorted, non-overlapping) applied.
pub fn apply_edits(text: &str, edits: &[(usize, FileEdit)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for (_, e) in edits {
        out.push_str(&text[last..e.range.start]);
        out.push_str(&e.content);
        last = e.range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `file`'s text with `edits` (of `diags`' safe fixes) applied, when the result reads back
/// with every value the fixes meant to produce ([`verify`]); otherwise why not. `--fix`
/// writes only this text, and `--diff` shows only this text.
pub fn fixed_text(
    file_id: crate::source::FileId,
    file: &crate::source::SourceFile,
    diags: &[Diagnostic],
    edits: &[(usize, FileEdit)],
) -> Result<String, String> {
    let new_body = apply_edits(&file.text, edits);
    let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
    ids.dedup();
    let fixes: Vec<&FileFix> = ids.iter().filter_map(|&i| diags[i].fix.as_ref()).collect();
    verify(file_id, file, &new_body, &fixes)?;
    Ok(new_body)
}

/// Applies every safe fix and returns which diagnostics were fixed (indices into `diags`).
pub fn apply(project: &Project, diags: &[Diagnostic]) -> (FixOutcome, Vec<usize>) {
    let mut outcome = FixOutcome::default();
    let mut fixed_ids = Vec::new();
    for (file_id, edits) in safe_edits(diags) {
        let file = &project.files[file_id];
        // Re-read the bytes: edit exactly what is on disk (BOM and invalid bytes included).
        let original = match Snapshot::read(&file.path) {
            Ok(s) => s,
            Err(e) => {
                outcome.errors.push((file.display.clone(), e.to_string()));
                continue;
            }
        };
        let bom = if original.bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let Ok(body) = std::str::from_utf8(&original.bytes[bom..]) else {
            outcome
                .errors
                .push((file.display.clone(), "not valid UTF-8; not fixed".into()));
            continue;
        };
        if body != file.text {
            outcome.errors.push((
                file.display.clone(),
                "changed on disk during the run; not fixed".into(),
            ));
            continue;
        }
        let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
        ids.dedup();
        let new_body = match fixed_text(file_id, file, diags, &edits) {
            Ok(t) => t,
            Err(why) => {
                outcome
                    .errors
                    .push((file.display.clone(), format!("{why}; not fixed")));
                continue;
            }
        };
        let mut bytes = original.bytes[..bom].to_vec();
        bytes.extend_from_slice(new_body.as_bytes());
        match replace_checked(&file.path, &bytes, &original) {
            Ok(()) => {
                outcome.files.push(file.display.clone());
                outcome.fixed += ids.len();
                fixed_ids.extend(ids);
            }
            Err(e) => outcome.errors.push((file.display.clone(), e.to_string())),
        }
    }
    (outcome, fixed_ids)
}
