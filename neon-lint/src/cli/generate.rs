//! `--generate-completions SHELL` and `--generate-man`: shell completions and a man page
//! generated from the clap definition itself, so they can never drift from the flags.

use clap::CommandFactory;

use super::Cli;

/// The completion script for `shell`, for a binary named `neon-lint`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "neon-lint", &mut out);
    out
}

/// `neon-lint.1`, in roff.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}
