//! The command line: `neon-lint [OPTIONS] [PATH]...` and `neon-lint url`.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use neon_lint_core::{Level, Placement, UrlContext};

use crate::baseline::{self, Baseline};
use crate::config::Config;
use crate::out::{self, errln, Stop};
use crate::progress::Progress;
use crate::report::{self, Format};
use crate::{fix, lint, rule_docs, rules, url_cmd};

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
                  neon-lint --output sarif=neon-lint.sarif   also write SARIF for code scanning\n  \
                  neon-lint --diff                preview the safe fixes; --fix applies them\n  \
                  neon-lint --write-baseline nl-baseline.json   then --baseline nl-baseline.json\n  \
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
    /// Run the language server (LSP over stdin/stdout) for editors.
    Server,
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
    /// cargo-style output: `json` prints rustc-shaped JSON diagnostics, one per line, for
    /// rust-analyzer's `check.overrideCommand` (same as `--format cargo`).
    #[arg(long, value_name = "FMT", value_parser = parse_message_format, conflicts_with = "format")]
    message_format: Option<Format>,
    /// Also write FORMAT to FILE (repeatable), e.g. `--output sarif=neon-lint.sarif`.
    #[arg(long, short = 'o', value_name = "FORMAT=FILE", value_parser = parse_output)]
    output: Vec<(Format, PathBuf)>,
    /// When to use colours (NO_COLOR is honoured under `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Apply `exclude` globs to files named on the command line too (they are always read
    /// otherwise); the pre-commit hook passes it.
    #[arg(long)]
    force_exclude: bool,
    /// Apply safe fixes in place.
    #[arg(long)]
    fix: bool,
    /// Print the safe fixes as a unified diff (passwords masked) instead of applying them or
    /// reporting findings; writes nothing.
    #[arg(long)]
    diff: bool,
    /// Hide the findings recorded in this baseline file; show only new ones.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "fix", "diff"])]
    write_baseline: Option<PathBuf>,
    /// Print a rule's documentation (name or code).
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// List every rule with its code, name, default level and summary.
    #[arg(long)]
    list_rules: bool,
    /// Write one Markdown page per rule (and an index) into DIR.
    #[arg(long, value_name = "DIR", hide = true)]
    write_rule_docs: Option<PathBuf>,
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

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_str(s, true).map_err(|_| {
        let names: Vec<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
        format!("unknown format `{s}` (one of: {})", names.join(", "))
    })
}

fn parse_message_format(s: &str) -> Result<Format, String> {
    match s {
        "json"
        | "json-diagnostic-short"
        | "json-diagnostic-rendered-ansi"
        | "json-render-diagnostics" => Ok(Format::Cargo),
        "human" => Ok(Format::Human),
        "short" => Ok(Format::Short),
        other => Err(format!(
            "unknown message format `{other}` (json, human or short)"
        )),
    }
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (f, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected FORMAT=FILE, e.g. sarif=neon-lint.sarif"))?;
    if path.is_empty() {
        return Err(format!("`{s}`: no file after `=`"));
    }
    Ok((parse_format(f)?, PathBuf::from(path)))
}

/// Runs the CLI with `args` (the program name first).
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> ExitCode {
    install_redacting_panic_hook();
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // `--help` and `--version` print on stdout: to a full disk, that is a failure.
            let printed = e.print().map_err(|err| out::stop("stdout", &err));
            return ExitCode::from(if e.use_stderr() || printed == Err(Stop::Failed) {
                EXIT_FAILURE
            } else {
                EXIT_OK
            });
        }
    };
    let code = match cli.command {
        Some(Command::Url { json, string }) => run_url(json, &string, color_on(cli.lint.color)),
        Some(Command::Server) => crate::server::run(),
        None => run_lint(cli.lint),
    };
    // What the run had to say on stderr was lost: it did not do what it was asked.
    if out::stderr_failed() {
        return ExitCode::from(EXIT_FAILURE);
    }
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
    let mut any_error = false;
    // One string's report; `Err` when the output cannot take it (then stop reading).
    let mut report = |line: &str, out: &mut dyn Write| -> Result<(), Stop> {
        let written = if json {
            let v = url_cmd::analyse_json(line, &ctx);
            any_error |= v["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x["severity"] == "error"));
            writeln!(out, "{v}")
        } else {
            let (s, failed) = url_cmd::analyse_human(line, &ctx, color);
            any_error |= failed;
            write!(out, "{s}")
        };
        written.map_err(|e| out::stop("stdout", &e))
    };
    let result = if string == "-" {
        // One line at a time, each bounded like a file: a connection string is not 8 MB.
        let limit = crate::fsread::MAX_FILE_BYTES;
        let mut input = std::io::stdin().lock();
        let mut buf = Vec::new();
        let mut result = Ok(());
        for number in 1.. {
            buf.clear();
            match (&mut input).take(limit + 1).read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) if buf.len() as u64 > limit => {
                    let _ = out.flush();
                    errln!(
                        "error: stdin line {number}: over the 8 MB limit for a connection string"
                    );
                    return EXIT_FAILURE;
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = out.flush();
                    errln!("error: cannot read stdin: {e}");
                    return EXIT_FAILURE;
                }
            }
            let line = String::from_utf8_lossy(&buf);
            let line = line.strip_suffix('\n').unwrap_or(&line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            result = report(line, &mut out);
            if result.is_err() {
                break;
            }
        }
        result
    } else {
        report(string, &mut out)
    };
    let result = result.and_then(|()| out.flush().map_err(|e| out::stop("stdout", &e)));
    match result {
        Err(Stop::Failed) => EXIT_FAILURE,
        // A closed pipe ends the output quietly; the status still says what was found.
        Ok(()) | Err(Stop::Closed) => {
            if any_error {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
    }
}

/// Prints `text` on stdout: `Some(status)` when the run must end with it (a write error),
/// `None` to go on (written, or the reader has gone: nothing more to show it).
fn print_stdout(text: &str) -> Option<u8> {
    match out::stdout(text.as_bytes()) {
        Ok(()) | Err(Stop::Closed) => None,
        Err(Stop::Failed) => Some(EXIT_FAILURE),
    }
}

fn run_lint(args: LintArgs) -> u8 {
    if args.list_rules {
        return print_stdout(&list_rules()).unwrap_or(EXIT_OK);
    }
    if let Some(name) = &args.explain {
        return match rules::find(name) {
            Some(r) => print_stdout(&explain(r)).unwrap_or(EXIT_OK),
            None => {
                errln!(
                    "error: {}",
                    crate::config::lookup_rule(name)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                );
                EXIT_FAILURE
            }
        };
    }
    if let Some(dir) = &args.write_rule_docs {
        return match rule_docs::write(dir) {
            Ok(touched) => {
                errln!(
                    "neon-lint: {} rule pages in {} ({} changed)",
                    rules::all().len(),
                    dir.display(),
                    touched.len()
                );
                EXIT_OK
            }
            Err(e) => {
                errln!("error: {}: {e}", dir.display());
                EXIT_FAILURE
            }
        };
    }
    let format = args.message_format.unwrap_or(args.format);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut config = match Config::load(&paths[0], args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            errln!("error: {e}");
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
                errln!("error: {e}");
                return EXIT_FAILURE;
            }
        }
    }
    let paths = if args.force_exclude {
        let excluder = match config.file_excluder() {
            Ok(x) => x,
            Err(e) => {
                errln!("error: {e}");
                return EXIT_FAILURE;
            }
        };
        paths
            .into_iter()
            .filter(|p| !(p.is_file() && excluder.excludes(p)))
            .collect()
    } else {
        paths
    };
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_FAILURE;
        }
    };

    let mut progress = if format.is_human() && !args.diff && std::io::stderr().is_terminal() {
        Progress::start(progress_delay())
    } else {
        Progress::disabled()
    };
    let result = lint::lint_with_progress(&paths, &config, &progress);
    progress.finish();
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_FAILURE;
        }
    };
    for (path, note) in &outcome.notes {
        errln!(
            "warning: {}: {}",
            report::clean_line(&outcome.project, path),
            report::clean_line(&outcome.project, note)
        );
    }
    let mut diags = outcome.diagnostics;
    let project = &outcome.project;
    // A baseline file inside the tree is neon-lint's own output, not configuration.
    for b in [&args.baseline, &args.write_baseline].into_iter().flatten() {
        diags.retain(|d| !Baseline::is_file(b, &project.files[d.file].path));
    }

    if let Some(path) = &args.write_baseline {
        return match baseline::write(project, &diags, path) {
            Ok(n) => {
                errln!(
                    "neon-lint: recorded {n} finding(s) in {} ({} files scanned); \
                     run with `--baseline {}` to see only new ones",
                    path.display(),
                    outcome.files_seen,
                    path.display()
                );
                EXIT_OK
            }
            Err(e) => {
                errln!("error: {e}");
                EXIT_FAILURE
            }
        };
    }
    let mut baseline_note = None;
    if let (Some(b), Some(path)) = (&baseline, &args.baseline) {
        let applied = b.apply(project, &mut diags);
        if applied.hidden > 0 || applied.stale > 0 {
            let mut note = format!(
                "neon-lint: {} finding(s) hidden by the baseline {}",
                applied.hidden,
                path.display()
            );
            if applied.stale > 0 {
                note.push_str(&format!(
                    "; {} recorded finding(s) no longer occur (refresh it with `--write-baseline {}`)",
                    applied.stale,
                    path.display()
                ));
            }
            baseline_note = Some(note);
        }
    }

    if args.diff {
        let preview = report::diff::render(project, &diags);
        if let Some(code) = print_stdout(&preview.text) {
            return code;
        }
        for (p, why) in &preview.refused {
            errln!("warning: {p}: `--fix` would not apply its fixes: {why}");
        }
        errln!(
            "neon-lint: {} safe fix(es) in {} file(s); nothing written (apply with `--fix`)",
            preview.fixes,
            preview.files
        );
        if let Some(n) = &baseline_note {
            errln!("{n}");
        }
        if !outcome.missing_paths.is_empty() {
            return EXIT_FAILURE;
        }
        return exit_status(&diags, &config);
    }

    if args.fix {
        let (fixed, ids) = fix::apply(project, &diags);
        for (p, e) in &fixed.errors {
            errln!(
                "warning: {}: could not apply fixes: {}",
                report::clean_line(project, p),
                report::clean_line(project, e)
            );
        }
        if fixed.fixed > 0 {
            errln!(
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
    let render = |f: Format, color: bool| match f {
        Format::Human => {
            let mut s = report::human::render(project, &diags, color);
            s.push_str(&summary(&diags, outcome.files_seen));
            s
        }
        Format::Short => report::short::render(project, &diags),
        Format::Json => report::json::render(project, &diags),
        Format::Sarif => report::sarif::render(project, &diags),
        Format::Github => report::github::render(project, &diags),
        Format::Cargo => report::cargo::render(project, &diags),
    };
    for (f, path) in &args.output {
        match out::write_file(path, render(*f, false).as_bytes()) {
            Ok(()) => {}
            // `--output json=/dev/stdout | head`: the reader has gone, as for stdout.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                errln!(
                    "error: {}: cannot write {} output: {e}",
                    path.display(),
                    f.name()
                );
                return EXIT_FAILURE;
            }
        }
    }
    let text = render(format, color);
    if let Some(code) = print_stdout(&text) {
        return code;
    }
    if outcome.files_seen == 0 && format != Format::Human {
        errln!("neon-lint: no files to lint");
    }
    if let Some(n) = &baseline_note {
        errln!("{n}");
    }
    // A path named on the command line that does not exist stops nothing, but the run
    // did not do what it was asked.
    if !outcome.missing_paths.is_empty() {
        return EXIT_FAILURE;
    }
    exit_status(&diags, &config)
}

/// 1 when an error-level finding is left (or a warning under `-D warnings`), else 0.
fn exit_status(diags: &[crate::diagnostic::Diagnostic], config: &Config) -> u8 {
    let failing = diags
        .iter()
        .any(|d| d.level == Level::Error || (config.deny_warnings && d.level == Level::Warn));
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// How long a scan runs before the progress line shows (`NEON_LINT_PROGRESS_DELAY_MS`
/// overrides the one second, for tests).
fn progress_delay() -> std::time::Duration {
    std::env::var("NEON_LINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_millis)
        .unwrap_or(crate::progress::DEFAULT_DELAY)
}

/// What `--explain RULE` prints: a header, the documentation, the page's address.
pub fn explain(r: &neon_lint_core::RuleMeta) -> String {
    let mut s = format!(
        "{} {} (default level: {}{})\n\n",
        r.code,
        r.name,
        r.default_level.as_str(),
        if r.fixable {
            ", safe fix available"
        } else {
            ""
        }
    );
    s.push_str(&r.documentation());
    s.push_str(&format!("\nOnline: {}\n", r.url()));
    s
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
        errln!(
            "neon-lint: internal error{at}: {} (please report this)",
            neon_lint_core::redact::redact(&msg)
        );
    }));
}
