use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::SecretKind;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds Neon API keys: `napi_` followed by 32 or more letters and digits, the prefix
    /// Neon has put on new keys since January 2025 so that scanners can find them. The key
    /// is never printed.
    ///
    /// ## Why is this bad?
    /// An API key manages the whole Neon account: it can read connection strings, reset
    /// passwords, create and delete projects. GitHub's partner alert for it covers public
    /// repositories only.
    ///
    /// ## Use instead
    /// Read it from the environment or the CI secret store (`${{ secrets.NEON_API_KEY }}`),
    /// and revoke the committed key in the Neon console.
    pub static NEON_API_KEY = {
        code: "NL062",
        name: "neon-api-key",
        level: Error,
        group: Secrets,
        summary: "Neon API key (`napi_...`) in a scanned file",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, _config: &Config, out: &mut Vec<Diagnostic>) {
    for s in &project.secrets {
        if s.kind != SecretKind::NeonApiKey {
            continue;
        }
        out.push(
            Diagnostic::new(
                &NEON_API_KEY,
                s.file,
                s.span.clone(),
                "Neon API key in a file",
                "API key (shown as napi_****)",
            )
            .help("revoke this key in the Neon console and read keys from a secret store"),
        );
    }
}
