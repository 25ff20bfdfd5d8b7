use neon_lint_core::rules::secrets::is_real_password;
use neon_lint_core::UrlInput;

use super::url_rules::context;
use crate::classify::FileKind;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds `.env` files (not `.env.example`, `.sample`, `.template`) that hold a Neon
    /// password and that git tracks, or that no `.gitignore` rule ignores (so the next
    /// `git add .` commits them).
    ///
    /// ## Why is this bad?
    /// A `.env` file is where the real connection string lives. Committed, it gives anyone
    /// with read access to the repository (or to a fork, a CI cache, a leaked archive) the
    /// database. Neon's own advice: add `.env` to `.gitignore`.
    ///
    /// ## Use instead
    /// ```text
    /// # .gitignore
    /// .env
    /// .env.*
    /// !.env.example
    /// ```
    /// If the file was ever committed: `git rm --cached .env`, and rotate the password.
    pub static COMMITTED_ENV_FILE = {
        code: "NL061",
        name: "committed-env-file",
        level: Error,
        group: Secrets,
        summary: "`.env` file with a Neon password that git tracks or does not ignore",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for (id, file) in project.files.iter().enumerate() {
        if file.kind != FileKind::DotEnv {
            continue;
        }
        let tracked = project.git.is_tracked(&file.path);
        let ignored = project.git.is_ignored(&file.path);
        if !tracked && ignored {
            continue;
        }
        // The first Neon URL with a real password in this file.
        let hit = project.urls.iter().filter(|u| u.file == id).find_map(|u| {
            let ctx = context(u, config);
            let input = UrlInput::new(&u.text, &ctx);
            if !input.is_neon() {
                return None;
            }
            let pw = input.info()?.password_params().last()?.clone();
            is_real_password(&pw.value).then(|| u.map.range(pw.value_span))
        });
        let Some(span) = hit else { continue };
        let (message, label) = if tracked {
            (
                "`.env` file with a Neon password is tracked by git",
                "committed password (shown as ****)",
            )
        } else {
            (
                "`.env` file with a Neon password is not ignored by git",
                "one `git add .` away from a commit",
            )
        };
        out.push(
            Diagnostic::new(&COMMITTED_ENV_FILE, id, span, message, label).help(if tracked {
                "`git rm --cached` the file, add it to `.gitignore`, and rotate the password"
            } else {
                "add the file to `.gitignore`"
            }),
        );
    }
}
