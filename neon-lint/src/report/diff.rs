//! `--diff`: the safe fixes `--fix` would apply, as a unified diff (three lines of
//! context), without writing anything. Every printed line is redacted, so a line holding a
//! password shows `****` on both sides (such a hunk is for reading, not for `git apply`).

use super::{clean_line, RedactedText};
use crate::diagnostic::{Diagnostic, FileEdit};
use crate::fix;
use crate::project::Project;
use crate::source::SourceFile;

const CONTEXT: usize = 3;

/// What `--diff` prints, and how many fixes and files it covers.
pub struct Preview {
    /// The unified diff.
    pub text: String,
    /// Findings the diff fixes.
    pub fixes: usize,
    /// Files it changes.
    pub files: usize,
    /// Files whose fixes `--fix` would refuse (display path, why): not in the diff.
    pub refused: Vec<(String, String)>,
}

/// The diff of every safe fix of `diags`.
///
/// The diff is drawn between the file as redaction shows it and that text with the edits
/// moved into it, so every line (context, removed, added) holds only masked secrets, however
/// the secret was written: split over literals, on the line after its key, in a `.env`
/// value spanning lines.
pub fn render(project: &Project, diags: &[Diagnostic]) -> Preview {
    let mut text = String::new();
    let mut fixes = 0;
    let mut files = 0;
    let mut refused = Vec::new();
    for (file_id, edits) in fix::safe_edits(diags) {
        let file = &project.files[file_id];
        let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
        ids.sort_unstable();
        ids.dedup();
        // What `--fix` would refuse to write is not previewed as if it would be.
        if let Err(why) = fix::fixed_text(file_id, file, diags, &edits) {
            refused.push((
                clean_line(project, &file.display),
                clean_line(project, &why),
            ));
            continue;
        }
        let masked = super::redaction(project).file_text(project, file_id);
        let display = clean_line(project, &file.display);
        let body = redacted_diff(file, &masked, &edits, |t| clean_line(project, t));
        if body.is_empty() {
            continue;
        }
        fixes += ids.len();
        files += 1;
        text.push_str(&format!("--- a/{display}\n+++ b/{display}\n"));
        text.push_str(&body);
    }
    Preview {
        text,
        fixes,
        files,
        refused,
    }
}

/// The hunks of `file` under `edits`, drawn on its redacted text `masked` (edits moved into
/// it, their content passed through `clean`).
fn redacted_diff(
    file: &SourceFile,
    masked: &RedactedText,
    edits: &[(usize, FileEdit)],
    clean: impl Fn(&str) -> String,
) -> String {
    let shown = SourceFile {
        path: file.path.clone(),
        display: file.display.clone(),
        kind: file.kind,
        lines: crate::source::LineIndex::new(&masked.text),
        text: masked.text.clone(),
    };
    let shown_edits: Vec<(usize, FileEdit)> = edits
        .iter()
        .map(|(i, e)| {
            (
                *i,
                FileEdit {
                    range: masked.map_range(e.range.clone()),
                    content: clean(&e.content),
                },
            )
        })
        .collect();
    file_diff(&shown, &shown_edits)
}

/// 0-based first and last line an edit touches.
fn lines_of(file: &SourceFile, e: &FileEdit) -> (usize, usize) {
    let first = file.lines.line_of(e.range.start);
    let last = if e.range.end > e.range.start {
        file.lines.line_of(e.range.end - 1)
    } else {
        first
    };
    (first, last)
}

/// Byte offset of the start of 0-based `line` (the text's end past the last line).
fn line_start(file: &SourceFile, line: usize) -> usize {
    if line >= file.lines.len() {
        return file.text.len();
    }
    file.lines.line_range(&file.text, line).start
}

fn push_lines(out: &mut String, prefix: char, text: &str) {
    for line in text.split_inclusive('\n') {
        out.push(prefix);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

fn count_lines(text: &str) -> usize {
    text.split_inclusive('\n').count()
}

/// The hunks of one file (`file` and `edits` already redacted).
fn file_diff(file: &SourceFile, edits: &[(usize, FileEdit)]) -> String {
    // Group edits into hunks whose context would touch.
    let mut hunks: Vec<(usize, usize, Vec<&FileEdit>)> = Vec::new();
    for (_, e) in edits {
        let (a, b) = lines_of(file, e);
        match hunks.last_mut() {
            Some((_, hb, es)) if a <= *hb + 2 * CONTEXT + 1 => {
                *hb = (*hb).max(b);
                es.push(e);
            }
            _ => hunks.push((a, b, vec![e])),
        }
    }
    let n_lines = count_lines(&file.text).max(1);
    let mut out = String::new();
    let mut delta: isize = 0;
    for (a, b, es) in hunks {
        let ca = a.saturating_sub(CONTEXT);
        let cb = (b + CONTEXT).min(n_lines - 1).max(b);
        let (ctx_start, chg_start) = (line_start(file, ca), line_start(file, a));
        let (chg_end, ctx_end) = (line_start(file, b + 1), line_start(file, cb + 1));
        let old_chg = &file.text[chg_start..chg_end];
        let mut new_chg = String::with_capacity(old_chg.len() + 32);
        let mut last = chg_start;
        for e in &es {
            new_chg.push_str(&file.text[last..e.range.start]);
            new_chg.push_str(&e.content);
            last = e.range.end;
        }
        new_chg.push_str(&file.text[last..chg_end]);
        if new_chg == old_chg {
            continue;
        }
        let before = &file.text[ctx_start..chg_start];
        let after = &file.text[chg_end..ctx_end];
        let old_count = count_lines(before) + count_lines(old_chg) + count_lines(after);
        let new_count = count_lines(before) + count_lines(&new_chg) + count_lines(after);
        let new_start = (ca as isize + 1 + delta).max(1);
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            ca + 1,
            old_count,
            new_start,
            new_count
        ));
        push_lines(&mut out, ' ', before);
        push_lines(&mut out, '-', old_chg);
        push_lines(&mut out, '+', &new_chg);
        push_lines(&mut out, ' ', after);
        delta += new_count as isize - old_count as isize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::FileKind;
    use crate::source::LineIndex;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: ".env".into(),
            display: ".env".into(),
            kind: FileKind::DotEnv,
            text: text.into(),
            lines: LineIndex::new(text),
        }
    }

    #[test]
    fn one_hunk_with_context_and_masked_password() {
        let text = "a\nb\nc\nd\nURL=postgresql://u:Secr3tPw@h/db\ne\nf\ng\nh\n";
        let f = file(text);
        let at = text.find("/db").expect("url") + 3;
        let edits = vec![(
            0,
            FileEdit {
                range: at..at,
                content: "?sslmode=require".into(),
            },
        )];
        let d = redacted_diff(&f, &RedactedText::new(text), &edits, str::to_string);
        assert_eq!(
            d,
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-URL=postgresql://u:****@h/db\n+URL=postgresql://u:****@h/db?sslmode=require\n e\n f\n g\n"
        );
        assert!(!d.contains("Secr3tPw"));
    }

    #[test]
    fn last_line_without_newline_is_marked() {
        let text = "x=postgresql://h/db";
        let f = file(text);
        let edits = vec![(
            0,
            FileEdit {
                range: text.len()..text.len(),
                content: "?sslmode=require".into(),
            },
        )];
        let d = file_diff(&f, &edits);
        assert_eq!(
            d,
            "@@ -1,1 +1,1 @@\n-x=postgresql://h/db\n\\ No newline at end of file\n+x=postgresql://h/db?sslmode=require\n\\ No newline at end of file\n"
        );
    }
}
