//! Sites: what extractors find in files, the one representation rules and the resolver read.

pub mod edge;
mod offsets;
pub mod pins;
mod placeholders;
pub mod rust;

pub use offsets::{sub_map, Inexact, OffsetMap, Piece, PieceKind, PiecesBuilder, Quoting};
pub use placeholders::{mark_placeholders, placeholders, Syntax};

use std::ops::Range;

use neon_lint_core::{Placement, Role};

use crate::source::FileId;

/// What holds a string in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// A Rust string literal (or a `format!`/`concat!` template).
    RustLiteral,
    /// The value of a `.env`-style assignment.
    EnvValue,
    /// A value in a TOML, YAML, JSON or INI file.
    ConfigValue,
    /// A string found in a script, Dockerfile, doc or other text.
    Text,
}

/// A connection string found in a file.
#[derive(Debug, Clone)]
pub struct UrlSite {
    /// Which file.
    pub file: FileId,
    /// The string as the program sees it (escapes decoded, variables expanded).
    pub text: String,
    /// How offsets in `text` map to the file.
    pub map: OffsetMap,
    /// What holds it.
    pub container: Container,
    /// The key or variable it is assigned to (`DATABASE_URL`, `sqlalchemy.url`), when any.
    pub key: Option<String>,
    /// What the connection is for.
    pub role: Role,
    /// Why we think so.
    pub role_evidence: Option<String>,
    /// Where it sits (tracked file, `.env`, example, docs).
    pub placement: Placement,
}

/// A variable given a value (`.env`, compose `environment:`, CI `env:`, Dockerfile `ENV`).
#[derive(Debug, Clone)]
pub struct EnvBinding {
    /// Which file.
    pub file: FileId,
    /// Variable name.
    pub name: String,
    /// File span of the name.
    pub name_span: Range<usize>,
    /// The value as the program sees it.
    pub value: String,
    /// How offsets in `value` map to the file.
    pub map: OffsetMap,
    /// Whether the value is a real value for the project (not a template/example).
    pub placement: Placement,
}

/// A secret token outside any connection string (a Neon API key).
#[derive(Debug, Clone)]
pub struct SecretToken {
    /// Which file.
    pub file: FileId,
    /// File span of the whole token.
    pub span: Range<usize>,
    /// Which kind.
    pub kind: SecretKind,
}

/// Kinds of bare secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// `napi_` followed by 32+ alphanumerics.
    NeonApiKey,
}

/// Where a driver call or migration command gets its connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// A literal written at the call (also recorded as a [`UrlSite`]).
    Literal {
        /// The string.
        text: String,
        /// How its offsets map to the file.
        map: OffsetMap,
    },
    /// An environment variable (`env::var("DATABASE_URL")`, `os.environ["X"]`, `$X`).
    EnvVar(String),
    /// Nothing knowable statically (a function argument, a secret store): never guessed.
    Unknown,
}

/// The driver (or framework) a [`ClientSetup`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Driver {
    /// sqlx (Rust).
    Sqlx,
    /// tokio-postgres (Rust).
    TokioPostgres,
    /// postgres, the sync wrapper of tokio-postgres (Rust).
    Postgres,
    /// deadpool-postgres (Rust).
    Deadpool,
    /// bb8-postgres (Rust).
    Bb8,
    /// r2d2_postgres (Rust).
    R2d2,
    /// diesel over libpq (Rust).
    Diesel,
    /// diesel-async (Rust).
    DieselAsync,
    /// sea-orm (Rust).
    SeaOrm,
    /// refinery (Rust migrations).
    Refinery,
    /// asyncpg (Python).
    Asyncpg,
    /// psycopg 3 (Python).
    Psycopg,
    /// psycopg2 (Python).
    Psycopg2,
    /// SQLAlchemy (Python).
    SqlAlchemy,
    /// Django `DATABASES` (Python).
    Django,
    /// node-postgres, `pg` (JavaScript): `new Pool(...)`, `new Client(...)`.
    NodePostgres,
    /// postgres.js, `postgres` (JavaScript): `postgres(url, options)`.
    PostgresJs,
    /// `@neondatabase/serverless` (JavaScript): `neon(url)` over HTTPS, `Pool`/`Client`
    /// over a secure WebSocket.
    NeonServerless,
    /// TypeORM's `DataSource` with `type: "postgres"` (JavaScript), over node-postgres.
    TypeOrm,
    /// Sequelize with `dialect: "postgres"` (JavaScript), over node-postgres.
    Sequelize,
}

impl Driver {
    /// The software that reads the URL given to this driver: which query parameters beyond
    /// libpq's it accepts.
    pub fn reader(self) -> neon_lint_core::Reader {
        use neon_lint_core::Reader;
        match self {
            Driver::Sqlx | Driver::SeaOrm => Reader::Sqlx,
            // SQLAlchemy hands the query to the DBAPI driver its URL names: the wrapper
            // dialect judges it.
            Driver::SqlAlchemy => Reader::Unknown,
            // `@neondatabase/serverless`' `Pool`/`Client` parse URLs with the pg parser
            // they bundle; `neon()` sends the whole string to Neon's HTTP endpoint, whose
            // parser is not documented, so pg's dialect is the nearest known one.
            // TypeORM and Sequelize hand their URL to pg's parser.
            Driver::NodePostgres | Driver::NeonServerless | Driver::TypeOrm | Driver::Sequelize => {
                Reader::NodePostgres
            }
            Driver::PostgresJs => Reader::PostgresJs,
            // libpq, or parsers (tokio-postgres, asyncpg) that accept no parameter of
            // another reader's: a foreign one fails there too.
            _ => Reader::Libpq,
        }
    }
}

/// One setting seen at a driver set-up call, as written: extractors record what they see,
/// rules decide what it means (`statement_cache_capacity` = `0`, `tls` = `NoTls`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Name of the method, keyword argument or field (`statement_cache_size`, `tls`).
    pub name: String,
    /// Its value as source text, normalised where obvious (`0`, `True`, `NoTls`).
    pub value: String,
    /// File span of the setting.
    pub span: Range<usize>,
}

/// The key of a [`UrlSite`] assembled from a Django `DATABASES` entry's keywords (`HOST`,
/// `NAME`, `OPTIONS`...): its parameters are changed in that entry, not in a URL.
pub const DJANGO_DATABASES: &str = "DATABASES";

/// The key of a [`UrlSite`] assembled from a driver call's libpq keyword arguments
/// (`psycopg.connect(host=..., sslmode=...)`).
pub const KEYWORD_ARGUMENTS: &str = "keyword arguments";

/// The key of a [`UrlSite`] assembled from libpq's `PG*` variables of one environment.
pub const LIBPQ_ENV: &str = "PGHOST";

/// The key of a [`UrlSite`] made from a libpq password file line.
pub const PGPASS: &str = ".pgpass";

/// Where Spring reads a connection URL and its password (`<prefix>.url`,
/// `<prefix>.password`).
pub const SPRING_PREFIXES: &[&str] = &[
    "spring.datasource",
    "spring.flyway",
    "spring.liquibase",
    "spring.r2dbc",
];

/// How a [`UrlSite`]'s text came to be, for the rules that word their findings by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assembled {
    /// A string written as the program reads it.
    Written,
    /// From a Django `DATABASES` entry's keywords.
    DjangoDatabases,
    /// From a driver call's keyword arguments.
    KeywordArguments,
    /// From libpq's `PG*` variables (`PGHOST`, `PGSSLMODE`...).
    LibpqEnv,
    /// A URL with the password written beside it (Spring's `*.password`): the site exists
    /// to show that password committed; the URL's own site carries every other finding.
    PasswordBeside,
    /// A `.pgpass` line.
    Pgpass,
}

impl UrlSite {
    /// How this site's text came to be.
    pub fn assembled(&self) -> Assembled {
        match self.key.as_deref() {
            Some(DJANGO_DATABASES) => Assembled::DjangoDatabases,
            Some(KEYWORD_ARGUMENTS) => Assembled::KeywordArguments,
            Some(LIBPQ_ENV) => Assembled::LibpqEnv,
            Some(PGPASS) => Assembled::Pgpass,
            Some(k)
                if SPRING_PREFIXES
                    .iter()
                    .any(|p| k.strip_prefix(p) == Some(".password")) =>
            {
                Assembled::PasswordBeside
            }
            _ => Assembled::Written,
        }
    }
}

/// Where a file's values sit: docs, an example or template, a `.env`, or tracked source.
pub fn placement_of(file: &crate::source::SourceFile) -> Placement {
    use crate::classify::FileKind;
    if file.kind == FileKind::Docs {
        Placement::Docs
    } else if file.kind == FileKind::DotEnvTemplate || crate::classify::is_example(&file.path) {
        Placement::Example
    } else if file.kind == FileKind::DotEnv {
        Placement::EnvFile
    } else {
        Placement::Tracked
    }
}

/// The name of the [`Setting`] that marks options nobody knows before run time (a
/// `**options` spread of a dictionary built elsewhere): a rule that needs an option to be
/// absent cannot judge such a call.
pub const UNKNOWN_OPTIONS: &str = "**";

/// A driver set-up call: a pool, client or engine being created.
#[derive(Debug, Clone)]
pub struct ClientSetup {
    /// Which file.
    pub file: FileId,
    /// File span of the call (the line users should look at).
    pub span: Range<usize>,
    /// Which driver.
    pub driver: Driver,
    /// The API called, for messages (`PgPoolOptions::connect`, `asyncpg.create_pool`).
    pub api: String,
    /// Where its URL comes from.
    pub url: UrlSource,
    /// Settings seen at the call (builder methods, keyword arguments, struct fields).
    pub settings: Vec<Setting>,
}

impl ClientSetup {
    /// The setting called `name`, the last one written (a builder's last call wins).
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.name == name)
    }
}

/// Session-level work that PgBouncer in transaction mode breaks, by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Schema migrations (advisory locks, prepared statements, DDL across statements).
    Migration,
    /// `pg_dump` / `pg_restore`: they set session parameters with `SET` and expect them to
    /// hold for the whole run.
    DumpRestore,
}

/// A place where schema migrations run.
#[derive(Debug, Clone)]
pub struct MigrationRun {
    /// Which file.
    pub file: FileId,
    /// File span of the command or call.
    pub span: Range<usize>,
    /// The tool (`sqlx migrate run`, `alembic upgrade`, `sqlx::migrate!().run`).
    pub tool: String,
    /// What the tool does that needs a session of its own.
    pub work: Work,
    /// Where its URL comes from.
    pub url: UrlSource,
}

/// A dependency fact from a manifest (`Cargo.toml`, `requirements.txt`, `pyproject.toml`).
#[derive(Debug, Clone)]
pub struct ManifestFact {
    /// Which file.
    pub file: FileId,
    /// File span of the dependency entry.
    pub span: Range<usize>,
    /// Package name (`sqlx`, `python-dotenv`).
    pub package: String,
    /// Features enabled (Cargo), after workspace inheritance where known.
    pub features: Vec<String>,
    /// Whether default features are on (Cargo).
    pub default_features: bool,
}

/// A requirement line whose packages a manifest does not spell out: an include of another
/// requirements file (`-r base.txt`), or a requirement whose own dependencies cannot be read
/// from the tree (`git+https://...`, `-e ./pkg`, `name @ file:///...`, Poetry `{ git = ... }`).
#[derive(Debug, Clone)]
pub struct RequirementRef {
    /// Which manifest.
    pub file: FileId,
    /// File span of the line or entry.
    pub span: Range<usize>,
    /// What it refers to.
    pub target: RequirementTarget,
}

/// What a [`RequirementRef`] refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementTarget {
    /// Another requirements file, as written (relative to the including file's folder).
    Include(String),
    /// A package built from a VCS URL, an archive or a local path: its dependencies are
    /// unknown here.
    Unreadable,
}

/// A use of a connection that matters to a transaction-mode pooler: SQL run on it, or a
/// session feature (`PgListener`, `PgAdvisoryLock`, a cached prepared statement).
#[derive(Debug, Clone)]
pub struct ConnectionUse {
    /// Which file.
    pub file: FileId,
    /// File span of the SQL text when it is a literal here, else of the call.
    pub span: Range<usize>,
    /// The driver, when known.
    pub driver: Option<Driver>,
    /// The API called (`sqlx::query`, `PgListener::connect`, `prepare_cached`).
    pub api: String,
    /// The SQL text run, when known.
    pub sql: Option<String>,
    /// Where the connection's URL comes from.
    pub url: UrlSource,
}

/// A migration command in a script, Makefile, Dockerfile, compose file or CI step, before
/// the project-wide pass decides which URL it runs on (the resolver turns these into
/// [`MigrationRun`]s).
#[derive(Debug, Clone)]
pub struct MigrationCommand {
    /// Which file.
    pub file: FileId,
    /// File span of the command.
    pub span: Range<usize>,
    /// The command as users know it (`alembic upgrade`, `prisma migrate deploy`).
    pub tool: String,
    /// What the tool does that needs a session of its own.
    pub work: Work,
    /// How the tool finds its URL.
    pub url: CommandUrl,
    /// Variables the surroundings set for the command (compose `environment:`/`env_file:`,
    /// a CI step's, job's and workflow's `env:`, Dockerfile `ENV`/`ARG`, `export`, inline
    /// `VAR=value`), outermost first: the last binding of a name wins.
    pub env: Vec<ScopedVar>,
    /// Whether a variable the surroundings do not set comes from the developer's
    /// environment (scripts, Makefiles and `package.json` run where `.env` is loaded), or is
    /// unknowable (CI, containers, Procfiles: the value comes from a secret store).
    pub inherits_project_env: bool,
}

/// Where a migration command takes its URL from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandUrl {
    /// Given on the command line (`--database-url "$DIRECT_URL"`, `-url=jdbc:...`).
    Given(UrlSource),
    /// A fixed variable the tool reads (`sqlx` and `diesel` read `DATABASE_URL`).
    Var(String),
    /// Whatever the project's configuration for the tool names (the variable in Prisma's
    /// `directUrl`, in Alembic's `env.py`, in Django's `DATABASES`...).
    Config(ConfigTool),
}

/// A variable set around a command, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedVar {
    /// Variable name.
    pub name: String,
    /// Its value: a literal in the command's file, another variable (`$OTHER`), or
    /// unknown (`${{ secrets.X }}`).
    pub value: UrlSource,
}

/// Tools whose URL comes from their own configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigTool {
    /// Prisma: `directUrl` in `schema.prisma` (Prisma 4.10 to 6), else `url`; or
    /// `prisma.config.ts` `datasource.url` (Prisma 7).
    Prisma,
    /// Drizzle Kit: `drizzle.config.*` `dbCredentials.url`.
    Drizzle,
    /// Alembic: `env.py` `set_main_option("sqlalchemy.url", ...)` or `alembic.ini`.
    Alembic,
    /// Django: `DATABASES` in the settings module (`manage.py migrate`).
    Django,
}

/// Which URL setting of a tool's configuration a [`ToolUrl`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolUrlKind {
    /// `schema.prisma` datasource `url`.
    PrismaUrl,
    /// `schema.prisma` datasource `directUrl`.
    PrismaDirectUrl,
    /// `prisma.config.ts` `datasource.url` (or `directUrl`).
    PrismaConfig,
    /// `drizzle.config.*` `dbCredentials.url`.
    DrizzleConfig,
    /// Alembic `config.set_main_option("sqlalchemy.url", ...)`.
    AlembicMainOption,
    /// Django `DATABASES` entry (or `dj_database_url`).
    DjangoDatabases,
}

impl ToolUrlKind {
    /// The tool this setting configures.
    pub fn tool(self) -> ConfigTool {
        match self {
            ToolUrlKind::PrismaUrl | ToolUrlKind::PrismaDirectUrl | ToolUrlKind::PrismaConfig => {
                ConfigTool::Prisma
            }
            ToolUrlKind::DrizzleConfig => ConfigTool::Drizzle,
            ToolUrlKind::AlembicMainOption => ConfigTool::Alembic,
            ToolUrlKind::DjangoDatabases => ConfigTool::Django,
        }
    }
}

/// A URL setting in a tool's configuration: which variable (or literal) the tool reads.
#[derive(Debug, Clone)]
pub struct ToolUrl {
    /// Which file.
    pub file: FileId,
    /// File span of the setting (`url = env("DATABASE_URL")`).
    pub span: Range<usize>,
    /// Which setting.
    pub kind: ToolUrlKind,
    /// Its value.
    pub url: UrlSource,
    /// Alembic: the value was written with `%` doubled (`.replace("%", "%%")`), as
    /// configparser interpolation needs.
    pub percent_escaped: bool,
}

/// A module imported by source code (`import dotenv`, `from dotenv import load_dotenv`).
#[derive(Debug, Clone)]
pub struct ImportSite {
    /// Which file.
    pub file: FileId,
    /// File span of the import statement.
    pub span: Range<usize>,
    /// The top-level module (`dotenv`).
    pub module: String,
}

/// What a JavaScript file shares with the files that import it, and what it waits for from
/// the files it imports (`import { db } from "./db"`).
#[derive(Debug, Default)]
pub struct JsFacts {
    /// Exported clients and wrappers.
    pub exports: Vec<JsExport>,
    /// Migration runs and SQL uses whose client is an imported binding.
    pub pending: Vec<JsPending>,
    /// Every module the file imports.
    pub modules: Vec<edge::ModuleRef>,
    /// The runtime its route segment or function config names.
    pub runtime: Option<edge::RuntimeDecl>,
    /// Clients set up to connect over TCP whatever their module (Prisma's query engine).
    pub tcp_clients: Vec<edge::TcpClientRef>,
}

/// What a Python module offers other modules, and what it takes from them.
#[derive(Debug, Clone, Default)]
pub struct PyFacts {
    /// Module-level names whose value is a connection string or an environment variable.
    pub constants: Vec<(String, UrlSource)>,
    /// Set-ups (by their call's span) whose URL is a name imported from another module,
    /// with that name qualified as imported (`app.config.DATABASE_URL`,
    /// `.config.DATABASE_URL`).
    pub pending: Vec<(Range<usize>, String)>,
}

/// An exported binding that holds a client (`export const pool = new Pool(...)`) or a
/// wrapper of one (`export const db = drizzle(pool)`).
#[derive(Debug, Clone)]
pub struct JsExport {
    /// The exported name (`default` for `export default`).
    pub name: String,
    /// The client's driver, when the binding is a client itself.
    pub driver: Option<Driver>,
    /// Where its URL comes from (an environment variable: literals stay in their file).
    pub url: UrlSource,
}

/// A site waiting for the binding it uses to be found in another file.
#[derive(Debug, Clone)]
pub struct JsPending {
    /// The module specifier as written (`./db`, `../lib/db.js`, `@/lib/db`).
    pub module: String,
    /// The imported name (`default` for a default import).
    pub export: String,
    /// The site.
    pub site: JsPendingSite,
}

/// What waits for an import.
#[derive(Debug, Clone)]
pub enum JsPendingSite {
    /// `migrate(db, ...)` with `db` imported.
    Migration(MigrationRun),
    /// SQL run through an imported client with this method (`query`, or the tag).
    Use(ConnectionUse, String),
}

/// Everything extracted from one file.
#[derive(Debug, Default)]
pub struct FileSites {
    /// Driver set-up calls.
    pub clients: Vec<ClientSetup>,
    /// Migration runs.
    pub migrations: Vec<MigrationRun>,
    /// Dependency facts.
    pub manifests: Vec<ManifestFact>,
    /// Requirement includes and requirements with unknown dependencies.
    pub requirement_refs: Vec<RequirementRef>,
    /// Package versions asked for (manifests, lock files, Dockerfiles).
    pub pins: Vec<pins::PackagePin>,
    /// Platforms the file says the project runs on.
    pub platforms: Vec<pins::PlatformHint>,
    /// Connection strings.
    pub urls: Vec<UrlSite>,
    /// Variable assignments.
    pub bindings: Vec<EnvBinding>,
    /// Bare secrets.
    pub secrets: Vec<SecretToken>,
    /// Migration commands, resolved into migration runs project-wide.
    pub commands: Vec<MigrationCommand>,
    /// URL settings of migration tools' configuration.
    pub tool_urls: Vec<ToolUrl>,
    /// Imported modules (Python).
    pub imports: Vec<ImportSite>,
    /// Uses of connections (SQL text, session features).
    pub uses: Vec<ConnectionUse>,
    /// Rust and Cargo facts joined crate-wide by the resolver.
    pub rust: Option<Box<rust::RustFacts>>,
    /// JavaScript exports and imports joined project-wide by the resolver.
    pub js: Option<Box<JsFacts>>,
    /// Python module constants and imported names joined project-wide by the resolver.
    pub py: Option<Box<PyFacts>>,
    /// Cloudflare Workers configuration.
    pub workers: Vec<edge::WorkerConfig>,
    /// Problems reading or parsing the file, shown as notes (the run goes on).
    pub notes: Vec<String>,
}
