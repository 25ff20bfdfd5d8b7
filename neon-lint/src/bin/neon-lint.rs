/// syn and the extractors allocate many small objects; mimalloc is markedly faster at
/// that than glibc malloc on the candidate files.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    neon_lint::cli::main_with_args(std::env::args_os().collect())
}
