//! Configuration: `neon-lint.toml` (or `.neon-lint.toml`), `[workspace.metadata.neon-lint]` /
//! `[package.metadata.neon-lint]` in `Cargo.toml`, or `[tool.neon-lint]` in
//! `pyproject.toml`, found from the scanned root upward; then `-A/-W/-D` from the command
//! line. Unknown keys and rule names are errors with a "did you mean".

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use neon_lint_core::conninfo::did_you_mean;
use neon_lint_core::url::HostOverrides;
use neon_lint_core::{Level, RuleMeta};

use crate::fsread::{self, MAX_FILE_BYTES};
use crate::rules;

mod per_file_ignores;
pub use per_file_ignores::{Ignored, Matcher, PerFileIgnores};

/// How many `extend` links a configuration may follow (a guard against long chains; a
/// cycle is an error of its own).
const MAX_EXTEND_DEPTH: usize = 16;

/// Reads a file that is neon-lint's configuration: a regular file under the size limit,
/// or an error naming it.
fn read_config(path: &Path) -> Result<String, ConfigError> {
    fsread::read_to_string(path, MAX_FILE_BYTES)
        .map_err(|e| ConfigError(format!("{}: cannot read config: {e}", path.display())))
}

/// Settings after reading configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub source: Option<PathBuf>,
    /// Per-rule levels (by rule name).
    pub levels: HashMap<&'static str, Level>,
    /// `-D warnings`: warnings fail the run.
    pub deny_warnings: bool,
    /// Exclude globs.
    pub exclude: Vec<String>,
    /// Extra variable names meaning "direct / migration URL".
    pub direct_variables: Vec<String>,
    /// Hosts to treat as pooled or direct.
    pub hosts: HostOverrides,
    /// The project only uses Neon's current pooler, which tracks prepared statements.
    pub pooler_prepared_statements: bool,
    /// Rules that do not apply to some files (`per-file-ignores`).
    pub per_file_ignores: PerFileIgnores,
}

/// A configuration problem (exit status 2).
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    /// Messages quote what the configuration says (a glob, a rule name, a host): redacted,
    /// and with control characters made visible, like every other output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = neon_lint_core::redact::KnownSecrets::of(&self.0);
        f.write_str(&crate::report::escape_controls(&known.redact(&self.0)))
    }
}

const KEYS: &[&str] = &[
    "rules",
    "exclude",
    "direct-variables",
    "pooled-hosts",
    "direct-hosts",
    "pooler-prepared-statements",
    "per-file-ignores",
    "extend",
];

impl Config {
    /// The level a rule runs at.
    pub fn level(&self, rule: &RuleMeta) -> Level {
        self.levels
            .get(rule.name)
            .copied()
            .unwrap_or(rule.default_level)
    }

    /// Sets a rule's level from a name or code (`-A/-W/-D`); `warnings` with Error means
    /// `-D warnings`.
    pub fn set_level(&mut self, name: &str, level: Level) -> Result<(), ConfigError> {
        if name == "warnings" {
            if level == Level::Error {
                self.deny_warnings = true;
                return Ok(());
            }
            return Err(ConfigError(
                "`warnings` can only be denied (-D warnings)".into(),
            ));
        }
        if level == Level::Error
            && rules::find(name).is_none()
            && did_you_mean(name, &["warnings"]).is_some()
        {
            return Err(ConfigError(format!(
                "unknown rule `{name}` (did you mean `warnings`?); `neon-lint --list-rules` lists them"
            )));
        }
        let rule = lookup_rule(name)?;
        self.levels.insert(rule.name, level);
        Ok(())
    }

    /// Finds and reads the configuration for a run over `root`, or an explicit file.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(p) = explicit {
            return Config::from_toml(&read_config(p)?, p, TableAt::Root, &mut Vec::new());
        }
        let start = if root.is_file() {
            root.parent().unwrap_or(root)
        } else {
            root
        };
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        for dir in start.ancestors() {
            let found: Vec<PathBuf> = ["neon-lint.toml", ".neon-lint.toml"]
                .iter()
                .map(|n| dir.join(n))
                .filter(|p| p.exists())
                .collect();
            if found.len() > 1 {
                return Err(ConfigError(format!(
                    "{}: both `neon-lint.toml` and `.neon-lint.toml`; keep one",
                    dir.display()
                )));
            }
            if let Some(nl) = found.first() {
                return Config::from_toml(&read_config(nl)?, nl, TableAt::Root, &mut Vec::new());
            }
            for (file, at) in [
                ("Cargo.toml", TableAt::CargoMetadata),
                ("pyproject.toml", TableAt::PyprojectTool),
            ] {
                let p = dir.join(file);
                // A manifest is only a config file when it says so: one that is missing,
                // unreadable or not a regular file is passed over (it is not ours).
                if let Ok(text) = fsread::read_to_string(&p, MAX_FILE_BYTES) {
                    if text.contains("neon-lint") {
                        if let Some(c) = Config::from_toml_opt(&text, &p, at, &mut Vec::new())? {
                            return Ok(c);
                        }
                    }
                }
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Ok(Config::default())
    }

    /// `chain`: the files whose `extend` led here (to report a cycle).
    fn from_toml(
        text: &str,
        path: &Path,
        at: TableAt,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Config, ConfigError> {
        Ok(
            Config::from_toml_opt(text, path, at, chain)?.unwrap_or_else(|| Config {
                source: Some(path.to_path_buf()),
                ..Config::default()
            }),
        )
    }

    /// The base configuration `extend = "..."` in `path` names (relative to `path`'s
    /// folder), read with its own `extend` chain. Its table is the one its file name says:
    /// `[tool.neon-lint]` in a `pyproject.toml`, the metadata table in a `Cargo.toml`, the
    /// whole file otherwise.
    fn extended(
        item: &toml_edit::Item,
        path: &Path,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let shown = path.display();
        let rel = item
            .as_str()
            .ok_or_else(|| ConfigError(format!("{shown}: `extend` must be a path (a string)")))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let base = dir.join(rel);
        let here = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        chain.push(here);
        let canonical = std::fs::canonicalize(&base).map_err(|e| {
            ConfigError(format!(
                "{shown}: `extend = \"{rel}\"`: cannot read {}: {e}",
                base.display()
            ))
        })?;
        if chain.contains(&canonical) {
            let names: Vec<String> = chain
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            return Err(ConfigError(format!(
                "`extend` goes round in a circle: {}",
                names.join(" -> ")
            )));
        }
        if chain.len() > MAX_EXTEND_DEPTH {
            return Err(ConfigError(format!(
                "{shown}: `extend` chain longer than {MAX_EXTEND_DEPTH} files"
            )));
        }
        let at = match base.file_name().and_then(|n| n.to_str()) {
            Some("pyproject.toml") => TableAt::PyprojectTool,
            Some("Cargo.toml") => TableAt::CargoMetadata,
            _ => TableAt::Root,
        };
        let text = read_config(&base)?;
        Config::from_toml_opt(&text, &base, at, chain)?.ok_or_else(|| {
            ConfigError(format!(
                "{shown}: `extend = \"{rel}\"`: {} has no neon-lint settings",
                base.display()
            ))
        })
    }

    fn from_toml_opt(
        text: &str,
        path: &Path,
        at: TableAt,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Option<Config>, ConfigError> {
        let shown = path.display();
        let doc = text
            .parse::<toml_edit::DocumentMut>()
            .map_err(|e| ConfigError(format!("{shown}: not valid TOML: {}", e.message())))?;
        let table = match at {
            TableAt::Root => Some(doc.as_table()),
            TableAt::CargoMetadata => ["workspace", "package"]
                .iter()
                .find_map(|k| doc.get(k)?.get("metadata")?.get("neon-lint")?.as_table()),
            TableAt::PyprojectTool => doc
                .get("tool")
                .and_then(|t| t.get("neon-lint"))
                .and_then(|t| t.as_table()),
        };
        let Some(table) = table else { return Ok(None) };
        // The base first; every setting written here then overrides it (lists and values
        // replace the base's, `rules` and `per-file-ignores` entries replace theirs).
        let mut c = match table.get("extend") {
            Some(item) => Config::extended(item, path, chain)?,
            None => Config::default(),
        };
        c.source = Some(path.to_path_buf());
        for (key, item) in table.iter() {
            let bad_type = |want: &str| ConfigError(format!("{shown}: `{key}` must be {want}"));
            match key {
                "extend" => {}
                "per-file-ignores" => {
                    let globs = item
                        .as_table_like()
                        .ok_or_else(|| bad_type("a table of \"glob\" = [rules]"))?;
                    for (glob, rules) in globs.iter() {
                        let ignored = ignored_rules(rules).map_err(|e| {
                            ConfigError(format!("{shown}: per-file-ignores `{glob}`: {e}"))
                        })?;
                        globset::Glob::new(glob).map_err(|e| {
                            ConfigError(format!(
                                "{shown}: invalid per-file-ignores glob `{glob}`: {e}"
                            ))
                        })?;
                        c.per_file_ignores.set(glob.to_string(), ignored);
                    }
                }
                "rules" => {
                    let rules = item
                        .as_table_like()
                        .ok_or_else(|| bad_type("a table of rule = level"))?;
                    for (name, level) in rules.iter() {
                        let level_s = level.as_str().ok_or_else(|| {
                            ConfigError(format!("{shown}: level of `{name}` must be \"allow\", \"info\", \"warn\" or \"error\""))
                        })?;
                        let level = Level::parse(level_s).ok_or_else(|| {
                            ConfigError(format!(
                                "{shown}: unknown level \"{level_s}\" for `{name}` (use allow, info, warn or error)"
                            ))
                        })?;
                        let rule =
                            lookup_rule(name).map_err(|e| ConfigError(format!("{shown}: {e}")))?;
                        c.levels.insert(rule.name, level);
                    }
                }
                "exclude" => {
                    c.exclude = string_list(item).ok_or_else(|| bad_type("a list of globs"))?;
                    for g in &c.exclude {
                        globset::Glob::new(g).map_err(|e| {
                            ConfigError(format!("{shown}: invalid exclude glob `{g}`: {e}"))
                        })?;
                    }
                }
                "direct-variables" => {
                    c.direct_variables =
                        string_list(item).ok_or_else(|| bad_type("a list of names"))?
                }
                "pooled-hosts" => {
                    c.hosts.pooled = string_list(item).ok_or_else(|| bad_type("a list of hosts"))?
                }
                "direct-hosts" => {
                    c.hosts.direct = string_list(item).ok_or_else(|| bad_type("a list of hosts"))?
                }
                "pooler-prepared-statements" => {
                    c.pooler_prepared_statements =
                        item.as_bool().ok_or_else(|| bad_type("true or false"))?
                }
                other => {
                    let hint = did_you_mean(other, KEYS)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    return Err(ConfigError(format!(
                        "{shown}: unknown key `{other}`{hint}; known keys: {}",
                        KEYS.join(", ")
                    )));
                }
            }
        }
        Ok(Some(c))
    }
}

#[derive(Clone, Copy)]
enum TableAt {
    Root,
    CargoMetadata,
    PyprojectTool,
}

/// The rules of one `per-file-ignores` entry: names or codes, or `"all"`.
fn ignored_rules(item: &toml_edit::Item) -> Result<Ignored, ConfigError> {
    let names = string_list(item)
        .ok_or_else(|| ConfigError("must be a list of rule names or codes".into()))?;
    if names.iter().any(|n| n == "all") {
        return Ok(Ignored::All);
    }
    let rules = names
        .iter()
        .map(|n| lookup_rule(n).map(|r| r.name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ignored::Rules(rules))
}

fn string_list(item: &toml_edit::Item) -> Option<Vec<String>> {
    let arr = item.as_array()?;
    arr.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

impl Config {
    /// The folder relative `exclude` globs are read from: the config file's, else the
    /// working directory.
    pub fn root(&self) -> PathBuf {
        let dir = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::canonicalize(&dir).unwrap_or(dir)
    }

    /// The `exclude` globs as a matcher for explicitly named files (`--force-exclude`:
    /// pre-commit passes files one by one, and they should be excluded like walked ones).
    pub fn file_excluder(&self) -> Result<FileExcluder, ConfigError> {
        let mut b = globset::GlobSetBuilder::new();
        for g in &self.exclude {
            b.add(
                globset::Glob::new(g)
                    .map_err(|e| ConfigError(format!("invalid exclude glob `{g}`: {e}")))?,
            );
        }
        Ok(FileExcluder {
            set: b.build().map_err(|e| ConfigError(e.to_string()))?,
            root: self.root(),
        })
    }
}

/// Matches named files against the `exclude` globs, relative to the config's folder.
pub struct FileExcluder {
    set: globset::GlobSet,
    root: PathBuf,
}

impl FileExcluder {
    /// Whether `path` or one of its folders matches an `exclude` glob.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = abs.strip_prefix(&self.root).unwrap_or(path);
        rel.ancestors()
            .any(|a| !a.as_os_str().is_empty() && self.set.is_match(a))
    }
}

/// Finds a rule by name or code, or explains what was meant.
pub fn lookup_rule(name: &str) -> Result<&'static RuleMeta, ConfigError> {
    if let Some(r) = rules::find(name) {
        return Ok(r);
    }
    let names: Vec<&str> = rules::all().iter().map(|r| r.name).collect();
    // Codes too (`NL0001` means `NL001`), compared in lower case as `did_you_mean` does.
    let codes: Vec<String> = rules::all()
        .iter()
        .map(|r| r.code.to_ascii_lowercase())
        .collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let hint = did_you_mean(name, &names)
        .or_else(|| {
            let code = did_you_mean(name, &codes)?;
            rules::find(code).map(|r| r.code)
        })
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Err(ConfigError(format!(
        "unknown rule `{name}`{hint}; `neon-lint --list-rules` lists them"
    )))
}
