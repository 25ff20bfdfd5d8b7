//! NL090: suppressions that name unknown rules or suppress nothing. It runs after every
//! other rule, on what the suppressions did (see `lint.rs`).

use neon_lint_core::{Level, RuleMeta};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::suppress::Suppression;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds `neon-lint: allow(...)` and `neon-lint: allow-file(...)` comments that name a
    /// rule neon-lint does not know (a typo such as `missing-sslmod`), or that suppress
    /// nothing: no finding of that rule is reported on the line they cover (or, for
    /// `allow-file`, anywhere in the file).
    ///
    /// ## Why is this bad?
    /// A misspelt suppression silences nothing, so the finding it was meant for is still
    /// reported and people learn to ignore the output. A suppression that outlived its
    /// finding (the URL was fixed, the line moved) is worse: it sits there ready to hide the
    /// next real problem on that line without anyone deciding to. `#[expect]` in Rust and
    /// ruff's `RUF100` exist for the same reason.
    ///
    /// A suppression of a rule turned off by configuration (`-A RULE`, `level = "allow"`)
    /// is not reported: whether it would match cannot be known.
    ///
    /// ## Example
    /// ```sh
    /// # neon-lint: allow(missing-sslmod)
    /// DATABASE_URL=postgresql://app@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb
    /// ```
    ///
    /// ## Use instead
    /// Name the rule exactly (name or code, `neon-lint --list-rules`), give the reason after
    /// `--`, and delete suppressions that no longer suppress anything:
    /// ```sh
    /// # neon-lint: allow(missing-sslmode) -- the local tunnel adds TLS
    /// DATABASE_URL=postgresql://app@localhost:5433/neondb
    /// ```
    pub static UNUSED_SUPPRESSION = {
        code: "NL090",
        name: "unused-suppression",
        level: Warn,
        group: Meta,
        summary: "suppression comment naming an unknown rule, or suppressing nothing",
        fixable: false,
    };
}

/// Findings for the suppressions of every file (indexed like `project.files`), after they
/// were applied. With `self_only`, only entries naming `unused-suppression` itself are
/// judged (they are reported last, once the others had a chance to be suppressed).
pub fn check(
    project: &Project,
    config: &Config,
    sups: &[Vec<Suppression>],
    self_only: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let level = config.level(&UNUSED_SUPPRESSION);
    if level == Level::Allow {
        return out;
    }
    for (file_id, file_sups) in sups.iter().enumerate() {
        // Docs quote the syntax; they are not configuration.
        if project.files[file_id].kind == crate::classify::FileKind::Docs {
            continue;
        }
        for s in file_sups {
            for e in &s.entries {
                let names_self = e.rule.is_some_and(|r| r.code == UNUSED_SUPPRESSION.code);
                if names_self != self_only {
                    continue;
                }
                let (message, label, help) = if e.is_unknown() {
                    let names: Vec<&str> = crate::rules::all().iter().map(|r| r.name).collect();
                    let hint = neon_lint_core::conninfo::did_you_mean(&e.name, &names);
                    (
                        format!("unknown rule `{}` in a suppression", e.name),
                        "not a rule name or code".to_string(),
                        match hint {
                            Some(h) => format!(
                                "did you mean `{h}`? (`neon-lint --list-rules` lists every rule)"
                            ),
                            None => "use a rule name or code from `neon-lint --list-rules`".into(),
                        },
                    )
                } else if e.used {
                    continue;
                } else {
                    if e.rule.is_some_and(|r| rule_is_off(config, r)) {
                        continue;
                    }
                    let what = if s.whole_file {
                        "in this file"
                    } else {
                        "on the line it covers"
                    };
                    (
                        format!("suppression of `{}` suppresses nothing", e.name),
                        format!("no `{}` finding {what}", e.name),
                        "remove it (or the whole comment) so it cannot hide a future finding"
                            .to_string(),
                    )
                };
                out.push(
                    Diagnostic::new(&UNUSED_SUPPRESSION, file_id, e.span.clone(), message, label)
                        .level(level)
                        .help(help),
                );
            }
        }
    }
    out
}

fn rule_is_off(config: &Config, rule: &'static RuleMeta) -> bool {
    config.level(rule) == Level::Allow
}
