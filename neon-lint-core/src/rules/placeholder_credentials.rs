use crate::rule::UrlFinding;
use crate::url::{Placement, UrlInput};

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon documentation placeholders left in real configuration: the docs' user and
    /// password `alex:AbC123dEf`, the example endpoints `ep-cool-darkness-123456` and
    /// `ep-cool-darkness-a1b2c3d4`, and bracketed holes such as `[password]`,
    /// `<endpoint_id>` and `[neon_hostname]`. Example and template files (`.env.example`,
    /// `*.sample`, `*.template`) and Markdown docs are left alone.
    ///
    /// ## Why is this bad?
    /// The string was copied from the docs and never filled in: the connection fails with
    /// `password authentication failed` or a DNS error for a host that does not exist.
    ///
    /// ## Use instead
    /// The values from your project's Connect dialog, read from the environment.
    pub static PLACEHOLDER_CREDENTIALS = {
        code: "NL063",
        name: "placeholder-credentials",
        level: Warn,
        group: Secrets,
        summary: "Neon docs placeholders left in real configuration",
        fixable: false,
    };
}

const PLACEHOLDERS: &[&str] = &[
    "alex:AbC123dEf",
    "ep-cool-darkness-123456",
    "ep-cool-darkness-a1b2c3d4",
    "[password]",
    "<password>",
    "[neon_hostname]",
    "<endpoint_id>",
    "[endpoint_id]",
    "<neon_hostname>",
    "[user]:[password]",
];

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    if matches!(
        url.ctx.placement,
        Placement::Example | Placement::Docs | Placement::Standalone
    ) {
        return;
    }
    for ph in PLACEHOLDERS {
        if let Some(at) = url.text.find(ph) {
            // `[password]` alone in a non-Neon string is somebody else's template.
            if !url.is_neon() && !url.text.contains("neon") && !ph.contains("neon") {
                continue;
            }
            let shown = if ph.starts_with("alex:") {
                "alex:****"
            } else {
                ph
            };
            out.push(UrlFinding {
                rule: &PLACEHOLDER_CREDENTIALS,
                span: at..at + ph.len(),
                message: format!("docs placeholder `{shown}` left in a connection string"),
                label: "placeholder from Neon's docs".into(),
                help: Some("use your project's real values, read from the environment".into()),
                secondary: Vec::new(),
                fix: None,
            });
            return;
        }
    }
}
