//! `cargo neon-lint`: cargo runs `cargo-neon-lint neon-lint [ARGS]`; drop the subcommand name.
/// syn and the extractors allocate many small objects; mimalloc is markedly faster at
/// that than glibc malloc on the candidate files.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "neon-lint") {
        args.remove(1);
    }
    neon_lint::cli::main_with_args(args)
}
