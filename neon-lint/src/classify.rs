//! Decides what kind of file a path is, from its name alone.

use std::path::Path;

/// File kinds neon-lint has an extractor for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `.env`, `.env.local`, `.env.production`, `*.env`.
    DotEnv,
    /// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`: templates.
    DotEnvTemplate,
    /// `*.rs`.
    Rust,
    /// `Cargo.toml`.
    CargoManifest,
    /// `*.toml` (including `.cargo/config.toml`).
    Toml,
    /// `*.yaml`, `*.yml` (compose files, CI workflows, k8s...).
    Yaml,
    /// `*.json`.
    Json,
    /// `*.ini`, `*.cfg`, `*.conf`, `*.properties`, `alembic.ini`.
    Ini,
    /// `*.py`.
    Python,
    /// Shell scripts (`*.sh`), `Makefile`s (`*.mk`), `justfile`s and `Procfile`s: commands
    /// (migration runs) and `export`s, plus connection strings.
    Shell,
    /// `Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.dockerfile`: `ENV`/`ARG` and
    /// `RUN`/`CMD`/`ENTRYPOINT` commands.
    Dockerfile,
    /// Prisma schemas (`*.prisma`).
    Prisma,
    /// `prisma.config.*` and `drizzle.config.*`: TypeScript/JavaScript read at text level.
    JsConfig,
    /// Python dependency manifests: `requirements*.txt` (and `requirements/*.txt`),
    /// `Pipfile`, `pyproject.toml`, `setup.cfg`, `setup.py`.
    PythonManifest,
    /// Files that pin package versions: `poetry.lock`, `uv.lock`, `pdm.lock`,
    /// `Pipfile.lock`, `package-lock.json` (and `npm-shrinkwrap.json`), `yarn.lock`,
    /// `pnpm-lock.yaml`, `Cargo.lock`, `go.mod`, `Gemfile.lock`, `mix.lock`.
    LockFile,
    /// Other TS/JS sources, SQL, Terraform...: text scanned for connection strings.
    Script,
    /// Markdown and other docs: only secrets rules apply.
    Docs,
    /// JavaScript and TypeScript sources (`.js .mjs .cjs .jsx .ts .mts .cts .tsx`), parsed.
    JavaScript,
}

impl FileKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [FileKind] = &[
        FileKind::DotEnv,
        FileKind::DotEnvTemplate,
        FileKind::Rust,
        FileKind::CargoManifest,
        FileKind::Toml,
        FileKind::Yaml,
        FileKind::Json,
        FileKind::Ini,
        FileKind::Python,
        FileKind::Shell,
        FileKind::Dockerfile,
        FileKind::Prisma,
        FileKind::JsConfig,
        FileKind::PythonManifest,
        FileKind::LockFile,
        FileKind::Script,
        FileKind::Docs,
        FileKind::JavaScript,
    ];
}

/// Classifies `path`; `None` means the file cannot matter (images, lock files, binaries).
pub fn classify(path: &Path) -> Option<FileKind> {
    // Names that are not UTF-8 are judged by their readable part.
    let name = path.file_name()?.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        let template = [
            ".example",
            ".sample",
            ".template",
            ".dist",
            ".tmpl",
            ".defaults",
        ]
        .iter()
        .any(|t| lower.ends_with(t) || lower.contains(&format!("{t}.")));
        return Some(if template {
            FileKind::DotEnvTemplate
        } else {
            FileKind::DotEnv
        });
    }
    if lower == "cargo.toml" {
        return Some(FileKind::CargoManifest);
    }
    // libpq's password file: text, plus its own reading (`extract::pgpass`).
    if lower == ".pgpass" || lower == "pgpass.conf" {
        return Some(FileKind::Script);
    }
    if let Some(kind) = classify_deploy(path, &lower) {
        return Some(kind);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let kind = match ext {
        "rs" => FileKind::Rust,
        "toml" => FileKind::Toml,
        "yaml" | "yml" => FileKind::Yaml,
        "json" => FileKind::Json,
        // Cloudflare's `wrangler.jsonc` (JSON with comments; the JSON reader skips them).
        "jsonc" if lower == "wrangler.jsonc" => FileKind::Json,
        "ini" | "cfg" | "conf" | "properties" => FileKind::Ini,
        "py" | "pyi" => FileKind::Python,
        "sh" | "bash" | "zsh" | "mk" => FileKind::Shell,
        "prisma" => FileKind::Prisma,
        "ts" | "mts" | "cts" | "tsx" | "js" | "mjs" | "cjs" | "jsx" => FileKind::JavaScript,
        "sql" | "tf" | "tfvars" | "hcl" | "go" | "java" | "kt" | "rb" | "php" | "cs" | "ex"
        | "exs" | "txt" => FileKind::Script,
        "md" | "markdown" | "rst" | "adoc" | "mdx" => FileKind::Docs,
        _ => return None,
    };
    if lower.ends_with(".lock") || lower == "package-lock.json" {
        return None;
    }
    Some(kind)
}

/// Names that say more than their extension: Dockerfiles, Makefiles, Procfiles, migration
/// tool configs, Python manifests.
fn classify_deploy(path: &Path, lower: &str) -> Option<FileKind> {
    if matches!(lower, "dockerfile" | "containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
    {
        return Some(FileKind::Dockerfile);
    }
    if matches!(lower, "makefile" | "gnumakefile" | "procfile" | "justfile")
        || lower.starts_with("procfile.")
    {
        return Some(FileKind::Shell);
    }
    let stem = lower.split('.').next().unwrap_or("");
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if matches!(stem, "prisma" | "drizzle")
        && lower.contains(".config.")
        && matches!(ext, "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" | "json")
    {
        return Some(FileKind::JsConfig);
    }
    if matches!(
        lower,
        "poetry.lock"
            | "uv.lock"
            | "pdm.lock"
            | "pipfile.lock"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "cargo.lock"
            | "go.mod"
            | "gemfile.lock"
            | "mix.lock"
    ) {
        return Some(FileKind::LockFile);
    }
    if matches!(
        lower,
        "pipfile" | "pyproject.toml" | "setup.cfg" | "setup.py"
    ) {
        return Some(FileKind::PythonManifest);
    }
    let in_requirements_dir = path.parent().and_then(|p| p.file_name()).is_some_and(|d| {
        d.to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("requirements")
    });
    if (ext == "txt" || ext == "in") && (lower.starts_with("requirements") || in_requirements_dir) {
        return Some(FileKind::PythonManifest);
    }
    None
}

/// Whether `path` is a template or example file where placeholders belong.
pub fn is_example(path: &Path) -> bool {
    let lower = path.to_string_lossy().to_ascii_lowercase();
    ["example", "sample", "template", ".dist"]
        .iter()
        .any(|w| lower.rsplit('/').next().is_some_and(|n| n.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_names() {
        assert_eq!(classify(Path::new(".env")), Some(FileKind::DotEnv));
        assert_eq!(classify(Path::new("x/.env.local")), Some(FileKind::DotEnv));
        assert_eq!(
            classify(Path::new(".env.example")),
            Some(FileKind::DotEnvTemplate)
        );
        assert_eq!(
            classify(Path::new("Cargo.toml")),
            Some(FileKind::CargoManifest)
        );
        assert_eq!(classify(Path::new("alembic.ini")), Some(FileKind::Ini));
        assert_eq!(
            classify(Path::new("Dockerfile")),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(classify(Path::new("Makefile")), Some(FileKind::Shell));
        assert_eq!(classify(Path::new("Procfile")), Some(FileKind::Shell));
        assert_eq!(classify(Path::new("bin/migrate.sh")), Some(FileKind::Shell));
        assert_eq!(
            classify(Path::new("prisma/schema.prisma")),
            Some(FileKind::Prisma)
        );
        assert_eq!(
            classify(Path::new("prisma.config.ts")),
            Some(FileKind::JsConfig)
        );
        assert_eq!(
            classify(Path::new("drizzle.config.mjs")),
            Some(FileKind::JsConfig)
        );
        assert_eq!(classify(Path::new("src/db.ts")), Some(FileKind::JavaScript));
        assert_eq!(
            classify(Path::new("app/page.tsx")),
            Some(FileKind::JavaScript)
        );
        assert_eq!(
            classify(Path::new("server.cjs")),
            Some(FileKind::JavaScript)
        );
        assert_eq!(
            classify(Path::new("requirements.txt")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("requirements-dev.txt")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("requirements/base.txt")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("pyproject.toml")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("Pipfile")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("setup.py")),
            Some(FileKind::PythonManifest)
        );
        assert_eq!(
            classify(Path::new("app/settings.py")),
            Some(FileKind::Python)
        );
        assert_eq!(classify(Path::new("notes.txt")), Some(FileKind::Script));
        assert_eq!(classify(Path::new("logo.png")), None);
        assert_eq!(classify(Path::new("Cargo.lock")), Some(FileKind::LockFile));
        assert_eq!(
            classify(Path::new("web/yarn.lock")),
            Some(FileKind::LockFile)
        );
        assert_eq!(classify(Path::new("go.mod")), Some(FileKind::LockFile));
        assert_eq!(
            classify(Path::new("Gemfile.lock")),
            Some(FileKind::LockFile)
        );
        assert_eq!(classify(Path::new("composer.lock")), None);
    }
}
