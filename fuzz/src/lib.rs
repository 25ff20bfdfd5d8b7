//! The fuzz oracles: one function per fuzz target, each taking the raw fuzz input.
//!
//! Every function must never panic on any input; where it can check more than "no panic"
//! it asserts the invariant (spans inside the text and on char boundaries, passwords
//! redacted). The fuzz targets in `fuzz_targets/` are one-line wrappers, and the workspace
//! test `tests/fuzz_regressions.rs` includes this very file (`#[path]`) to replay saved
//! crash inputs through the same checks, so a regression test is exactly the fuzz check.
//!
//! Only `neon_lint`, `neon_lint_core` and `std` are used here, so the file compiles both in
//! the fuzz crate and in the root package's tests.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use neon_lint::classify::{classify, FileKind};
use neon_lint::config::Config;
use neon_lint::conninfo::{self, ConnInfo, ParamSource};
use neon_lint::extract;
use neon_lint::redact;
use neon_lint::site::{FileSites, OffsetMap};
use neon_lint::source::{decode, LineIndex, SourceFile};

/// The stack extraction runs on in production (`project::build` gives its rayon threads
/// 64 MiB for syn's recursion); the extractor oracles use the same so that a stack overflow
/// found here is one users can hit.
const EXTRACT_STACK: usize = 64 * 1024 * 1024;

/// Fuzz targets and the file names their first input byte chooses from. The name decides
/// the [`FileKind`] (through the real classifier) and the placement (example, docs...).
pub const TARGETS: &[(&str, &[&str])] = &[
    ("extract_rust", &["src/db.rs"]),
    (
        "extract_toml",
        &[
            "Cargo.toml",
            ".cargo/config.toml",
            "config/settings.toml",
            "neon-lint.toml",
        ],
    ),
    (
        "extract_yaml",
        &[
            "docker-compose.yml",
            ".github/workflows/ci.yml",
            "config.yaml",
            "k8s/deployment.yaml",
            "fly.example.yml",
        ],
    ),
    (
        "extract_json",
        &[
            "package.json",
            "config.json",
            "appsettings.json",
            "vercel.json",
        ],
    ),
    (
        "extract_ini",
        &["alembic.ini", "db.properties", "app.conf", "settings.cfg"],
    ),
    ("extract_text", &["schema.sql", "README.md", "main.tf"]),
    (
        "extract_js",
        &[
            "src/db.ts",
            "lib/db.js",
            "app/api/route.tsx",
            "server/pool.mjs",
            "prisma.config.ts",
            "drizzle.config.mjs",
        ],
    ),
    (
        "extract_python",
        &[
            "app/settings.py",
            "migrations/env.py",
            "requirements.txt",
            "pyproject.toml",
            "Pipfile",
            "setup.py",
        ],
    ),
    ("extract_prisma", &["prisma/schema.prisma"]),
    (
        "extract_shell",
        &[
            "scripts/migrate.sh",
            "Makefile",
            "Procfile",
            "Dockerfile",
            "justfile",
        ],
    ),
    ("dotenv", &[".env", ".env.production", ".env.example"]),
    (
        "pipeline",
        &[
            ".env",
            "src/main.rs",
            "Cargo.toml",
            "docker-compose.yml",
            ".github/workflows/deploy.yml",
            "config.json",
            "alembic.ini",
            "app/db.py",
            "prisma/schema.prisma",
            "scripts/migrate.sh",
            "Dockerfile",
            "README.md",
            "src/db.ts",
            ".env.example",
            "pyproject.toml",
            "requirements.txt",
        ],
    ),
];

/// The file names a target chooses from.
pub fn names(target: &str) -> &'static [&'static str] {
    TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("unknown fuzz target `{target}`"))
}

/// Splits a fuzz input into (file name, contents): with more than one name, the first byte
/// picks the name and the rest is the file.
pub fn split<'a>(names: &[&'static str], data: &'a [u8]) -> (&'static str, &'a [u8]) {
    match (names, data) {
        ([one], _) => (one, data),
        (_, [first, rest @ ..]) => (names[*first as usize % names.len()], rest),
        (_, []) => (names[0], data),
    }
}

/// Seed inputs for `target` made from an example file at `path` (a test fixture): one per
/// file name of the target whose kind is the example's, with the selector byte in front
/// when the target has several names. `tests/fuzz_regressions.rs` (`seed_fuzz_corpus`,
/// ignored by default) writes them into `fuzz/corpus/<target>/`.
pub fn seeds(target: &str, path: &Path, bytes: &[u8]) -> Vec<Vec<u8>> {
    let Some(kind) = classify(path) else {
        return Vec::new();
    };
    let names = names(target);
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if classify(Path::new(name)) != Some(kind) {
            continue;
        }
        let mut input = Vec::with_capacity(bytes.len() + 1);
        if names.len() > 1 {
            input.push(i as u8);
        }
        input.extend_from_slice(bytes);
        out.push(input);
    }
    out
}

// ---------------------------------------------------------------------------------------
// conninfo

/// The `conninfo` target: parse (URI and key/value, whatever the input is), check spans,
/// check redaction, run every URL rule, re-parse after `append_param`.
pub fn conninfo(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_conninfo(&text);
}

/// The checks of the `conninfo` target on one string.
pub fn check_conninfo(s: &str) {
    let parsed = conninfo::parse(s);
    match &parsed {
        Ok(info) => {
            check_spans(s, info);
            check_append(s, info);
        }
        Err(e) => {
            assert_span(s, &e.span, "error span");
            assert!(!e.message.is_empty(), "empty error message for {s:?}");
        }
    }
    check_redaction(s, parsed.as_ref().ok());
    for f in neon_lint::check_url(s) {
        assert_span(s, &f.span, "finding span");
        for (r, _) in &f.secondary {
            assert_span(s, r, "secondary span");
        }
        if let Some(fix) = &f.fix {
            let mut last = 0;
            for e in &fix.edits {
                assert_span(s, &e.range, "fix edit");
                assert!(e.range.start >= last, "overlapping fix edits for {s:?}");
                last = e.range.end;
            }
        }
    }
}

fn assert_span(s: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= s.len(),
        "{what} {r:?} outside the input (len {}): {s:?}",
        s.len()
    );
    assert!(
        s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
        "{what} {r:?} not on char boundaries: {s:?}"
    );
}

fn check_spans(s: &str, info: &ConnInfo) {
    assert!(info.len <= s.len(), "len {} > input {}", info.len, s.len());
    for p in &info.params {
        assert_span(s, &p.span, "param span");
        assert_span(s, &p.value_span, "value span");
        assert!(
            p.span.start <= p.value_span.start && p.value_span.end <= p.span.end,
            "value span {:?} outside param span {:?}: {s:?}",
            p.value_span,
            p.span
        );
    }
    for h in &info.uri_hosts {
        assert_span(s, &h.name_span, "host span");
        if let Some(ps) = &h.port_span {
            assert_span(s, ps, "port span");
        }
    }
    if let Some(q) = &info.query {
        assert_span(s, q, "query span");
    }
}

/// `append_param` must give a string that parses, with the new parameter winning. libpq
/// reads a C string, so a NUL ends the string and the parameter inserted before it counts.
fn check_append(s: &str, info: &ConnInfo) {
    let (at, insert) = info.append_param(s, "sslmode", "require");
    assert!(
        at <= s.len() && s.is_char_boundary(at),
        "append at {at} in {s:?}"
    );
    let mut out = s.to_string();
    out.insert_str(at, &insert);
    match conninfo::parse(&out) {
        Ok(again) => assert_eq!(
            again.value("sslmode").as_deref(),
            Some("require"),
            "append_param: {s:?} -> {out:?}"
        ),
        Err(e) => panic!("append_param: {s:?} -> {out:?} does not parse: {e}"),
    }
}

/// The part of a password parameter that redaction must mask: the value's text, inside
/// the quotes for a quoted key/value value (the quotes are syntax, not password).
pub fn password_inner_span(s: &str, source: ParamSource, span: Range<usize>) -> Range<usize> {
    let v = &s[span.clone()];
    if source == ParamSource::KeyValue && v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

/// `s` with `spans` (any order, may overlap) replaced by NUL bytes, which no password can
/// contain (libpq stops at NUL, and `%00` is refused).
fn blank(s: &str, spans: &[Range<usize>]) -> String {
    let mut b = s.as_bytes().to_vec();
    let len = b.len();
    for r in spans {
        b[r.start.min(len)..r.end.min(len)].fill(0);
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// Redaction oracle. Two checks:
///
/// 1. structural: every password value libpq parsing found lies inside a span that
///    [`redact::secret_spans`] masks;
/// 2. textual: `redact(s)` does not contain a password value `v`. This holds whenever `v`
///    is not empty, has no `*` (the mask), and does not occur in `s` with the password
///    spans blanked: the redacted text is pieces of `s` that avoid every secret span,
///    joined by `****`, so an occurrence of a `*`-free `v` lies inside one piece, which is
///    a substring of the blanked `s`.
fn check_redaction(s: &str, info: Option<&ConnInfo>) {
    let redacted = redact::redact(s);
    let Some(info) = info else { return };
    let spans = redact::secret_spans(s);
    let inner: Vec<Range<usize>> = info
        .password_params()
        .map(|p| password_inner_span(s, p.source, p.value_span.clone()))
        .collect();
    for r in &inner {
        if r.is_empty() {
            continue;
        }
        assert!(
            spans.iter().any(|m| m.start <= r.start && r.end <= m.end),
            "password bytes {r:?} ({:?}) not masked: {s:?} -> {redacted:?}",
            &s[r.clone()]
        );
    }
    let blanked = blank(s, &inner);
    for p in info.password_params() {
        let v = &p.value;
        if v.is_empty() || v.contains('*') || blanked.contains(v.as_str()) {
            continue;
        }
        assert!(
            !redacted.contains(v.as_str()),
            "password {v:?} survives redaction: {s:?} -> {redacted:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// extractors

/// The `dotenv` target: the `.env` parser on its own, then the whole extractor.
pub fn dotenv(data: &[u8]) {
    let (name, body) = split(names("dotenv"), data);
    let (text, _) = decode(body);
    for e in extract::parse_dotenv(&text) {
        assert_span(&text, &e.name_span, "dotenv name span");
        check_map(&text, &e.value, &e.map, "dotenv value");
    }
    extract_file(name, body);
}

/// An extractor target: the first byte picks the file name (and so the kind).
pub fn extractor(target: &str, data: &[u8]) {
    let (name, body) = split(names(target), data);
    extract_file(name, body);
}

/// Builds the [`SourceFile`] the pipeline would build for `name` with contents `bytes`,
/// runs the extractor on a production-sized stack and checks what it found.
pub fn extract_file(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(name);
    let kind: FileKind = classify(&path).unwrap_or_else(|| panic!("{name} is not classified"));
    let (text, _) = decode(bytes);
    let file = SourceFile {
        lines: LineIndex::new(&text),
        display: name.to_string(),
        path,
        kind,
        text,
    };
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(EXTRACT_STACK)
            .spawn_scoped(scope, || {
                let sites = extract::extract(0, &file);
                check_sites(&file, &sites);
            })
            .expect("spawn extractor thread");
        // Under libFuzzer a panic in the thread has already aborted the process (its panic
        // hook aborts); in a plain test, re-raise it here.
        if let Err(e) = handle.join() {
            std::panic::resume_unwind(e);
        }
    });
}

/// Where a string's offsets land in the file must be inside the file, on char boundaries.
fn check_map(file: &str, value: &str, map: &OffsetMap, what: &str) {
    let whole = map.range(0..value.len());
    assert_span(file, &whole, what);
    if let Ok(info) = conninfo::parse(value) {
        for p in &info.params {
            assert_span(file, &map.range(p.span.clone()), "mapped param span");
            assert_span(file, &map.range(p.value_span.clone()), "mapped value span");
        }
    }
}

fn check_sites(file: &SourceFile, sites: &FileSites) {
    let text = &file.text;
    for u in &sites.urls {
        check_map(text, &u.text, &u.map, "url site");
    }
    for b in &sites.bindings {
        assert_span(text, &b.name_span, "binding name span");
        check_map(text, &b.value, &b.map, "binding value");
    }
    for t in &sites.secrets {
        assert_span(text, &t.span, "secret token span");
    }
}

// ---------------------------------------------------------------------------------------
// pipeline

static RUN: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir, removed on drop.
struct TempTree(PathBuf);

impl TempTree {
    fn new() -> TempTree {
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("neon-lint-fuzz-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp tree");
        TempTree(dir)
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `pipeline` target: the first byte picks a file name, the rest is written to that
/// file in an otherwise empty tree, and the whole pipeline runs on the tree: lint, every
/// renderer, the safe fixes applied in memory. Checks: diagnostic spans inside their file
/// on char boundaries, fixes apply, and no rendered output shows a password that the
/// connection strings found in the file hold (see [`check_outputs`]).
pub fn pipeline(data: &[u8]) {
    let (name, body) = split(names("pipeline"), data);
    let tree = TempTree::new();
    let path = tree.0.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(&path, body).expect("write input");
    lint_tree(&tree.0);
}

fn lint_tree(root: &Path) {
    let outcome = match neon_lint::lint::lint(&[root.to_path_buf()], &Config::default()) {
        Ok(o) => o,
        Err(e) => panic!("lint failed on a one-file tree: {e}"),
    };
    let project = &outcome.project;
    let diags = &outcome.diagnostics;
    for d in diags {
        let file = &project.files[d.file].text;
        assert_span(file, &d.span, "diagnostic span");
        for (r, _) in &d.secondary {
            assert_span(file, r, "diagnostic secondary span");
        }
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert_span(file, &e.range, "fix edit range");
            }
        }
    }
    check_fixes(project, diags);
    let outputs = [
        neon_lint::report::human::render(project, diags, false),
        neon_lint::report::human::render(project, diags, true),
        neon_lint::report::short::render(project, diags),
        neon_lint::report::json::render(project, diags),
        neon_lint::report::sarif::render(project, diags),
        neon_lint::report::github::render(project, diags),
        neon_lint::report::cargo::render(project, diags),
        neon_lint::report::diff::render(project, diags).text,
        outcome
            .notes
            .iter()
            .map(|(p, m)| format!("{p}: {}\n", neon_lint::report::clean(project, m)))
            .collect(),
    ];
    check_outputs(&outcome, &outputs);
}

/// The password text of a URI's userinfo, as libpq delimits it (up to the first `/`, the
/// first `@` before it, the first `:` in the userinfo), when there is one.
fn uri_password_text(text: &str) -> Option<std::ops::Range<usize>> {
    let start = ["postgresql://", "postgres://", "jdbc:postgresql://"]
        .iter()
        .find(|p| text.starts_with(**p))
        .map(|p| p.len())
        .or_else(|| {
            text.strip_prefix("postgresql+")
                .and_then(|r| r.find("://"))
                .map(|i| "postgresql+".len() + i + 3)
        })?;
    let end = text[start..].find('/').map_or(text.len(), |i| start + i);
    let at = start + text[start..end].find('@')?;
    let colon = start + text[start..at].find(':')?;
    (colon + 1 < at).then_some(colon + 1..at)
}

/// A fix never makes a file that the extractor can no longer parse, nor a value that
/// differs from the intended one: the safe fixes are applied in memory, the file is
/// extracted again, and it must hold every value the fixes meant to produce (that value
/// parsing when the original did), with no new note and, for Python, no syntax error
/// (`fix::verify`, the check `--fix` itself makes before writing).
fn check_fixes(project: &neon_lint::project::Project, diags: &[neon_lint::diagnostic::Diagnostic]) {
    for (file_id, edits) in neon_lint::fix::safe_edits(diags) {
        let file = &project.files[file_id];
        let fixed = neon_lint::fix::apply_edits(&file.text, &edits);
        let mut ids: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
        ids.dedup();
        let fixes: Vec<_> = ids.iter().filter_map(|&i| diags[i].fix.as_ref()).collect();
        for &i in &ids {
            let d = &diags[i];
            let Some(want) = d.fix.as_ref().and_then(|f| f.intended.as_deref()) else {
                continue;
            };
            let original = project.urls.iter().filter(|u| u.file == file_id).find(|u| {
                let r = u.map.range(0..u.text.len());
                r.start <= d.span.start && d.span.end <= r.end
            });
            if original.is_some_and(|u| conninfo::parse(&u.text).is_ok()) {
                assert!(
                    conninfo::parse(want).is_ok(),
                    "{}: a fix of {} makes a value that does not parse",
                    file.display,
                    d.rule.name
                );
            }
        }
        if let Err(why) = neon_lint::fix::verify(file_id, file, &fixed, &fixes) {
            panic!(
                "{}: a safe fix breaks the file ({why})\n--- before\n{}\n--- after\n{}",
                file.display, file.text, fixed
            );
        }
    }
}

/// Passwords must not reach any output. For every connection string the extractors found
/// that parses, each password value `v` of 4 bytes or more, without `*`, that occurs
/// nowhere else (not in the file with every password's file span blanked, not in any rule's
/// name, summary or documentation, not in the file's display path) must be absent from
/// every output. Outputs are built from file text, rule texts and message templates; the
/// last are not covered by the exclusion, so a hit is worth reading before calling it a
/// leak (that has not happened so far).
fn check_outputs(outcome: &neon_lint::lint::Outcome, outputs: &[String]) {
    let project = &outcome.project;
    let mut rule_text = String::new();
    for r in neon_lint::rules::all() {
        rule_text.push_str(r.code);
        rule_text.push('\n');
        rule_text.push_str(r.name);
        rule_text.push('\n');
        rule_text.push_str(r.summary);
        rule_text.push('\n');
        rule_text.push_str(r.docs);
        rule_text.push('\n');
    }
    for (file_id, file) in project.files.iter().enumerate() {
        let mut pw_spans = Vec::new();
        let mut passwords = Vec::new();
        for u in project.urls.iter().filter(|u| u.file == file_id) {
            let Ok(info) = conninfo::parse(&u.text) else {
                // A string libpq rejects still holds its password: the userinfo of a URI
                // (libpq's error text quotes it when its percent-encoding is invalid).
                if let Some(pw) = uri_password_text(&u.text) {
                    pw_spans.push(u.map.range(pw.clone()));
                    passwords.push(u.text[pw].to_string());
                }
                continue;
            };
            for p in info.password_params() {
                let inner = password_inner_span(&u.text, p.source, p.value_span.clone());
                pw_spans.push(u.map.range(inner));
                passwords.push(p.value.clone());
            }
        }
        let blanked = blank(&file.text, &pw_spans);
        for v in passwords {
            if v.len() < 4
                || v.contains('*')
                || blanked.contains(v.as_str())
                || rule_text.contains(v.as_str())
                || file.display.contains(v.as_str())
                || file.path.to_string_lossy().contains(v.as_str())
            {
                continue;
            }
            for out in outputs {
                assert!(
                    !out.contains(v.as_str()),
                    "password {v:?} of {} in output:\n{out}",
                    file.display
                );
            }
        }
    }
}
