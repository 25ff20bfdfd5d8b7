//! What every rule declares about itself, and what a finding carries.

use std::ops::Range;

/// How serious a finding is. Every rule's level can be changed by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Advice: shown, never fails the run.
    Info,
    /// Likely bug or outage under load; fails the run only under `-D warnings`.
    Warn,
    /// Will fail, or is a security hole: fails the run.
    Error,
}

impl Level {
    /// The word used in output and configuration (`error`, `warning`, `info`, `allow`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warn => "warning",
            Level::Error => "error",
        }
    }

    /// Reads a level as written in configuration or on the command line.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "allow" | "off" => Some(Level::Allow),
            "info" => Some(Level::Info),
            "warn" | "warning" => Some(Level::Warn),
            "error" | "deny" => Some(Level::Error),
            _ => None,
        }
    }
}

/// The family a rule belongs to (the sections of `RULES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Connection strings in every file kind.
    ConnectionString,
    /// Neon's pooler (PgBouncer, transaction mode).
    Pooler,
    /// Where migrations run.
    Migrations,
    /// Rust driver set-up.
    RustDrivers,
    /// Scale to zero and cold starts.
    Reliability,
    /// Python code and dependencies.
    Python,
    /// Committed credentials.
    Secrets,
    /// Findings about neon-lint's own configuration and suppressions.
    Meta,
}

impl Group {
    /// Human title of the group.
    pub fn title(self) -> &'static str {
        match self {
            Group::ConnectionString => "Connection strings",
            Group::Pooler => "Pooler",
            Group::Migrations => "Migrations",
            Group::RustDrivers => "Rust drivers",
            Group::Reliability => "Reliability (scale to zero)",
            Group::Python => "Python and dependencies",
            Group::Secrets => "Secrets",
            Group::Meta => "neon-lint itself",
        }
    }
}

/// The heading that starts the maintainers' part of a rule's doc comment (to its end),
/// which [`RuleMeta::documentation`] leaves out.
pub const INTERNAL_NOTES: &str = "## Internal notes";

/// A rule's identity and documentation. Code and name are a stable contract.
#[derive(Debug)]
pub struct RuleMeta {
    /// `NL001`.
    pub code: &'static str,
    /// `missing-sslmode`.
    pub name: &'static str,
    /// Level when configuration says nothing.
    pub default_level: Level,
    /// Family.
    pub group: Group,
    /// One line for `--list-rules`.
    pub summary: &'static str,
    /// The rule's doc comment, verbatim (each line starts with the space after `///`).
    pub docs: &'static str,
    /// Whether some of its findings carry a safe fix.
    pub fixable: bool,
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleMeta {}

impl RuleMeta {
    /// The user's documentation as Markdown, with the doc-comment indentation removed:
    /// what `--explain`, the rule pages and SARIF show. A rule's doc comment may end with
    /// a [`INTERNAL_NOTES`] section, for the people who maintain the rule (where a fact was
    /// checked, which test shows it): rustdoc shows it, users never see it.
    pub fn documentation(&self) -> String {
        self.doc_lines()
            .take_while(|l| l.trim_end() != INTERNAL_NOTES)
            .fold(String::with_capacity(self.docs.len()), |mut out, l| {
                out.push_str(l);
                out.push('\n');
                out
            })
            .trim_end()
            .to_string()
            + "\n"
    }

    /// The doc comment's [`INTERNAL_NOTES`] section, without its heading (empty when
    /// there is none).
    pub fn internal_notes(&self) -> String {
        let mut out = String::new();
        for l in self
            .doc_lines()
            .skip_while(|l| l.trim_end() != INTERNAL_NOTES)
            .skip(1)
        {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    fn doc_lines(&self) -> impl Iterator<Item = &'static str> {
        self.docs
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
    }

    /// Where the rule's page is published (the same text as `--explain`).
    pub fn url(&self) -> String {
        format!(
            "https://github.com/neon-lint/neon-lint/blob/main/docs/rules/{}.md",
            self.name
        )
    }
}

/// Declares a rule: its doc comment becomes its documentation (`--explain`, `docs/rules/`).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            level: $level:ident,
            group: $group:ident,
            summary: $summary:literal,
            fixable: $fixable:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            code: $code,
            name: $name,
            default_level: $crate::rule::Level::$level,
            group: $crate::rule::Group::$group,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
            fixable: $fixable,
        };
    };
}

/// Whether a fix may be applied without a human looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Certainly right: `--fix` applies it.
    Safe,
    /// Probably right, but changes behaviour a human should confirm: shown, not applied.
    Unsafe,
}

impl Applicability {
    /// `safe` / `unsafe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `range` with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the text the finding refers to (empty for an insertion).
    pub range: Range<usize>,
    /// New text.
    pub content: String,
}

/// A set of edits that fixes one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Safe or not.
    pub applicability: Applicability,
    /// What the fix does, for humans ("append `sslmode=require`").
    pub title: String,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

/// One problem found in one connection string. Spans are byte ranges in that string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFinding {
    /// Which rule.
    pub rule: &'static RuleMeta,
    /// The part of the string at fault.
    pub span: Range<usize>,
    /// What is wrong. Never contains a password.
    pub message: String,
    /// Label for the primary span (shown under the caret).
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Extra places worth pointing at.
    pub secondary: Vec<(Range<usize>, String)>,
    /// A fix, when one is known.
    pub fix: Option<Fix>,
}
