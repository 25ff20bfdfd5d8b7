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

mod generate;
mod statistics;
mod stdin;
mod summary;

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
                  neon-lint - --stdin-filename .env < .env   lint text from stdin as that file\n  \
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
    /// Exit 0 even when error-level findings are left (a failed run still exits 2).
    #[arg(long)]
    exit_zero: bool,
    /// Print one line per rule that fired (count, code, name), most frequent first,
    /// instead of the findings.
    #[arg(long, conflicts_with = "diff")]
    statistics: bool,
    /// Print the findings only: no summary, progress or "fixed" lines.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// With `-` as the path: lint standard input as if it were this file (its name decides
    /// its kind). With `--fix`, the fixed text is printed on stdout.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Print a completion script for SHELL on stdout.
    #[arg(long, value_name = "SHELL", exclusive = true)]
    generate_completions: Option<clap_complete::Shell>,
    /// Print the man page (roff) on stdout.
    #[arg(long, exclusive = true)]
    generate_man: bool,
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
        Some(Command::Url { json, string }) => run_url(
            json,
            &string,
            color_on(cli.lint.color, std::io::stdout().is_terminal()),
        ),
        Some(Command::Server) => crate::server::run(),
        None => {
            crate::timings::init_from_env();
            let code = run_lint(cli.lint);
            crate::timings::phase_done("report");
            for line in crate::timings::report() {
                errln!("{line}");
            }
            code
        }
    };
    // What the run had to say on stderr was lost: it did not do what it was asked.
    if out::stderr_failed() {
        return ExitCode::from(EXIT_FAILURE);
    }
    ExitCode::from(code)
}

/// Whether to colour output going to a stream that `tty` says is a terminal (or not).
fn color_on(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            // no-color.org: only a non-empty NO_COLOR turns colours off.
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && tty
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
    if let Some(shell) = args.generate_completions {
        return print_bytes(&generate::completions(shell)).unwrap_or(EXIT_OK);
    }
    if args.generate_man {
        return match generate::man_page() {
            Ok(page) => print_bytes(&page).unwrap_or(EXIT_OK),
            Err(e) => {
                errln!("error: cannot render the man page: {e}");
                EXIT_FAILURE
            }
        };
    }
    if args.list_rules {
        return print_stdout(&list_rules()).unwrap_or(EXIT_OK);
    }
    if let Some(name) = &args.explain {
        return match crate::config::lookup_rule(name) {
            Ok(r) => print_stdout(&explain(r)).unwrap_or(EXIT_OK),
            Err(e) => {
                errln!("error: {e}");
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
    let code = lint_and_report(&args);
    // `--exit-zero` turns "findings" into success; a run that failed still exits 2.
    if args.exit_zero && code == EXIT_FINDINGS {
        EXIT_OK
    } else {
        code
    }
}

/// The file standard input stands for, when it is to be read: `Ok(None)` when it is not.
fn stdin_name(args: &LintArgs) -> Result<Option<PathBuf>, String> {
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    if dash && args.paths.len() > 1 {
        return Err("`-` (standard input) cannot be mixed with other paths".into());
    }
    match (&args.stdin_filename, dash || args.paths.is_empty()) {
        (Some(name), true) if name.as_os_str().is_empty() => {
            Err("`--stdin-filename` needs a file name".into())
        }
        (Some(name), true) => Ok(Some(name.clone())),
        (Some(_), false) => Err("`--stdin-filename` goes with `-` (standard input) as the path".into()),
        (None, _) if dash => Err(
            "reading standard input needs `--stdin-filename PATH` (the name decides what kind of file it is), \
             e.g. `neon-lint - --stdin-filename .env`"
                .into(),
        ),
        (None, _) => Ok(None),
    }
}

/// The lint run proper: configuration, the walk (or stdin), baseline, fixes, reports.
fn lint_and_report(args: &LintArgs) -> u8 {
    let format = args.message_format.unwrap_or(args.format);
    let stdin_path = match stdin_name(args) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_FAILURE;
        }
    };
    let paths = match &stdin_path {
        Some(name) => vec![name.clone()],
        None if args.paths.is_empty() => vec![PathBuf::from(".")],
        None => args.paths.clone(),
    };
    let config_root = match &stdin_path {
        Some(name) => stdin::config_root(name),
        None => paths[0].clone(),
    };
    let mut config = match Config::load(&config_root, args.config.as_deref()) {
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
    let excluder = if args.force_exclude {
        match config.file_excluder() {
            Ok(x) => Some(x),
            Err(e) => {
                errln!("error: {e}");
                return EXIT_FAILURE;
            }
        }
    } else {
        None
    };
    let paths: Vec<PathBuf> = match &excluder {
        Some(x) if stdin_path.is_none() => paths
            .into_iter()
            .filter(|p| !(p.is_file() && x.excludes(p)))
            .collect(),
        _ => paths,
    };
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_FAILURE;
        }
    };

    // Standard input is read whole before anything is linted (and kept for `--fix`).
    let stdin_bytes = match &stdin_path {
        Some(_) => match stdin::read() {
            Ok(b) => Some(b),
            Err(e) => {
                errln!("error: {e}");
                return EXIT_FAILURE;
            }
        },
        None => None,
    };
    let quiet = args.quiet;
    let mut progress =
        if format.is_human() && !args.diff && !quiet && std::io::stderr().is_terminal() {
            Progress::start(progress_delay())
        } else {
            Progress::disabled()
        };
    let result = match (&stdin_path, &stdin_bytes) {
        // `--force-exclude` applies to the name stdin stands for, as to a named file.
        (Some(name), Some(_)) if excluder.as_ref().is_some_and(|x| x.excludes(name)) => {
            lint::lint_found(crate::discover::Discovery::default(), &config, &progress)
        }
        (Some(name), Some(bytes)) => {
            lint::lint_found(stdin::discovery(name, bytes.clone()), &config, &progress)
        }
        _ => lint::lint_with_progress(&paths, &config, &progress),
    };
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
                if !quiet {
                    errln!(
                        "neon-lint: recorded {} in {} ({} scanned); \
                         run with `--baseline {}` to see only new ones",
                        summary::count(n, "finding"),
                        path.display(),
                        summary::count(outcome.files_seen, "file"),
                        path.display()
                    );
                }
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
                "neon-lint: {} hidden by the baseline {}",
                summary::count(applied.hidden, "finding"),
                path.display()
            );
            if applied.stale > 0 {
                note.push_str(&format!(
                    "; {} no longer {} (refresh it with `--write-baseline {}`)",
                    summary::count(applied.stale, "recorded finding"),
                    if applied.stale == 1 {
                        "occurs"
                    } else {
                        "occur"
                    },
                    path.display()
                ));
            }
            baseline_note = Some(note);
        }
    }
    let failed_paths = !outcome.missing_paths.is_empty();

    if args.diff {
        let preview = report::diff::render(project, &diags);
        if let Some(code) = print_stdout(&preview.text) {
            return code;
        }
        for (p, why) in &preview.refused {
            errln!("warning: {p}: `--fix` would not apply its fixes: {why}");
        }
        if !quiet {
            if preview.fixes == 0 {
                errln!("neon-lint: no safe fixes to apply");
            } else {
                errln!(
                    "neon-lint: {} in {}; nothing written (apply with `--fix`)",
                    summary::count(preview.fixes, "safe fix"),
                    summary::count(preview.files, "file")
                );
            }
            if let Some(n) = &baseline_note {
                errln!("{n}");
            }
        }
        if failed_paths {
            return EXIT_FAILURE;
        }
        // Like `ruff --diff`: 1 when there is something to change, 0 when there is not.
        return if preview.fixes > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        };
    }

    // `--fix` on stdin: the fixed text goes to stdout, the findings left to stderr.
    let mut findings_to_stderr = false;
    if let (true, Some(bytes)) = (args.fix, &stdin_bytes) {
        let (text, ids) = match stdin::fixed(project, &diags, bytes) {
            Ok(x) => x,
            Err(why) => {
                let name = stdin_path.as_deref().unwrap_or(std::path::Path::new("-"));
                errln!(
                    "error: {}: --fix: {}",
                    report::clean_line(project, &name.display().to_string()),
                    report::clean_line(project, &why)
                );
                return EXIT_FAILURE;
            }
        };
        if let Some(code) = print_bytes(&text) {
            return code;
        }
        drop_fixed(&mut diags, &ids);
        findings_to_stderr = true;
    } else if args.fix {
        let (fixed, ids) = fix::apply(project, &diags);
        for (p, e) in &fixed.errors {
            errln!(
                "warning: {}: could not apply fixes: {}",
                report::clean_line(project, p),
                report::clean_line(project, e)
            );
        }
        if fixed.fixed > 0 && !quiet {
            errln!(
                "fixed {} in {}",
                summary::count(fixed.fixed, "finding"),
                summary::count(fixed.files.len(), "file")
            );
        }
        drop_fixed(&mut diags, &ids);
    }
    // The findings go where they are printed: stderr under stdin `--fix`.
    let tty = if findings_to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let color = color_on(args.color, tty);
    let render = |f: Format, color: bool| {
        if args.statistics {
            return match f {
                Format::Json => statistics::json(&diags),
                _ => statistics::text(&diags),
            };
        }
        match f {
            Format::Human => {
                let mut s = report::human::render(project, &diags, color);
                if !quiet {
                    s.push_str(&summary::line(&diags, outcome.files_seen));
                }
                s
            }
            Format::Short => report::short::render(project, &diags),
            Format::Json => report::json::render(project, &diags),
            Format::Sarif => report::sarif::render(project, &diags),
            Format::Github => report::github::render(project, &diags),
            Format::Cargo => report::cargo::render(project, &diags),
        }
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
    if findings_to_stderr {
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if !text.is_empty() {
            errln!("{text}");
        }
    } else if let Some(code) = print_stdout(&text) {
        return code;
    }
    if !quiet {
        if outcome.files_seen == 0 && format != Format::Human {
            errln!("neon-lint: no files to lint");
        }
        if let Some(n) = &baseline_note {
            errln!("{n}");
        }
    }
    // A path named on the command line that does not exist stops nothing, but the run
    // did not do what it was asked.
    if failed_paths {
        return EXIT_FAILURE;
    }
    exit_status(&diags, &config)
}

/// Prints raw bytes on stdout, like [`print_stdout`].
fn print_bytes(bytes: &[u8]) -> Option<u8> {
    match out::stdout(bytes) {
        Ok(()) | Err(Stop::Closed) => None,
        Err(Stop::Failed) => Some(EXIT_FAILURE),
    }
}

/// Removes the findings `--fix` fixed (`ids`: indices into `diags`).
fn drop_fixed(diags: &mut Vec<crate::diagnostic::Diagnostic>, ids: &[usize]) {
    let mut i = 0;
    diags.retain(|_| {
        let keep = !ids.contains(&i);
        i += 1;
        keep
    });
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
