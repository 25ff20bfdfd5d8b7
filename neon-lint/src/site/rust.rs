//! What the Rust extractor leaves for the project-wide pass: sites whose connection string
//! depends on other functions, fields or constants of the crate, and the summaries that
//! resolve them (`resolve::rust_link`).
//!
//! The extractor follows values inside one file (let bindings, builder chains, calls to
//! functions of the same file). What crosses files is written down symbolically as [`Src`]
//! and joined once every file of the crate has been read.

use std::ops::Range;

use super::{ClientSetup, ConnectionUse, MigrationRun, OffsetMap};

/// One possible origin of a connection string, in the terms of the file it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Src {
    /// A literal (or a `format!`/`concat!` assembled from literals) in this file.
    Lit {
        /// The string.
        text: String,
        /// How its offsets map into this file.
        map: OffsetMap,
    },
    /// An environment variable (`env::var("X")`, `dotenvy::var("X")`, `env!("X")`).
    Env(String),
    /// Whatever the caller passes as argument `index` of this file's function `func`
    /// (an index into [`RustFacts::fns`]).
    Param {
        /// The function.
        func: usize,
        /// The argument position (`self` not counted).
        index: usize,
    },
    /// What a function or constant of the crate, defined in another file, returns.
    Call {
        /// Its name: `make_pool`, or `Type::new` for associated functions.
        func: String,
        /// The sources of each argument.
        args: Vec<Vec<Src>>,
    },
    /// Whatever the crate stores in a struct field of this name (`state.pool`,
    /// `config.database_url`).
    Field(String),
    /// The connection strings of the crate's set-ups whose TLS connector comes from a call
    /// to this function (`tokio_postgres::connect(&url, tls::insecure()?)`).
    TlsUsers(String),
}

/// A function (or constant) of the file: what its result connects to.
#[derive(Debug, Clone, Default)]
pub struct RustFn {
    /// How calls name it: `make_pool`, or `Type::name` for associated functions.
    pub name: String,
    /// Sources of the returned value's connection string (may mention its own params).
    pub returns: Vec<Src>,
}

/// A call to a function that may be defined anywhere in the crate.
#[derive(Debug, Clone)]
pub struct RustCall {
    /// The callee as [`RustFn::name`] spells it.
    pub callee: String,
    /// The sources of each argument.
    pub args: Vec<Vec<Src>>,
}

/// A value stored in a struct field (struct literal or assignment), or a field that a
/// command-line or environment deserializer fills from a variable (`#[arg(env = "X")]`).
#[derive(Debug, Clone)]
pub struct RustField {
    /// The field name.
    pub name: String,
    /// Sources of the stored value.
    pub value: Vec<Src>,
}

/// A site waiting for its connection string to be resolved.
#[derive(Debug, Clone)]
pub enum PendingSite {
    /// A driver set-up call.
    Client(ClientSetup),
    /// A migration run.
    Migration(MigrationRun),
    /// SQL or a session feature used on a connection.
    Use(ConnectionUse),
}

/// A pending site with the sources of its connection string (empty: unknown).
#[derive(Debug, Clone)]
pub struct RustSite {
    /// The site, its `url` left [`super::UrlSource::Unknown`].
    pub site: PendingSite,
    /// Where its connection string may come from.
    pub url: Vec<Src>,
}

/// A dependency declared as `workspace = true`, to complete from the workspace root.
#[derive(Debug, Clone)]
pub struct InheritedDep {
    /// Span of the member's [`super::ManifestFact`] (identifies it).
    pub span: Range<usize>,
    /// The key in `[workspace.dependencies]`.
    pub key: String,
}

/// A `[workspace.dependencies]` entry of a workspace root manifest.
#[derive(Debug, Clone)]
pub struct WorkspaceDep {
    /// The key (`sqlx`).
    pub key: String,
    /// The package (`package = "..."` renames, else the key).
    pub package: String,
    /// Features listed there.
    pub features: Vec<String>,
    /// `default-features` there (true when absent).
    pub default_features: bool,
}

/// `Cargo.toml` facts the project-wide pass needs.
#[derive(Debug, Clone, Default)]
pub struct CargoFacts {
    /// Whether the manifest has a `[workspace]` table.
    pub workspace_root: bool,
    /// Its `[workspace.dependencies]`.
    pub workspace_deps: Vec<WorkspaceDep>,
    /// Member dependencies that inherit from the workspace.
    pub inherits: Vec<InheritedDep>,
}

/// Everything the Rust and Cargo extractors leave for the project-wide pass.
#[derive(Debug, Clone, Default)]
pub struct RustFacts {
    /// Functions and constants of the file.
    pub fns: Vec<RustFn>,
    /// Calls that carry connection strings in their arguments.
    pub calls: Vec<RustCall>,
    /// Struct fields given values.
    pub fields: Vec<RustField>,
    /// Sites to resolve.
    pub sites: Vec<RustSite>,
    /// The file deserializes configuration from the environment with `envy`, which reads
    /// field `database_url` from `DATABASE_URL`.
    pub uses_envy: bool,
    /// For `Cargo.toml`.
    pub cargo: Option<CargoFacts>,
}
