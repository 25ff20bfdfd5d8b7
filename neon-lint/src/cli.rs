//! The command line: `neon-lint [OPTIONS] [PATH]...` and `neon-lint url`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use neon_lint_core::{Level, Placement, UrlContext};

use crate::config::Config;
use crate::report::{self, Format};
use crate::{fix, lint, rules, url_cmd};

/// Exit status: no error-level findings.
pub const EXIT_OK: u8 = 0;
/// Exit status: at least one error-level finding (or warning under `-D warnings`).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, configuration or I/O failure that stopped the run.
pub const EXIT_FAILURE: u8 = 2;

/// Find the Neon connection mistakes visible in a source tree: missing or insecure
/// `sslmode`, pooled URLs used for migrations, plaintext connectors, committed passwords.
#[derive(Debug, Parser)]
#[command(
    name = "neon-lint",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 no errors, 1 errors found (or warnings with -D warnings), 2 the run failed.\n\
                  Examples:\n  neon-lint                       lint the current directory\n  \
                  neon-lint --format json src/    machine-readable findings\n  \
                  neon-lint url 'postgresql://...' check one connection string\n  \
                  neon-lint --explain missing-sslmode"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    lint: LintArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse one connection string (or one per line from stdin with `-`).
    Url {
        /// Print JSON: `{"ok":true,"params":{...}}` as libpq parses the string, or
        /// `{"ok":false,"error":"..."}`. Passwords are shown as `****`.
        #[arg(long)]
        json: bool,
        /// The connection string, or `-` to read one per line from stdin.
        string: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Files or directories to lint.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// When to use colours (NO_COLOR is honoured under `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Apply safe fixes in place.
    #[arg(long)]
    fix: bool,
    /// Print a rule's documentation (name or code).
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// List every rule with its code, name, default level and summary.
    #[arg(long)]
    list_rules: bool,
    /// Read configuration from this file instead of discovering it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Make a rule (or `warnings`) an error.
    #[arg(short = 'D', long = "deny", value_name = "RULE")]
    deny: Vec<String>,
    /// Make a rule a warning.
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    warn: Vec<String>,
    /// Turn a rule off.
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    allow: Vec<String>,
}

/// Runs the CLI with `args` (the program name first).
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> ExitCode {
    install_redacting_panic_hook();
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            });
        }
    };
    let code = match cli.command {
        Some(Command::Url { json, string }) => run_url(json, &string, color_on(cli.lint.color)),
        None => run_lint(cli.lint),
    };
    ExitCode::from(code)
}

fn color_on(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

fn run_url(json: bool, string: &str, color: bool) -> u8 {
    let ctx = UrlContext {
        placement: Placement::Standalone,
        ..UrlContext::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if string == "-" {
        let stdin = std::io::stdin();
        let mut any_error = false;
        for line in stdin.lock().split(b'\n') {
            let Ok(line) = line else { return EXIT_FAILURE };
            let line = String::from_utf8_lossy(&line);
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if json {
                let v = url_cmd::analyse_json(line, &ctx);
                let _ = writeln!(out, "{v}");
            } else {
                let (s, failed) = url_cmd::analyse_human(line, &ctx, color);
                any_error |= failed;
                let _ = write!(out, "{s}");
            }
        }
        let _ = out.flush();
        return if any_error { EXIT_FINDINGS } else { EXIT_OK };
    }
    if json {
        let v = url_cmd::analyse_json(string, &ctx);
        let failed = v["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["severity"] == "error"))
            || v["ok"] == false;
        let _ = writeln!(out, "{v}");
        return if failed { EXIT_FINDINGS } else { EXIT_OK };
    }
    let (s, failed) = url_cmd::analyse_human(string, &ctx, color);
    let _ = write!(out, "{s}");
    if failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn run_lint(args: LintArgs) -> u8 {
    if args.list_rules {
        print!("{}", list_rules());
        return EXIT_OK;
    }
    if let Some(name) = &args.explain {
        return match rules::find(name) {
            Some(r) => {
                println!(
                    "{} {} (default level: {})\n",
                    r.code,
                    r.name,
                    r.default_level.as_str()
                );
                print!("{}", r.documentation());
                EXIT_OK
            }
            None => {
                eprintln!(
                    "error: {}",
                    crate::config::lookup_rule(name)
                        .err()
                        .map(|e| e.0)
                        .unwrap_or_default()
                );
                EXIT_FAILURE
            }
        };
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut config = match Config::load(&paths[0], args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILURE;
        }
    };
    for (names, level) in [
        (&args.allow, Level::Allow),
        (&args.warn, Level::Warn),
        (&args.deny, Level::Error),
    ] {
        for n in names {
            if let Err(e) = config.set_level(n, level) {
                eprintln!("error: {e}");
                return EXIT_FAILURE;
            }
        }
    }
    let outcome = match lint::lint(&paths, &config) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILURE;
        }
    };
    for (path, note) in &outcome.notes {
        eprintln!("warning: {path}: {}", report::clean(note));
    }
    let mut diags = outcome.diagnostics;
    if args.fix {
        let (fixed, ids) = fix::apply(&outcome.project, &diags);
        for (p, e) in &fixed.errors {
            eprintln!("warning: {p}: could not apply fixes: {e}");
        }
        if fixed.fixed > 0 {
            eprintln!(
                "fixed {} finding(s) in {} file(s)",
                fixed.fixed,
                fixed.files.len()
            );
        }
        let mut i = 0;
        diags.retain(|_| {
            let keep = !ids.contains(&i);
            i += 1;
            keep
        });
    }
    let color = color_on(args.color);
    let text = match args.format {
        Format::Human => {
            let mut s = report::human::render(&outcome.project, &diags, color);
            s.push_str(&summary(&diags, outcome.files_seen));
            s
        }
        Format::Short => report::short::render(&outcome.project, &diags),
        Format::Json => report::json::render(&outcome.project, &diags),
        Format::Github => report::github::render(&outcome.project, &diags),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if lock
        .write_all(text.as_bytes())
        .and_then(|_| lock.flush())
        .is_err()
    {
        return EXIT_FAILURE;
    }
    if outcome.files_seen == 0 && args.format != Format::Human {
        eprintln!("neon-lint: no files to lint");
    }
    let failing = diags
        .iter()
        .any(|d| d.level == Level::Error || (config.deny_warnings && d.level == Level::Warn));
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn summary(diags: &[crate::diagnostic::Diagnostic], files_seen: usize) -> String {
    if files_seen == 0 {
        return "neon-lint: no files to lint\n".into();
    }
    let count = |l: Level| diags.iter().filter(|d| d.level == l).count();
    let (e, w, i) = (count(Level::Error), count(Level::Warn), count(Level::Info));
    if e + w + i == 0 {
        return format!("no problems found ({files_seen} files scanned)\n");
    }
    let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
    format!(
        "found {}, {}, {} ({files_seen} files scanned)\n",
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info")
    )
}

/// The `--list-rules` table.
pub fn list_rules() -> String {
    let mut s = String::new();
    for r in rules::all() {
        let fix = if r.fixable { " (fixable)" } else { "" };
        s.push_str(&format!(
            "{:<6} {:<32} {:<8} {}{}\n",
            r.code,
            r.name,
            r.default_level.as_str(),
            r.summary,
            fix
        ));
    }
    s
}

/// A panic must never print a secret it was handed: its message goes through the redactor,
/// and the exit status is 2, never "no findings".
fn install_redacting_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".into()
        };
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "neon-lint: internal error{at}: {} (please report this)",
            neon_lint_core::redact::redact(&msg)
        );
    }));
}
