fn main() -> std::process::ExitCode {
    neon_lint::cli::main_with_args(std::env::args_os().collect())
}
