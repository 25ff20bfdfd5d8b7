//! `cargo neon-lint`: cargo runs `cargo-neon-lint neon-lint [ARGS]`; drop the subcommand name.
fn main() -> std::process::ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "neon-lint") {
        args.remove(1);
    }
    neon_lint::cli::main_with_args(args)
}
