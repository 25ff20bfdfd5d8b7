//! Inline suppressions: `// neon-lint: allow(rule-name, NL002)` or
//! `# neon-lint: allow(rule-name)` on the finding's line or the line above;
//! `neon-lint: allow-file(rule-name)` anywhere in the file. A reason may follow:
//! `# neon-lint: allow(missing-sslmode) -- local tunnel adds TLS`.

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// 0-based line of the comment.
    pub line: usize,
    /// Whether it covers the whole file.
    pub whole_file: bool,
    /// Rule names or codes as written.
    pub rules: Vec<String>,
}

/// Finds the suppression comments of a file.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(file.text.as_bytes(), b"neon-lint:") {
        let rest = &file.text[at + "neon-lint:".len()..];
        let rest = rest.trim_start_matches([' ', '\t']);
        let (whole_file, args) = if let Some(a) = rest.strip_prefix("allow-file(") {
            (true, a)
        } else if let Some(a) = rest.strip_prefix("allow(") {
            (false, a)
        } else {
            continue;
        };
        let Some(close) = args.find(')') else {
            continue;
        };
        if args[..close].contains('\n') {
            continue;
        }
        let rules = args[..close]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(Suppression {
            line: file.lines.line_of(at),
            whole_file,
            rules,
        });
    }
    out
}

/// Whether `d` is suppressed by one of `sups` (the comment on its line or the line above).
pub fn is_suppressed(d: &Diagnostic, file: &SourceFile, sups: &[Suppression]) -> bool {
    let line = file.lines.line_of(d.span.start);
    sups.iter().any(|s| {
        (s.whole_file || s.line == line || s.line + 1 == line)
            && s.rules
                .iter()
                .any(|r| r == d.rule.name || r.eq_ignore_ascii_case(d.rule.code) || r == "all")
    })
}
