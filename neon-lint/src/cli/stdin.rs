//! `neon-lint - --stdin-filename PATH`: lint text given on standard input as if it were the
//! file at PATH (its kind decided by the name), as editors and `ruff check -
//! --stdin-filename` do.
//!
//! With `--fix`, like ruff, the fixed text is printed on stdout (the remaining findings go
//! to stderr), so an editor can replace its buffer with it. One difference: a text that
//! holds a password is never printed (no output ever shows one), so there `--fix` is
//! refused with exit 2 and stdout stays empty; the editor keeps its buffer.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::discover::{self, Discovery};
use crate::fsread::MAX_FILE_BYTES;
use crate::project::Project;

/// Reads all of standard input, bounded like a file of the tree.
pub fn read() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err("stdin: over the 8 MB limit for one file".into());
    }
    Ok(bytes)
}

/// What the walk would have found had `bytes` been the file at `name`.
pub fn discovery(name: &Path, bytes: Vec<u8>) -> Discovery {
    discover::from_stdin(name, bytes)
}

/// Where configuration is looked for: from the named file's folder when it exists (the
/// file may be new), else from the working directory.
pub fn config_root(name: &Path) -> PathBuf {
    match name.parent() {
        Some(p) if !p.as_os_str().is_empty() && p.is_dir() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The text `--fix` prints for stdin: `original` with the safe fixes applied (or as it
/// was when none applies), or why it cannot be printed.
pub fn fixed(
    project: &Project,
    diags: &[crate::diagnostic::Diagnostic],
    original: &[u8],
) -> Result<(Vec<u8>, Vec<usize>), String> {
    // The run's redaction knows what the extractors found; the redactor's own look covers
    // a text the prefilter passed over (echoed unchanged, it must hold no secret either).
    let lossy = String::from_utf8_lossy(original);
    let holds_secret = !neon_lint_core::redact::secret_spans_multiline(&lossy).is_empty()
        || (!project.files.is_empty() && crate::report::redaction(project).masks_any(project, 0));
    if holds_secret {
        return Err(
            "the input holds a password, and neon-lint never prints one: the fixed \
                    text is not printed (run `--fix` on the file itself, or `--diff` to see \
                    the change)"
                .into(),
        );
    }
    if project.files.is_empty() {
        return Ok((original.to_vec(), Vec::new()));
    }
    let Some(edits) = crate::fix::safe_edits(diags).remove(&0) else {
        return Ok((original.to_vec(), Vec::new()));
    };
    let bom = if original.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if std::str::from_utf8(&original[bom..]) != Ok(project.files[0].text.as_str()) {
        return Err("the input is not valid UTF-8; nothing to print safely".into());
    }
    let body = crate::fix::fixed_text(0, &project.files[0], diags, &edits)?;
    let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = original[..bom].to_vec();
    out.extend_from_slice(body.as_bytes());
    Ok((out, ids))
}
