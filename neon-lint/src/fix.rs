//! `--fix`: applies safe fixes. Writes are atomic (a temporary file in the same folder,
//! then rename), keep the file's permissions, and touch only the bytes the fixes name.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use neon_lint_core::rule::Applicability;

use crate::diagnostic::{Diagnostic, FileEdit};
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

/// Applies every safe fix and returns which diagnostics were fixed (indices into `diags`).
pub fn apply(project: &Project, diags: &[Diagnostic]) -> (FixOutcome, Vec<usize>) {
    let mut outcome = FixOutcome::default();
    let mut fixed_ids = Vec::new();
    for (file_id, edits) in safe_edits(diags) {
        let file = &project.files[file_id];
        // Re-read the bytes: edit exactly what is on disk (BOM and invalid bytes included).
        let original = match std::fs::read(&file.path) {
            Ok(b) => b,
            Err(e) => {
                outcome.errors.push((file.display.clone(), e.to_string()));
                continue;
            }
        };
        let bom = if original.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let Ok(body) = std::str::from_utf8(&original[bom..]) else {
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
        let new_body = apply_edits(body, &edits);
        let mut bytes = original[..bom].to_vec();
        bytes.extend_from_slice(new_body.as_bytes());
        match write_atomic(&file.path, &bytes) {
            Ok(()) => {
                outcome.files.push(file.display.clone());
                let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
                ids.dedup();
                outcome.fixed += ids.len();
                fixed_ids.extend(ids);
            }
            Err(e) => outcome.errors.push((file.display.clone(), e.to_string())),
        }
    }
    (outcome, fixed_ids)
}

/// Writes `bytes` to `path` through a temporary file and a rename, keeping permissions.
/// A symbolic link is followed: its target is rewritten and the link stays a link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.neon-lint-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
