//! The project: every candidate file with its sites, joined project-wide (resolve).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::Candidate;
use crate::extract;
pub use crate::git::GitFacts;
use crate::site::{
    ClientSetup, EnvBinding, FileSites, ImportSite, ManifestFact, MigrationCommand, MigrationRun,
    OffsetMap, SecretToken, ToolUrl, UrlSite, UrlSource,
};
use crate::source::{decode_owned, FileId, LineIndex, SourceFile};

/// Everything the rules read.
#[derive(Debug, Default)]
pub struct Project {
    /// Candidate files, sorted by path.
    pub files: Vec<SourceFile>,
    /// Connection strings.
    pub urls: Vec<UrlSite>,
    /// Variable bindings.
    pub bindings: Vec<EnvBinding>,
    /// Bare secrets.
    pub secrets: Vec<SecretToken>,
    /// Driver set-up calls.
    pub clients: Vec<ClientSetup>,
    /// Migration runs.
    pub migrations: Vec<MigrationRun>,
    /// Dependency facts.
    pub manifests: Vec<ManifestFact>,
    /// Requirement includes and requirements with unknown dependencies.
    pub requirement_refs: Vec<crate::site::RequirementRef>,
    /// Package versions asked for (manifests, lock files, Dockerfiles).
    pub pins: Vec<crate::site::pins::PackagePin>,
    /// Platforms the project's files say it runs on.
    pub platforms: Vec<crate::site::pins::PlatformHint>,
    /// Migration commands (the resolver turns them into migration runs).
    pub commands: Vec<MigrationCommand>,
    /// URL settings of migration tools' configuration.
    pub tool_urls: Vec<ToolUrl>,
    /// Imported modules (Python).
    pub imports: Vec<ImportSite>,
    /// Uses of connections (SQL text, session features).
    pub uses: Vec<crate::site::ConnectionUse>,
    /// Rust and Cargo facts per file, joined crate-wide by the resolver (which empties it).
    pub rust: Vec<(crate::source::FileId, crate::site::rust::RustFacts)>,
    /// JavaScript exports and pending imports, per file, until the resolver joins them.
    pub js: Vec<(crate::source::FileId, crate::site::JsFacts)>,
    /// Python module constants and pending imports, per file, until the resolver joins
    /// them.
    pub py: Vec<(crate::source::FileId, crate::site::PyFacts)>,
    /// Cloudflare Workers configurations.
    pub workers: Vec<crate::site::edge::WorkerConfig>,
    /// TCP drivers imported by code that runs on the edge (filled by the resolver).
    pub edge_tcp: Vec<crate::site::edge::EdgeTcpImport>,
    /// Per-file notes (path, message).
    pub notes: Vec<(PathBuf, String)>,
    /// What git knows about the files (tracked / ignored).
    pub git: GitFacts,
    /// `bindings` indices by variable name, built on first use (bindings are final by then).
    pub binding_index: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    /// The program each file belongs to (filled by the resolver).
    pub programs: crate::resolve::programs::Programs,
    /// Files read only as the context of files named on the command line (see
    /// `context`): their facts count, but nothing is reported on them.
    pub context: std::collections::HashSet<FileId>,
    /// What every output masks, collected on first use (after the project is final).
    pub redaction: std::sync::OnceLock<crate::report::Redaction>,
}

/// Extracts sites from every candidate, in parallel (with a generous stack for syn).
pub fn build(candidates: Vec<Candidate>, cwd: &Path) -> Project {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build();
    // Candidates arrive sorted by path, so a file's id is its index, known before extraction.
    let work = |(id, c): (FileId, Candidate)| -> (SourceFile, FileSites) {
        let (text, _) = decode_owned(c.bytes);
        let lines = LineIndex::new(&text);
        let file = SourceFile {
            display: display_path(&c.path, cwd),
            path: c.path,
            kind: c.kind,
            text,
            lines,
        };
        let sites = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::timings::extraction(file.kind, || extract::extract(id, &file))
        }))
        .unwrap_or_else(|_| FileSites {
            notes: vec![
                "internal error while extracting this file; it was skipped (please report)".into(),
            ],
            ..FileSites::default()
        });
        (file, sites)
    };
    let results: Vec<(SourceFile, FileSites)> = match pool {
        Ok(pool) => pool.install(|| candidates.into_par_iter().enumerate().map(work).collect()),
        Err(_) => candidates.into_iter().enumerate().map(work).collect(),
    };
    let mut project = Project::default();
    for (id, (file, mut sites)) in results.into_iter().enumerate() {
        project.uses.extend(sites.uses);
        if let Some(facts) = sites.rust.take() {
            project.rust.push((id, *facts));
        }
        if let Some(facts) = sites.js.take() {
            project.js.push((id, *facts));
        }
        if let Some(facts) = sites.py.take() {
            project.py.push((id, *facts));
        }
        project.commands.extend(sites.commands);
        project.workers.extend(sites.workers);
        project.tool_urls.extend(sites.tool_urls);
        project.imports.extend(sites.imports);
        project.clients.extend(sites.clients);
        project.migrations.extend(sites.migrations);
        project.manifests.extend(sites.manifests);
        project.requirement_refs.extend(sites.requirement_refs);
        project.pins.extend(sites.pins);
        project.platforms.extend(sites.platforms);
        for n in sites.notes {
            project.notes.push((file.path.clone(), n));
        }
        project.urls.extend(sites.urls);
        project.bindings.extend(sites.bindings);
        project.secrets.extend(sites.secrets);
        project.files.push(file);
    }
    project
}

/// `path` relative to `cwd` when under it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

impl Project {
    /// The values the project gives variable `name` (in `.env` files, compose, CI,
    /// `.cargo/config.toml`), templates and examples excluded. Empty means unknown: rules
    /// never guess.
    pub fn values_of(&self, name: &str) -> Vec<&EnvBinding> {
        // Rules ask once per set-up call: index the bindings by name on first use so that
        // the cost stays linear in the size of the tree.
        let index = self.binding_index.get_or_init(|| {
            let mut m: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (i, b) in self.bindings.iter().enumerate() {
                if b.placement != neon_lint_core::Placement::Example {
                    m.entry(b.name.clone()).or_default().push(i);
                }
            }
            m
        });
        index
            .get(name)
            .map(|ids| ids.iter().map(|&i| &self.bindings[i]).collect())
            .unwrap_or_default()
    }

    /// Every value `source`, written in `at_file`, can take in this project (empty when
    /// unknown). A `.env` value (or a `vercel.json`, `netlify.toml`, `wrangler.*` one)
    /// reaches only the program that owns its folder (see `resolve::programs`).
    pub fn values_of_source(&self, source: &UrlSource, at_file: FileId) -> Vec<ResolvedUrl> {
        match source {
            UrlSource::Literal { text, map } => vec![ResolvedUrl {
                text: text.clone(),
                file: at_file,
                map: map.clone(),
                via: None,
            }],
            UrlSource::EnvVar(name) => self
                .values_of(name)
                .into_iter()
                .filter(|b| {
                    !self.program_scoped(b.file) || self.programs.env_reaches(b.file, at_file)
                })
                .map(|b| ResolvedUrl {
                    text: b.value.clone(),
                    file: b.file,
                    map: b.map.clone(),
                    via: Some(format!("`{name}`, set in `{}`", self.files[b.file].display)),
                })
                .collect(),
            UrlSource::Unknown => Vec::new(),
        }
    }

    /// Whether the variables set in `file` reach only the program that owns its folder.
    pub fn program_scoped(&self, file: FileId) -> bool {
        crate::resolve::programs::program_scoped(&self.files[file])
    }
}

/// One concrete value a [`UrlSource`] can take, with where it was written.
#[derive(Debug, Clone)]
pub struct ResolvedUrl {
    /// The connection string.
    pub text: String,
    /// The file it is written in.
    pub file: FileId,
    /// How offsets in `text` map into that file.
    pub map: OffsetMap,
    /// How we got there, for messages ("`DATABASE_URL`, set in `.env`").
    pub via: Option<String>,
}

impl ResolvedUrl {
    /// File span of the whole value.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.map.range(0..self.text.len())
    }
}
