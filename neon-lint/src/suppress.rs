//! Inline suppressions.
//!
//! - `// neon-lint: allow(rule-name, NL002)` (Rust, JS/TS) or `# neon-lint: allow(rule-name)`
//!   (`.env`, Python, YAML, TOML, shell), also after `--`, `;`, `/*` or `<!--`. A comment at
//!   the end of a code line covers that line; a comment alone on its line covers it and the
//!   next line.
//! - `neon-lint: allow-file(rule-name)` anywhere in a comment covers the whole file.
//! - A reason may follow: `# neon-lint: allow(missing-sslmode) -- local tunnel adds TLS`.
//! - `all` names every rule.
//!
//! Only real comments count: the marker must open the comment (a `// neon-lint: ...` quoted
//! in backticks or inside a string literal is text, not a suppression). Which suppressions
//! were used is recorded so that `unused-suppression` (NL090) can report the rest.

use std::ops::Range;

use neon_lint_core::RuleMeta;

use crate::classify::FileKind;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// Comment markers a suppression may follow.
const MARKERS: &[&str] = &["<!--", "//", "/*", "--", "#", ";"];

/// One name inside `allow(...)`.
#[derive(Debug, Clone)]
pub struct Entry {
    /// As written.
    pub name: String,
    /// File span of the name.
    pub span: Range<usize>,
    /// The rule it names (`None` for `all` or an unknown name).
    pub rule: Option<&'static RuleMeta>,
    /// `all`: every rule.
    pub all: bool,
    /// Whether it suppressed at least one finding in this run.
    pub used: bool,
}

impl Entry {
    /// Whether the name means neither a rule nor `all`.
    pub fn is_unknown(&self) -> bool {
        self.rule.is_none() && !self.all
    }

    fn matches(&self, rule: &RuleMeta) -> bool {
        self.all || self.rule.is_some_and(|r| r.code == rule.code)
    }
}

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// 0-based line of the comment.
    pub line: usize,
    /// The comment is alone on its line, so it also covers the next line.
    pub own_line: bool,
    /// Whether it covers the whole file.
    pub whole_file: bool,
    /// The names inside the parentheses.
    pub entries: Vec<Entry>,
    /// The reason after `--`, if any.
    pub reason: Option<String>,
    /// File span of `neon-lint: allow(...)`.
    pub span: Range<usize>,
}

impl Suppression {
    /// Whether the comment covers 0-based `line`.
    pub fn covers_line(&self, line: usize) -> bool {
        self.whole_file || self.line == line || (self.own_line && self.line + 1 == line)
    }
}

/// Finds the suppression comments of a file.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    const KEY: &str = "neon-lint:";
    let text = file.text.as_str();
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(text.as_bytes(), KEY.as_bytes()) {
        let line = file.lines.line_of(at);
        let line_start = file.lines.line_range(text, line).start;
        let Some(own_line) = opens_comment(&text[line_start..at], markers_for(file.kind)) else {
            continue;
        };
        let after_key = at + KEY.len();
        let rest = &text[after_key..];
        let pad = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let rest = &rest[pad..];
        let (whole_file, open) = if rest.starts_with("allow-file(") {
            (true, "allow-file(".len())
        } else if rest.starts_with("allow(") {
            (false, "allow(".len())
        } else {
            continue;
        };
        let args_start = after_key + pad + open;
        let args = &text[args_start..];
        let Some(close) = args.find([')', '\n']) else {
            continue;
        };
        if args.as_bytes()[close] != b')' {
            continue;
        }
        let mut entries = Vec::new();
        let mut offset = args_start;
        for part in args[..close].split(',') {
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                let lead = part.len() - part.trim_start().len();
                let start = offset + lead;
                entries.push(entry(trimmed, start..start + trimmed.len()));
            }
            offset += part.len() + 1;
        }
        let end = args_start + close + 1;
        let tail_end = file.lines.line_range(text, line).end.max(end);
        let reason = text[end..tail_end]
            .trim_start()
            .strip_prefix("--")
            .map(|r| {
                r.trim()
                    .trim_end_matches("-->")
                    .trim_end_matches("*/")
                    .trim()
                    .to_string()
            })
            .filter(|r| !r.is_empty());
        out.push(Suppression {
            line,
            own_line,
            whole_file,
            entries,
            reason,
            span: at..end,
        });
    }
    out
}

fn entry(name: &str, span: Range<usize>) -> Entry {
    let all = name.eq_ignore_ascii_case("all");
    Entry {
        name: name.to_string(),
        span,
        rule: if all { None } else { crate::rules::find(name) },
        all,
        used: false,
    }
}

/// Whether `before` (the line up to `neon-lint:`) ends with a comment marker that opens a
/// comment; `Some(true)` when nothing but blanks precede the marker (an own-line comment).
fn opens_comment(before: &str, markers: &[&str]) -> Option<bool> {
    let trimmed = before.trim_end_matches([' ', '\t']);
    let marker = markers.iter().find(|m| trimmed.ends_with(*m))?;
    let raw_head = &trimmed[..trimmed.len() - marker.len()];
    // Quoted right before the marker: "`# neon-lint: ...`" in prose.
    if raw_head.ends_with(['`', '"', '\'']) {
        return None;
    }
    let head = raw_head.trim_end_matches([' ', '\t']);
    // Rust doc comments are documentation, and quote the syntax: `/// neon-lint: ...`,
    // `/// # neon-lint: ...` in an example.
    if (*marker == "//" && head.ends_with('/'))
        || ["///", "//!", "/**", "/*!"]
            .iter()
            .any(|d| head.ends_with(d))
    {
        return None;
    }
    // Inside a string literal (an odd number of double quotes or backticks before it).
    let unescaped = |q: u8| {
        let b = head.as_bytes();
        (0..b.len())
            .filter(|&i| b[i] == q && (i == 0 || b[i - 1] != b'\\'))
            .count()
    };
    if unescaped(b'"') % 2 == 1 || unescaped(b'`') % 2 == 1 {
        return None;
    }
    // `##`, `;;`, `---`: repeated markers are still one comment.
    let head = head.trim_end_matches(['#', ';', '-']);
    Some(head.is_empty())
}

/// The comment markers of a file kind (Rust and JavaScript have no `#` comments).
fn markers_for(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Rust | FileKind::JavaScript => &["//", "/*"],
        _ => MARKERS,
    }
}

/// Whether `d` is suppressed by one of `sups`; matching entries are marked used.
pub fn suppress(d: &Diagnostic, file: &SourceFile, sups: &mut [Suppression]) -> bool {
    let line = file.lines.line_of(d.span.start);
    let mut hit = false;
    for s in sups.iter_mut() {
        if !s.covers_line(line) {
            continue;
        }
        for e in &mut s.entries {
            if e.matches(d.rule) {
                e.used = true;
                hit = true;
            }
        }
    }
    hit
}

/// Whether `d` is suppressed by one of `sups` (without recording use).
pub fn is_suppressed(d: &Diagnostic, file: &SourceFile, sups: &[Suppression]) -> bool {
    let line = file.lines.line_of(d.span.start);
    sups.iter()
        .any(|s| s.covers_line(line) && s.entries.iter().any(|e| e.matches(d.rule)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    fn file_of(kind: FileKind, text: &str) -> SourceFile {
        SourceFile {
            path: "x".into(),
            display: "x".into(),
            kind,
            text: text.into(),
            lines: LineIndex::new(text),
        }
    }

    fn file(text: &str) -> SourceFile {
        file_of(FileKind::Script, text)
    }

    #[test]
    fn parses_names_spans_and_reasons() {
        let f =
            file("x = 1  # neon-lint: allow(missing-sslmode, NL002 ,nope) -- tunnel adds TLS\n");
        let s = parse(&f);
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert!(!s.own_line && !s.whole_file);
        assert_eq!(s.reason.as_deref(), Some("tunnel adds TLS"));
        let names: Vec<&str> = s.entries.iter().map(|e| &f.text[e.span.clone()]).collect();
        assert_eq!(names, ["missing-sslmode", "NL002", "nope"]);
        assert!(s.entries[2].is_unknown());
        assert_eq!(s.entries[1].rule.map(|r| r.name), Some("insecure-sslmode"));
    }

    #[test]
    fn only_real_comments_count() {
        for text in [
            "docs: `// neon-lint: allow(x)`\n",
            "s = \"# neon-lint: allow(x)\"\n",
            "neon-lint: allow(x)\n",
            "# neon-lint: allowed(x)\n",
            "# neon-lint: allow(x\n)\n",
            "/// # neon-lint: allow(x)\n",
            "/// neon-lint: allow(x)\n",
            "x = \"a # neon-lint: allow(x)\"\n",
        ] {
            assert!(parse(&file(text)).is_empty(), "{text}");
        }
        for text in [
            "# neon-lint: allow(x)\n",
            "    // neon-lint: allow(x)\n",
            "## neon-lint: allow(x)\n",
            "x = \"a\" # neon-lint: allow(x)\n",
            "<!-- neon-lint: allow-file(x) -->\n",
            "-- neon-lint: allow(x)\n",
            "a = 1 ; neon-lint: allow(x)\n",
        ] {
            assert_eq!(parse(&file(text)).len(), 1, "{text}");
        }
    }

    #[test]
    fn rust_has_no_hash_comments() {
        let f = file_of(FileKind::Rust, "let s = \"{u} # neon-lint: allow(x)\";\n# neon-lint: allow(x)\n// neon-lint: allow(x)\n");
        let s = parse(&f);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, 2);
    }

    #[test]
    fn own_line_comments_cover_the_next_line() {
        let f = file("# neon-lint: allow(all)\na\nb # neon-lint: allow(all)\nc\n");
        let s = parse(&f);
        assert!(s[0].covers_line(0) && s[0].covers_line(1) && !s[0].covers_line(2));
        assert!(s[1].covers_line(2) && !s[1].covers_line(3));
    }
}
