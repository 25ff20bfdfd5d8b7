//! Commands: shell scripts, `Makefile` recipes, `justfile`s, `Procfile`s, Dockerfiles and
//! `package.json` scripts (and, through [`commands_in`], CI steps and compose commands).
//!
//! A small POSIX-ish tokenizer splits the text into simple commands (on newlines, `;`, `&&`,
//! `||`, `|`, `&`), with quotes, escapes, line continuations, comments and here-documents
//! handled, and keeps every word's bytes mapped to the file. Out of that come:
//!
//! - migration commands (`sqlx migrate run`, `diesel migration run`, `prisma migrate
//!   deploy`, `alembic upgrade`, `manage.py migrate`, `drizzle-kit migrate|push`, `flyway
//!   migrate`, `liquibase update`, `sea-orm-cli migrate`...) behind the usual launchers
//!   (`npx`, `pnpm`, `yarn`, `poetry run`, `uv run`, `python -m`, `sh -c "..."`...), with
//!   the variables their surroundings set ([`MigrationCommand`]);
//! - `export X=...`, Dockerfile `ENV`/`ARG`, `Makefile` `export X = ...` as bindings;
//! - connection strings, keyed by the variable they are assigned to.

use std::ops::Range;

use super::Cx;
use crate::site::{
    mark_placeholders, placeholders, CommandUrl, ConfigTool, Container, FileSites,
    MigrationCommand, OffsetMap, PiecesBuilder, Quoting, ScopedVar, Syntax, UrlSource, Work,
};

/// One word of a command, unquoted, with the file offset of each of its bytes.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub text: String,
    /// File offset per byte of `text`, plus one past the end.
    pub offsets: Vec<usize>,
    /// Whether any part was single-quoted (no expansion happens there).
    pub single_quoted: bool,
    /// How each byte of `text` was written (empty: as a quoted literal, for words built
    /// from other syntax).
    pub quotes: Vec<Quote>,
}

/// How a byte of a word was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    /// Unquoted: shell syntax characters would not stand for themselves.
    Bare,
    /// In double quotes.
    Double,
    /// In single quotes.
    Single,
    /// Part of `$X`, `${...}`, `$(...)` or `` `...` ``: known only at run time.
    Expansion,
    /// Unquoted in a syntax that is not a shell (Dockerfile `ENV`): only blanks, quotes,
    /// `\`, `$` and `#` are syntax.
    Plain,
}

impl Word {
    /// The word's map: its quoted and unquoted runs as literal pieces, its expansions as
    /// run-time pieces.
    fn map(&self) -> OffsetMap {
        if self.quotes.len() != self.text.len() {
            // Built from other syntax: exact only if every byte has its own offset.
            if self.offsets.windows(2).all(|w| w[0] < w[1]) {
                return OffsetMap::Table(self.offsets.clone());
            }
            return OffsetMap::Opaque { span: self.span() };
        }
        let mut b = PiecesBuilder::default();
        let mut a = 0;
        while a < self.quotes.len() {
            let q = self.quotes[a];
            let mut e = a + 1;
            while e < self.quotes.len() && self.quotes[e] == q {
                e += 1;
            }
            // A run ends right after its last byte (inside its quotes).
            let end = if e == self.quotes.len() {
                self.offsets.get(e).copied()
            } else {
                None
            }
            .unwrap_or_else(|| self.offsets[e - 1] + 1);
            let mut table = self.offsets[a..e].to_vec();
            table.push(end);
            let map = OffsetMap::Table(table);
            match q {
                Quote::Bare => b.literal(e - a, map, Quoting::ShellBare),
                Quote::Plain => b.literal(e - a, map, Quoting::Bare),
                Quote::Double | Quote::Single => b.literal(e - a, map, Quoting::Quoted),
                Quote::Expansion => b.unknown(e - a, self.offsets[a]..end),
            }
            a = e;
        }
        match b.build() {
            OffsetMap::Pieces(p) if p.is_empty() => OffsetMap::Table(self.offsets.clone()),
            m => m,
        }
    }

    /// Marks `$X`, `${X}`, `$(...)` and backquotes outside single quotes as expansions.
    fn mark_expansions(&mut self) {
        if self.quotes.len() != self.text.len() {
            return;
        }
        for r in placeholders(&self.text, &[Syntax::Dollar]) {
            if self
                .quotes
                .get(r.start)
                .is_some_and(|q| *q != Quote::Single)
            {
                for q in &mut self.quotes[r] {
                    *q = Quote::Expansion;
                }
            }
        }
        let mut open: Option<usize> = None;
        for (i, c) in self.text.bytes().enumerate() {
            if c == b'`' && self.quotes[i] != Quote::Single {
                match open.take() {
                    Some(s) => self.quotes[s..=i].fill(Quote::Expansion),
                    None => open = Some(i),
                }
            }
        }
        if let Some(s) = open {
            self.quotes[s..].fill(Quote::Expansion);
        }
    }

    /// The word as a value of a syntax that is not a shell (unquoted bytes are plain).
    fn not_shell(mut self) -> Word {
        for q in &mut self.quotes {
            if *q == Quote::Bare {
                *q = Quote::Plain;
            }
        }
        self
    }

    /// The word from byte `skip` on.
    fn tail(&self, skip: usize) -> Word {
        Word {
            text: self.text[skip..].to_string(),
            offsets: self.offsets[skip..].to_vec(),
            single_quoted: self.single_quoted,
            quotes: self
                .quotes
                .get(skip..)
                .map(<[Quote]>::to_vec)
                .unwrap_or_default(),
        }
    }

    fn span(&self) -> Range<usize> {
        let s = self.offsets.first().copied().unwrap_or(0);
        let e = self.offsets.last().copied().unwrap_or(s);
        s..e.max(s)
    }

    /// `$X`, `${X}` or (Makefiles) `$(X)`: the variable the whole word expands to.
    pub fn var_ref(&self) -> Option<&str> {
        if self.single_quoted {
            return None;
        }
        let t = self.text.as_str();
        let inner = if let Some(r) = t.strip_prefix("${") {
            r.strip_suffix('}')?
        } else if let Some(r) = t.strip_prefix("$(") {
            r.strip_suffix(')')?
        } else {
            t.strip_prefix('$')?
        };
        is_var_name(inner).then_some(inner)
    }

    /// `NAME=value`: the name and the value as its own word.
    fn assignment(&self) -> Option<(String, Word)> {
        let eq = self.text.find('=')?;
        let name = &self.text[..eq];
        if !is_var_name(name) {
            return None;
        }
        Some((name.to_string(), self.tail(eq + 1)))
    }
}

fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A simple command: its words, in order.
#[derive(Debug, Clone, Default)]
pub(super) struct Cmd {
    pub words: Vec<Word>,
}

impl Cmd {
    fn span(&self) -> Range<usize> {
        match (self.words.first(), self.words.last()) {
            (Some(a), Some(b)) => a.span().start..b.span().end,
            _ => 0..0,
        }
    }
}

/// Splits shell text into simple commands. `map` takes offsets in `text` to the file.
pub(super) fn tokenize(text: &str, map: &OffsetMap) -> Vec<Cmd> {
    let b = text.as_bytes();
    let mut cmds = Vec::new();
    let mut cur = Cmd::default();
    let mut word: Option<Word> = None;
    let mut heredocs: Vec<String> = Vec::new();
    let mut i = 0;
    let at = |i: usize| map.offset(i);
    let push_quoted = |w: &mut Word, text: &str, i: usize, q: Quote| -> usize {
        let ch = text[i..].chars().next().unwrap_or('\u{FFFD}');
        for k in 0..ch.len_utf8() {
            w.offsets.push(map.offset(i + k));
            w.quotes.push(q);
        }
        w.text.push(ch);
        ch.len_utf8()
    };
    let push_char = |w: &mut Word, text: &str, i: usize| push_quoted(w, text, i, Quote::Bare);
    fn end_word(word: &mut Option<Word>, cur: &mut Cmd, end: usize) {
        if let Some(mut w) = word.take() {
            // The word ends right after its last byte, not after a closing quote: a fix
            // appending to the value (`?sslmode=require`) must land inside the quotes.
            let end = w.offsets.last().map(|o| o + 1).unwrap_or(end);
            w.offsets.push(end);
            w.mark_expansions();
            cur.words.push(w);
        }
    }
    fn end_cmd(cur: &mut Cmd, cmds: &mut Vec<Cmd>) {
        if !cur.words.is_empty() {
            cmds.push(std::mem::take(cur));
        }
    }
    while i < b.len() {
        let c = b[i];
        if word.is_none() {
            match c {
                b' ' | b'\t' | b'\r' => i += 1,
                b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
                b'\n' => {
                    end_cmd(&mut cur, &mut cmds);
                    i += 1;
                    // Here-document bodies are data, not commands.
                    for delim in std::mem::take(&mut heredocs) {
                        while i < b.len() {
                            let e = memchr::memchr(b'\n', &b[i..])
                                .map(|e| i + e)
                                .unwrap_or(b.len());
                            let line = text[i..e].trim();
                            i = (e + 1).min(b.len());
                            if line == delim {
                                break;
                            }
                        }
                    }
                }
                b';' | b'|' | b'&' | b'(' | b')' => {
                    end_cmd(&mut cur, &mut cmds);
                    i += 1;
                }
                b'#' => {
                    i = memchr::memchr(b'\n', &b[i..])
                        .map(|e| i + e)
                        .unwrap_or(b.len());
                }
                _ => {
                    word = Some(Word {
                        text: String::new(),
                        offsets: Vec::new(),
                        single_quoted: false,
                        quotes: Vec::new(),
                    });
                }
            }
            continue;
        }
        let w = word.as_mut().expect("in a word");
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'(' | b')' => {
                // `<<EOF`, `<<-'EOF'`: remember the delimiter.
                if let Some(d) = w.text.strip_prefix("<<") {
                    let d = d.trim_start_matches('-').trim_matches(['\'', '"']);
                    if !d.is_empty() {
                        heredocs.push(d.to_string());
                    }
                }
                end_word(&mut word, &mut cur, at(i));
            }
            b'\'' => {
                w.single_quoted = true;
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += push_quoted(w, text, i, Quote::Single);
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        match b[i + 1] {
                            b'\n' => {
                                i += 2;
                                continue;
                            }
                            b'$' | b'`' | b'"' | b'\\' => {
                                i += 1;
                            }
                            _ => {}
                        }
                    }
                    i += push_quoted(w, text, i, Quote::Double);
                }
                i += 1;
            }
            b'\\' => {
                if b.get(i + 1) == Some(&b'\n') {
                    i += 2;
                } else if i + 1 < b.len() {
                    i += 1;
                    // `\&`: the character stands for itself, as if quoted.
                    i += push_quoted(w, text, i, Quote::Double);
                } else {
                    i += 1;
                }
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                // `$(...)`, `${...}`, `${{ ... }}`: kept verbatim, nesting counted.
                let (open, close) = if b[i + 1] == b'(' {
                    (b'(', b')')
                } else {
                    (b'{', b'}')
                };
                i += push_char(w, text, i);
                let mut depth = 0usize;
                while i < b.len() {
                    let ch = b[i];
                    i += push_char(w, text, i);
                    if ch == open {
                        depth += 1;
                    } else if ch == close {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                }
            }
            b'`' => {
                i += push_char(w, text, i);
                while i < b.len() && b[i] != b'`' {
                    i += push_char(w, text, i);
                }
                if i < b.len() {
                    i += push_char(w, text, i);
                }
            }
            _ => i += push_char(w, text, i),
        }
    }
    end_word(&mut word, &mut cur, at(b.len()));
    end_cmd(&mut cur, &mut cmds);
    cmds
}

/// What a migration command reads.
struct Recognized {
    tool: String,
    work: Work,
    url: CommandUrl,
    /// Index of the tool's first word (after launchers).
    first: usize,
}

fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// Skips launchers (`npx`, `poetry run`, `python -m`...) in front of a tool.
fn skip_launchers(words: &[Word]) -> usize {
    let mut i = 0;
    let t = |i: usize| words.get(i).map(|w| basename(&w.text)).unwrap_or("");
    loop {
        let before = i;
        match t(i) {
            "npx" | "bunx" | "pnpx" | "exec" | "time" | "sudo" | "nohup" | "command" => {
                i += 1;
                while t(i).starts_with('-') {
                    i += 1;
                }
            }
            "pnpm" | "yarn" | "bun" | "npm" => {
                i += 1;
                if matches!(t(i), "exec" | "dlx" | "x") {
                    i += 1;
                }
            }
            "poetry" | "pipenv" | "pdm" | "rye" | "hatch" | "uv" | "bundle" | "dotenvx" => {
                if matches!(t(i + 1), "run" | "exec") {
                    i += 2;
                }
            }
            "env" => {
                i += 1;
                while words.get(i).is_some_and(|w| w.assignment().is_some()) {
                    i += 1;
                }
            }
            // `dotenv -e .env.production -- prisma migrate deploy`
            "dotenv" => {
                i += 1;
                while i < words.len() && t(i) != "--" {
                    i += 1;
                }
                i += 1;
            }
            p if p.starts_with("python") => {
                i += 1;
                if t(i) == "-m" {
                    i += 1;
                }
            }
            "cargo" if t(i + 1) == "sqlx" => i += 1,
            _ => {}
        }
        if i == before || i >= words.len() {
            return i.min(words.len());
        }
    }
}

/// The value of `--flag VALUE`, `--flag=VALUE`, `-fVALUE` among `words`.
fn flag_value(words: &[Word], names: &[&str]) -> Option<Word> {
    for (k, w) in words.iter().enumerate() {
        for n in names {
            if w.text == *n {
                return words.get(k + 1).cloned();
            }
            if let Some(rest) = w.text.strip_prefix(&format!("{n}=")) {
                let skip = w.text.len() - rest.len();
                return Some(w.tail(skip));
            }
        }
    }
    None
}

fn given(w: Word) -> CommandUrl {
    if let Some(v) = w.var_ref() {
        return CommandUrl::Given(UrlSource::EnvVar(v.to_string()));
    }
    if super::looks_like_conninfo(&w.text) {
        return CommandUrl::Given(UrlSource::Literal {
            map: w.map(),
            text: w.text,
        });
    }
    CommandUrl::Given(UrlSource::Unknown)
}

/// Recognises a migration command.
fn recognize(words: &[Word]) -> Option<Recognized> {
    let first = skip_launchers(words);
    let w = &words[first..];
    let t = |i: usize| w.get(i).map(|w| w.text.as_str()).unwrap_or("");
    let tool = basename(t(0));
    let rest = &w[1.min(w.len())..];
    let (name, url) = match tool {
        "sqlx"
            if (t(1) == "migrate" && matches!(t(2), "run" | "revert"))
                || (t(1) == "database" && matches!(t(2), "setup" | "reset")) =>
        {
            let url = flag_value(rest, &["--database-url", "-D"])
                .map(given)
                .unwrap_or(CommandUrl::Var("DATABASE_URL".into()));
            (format!("sqlx {} {}", t(1), t(2)), url)
        }
        "diesel"
            if (t(1) == "migration" && matches!(t(2), "run" | "redo" | "revert"))
                || (t(1) == "database" && matches!(t(2), "setup" | "reset")) =>
        {
            let url = flag_value(rest, &["--database-url"])
                .map(given)
                .unwrap_or(CommandUrl::Var("DATABASE_URL".into()));
            (format!("diesel {} {}", t(1), t(2)), url)
        }
        "sea-orm-cli" if t(1) == "migrate" => {
            let url = flag_value(rest, &["--database-url", "-u"])
                .map(given)
                .unwrap_or(CommandUrl::Var("DATABASE_URL".into()));
            ("sea-orm-cli migrate".to_string(), url)
        }
        "refinery" if t(1) == "migrate" => {
            let var = flag_value(rest, &["-e", "--env-var"])
                .map(|w| w.text)
                .unwrap_or_else(|| "DATABASE_URL".into());
            ("refinery migrate".to_string(), CommandUrl::Var(var))
        }
        "prisma"
            if (t(1) == "migrate" && matches!(t(2), "deploy" | "dev" | "reset" | "resolve"))
                || (t(1) == "db" && t(2) == "push") =>
        {
            (
                format!("prisma {} {}", t(1), t(2)),
                CommandUrl::Config(ConfigTool::Prisma),
            )
        }
        "alembic" => {
            // Options that take a value come before the subcommand.
            let mut k = 0;
            while rest.get(k).is_some_and(|w| w.text.starts_with('-')) {
                let takes_value = matches!(
                    rest[k].text.as_str(),
                    "-c" | "--config" | "-n" | "--name" | "-x"
                );
                k += if takes_value { 2 } else { 1 };
            }
            let sub = rest.get(k).map(|w| w.text.as_str())?;
            if !matches!(sub, "upgrade" | "downgrade") {
                return None;
            }
            (
                format!("alembic {sub}"),
                CommandUrl::Config(ConfigTool::Alembic),
            )
        }
        "manage.py" | "django-admin" | "django" if t(1) == "migrate" => (
            format!("{tool} migrate"),
            CommandUrl::Config(ConfigTool::Django),
        ),
        "drizzle-kit" if matches!(t(1), "migrate" | "push" | "up") => (
            format!("drizzle-kit {}", t(1)),
            CommandUrl::Config(ConfigTool::Drizzle),
        ),
        "flyway" if rest.iter().any(|w| w.text == "migrate") => {
            let url = flag_value(rest, &["-url"])
                .map(given)
                .unwrap_or(CommandUrl::Var("FLYWAY_URL".into()));
            ("flyway migrate".to_string(), url)
        }
        "liquibase" if rest.iter().any(|w| w.text == "update") => {
            let url = flag_value(rest, &["--url"])
                .map(given)
                .unwrap_or(CommandUrl::Var("LIQUIBASE_COMMAND_URL".into()));
            ("liquibase update".to_string(), url)
        }
        // Neon: "`pg_dump`/`pg_restore` | Direct | Uses `SET` statements". The database is
        // `-d`/`--dbname` (a connection string is allowed there) or, for `pg_dump`, the first
        // argument that is not an option.
        "pg_dump" | "pg_restore" => {
            let url = flag_value(rest, &["-d", "--dbname"])
                .or_else(|| {
                    (tool == "pg_dump")
                        .then(|| {
                            rest.iter()
                                .find(|w| super::looks_like_conninfo(&w.text))
                                .cloned()
                        })
                        .flatten()
                })
                .map(given);
            // No connection string, host flag or expansion anywhere on the line: libpq's
            // `PGHOST` decides (`pg_dump -Fc -f backup.dump`).
            let url = match url {
                Some(u) => u,
                None if !rest.iter().any(|w| {
                    w.text.contains(['$', '=', '`'])
                        || w.text.contains("://")
                        || w.text == "-h"
                        || w.text.starts_with("--host")
                        || (w.text.starts_with("-h") && w.text.len() > 2)
                }) =>
                {
                    CommandUrl::Var("PGHOST".into())
                }
                None => return None,
            };
            (tool.to_string(), url)
        }
        _ => return None,
    };
    Some(Recognized {
        work: if matches!(tool, "pg_dump" | "pg_restore") {
            Work::DumpRestore
        } else {
            Work::Migration
        },
        tool: name,
        url,
        first,
    })
}

/// The value of a variable written in a file, for a command's scope: a literal, another
/// variable, or unknown (`${{ secrets.X }}`, `$(command)`). A connection string with an
/// expression inside (`postgresql://app:${{ secrets.PW }}@ep-...-pooler...`) still shows
/// its host and role: it is kept, the expression marked as a piece known only at run time.
pub(super) fn scoped_value(w: &Word) -> UrlSource {
    if w.text.contains("$(") || w.text.contains('`') {
        return UrlSource::Unknown;
    }
    if w.text.contains("${{") {
        if !super::looks_like_conninfo(&w.text) {
            return UrlSource::Unknown;
        }
        return UrlSource::Literal {
            text: w.text.clone(),
            map: mark_placeholders(&w.text, w.map(), &[Syntax::Dollar]),
        };
    }
    if let Some(v) = w.var_ref() {
        return UrlSource::EnvVar(v.to_string());
    }
    if !w.single_quoted && w.text.contains('$') {
        return UrlSource::Unknown;
    }
    UrlSource::Literal {
        text: w.text.clone(),
        map: w.map(),
    }
}

/// How a file's commands see variables they do not set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Inherit {
    /// Local scripts: from the developer's environment (where `.env` is loaded).
    Project,
    /// CI, containers, process managers: unknowable.
    Nothing,
}

/// Runs through `cmds` with `scope` (variables set before them), recording connection
/// strings, `export`/assignments, and migration commands. Returns the scope after them.
pub(super) fn commands_in(
    cx: &mut Cx,
    cmds: &[Cmd],
    mut scope: Vec<ScopedVar>,
    inherit: Inherit,
) -> Vec<ScopedVar> {
    let joined = names_joined(cmds);
    for cmd in cmds {
        let mut inline: Vec<ScopedVar> = Vec::new();
        let mut k = 0;
        let exported = matches!(
            cmd.words.first().map(|w| w.text.as_str()),
            Some("export" | "declare" | "typeset" | "readonly" | "local")
        );
        if exported {
            k = 1;
            while cmd.words.get(k).is_some_and(|w| w.text.starts_with('-')) {
                k += 1;
            }
        }
        while let Some((name, value)) = cmd.words.get(k).and_then(|w| w.assignment()) {
            if super::looks_like_conninfo(&value.text) {
                let mut map = value.map();
                if joined.contains(&name) {
                    // `"${BASE}neondb"` later: an edit here changes that value too.
                    let mut b = PiecesBuilder::default();
                    b.shared(value.text.len(), map);
                    map = b.build();
                }
                cx.string_value(&value.text, map, Container::Text, Some(name.clone()));
            }
            if exported {
                let name_start = cmd.words[k].offsets.first().copied().unwrap_or(0);
                cx.binding(
                    &name,
                    name_start..name_start + name.len(),
                    &value.text,
                    value.map(),
                );
            }
            inline.push(ScopedVar {
                name,
                value: scoped_value(&value),
            });
            k += 1;
        }
        let rest = &cmd.words[k..];
        for w in rest {
            if super::looks_like_conninfo(&w.text) {
                cx.string_value(&w.text, w.map(), Container::Text, None);
            }
        }
        if rest.is_empty() || exported {
            // `X=1` alone, or `export X=1`: the variable is set for what follows.
            scope.extend(inline);
            continue;
        }
        // `sh -c "..."`, `bash -lc '...'`: the string is a script.
        let launch = skip_launchers(rest);
        if matches!(
            rest.get(launch).map(|w| basename(&w.text)),
            Some("sh" | "bash" | "zsh" | "dash")
        ) {
            if let Some(pos) = rest
                .iter()
                .position(|w| w.text.starts_with('-') && w.text.ends_with('c'))
            {
                if let Some(script) = rest.get(pos + 1) {
                    let inner = tokenize(&script.text, &script.map());
                    let mut s = scope.clone();
                    s.extend(inline.clone());
                    commands_in_nested(cx, &inner, s, inherit);
                    continue;
                }
            }
        }
        if let Some(r) = recognize(rest) {
            let mut env = scope.clone();
            env.extend(inline);
            let span = {
                let s = rest[r.first].span().start;
                s..cmd.span().end
            };
            cx.out.commands.push(MigrationCommand {
                file: cx.file_id,
                span,
                tool: r.tool,
                work: r.work,
                url: r.url,
                env,
                inherits_project_env: inherit == Inherit::Project,
            });
        }
    }
    scope
}

/// Variables whose value some word joins with other text (`"${BASE}neondb"`, `$A$B`).
fn names_joined(cmds: &[Cmd]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for w in cmds.iter().flat_map(|c| &c.words) {
        let eq = w.assignment().map_or(0, |(n, _)| n.len() + 1);
        let value = &w.text[eq..];
        for r in placeholders(value, &[Syntax::Dollar]) {
            if r.len() == value.len() {
                continue;
            }
            let inner = value[r.clone()].trim_start_matches('$');
            let inner = inner.trim_start_matches(['{', '(']);
            let name: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn commands_in_nested(cx: &mut Cx, cmds: &[Cmd], scope: Vec<ScopedVar>, inherit: Inherit) {
    // Connection strings inside were already seen as part of the outer word.
    let before_urls = cx.out.urls.len();
    commands_in(cx, cmds, scope, inherit);
    cx.out.urls.truncate(before_urls);
}

/// Shell scripts, Makefiles, justfiles, Procfiles.
pub(super) fn extract(cx: &mut Cx) {
    let name = cx
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let text = cx.file.text.clone();
    if name == "makefile" || name == "gnumakefile" || name.ends_with(".mk") || name == "justfile" {
        make_like(cx, &text, name == "justfile");
    } else if name == "procfile" || name.starts_with("procfile.") {
        procfile(cx, &text);
    } else {
        let cmds = tokenize(&text, &OffsetMap::Identity { start: 0 });
        commands_in(cx, &cmds, Vec::new(), Inherit::Project);
    }
    text_scan_rest(cx);
}

/// Adds connection strings the text scan finds that no structured site covers (strings
/// inside `$(...)`, odd syntax).
pub(super) fn text_scan_rest(cx: &mut Cx) {
    let mut scratch = FileSites::default();
    {
        let mut tcx = Cx {
            file_id: cx.file_id,
            file: cx.file,
            out: &mut scratch,
        };
        super::text::extract(&mut tcx);
    }
    for u in scratch.urls {
        let start = u.map.offset(0);
        let covered = cx.out.urls.iter().any(|o| {
            let r = o.map.range(0..o.text.len());
            r.start <= start && start < r.end.max(r.start + 1)
        });
        if !covered {
            cx.out.urls.push(u);
        }
    }
}

/// `Makefile` (and `justfile`): variable lines, and recipe lines as commands.
fn make_like(cx: &mut Cx, text: &str, just: bool) {
    let mut scope: Vec<ScopedVar> = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let start = offset;
        // Join `\` continuations: the recipe text runs to the end of the last one.
        let mut end = start + lines[i].len();
        while lines[i].trim_end_matches(['\n', '\r']).ends_with('\\') && i + 1 < lines.len() {
            i += 1;
            end += lines[i].len();
        }
        i += 1;
        offset = end;
        let line = &text[start..end];
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let recipe = if just {
            line.starts_with(' ') || line.starts_with('\t')
        } else {
            line.starts_with('\t')
        };
        if recipe {
            let lead = line.len() - trimmed.len();
            let body = trimmed.trim_start_matches(['@', '-', '+']);
            let body_start = start + lead + (trimmed.len() - body.len());
            let cmds = tokenize(body, &OffsetMap::Identity { start: body_start });
            let _ = commands_in(cx, &cmds, scope.clone(), Inherit::Project);
            continue;
        }
        if let Some(var) = make_assignment(cx, line, start, just) {
            scope.push(var);
        }
    }
}

/// `[export] NAME (=|:=|?=|::=|+=) value`.
fn make_assignment(cx: &mut Cx, line: &str, start: usize, just: bool) -> Option<ScopedVar> {
    let content = line.trim_end_matches(['\n', '\r']);
    let (exported, body, body_at) = match content.strip_prefix("export ") {
        Some(rest) => (true, rest, start + 7),
        None => (false, content, start),
    };
    let name_len = body
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &body[..name_len];
    let after = &body[name_len..];
    let op_rest = after.trim_start();
    let op_len = ["::=", ":=", "?=", "+=", "="]
        .iter()
        .find(|op| op_rest.starts_with(**op))?
        .len();
    let value_raw = &op_rest[op_len..];
    let lead = value_raw.len() - value_raw.trim_start().len();
    let mut value = value_raw.trim();
    let mut vstart = body_at + name_len + (after.len() - op_rest.len()) + op_len + lead;
    // justfile values are quoted strings.
    if just && value.len() >= 2 && (value.starts_with('"') || value.starts_with('\'')) {
        // Drop the quotes; an unclosed one only at the front (the last character may be
        // multi-byte, so never cut a fixed byte off the end).
        let (quote, inner) = value.split_at(1);
        value = inner.strip_suffix(quote).unwrap_or(inner);
        vstart += 1;
    }
    let word = Word {
        text: value.to_string(),
        offsets: (0..=value.len()).map(|k| vstart + k).collect(),
        single_quoted: false,
        quotes: Vec::new(),
    };
    if super::looks_like_conninfo(value) {
        // `$(DB)`, `${DB}`: expanded by make at run time.
        let map = mark_placeholders(
            value,
            OffsetMap::Identity { start: vstart },
            &[Syntax::Dollar],
        );
        cx.string_value(value, map, Container::Text, Some(name.to_string()));
    }
    if exported {
        let name_at = body_at;
        cx.binding(
            name,
            name_at..name_at + name_len,
            value,
            OffsetMap::Identity { start: vstart },
        );
    }
    Some(ScopedVar {
        name: name.to_string(),
        value: scoped_value(&word),
    })
}

/// `Procfile`: `name: command` per line, run with the platform's environment.
fn procfile(cx: &mut Cx, text: &str) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if line.trim_start().starts_with('#') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let body = &line[colon + 1..];
        let cmds = tokenize(
            body,
            &OffsetMap::Identity {
                start: start + colon + 1,
            },
        );
        commands_in(cx, &cmds, Vec::new(), Inherit::Nothing);
    }
}

/// Dockerfiles: `ENV`/`ARG` set variables (bindings, and the scope of later commands),
/// `RUN`/`CMD`/`ENTRYPOINT` run commands. Values the file does not give are unknowable
/// (build arguments, the runtime environment).
pub(super) fn extract_dockerfile(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let b = text.as_bytes();
    let mut env: Vec<ScopedVar> = Vec::new();
    let mut args: Vec<ScopedVar> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // One instruction: to the first newline not escaped by `\`.
        let start = i;
        let mut end = i;
        loop {
            let e = memchr::memchr(b'\n', &b[end..])
                .map(|e| end + e)
                .unwrap_or(b.len());
            let line = text[end..e].trim_end_matches('\r');
            if line.ends_with('\\') && e < b.len() {
                end = e + 1;
                continue;
            }
            end = e;
            break;
        }
        i = (end + 1).min(b.len().max(end + 1));
        let instr = &text[start..end.min(text.len())];
        let trimmed = instr.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = instr.len() - trimmed.len();
        let kw_len = trimmed
            .bytes()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let keyword = trimmed[..kw_len].to_ascii_uppercase();
        let rest_start = start + lead + kw_len;
        let rest = &text[rest_start..end.min(text.len())];
        match keyword.as_str() {
            "FROM" => {
                env.clear();
                args.clear();
            }
            "ENV" | "ARG" => {
                // Dockerfile `ENV` is not a shell: unquoted `&` and `?` are themselves.
                let words = tokenize(rest, &OffsetMap::Identity { start: rest_start })
                    .into_iter()
                    .flat_map(|c| c.words)
                    .map(Word::not_shell)
                    .collect::<Vec<_>>();
                let pairs: Vec<(String, Option<Word>, usize)> = if keyword == "ENV"
                    && words.first().is_some_and(|w| w.assignment().is_none())
                {
                    // Legacy `ENV NAME value with spaces`.
                    let name = words[0].text.clone();
                    let name_at = words[0].span().start;
                    let value = words.get(1).map(|first| {
                        let last = words.last().unwrap_or(first);
                        let s = first.span().start;
                        let e = last.span().end;
                        Word {
                            text: text[s..e].to_string(),
                            offsets: (s..=e).collect(),
                            single_quoted: false,
                            quotes: Vec::new(),
                        }
                    });
                    vec![(name, value, name_at)]
                } else {
                    words
                        .iter()
                        .map(|w| match w.assignment() {
                            Some((n, v)) => (n, Some(v), w.span().start),
                            None => (w.text.clone(), None, w.span().start),
                        })
                        .collect()
                };
                for (name, value, name_at) in pairs {
                    if !is_var_name(&name) {
                        continue;
                    }
                    let scoped = match &value {
                        Some(v) => {
                            if super::looks_like_conninfo(&v.text) {
                                cx.string_value(
                                    &v.text,
                                    v.map(),
                                    Container::Text,
                                    Some(name.clone()),
                                );
                            }
                            cx.binding(&name, name_at..name_at + name.len(), &v.text, v.map());
                            // `$OTHER` resolves within the Dockerfile, or not at all.
                            match scoped_value(v) {
                                UrlSource::EnvVar(other) => lookup(&env, &args, &other),
                                s => s,
                            }
                        }
                        None => UrlSource::Unknown,
                    };
                    let var = ScopedVar {
                        name,
                        value: scoped,
                    };
                    if keyword == "ENV" {
                        env.push(var);
                    } else {
                        args.push(var);
                    }
                }
            }
            "RUN" | "CMD" | "ENTRYPOINT" => {
                // `RUN` sees build arguments and `ENV`; the container's command only `ENV`.
                let mut scope = if keyword == "RUN" {
                    args.clone()
                } else {
                    Vec::new()
                };
                scope.extend(env.iter().cloned());
                let cmds = if rest.trim_start().starts_with('[') {
                    exec_form(rest, rest_start)
                } else {
                    tokenize(rest, &OffsetMap::Identity { start: rest_start })
                };
                commands_in(cx, &cmds, scope, Inherit::Nothing);
            }
            _ => {}
        }
    }
    text_scan_rest(cx);
}

fn lookup(env: &[ScopedVar], args: &[ScopedVar], name: &str) -> UrlSource {
    env.iter()
        .chain(args.iter())
        .rev()
        .find(|v| v.name == name)
        .map(|v| match &v.value {
            UrlSource::EnvVar(_) => UrlSource::Unknown,
            other => other.clone(),
        })
        .unwrap_or(UrlSource::Unknown)
}

/// `["sh", "-c", "alembic upgrade head"]`: JSON strings as words (escapes make a word's
/// bytes map to the whole string).
fn exec_form(rest: &str, rest_start: usize) -> Vec<Cmd> {
    let b = rest.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let s = i + 1;
        let mut e = s;
        let mut escaped = false;
        while e < b.len() && b[e] != b'"' {
            if b[e] == b'\\' {
                escaped = true;
                e += 1;
            }
            e += 1;
        }
        let raw = &rest[s..e.min(rest.len())];
        let (text, offsets) = if escaped {
            let t = raw.replace("\\\"", "\"").replace("\\\\", "\\");
            let n = t.len();
            (t, vec![rest_start + s; n + 1])
        } else {
            (
                raw.to_string(),
                (0..=raw.len()).map(|k| rest_start + s + k).collect(),
            )
        };
        words.push(Word {
            text,
            offsets,
            single_quoted: true,
            quotes: Vec::new(),
        });
        i = e + 1;
    }
    if words.is_empty() {
        return Vec::new();
    }
    vec![Cmd { words }]
}

/// `package.json` `scripts`: each one a shell command line run where `.env` is loaded.
pub(super) fn extract_package_json(cx: &mut Cx) {
    let is_package = cx
        .file
        .path
        .file_name()
        .is_some_and(|n| n == "package.json");
    if !is_package {
        return;
    }
    for (key, value, map) in super::json::strings(&cx.file.text) {
        if !key.starts_with("scripts.") {
            continue;
        }
        let cmds = tokenize(&value, &map);
        let before = cx.out.urls.len();
        commands_in(cx, &cmds, Vec::new(), Inherit::Project);
        // The JSON extractor already recorded the strings.
        cx.out.urls.truncate(before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Vec<String>> {
        tokenize(s, &OffsetMap::Identity { start: 0 })
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn tokenizes_like_a_shell() {
        assert_eq!(
            words("A=1 npx prisma migrate deploy && echo 'a b' # c\nalembic \\\n upgrade head"),
            vec![
                vec!["A=1", "npx", "prisma", "migrate", "deploy"],
                vec!["echo", "a b"],
                vec!["alembic", "upgrade", "head"],
            ]
        );
        assert_eq!(
            words("cat <<EOF\nalembic upgrade head\nEOF\nls \"$X\" ${{ secrets.A }}"),
            vec![vec!["cat", "<<EOF"], vec!["ls", "$X", "${{ secrets.A }}"]]
        );
    }

    #[test]
    fn recognizes_tools() {
        let cmds = tokenize(
            "poetry run python manage.py migrate --noinput\ncargo sqlx migrate run --database-url \"$DIRECT_URL\"\nuv run alembic -c alembic.ini upgrade head",
            &OffsetMap::Identity { start: 0 },
        );
        let r: Vec<(String, CommandUrl)> = cmds
            .iter()
            .filter_map(|c| recognize(&c.words).map(|r| (r.tool, r.url)))
            .collect();
        assert_eq!(
            r,
            vec![
                (
                    "manage.py migrate".into(),
                    CommandUrl::Config(ConfigTool::Django)
                ),
                (
                    "sqlx migrate run".into(),
                    CommandUrl::Given(UrlSource::EnvVar("DIRECT_URL".into()))
                ),
                (
                    "alembic upgrade".into(),
                    CommandUrl::Config(ConfigTool::Alembic)
                ),
            ]
        );
    }
}
