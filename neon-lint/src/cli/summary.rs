//! The closing lines of a run: counts said the way people write them ("1 file", "2
//! warnings"), with the counts that are zero left out, as ruff and cargo do.

use neon_lint_core::Level;

use crate::diagnostic::Diagnostic;

/// `n` and `word`, plural when `n` is not one (`1 file`, `2 files`, `3 fixes`).
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        return format!("1 {word}");
    }
    let plural = if word.ends_with('x') || word.ends_with('s') || word.ends_with("ch") {
        format!("{word}es")
    } else {
        format!("{word}s")
    };
    format!("{n} {plural}")
}

/// The last line of the human report.
pub fn line(diags: &[Diagnostic], files_seen: usize) -> String {
    if files_seen == 0 {
        return "neon-lint: no files to lint\n".into();
    }
    let scanned = format!("{} scanned", count(files_seen, "file"));
    let by_level = |l: Level| diags.iter().filter(|d| d.level == l).count();
    let parts: Vec<String> = [
        (Level::Error, "error"),
        (Level::Warn, "warning"),
        (Level::Info, "info"),
    ]
    .into_iter()
    .map(|(l, word)| (by_level(l), word))
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| count(n, word))
    .collect();
    if parts.is_empty() {
        return format!("no problems found ({scanned})\n");
    }
    format!("found {} ({scanned})\n", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn plurals() {
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(2, "fix"), "2 fixes");
        assert_eq!(count(3, "info"), "3 infos");
    }
}
