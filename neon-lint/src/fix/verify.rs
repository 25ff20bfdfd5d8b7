//! The check every fixed file passes before it is written: read back with the same
//! extractor, it yields each value the fixes meant to produce, and no problem that the
//! original did not have (a note, a Python syntax error). A fix the check rejects is not
//! applied; `--fix` says so.
//!
//! Each fix's intended value is the value with that fix alone applied: two safe fixes on
//! one value (no rule makes such a pair today: `missing-sslmode` and `insecure-sslmode`
//! exclude each other) would fail the check and leave the file as it is, never half-fixed.

use crate::classify::FileKind;
use crate::diagnostic::FileFix;
use crate::source::{FileId, LineIndex, SourceFile};

/// Why a fixed text was rejected.
pub fn verify(
    file_id: FileId,
    file: &SourceFile,
    fixed_text: &str,
    fixes: &[&FileFix],
) -> Result<(), String> {
    let fixed = SourceFile {
        path: file.path.clone(),
        display: file.display.clone(),
        kind: file.kind,
        text: fixed_text.to_string(),
        lines: LineIndex::new(fixed_text),
    };
    let before = crate::extract::extract(file_id, file);
    let after = crate::extract::extract(file_id, &fixed);
    // Notes name positions, which an edit before them shifts: count them.
    if after.notes.len() > before.notes.len() {
        let note = after
            .notes
            .iter()
            .find(|n| !before.notes.contains(n))
            .or(after.notes.last())
            .cloned()
            .unwrap_or_default();
        return Err(format!("the fixed file would not read back ({note})"));
    }
    if file.kind == FileKind::Python
        && crate::extract::python_parses_cleanly(&file.text)
        && !crate::extract::python_parses_cleanly(fixed_text)
    {
        return Err("the fixed file would not be valid Python".into());
    }
    let mut found: Vec<&str> = after.urls.iter().map(|u| u.text.as_str()).collect();
    for fix in fixes {
        let Some(want) = &fix.intended else { continue };
        match found.iter().position(|t| t == want) {
            Some(i) => {
                found.swap_remove(i);
            }
            None => {
                return Err("the fixed file would not hold the intended connection string".into())
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileEdit;
    use neon_lint_core::rule::Applicability;

    fn python(text: &str) -> SourceFile {
        SourceFile {
            path: "app.py".into(),
            display: "app.py".into(),
            kind: FileKind::Python,
            text: text.to_string(),
            lines: LineIndex::new(text),
        }
    }

    fn fix(intended: &str) -> FileFix {
        FileFix {
            applicability: Applicability::Safe,
            title: "append `sslmode=require`".into(),
            edits: vec![FileEdit {
                range: 0..0,
                content: String::new(),
            }],
            intended: Some(intended.to_string()),
        }
    }

    #[test]
    fn an_edit_outside_the_quotes_is_rejected() {
        // 0.1's fix of adjacent literals: after the closing quote, a SyntaxError.
        let file = python("URL = 'postgresql://app@' 'h.neon.tech/neondb'\n");
        let broken = "URL = 'postgresql://app@' 'h.neon.tech/neondb'?sslmode=require\n";
        let want = "postgresql://app@h.neon.tech/neondb?sslmode=require";
        assert!(verify(0, &file, broken, &[&fix(want)]).is_err());
        let right = "URL = 'postgresql://app@' 'h.neon.tech/neondb?sslmode=require'\n";
        assert_eq!(verify(0, &file, right, &[&fix(want)]), Ok(()));
    }

    #[test]
    fn a_value_other_than_the_intended_one_is_rejected() {
        // 0.1's fix of `'.../' + 'neondb'`: valid Python, wrong value.
        let file = python("URL = 'postgresql://app@h.neon.tech/' + 'neondb'\n");
        let wrong = "URL = 'postgresql://app@h.neon.tech/?sslmode=require' + 'neondb'\n";
        let want = "postgresql://app@h.neon.tech/neondb?sslmode=require";
        let err = verify(0, &file, wrong, &[&fix(want)]).expect_err("rejected");
        assert!(err.contains("intended"), "{err}");
    }
}
