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
    /// Shell scripts, Dockerfiles, Makefiles, Procfiles, Prisma schemas, TS/JS configs...:
    /// text scanned for connection strings.
    Script,
    /// Markdown and other docs: only secrets rules apply.
    Docs,
}

/// Classifies `path`; `None` means the file cannot matter (images, lock files, binaries).
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
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
    if matches!(
        lower.as_str(),
        "dockerfile" | "makefile" | "gnumakefile" | "procfile" | "justfile" | "containerfile"
    ) || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return Some(FileKind::Script);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let kind = match ext {
        "rs" => FileKind::Rust,
        "toml" => FileKind::Toml,
        "yaml" | "yml" => FileKind::Yaml,
        "json" => FileKind::Json,
        "ini" | "cfg" | "conf" | "properties" => FileKind::Ini,
        "py" | "pyi" => FileKind::Python,
        "sh" | "bash" | "zsh" | "prisma" | "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" | "mk"
        | "sql" | "tf" | "tfvars" | "hcl" | "go" | "java" | "kt" | "rb" | "php" | "cs" | "ex"
        | "exs" | "txt" => FileKind::Script,
        "md" | "markdown" | "rst" | "adoc" | "mdx" => FileKind::Docs,
        _ => return None,
    };
    if lower.ends_with(".lock") || lower == "package-lock.json" {
        return None;
    }
    Some(kind)
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
        assert_eq!(classify(Path::new("Dockerfile")), Some(FileKind::Script));
        assert_eq!(classify(Path::new("logo.png")), None);
        assert_eq!(classify(Path::new("Cargo.lock")), None);
    }
}
