//! The driver APIs: what a call or method call makes of its arguments, and which sites it
//! records. API shapes: `shared/reference/rust-drivers.md` section 2.

use std::ops::Range;

use syn::Expr;

use super::{
    kv_quote, pass_through_method, sql_methods_on_handle, sslmode_of, Env, Flow, Kind, PathInfo,
    Val,
};
use crate::site::rust::{PendingSite, RustCall, RustSite, Src};
use crate::site::{
    ClientSetup, ConnectionUse, Driver, MigrationRun, OffsetMap, Setting, UrlSource,
};

/// Methods whose closure argument runs on every new connection: SQL inside is recorded as
/// a setting of the set-up.
const CONNECT_HOOKS: &[&str] = &[
    "after_connect",
    "before_acquire",
    "after_release",
    "post_create",
    "pre_recycle",
    "post_recycle",
];

/// First segments of paths whose calls never return a connection (noise for the crate-wide
/// pass).
const NOT_CRATE_FNS: &[&str] = &[
    "std",
    "core",
    "alloc",
    "Duration",
    "Instant",
    "SystemTime",
    "Vec",
    "HashMap",
    "HashSet",
    "BTreeMap",
    "PathBuf",
    "Path",
    "Err",
    "None",
    "tracing",
    "log",
    "serde_json",
    "anyhow",
    "eyre",
    "chrono",
    "uuid",
    "tokio",
    "futures",
    "u8",
    "u16",
    "u32",
    "u64",
    "usize",
    "i32",
    "i64",
    "f64",
];

impl Flow<'_> {
    // ---------------------------------------------------------------------------------
    // Sites
    // ---------------------------------------------------------------------------------

    fn push_site(&mut self, site: PendingSite, url: Vec<Src>) {
        self.facts.sites.push(RustSite { site, url });
    }

    pub(super) fn emit_client(
        &mut self,
        driver: Driver,
        api: &str,
        span: Range<usize>,
        url: Vec<Src>,
        mut settings: Vec<Setting>,
    ) {
        if self.in_test {
            settings.push(self.setting("in_test", "true".into(), span.clone()));
        }
        self.push_site(
            PendingSite::Client(ClientSetup {
                file: 0,
                span,
                driver,
                api: api.to_string(),
                url: UrlSource::Unknown,
                settings,
            }),
            url,
        );
    }

    pub(super) fn emit_migration(&mut self, tool: &str, span: Range<usize>, url: Vec<Src>) {
        self.push_site(
            PendingSite::Migration(MigrationRun {
                file: 0,
                span,
                tool: tool.to_string(),
                work: crate::site::Work::Migration,
                url: UrlSource::Unknown,
            }),
            url,
        );
    }

    fn emit_use(
        &mut self,
        driver: Option<Driver>,
        api: &str,
        sql: Option<(String, Range<usize>)>,
        span: Range<usize>,
        url: Vec<Src>,
    ) {
        if let (Some(cap), Some(s)) = (&mut self.capture, &sql) {
            cap.push(s.clone());
        }
        if url.is_empty() {
            return;
        }
        let (sql, span) = match sql {
            Some((text, r)) => (Some(text), r),
            None => (None, span),
        };
        self.push_site(
            PendingSite::Use(ConnectionUse {
                file: 0,
                span,
                driver,
                api: api.to_string(),
                sql,
                url: UrlSource::Unknown,
            }),
            url,
        );
    }

    /// The connection string a value carries: its sources, or the key/value string its
    /// piecewise parameters make when the host is written out.
    fn url_of(&self, v: &Val) -> Vec<Src> {
        if !v.url.is_empty() {
            return v.url.clone();
        }
        let Some((_, _, host_span)) = v.parts.iter().find(|(k, _, _)| k == "host") else {
            return Vec::new();
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut text = String::new();
        for (k, val, _) in v.parts.iter().rev() {
            if seen.contains(&k.as_str()) {
                continue;
            }
            seen.push(k);
            if !text.is_empty() {
                text.insert(0, ' ');
            }
            text.insert_str(0, &format!("{k}={}", kv_quote(val)));
        }
        vec![Src::Lit {
            text,
            map: OffsetMap::Opaque {
                span: host_span.clone(),
            },
        }]
    }

    /// The settings a TLS argument contributes: the connector, and any certificate check
    /// turned off on the way to it.
    fn tls_settings(&self, arg: Option<&Expr>, v: Option<&Val>) -> Vec<Setting> {
        let (Some(arg), Some(v)) = (arg, v) else {
            return Vec::new();
        };
        let span = self.range(syn::spanned::Spanned::span(arg));
        let mut out = vec![self.setting(
            "tls",
            v.tls.clone().unwrap_or_else(|| self.arg_text(arg, v)),
            span.clone(),
        )];
        // A connector made by a function of another file: the resolver gives that
        // function's TLS findings this set-up's URL.
        for s in &v.url {
            if let Src::Call { func, .. } = s {
                out.push(self.setting("tls_from", func.clone(), span.clone()));
            }
        }
        out.extend(weak_settings(v));
        out
    }

    fn record_call(&mut self, callee: &str, vals: &[Val]) {
        if vals.iter().any(|v| !v.url.is_empty()) {
            self.facts.calls.push(RustCall {
                callee: callee.to_string(),
                args: vals.iter().map(|v| v.url.clone()).collect(),
            });
        }
    }

    fn uses_crate(&self, krate: &str) -> bool {
        self.uses
            .values()
            .any(|p| p.first().map(String::as_str) == Some(krate))
    }

    // ---------------------------------------------------------------------------------
    // Calls: `path(args)`
    // ---------------------------------------------------------------------------------

    pub(super) fn call(&mut self, c: &syn::ExprCall, env: &mut Env) -> Val {
        let Expr::Path(fp) = &*c.func else {
            self.eval(&c.func, env);
            for a in &c.args {
                self.eval(a, env);
            }
            return Val::default();
        };
        let p = self.path_info(&fp.path);
        let span = self.call_span(c);
        let args: Vec<&Expr> = c.args.iter().collect();

        // Environment variables: the name must be read before evaluating.
        let env_read = p.ends(&["env", "var"])
            || p.ends(&["env", "var_os"])
            || p.ends(&["dotenvy", "var"])
            || p.ends(&["dotenv", "var"]);
        if env_read {
            let name = args.first().and_then(|a| self.lit_str(a));
            for a in &args {
                self.eval(a, env);
            }
            return match name {
                Some(n) => Val::with_url(vec![Src::Env(n)]),
                None => Val::default(),
            };
        }

        let vals: Vec<Val> = args.iter().map(|a| self.eval(a, env)).collect();
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();

        // Functions of this file.
        let key = self.call_key(&p, &fp.path);
        let raw_single = fp.path.segments.len() == 1;
        if let Some(idx) = self.fn_index.get(&key).and_then(|v| v.first().copied()) {
            if raw_single || !p.resolved || key.contains("::") {
                return self.call_local(idx, &key, vals);
            }
        }

        // Wrappers that hand their argument through.
        let last = p.last().to_string();
        let prev = p.prev().to_string();
        if p.segs.len() == 1
            && matches!(
                last.as_str(),
                "Some" | "Ok" | "Extension" | "Data" | "State"
            )
        {
            return arg(0);
        }
        if matches!(
            prev.as_str(),
            "Box"
                | "Arc"
                | "Rc"
                | "Mutex"
                | "RwLock"
                | "RefCell"
                | "Cell"
                | "Data"
                | "Lazy"
                | "LazyLock"
                | "OnceCell"
                | "String"
                | "Cow"
                | "From"
                | "Into"
                | "Extension"
        ) && matches!(last.as_str(), "new" | "pin" | "from" | "into" | "new_with")
        {
            return arg(0);
        }

        if let Some(v) = self.api_call(&p, span.clone(), &args, &vals) {
            return v;
        }

        // Anything else: a function of another file of the crate, or of a dependency.
        let text_args: Option<Vec<String>> = vals.iter().map(|v| v.text.clone()).collect();
        let text = text_args.map(|a| format!("{}({})", super::path_text(&fp.path), a.join(", ")));
        let first = p.segs.first().map(String::as_str).unwrap_or("");
        if NOT_CRATE_FNS.contains(&first) {
            return Val {
                text,
                ..Val::default()
            };
        }
        self.record_call(&key, &vals);
        let kind = if last == "runner" {
            Kind::Runner
        } else {
            Kind::Unknown
        };
        Val {
            kind,
            url: vec![Src::Call {
                func: key,
                args: vals.iter().map(|v| v.url.clone()).collect(),
            }],
            text,
            ..Val::default()
        }
    }

    fn call_local(&mut self, idx: usize, key: &str, vals: Vec<Val>) -> Val {
        self.record_call(key, &vals);
        let Some(s) = self.summary(idx) else {
            return Val::default();
        };
        substitute(s, idx, &vals)
    }

    /// A set-up call a driver file lists (`PgConnection::establish(url)`): records the
    /// client and gives the connection or manager it makes.
    fn entry_point_call(
        &mut self,
        p: &PathInfo,
        span: Range<usize>,
        args: &[&Expr],
        vals: &[Val],
    ) -> Option<Val> {
        use crate::drivers::rust::{Args, CrateMatch, Makes, SettingsFrom};
        let (ty, function) = (p.prev(), p.last());
        let other_backend = p
            .generics
            .iter()
            .any(|g| g.contains("Mysql") || g.contains("Sqlite"));
        let (driver, entry) = crate::drivers::rust::entry_points().find(|(_, e)| {
            e.types.contains(&ty)
                && e.functions.contains(&function)
                && !(e.postgres_only && other_backend)
                && match e.args {
                    Args::Any => true,
                    Args::AtLeast(n) => vals.len() >= n,
                    Args::Exactly(n) => vals.len() == n,
                }
                && match e.crates {
                    CrateMatch::Any => true,
                    CrateMatch::Named(crates) => crates.iter().any(|c| p.has(c)),
                    CrateMatch::NamedOrImported(crates) => self.is_api(p, ty, crates),
                    CrateMatch::TypeOr {
                        ty: alone,
                        crates,
                        generic,
                    } => {
                        ty == alone
                            || crates.iter().any(|c| p.has(c))
                            || p.generics.iter().any(|g| g == generic)
                    }
                }
        })?;
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        let url = self.url_of(&arg(0));
        let mut settings = Vec::new();
        for from in entry.settings {
            match *from {
                SettingsFrom::Arg(i) => settings.extend(arg(i).settings),
                SettingsFrom::ArgOf(i, f) if f == function => settings.extend(arg(i).settings),
                SettingsFrom::ArgWhenEndsWith(i, end) if function.ends_with(end) => {
                    settings.extend(arg(i).settings)
                }
                SettingsFrom::Tls(i) => {
                    settings.extend(self.tls_settings(args.get(i).copied(), vals.get(i)))
                }
                SettingsFrom::Marker(f, name, value) if f == function => {
                    settings.push(self.setting(name, value.into(), span.clone()))
                }
                _ => {}
            }
        }
        let api = match entry.api {
            Some(api) => api.to_string(),
            None => format!("{}::{function}", entry.api_prefix),
        };
        self.emit_client(driver, &api, span, url.clone(), settings);
        Some(Val {
            kind: match entry.makes {
                Makes::Handle => Kind::Handle(driver),
                Makes::Manager => Kind::Manager(driver),
            },
            url,
            ..Val::default()
        })
    }

    /// Path calls of the driver APIs.
    fn api_call(
        &mut self,
        p: &PathInfo,
        span: Range<usize>,
        args: &[&Expr],
        vals: &[Val],
    ) -> Option<Val> {
        let last = p.last();
        let prev = p.prev();
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        let n = vals.len();

        // ---- the drivers' `Type::function(url, ...)` set-ups (drivers/rust/) ----------
        if let Some(v) = self.entry_point_call(p, span.clone(), args, vals) {
            return Some(v);
        }

        // ---- sqlx -------------------------------------------------------------------
        if (prev == "PgPoolOptions" || (prev == "PoolOptions" && p.has("sqlx"))) && last == "new" {
            return Some(Val::with_kind(Kind::PoolBuilder(Some(Driver::Sqlx))));
        }
        if prev == "PgConnectOptions" {
            let url = match last {
                "from_str" | "from_url" | "parse_from_url" => arg(0).url,
                _ => Vec::new(),
            };
            return Some(Val {
                kind: Kind::Opts(Some(Driver::Sqlx)),
                url,
                ..Val::default()
            });
        }
        if self.is_api(p, "PgListener", &["sqlx"]) && matches!(last, "connect" | "connect_with") {
            let url = self.url_of(&arg(0));
            self.emit_use(
                Some(Driver::Sqlx),
                "PgListener::connect",
                None,
                span,
                url.clone(),
            );
            return Some(Val {
                kind: Kind::Handle(Driver::Sqlx),
                url,
                ..Val::default()
            });
        }
        if self.is_api(p, "PgAdvisoryLock", &["sqlx"]) {
            return Some(Val::with_kind(Kind::AdvisoryLock));
        }
        if self.is_api(p, "Migrator", &["sqlx"]) && last == "new" {
            return Some(Val::with_kind(Kind::Migrator));
        }
        let sqlx_query = matches!(
            last,
            "query"
                | "query_as"
                | "query_scalar"
                | "query_with"
                | "query_as_with"
                | "query_scalar_with"
                | "raw_sql"
        ) && (p.has("sqlx")
            || (!p.resolved && p.segs.len() == 1 && self.uses_crate("sqlx")));
        if sqlx_query || (last == "sql_query" && (p.has("diesel") || !p.resolved)) {
            return Some(query_val(&arg(0)));
        }
        if prev == "Statement" && matches!(last, "from_string" | "from_sql_and_values") {
            return Some(query_val(&arg(1)));
        }

        // ---- tokio-postgres / postgres -------------------------------------------------
        let tp_connect = p.ends(&["tokio_postgres", "connect"])
            || p.ends(&["postgres", "connect"])
            || (p.segs.len() == 1 && last == "connect" && n == 2 && arg(1).kind == Kind::Tls);
        if tp_connect && n == 2 {
            let url = self.url_of(&arg(0));
            let driver = if p.has("tokio_postgres") || p.segs.len() == 1 {
                Driver::TokioPostgres
            } else {
                Driver::Postgres
            };
            let settings = self.tls_settings(args.get(1).copied(), vals.get(1));
            self.emit_client(
                driver,
                "tokio_postgres::connect",
                span,
                url.clone(),
                settings,
            );
            return Some(Val {
                kind: Kind::Handle(driver),
                url,
                ..Val::default()
            });
        }
        if prev == "Config" {
            let driver = if p.has("deadpool_postgres") {
                Some(Driver::Deadpool)
            } else if p.has("refinery") || p.has("refinery_core") {
                Some(Driver::Refinery)
            } else if p.has("tokio_postgres") {
                Some(Driver::TokioPostgres)
            } else if p.has("postgres") {
                Some(Driver::Postgres)
            } else if p.resolved || self.local_types.contains("Config") {
                return None; // someone else's `Config`
            } else {
                None
            };
            let known = matches!(last, "new" | "default");
            let url = match last {
                "from_str" | "from_url" => arg(0).url,
                "from_env_var" => match args.first().and_then(|a| self.lit_str(a)) {
                    Some(v) => vec![Src::Env(v)],
                    None => Vec::new(),
                },
                "new" | "default" => Vec::new(),
                _ => return None,
            };
            if driver == Some(Driver::Refinery)
                && matches!(last, "from_str" | "from_url" | "from_env_var")
            {
                // refinery parses the URL (and its `sslmode`) right here.
                self.emit_client(
                    Driver::Refinery,
                    &format!("refinery::config::Config::{last}"),
                    span,
                    url.clone(),
                    Vec::new(),
                );
            }
            return Some(Val {
                kind: Kind::Opts(driver),
                url,
                known_config: known,
                ..Val::default()
            });
        }
        if matches!(
            prev,
            "MakeTlsConnector" | "MakeRustlsConnect" | "MakeTlsConnect"
        ) && last == "new"
        {
            let a = arg(0);
            let mut v = Val {
                kind: Kind::Tls,
                tls: Some(p.full()),
                weak: a.weak.clone(),
                empty_roots: a.empty_roots.clone(),
                ..Val::default()
            };
            let weak = weak_settings(&v);
            if !weak.is_empty() {
                // Evidence enough that this connector is for PostgreSQL; the URL it ends up
                // with may be in another file, where this function's result is used.
                let users = match self.cur {
                    Some(i) => vec![Src::TlsUsers(self.fns[i].name.clone())],
                    None => Vec::new(),
                };
                self.emit_client(
                    Driver::TokioPostgres,
                    &format!("{prev}::new"),
                    span,
                    users,
                    weak,
                );
            }
            v.text = Some(format!("{prev}::new(..)"));
            return Some(v);
        }
        if (matches!(prev, "TlsConnector" | "SslConnector") && last == "builder")
            || (prev == "ClientConfig" && last.starts_with("builder"))
        {
            return Some(Val::with_kind(Kind::TlsBuilder));
        }
        if prev == "RootCertStore" && last == "empty" {
            return Some(Val {
                kind: Kind::RootStore,
                empty_roots: Some(span),
                ..Val::default()
            });
        }

        // ---- deadpool / bb8 / r2d2 ---------------------------------------------------
        if prev == "Pool" && last == "builder" {
            if n >= 1 {
                let m = arg(0);
                return Some(Val {
                    kind: Kind::PoolBuilder(m.driver().or(Some(Driver::Deadpool))),
                    url: m.url.clone(),
                    ..Val::default()
                });
            }
            let d = if p.has("r2d2") {
                Some(Driver::R2d2)
            } else if p.has("bb8") {
                Some(Driver::Bb8)
            } else {
                None
            };
            return Some(Val::with_kind(Kind::PoolBuilder(d)));
        }
        if prev == "Pool" && last == "new" && n == 1 {
            let m = arg(0);
            if let Some(d) = m.driver() {
                return Some(Val {
                    kind: Kind::Handle(d),
                    url: m.url,
                    ..Val::default()
                });
            }
        }

        // ---- diesel / diesel-async -----------------------------------------------------
        if prev == "AsyncPgConnection" && last.starts_with("try_from") {
            return Some(Val {
                kind: Kind::Handle(Driver::DieselAsync),
                url: arg(0).url,
                ..Val::default()
            });
        }
        if matches!(prev, "AsyncMigrationHarness" | "AsyncConnectionWrapper")
            && matches!(last, "new" | "from")
        {
            return Some(arg(0));
        }
        if prev == "MigrationHarness" && last == "run_pending_migrations" {
            self.emit_migration("run_pending_migrations", span, arg(0).url);
            return Some(Val::default());
        }

        // ---- sea-orm --------------------------------------------------------------------
        if self.is_api(p, "ConnectOptions", &["sea_orm"]) && last == "new" {
            return Some(Val {
                kind: Kind::Opts(Some(Driver::SeaOrm)),
                url: arg(0).url,
                ..Val::default()
            });
        }
        if prev == "SqlxPostgresConnector" {
            return Some(Val {
                kind: Kind::Handle(Driver::SeaOrm),
                url: arg(0).url,
                ..Val::default()
            });
        }
        if prev.contains("Migrator")
            && matches!(last, "up" | "down" | "fresh" | "refresh" | "reset")
            && n >= 1
        {
            self.emit_migration(&format!("{prev}::{last}"), span, arg(0).url);
            return Some(Val::default());
        }
        if last == "run_cli" && (p.has("cli") || p.has("sea_orm_migration") || !p.resolved) {
            let url = vec![Src::Env("DATABASE_URL".into())];
            self.emit_migration("sea_orm_migration::cli::run_cli", span.clone(), url.clone());
            self.emit_use(
                Some(Driver::SeaOrm),
                "sea_orm_migration::cli::run_cli",
                None,
                span,
                url,
            );
            return Some(Val::default());
        }

        // ---- refinery -------------------------------------------------------------------
        if p.ends(&["migrations", "runner"]) || (prev == "Runner" && last == "new") {
            return Some(Val::with_kind(Kind::Runner));
        }
        None
    }

    // ---------------------------------------------------------------------------------
    // Method calls: `receiver.method(args)`
    // ---------------------------------------------------------------------------------

    pub(super) fn method_call(&mut self, m: &syn::ExprMethodCall, env: &mut Env) -> Val {
        let method = m.method.to_string();
        let span = self.method_span(m);
        let recv = self.eval(&m.receiver, env);
        let args: Vec<&Expr> = m.args.iter().collect();
        let hook = CONNECT_HOOKS.contains(&method.as_str());
        let saved = if hook {
            self.capture.replace(Vec::new())
        } else {
            None
        };
        let vals: Vec<Val> = args.iter().map(|a| self.eval(a, env)).collect();
        let captured = if hook {
            let c = std::mem::replace(&mut self.capture, saved).unwrap_or_default();
            if let Some(outer) = &mut self.capture {
                outer.extend(c.iter().cloned());
            }
            c
        } else {
            Vec::new()
        };
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        let m_str = method.as_str();

        // Alternatives and plain conversions.
        if matches!(
            m_str,
            "unwrap_or" | "unwrap_or_else" | "or" | "or_else" | "map_or" | "map_or_else"
        ) {
            let mut out = recv;
            for v in vals {
                out = out.merge(v);
            }
            return out;
        }
        if m_str == "parse" {
            let mut v = recv;
            if let Some(t) = &m.turbofish {
                if let Some(syn::GenericArgument::Type(ty)) = t.args.first() {
                    let k = self.type_kind(ty);
                    if k != Kind::Unknown {
                        v.kind = k;
                    }
                }
            }
            return v;
        }

        // Certificate checks, whatever the receiver (a builder may come from anywhere).
        let first_text = args
            .first()
            .map(|a| self.arg_text(a, &arg(0)))
            .unwrap_or_default();
        let weak = match m_str {
            "danger_accept_invalid_certs" | "danger_accept_invalid_hostnames"
                if first_text == "true" =>
            {
                Some(format!("{m_str}(true)"))
            }
            "set_verify" if first_text.contains("NONE") => {
                Some("set_verify(SslVerifyMode::NONE)".to_string())
            }
            "with_custom_certificate_verifier" | "set_certificate_verifier" => {
                Some(format!("dangerous().{m_str}(..)"))
            }
            _ => None,
        };
        if let Some(what) = weak {
            let mut v = recv;
            if v.kind == Kind::Unknown {
                v.kind = Kind::TlsBuilder;
            }
            v.weak.push(self.setting("certificate_checks", what, span));
            return v;
        }
        if m_str == "with_root_certificates" {
            let mut v = recv;
            let roots = arg(0);
            v.empty_roots = roots.empty_roots.clone();
            v.weak.extend(roots.weak);
            return v;
        }
        if recv.kind == Kind::RootStore
            && matches!(
                m_str,
                "add"
                    | "add_parsable_certificates"
                    | "extend"
                    | "add_trust_anchors"
                    | "add_server_trust_anchors"
            )
        {
            let mut v = recv;
            v.empty_roots = None;
            return v;
        }

        match recv.kind {
            Kind::PoolBuilder(Some(Driver::Sqlx)) => {
                return self.sqlx_pool_builder(recv, m_str, span, &args, &vals, captured);
            }
            Kind::Opts(d) => {
                if let Some(v) =
                    self.opts_method(recv.clone(), d, m_str, span.clone(), &args, &vals)
                {
                    return v;
                }
            }
            Kind::PoolBuilder(d) => {
                if matches!(m_str, "build" | "build_unchecked" | "build_async") {
                    let m = arg(0);
                    let driver = m.driver().or(d);
                    let url = if m.url.is_empty() {
                        recv.url.clone()
                    } else {
                        m.url.clone()
                    };
                    if let Some(driver) = driver {
                        if !recv.settings.is_empty() {
                            self.emit_client(
                                driver,
                                &format!("Pool::builder().{m_str}"),
                                span,
                                url.clone(),
                                recv.settings.clone(),
                            );
                        }
                        return Val {
                            kind: Kind::Handle(driver),
                            url,
                            ..Val::default()
                        };
                    }
                    return Val::with_url(url);
                }
                let mut v = recv;
                let value = args
                    .first()
                    .map(|a| self.arg_text(a, &arg(0)))
                    .unwrap_or_default();
                v.settings.push(self.setting(m_str, value, span));
                return v;
            }
            Kind::Query => {
                if matches!(
                    m_str,
                    "execute"
                        | "fetch"
                        | "fetch_one"
                        | "fetch_all"
                        | "fetch_optional"
                        | "fetch_many"
                        | "execute_many"
                        | "load"
                        | "get_result"
                        | "get_results"
                        | "first"
                ) {
                    let ex = arg(0);
                    self.emit_use(ex.driver(), "sqlx::query", recv.sql.clone(), span, ex.url);
                    return Val::default();
                }
                return recv;
            }
            Kind::Migrator => {
                if matches!(m_str, "run" | "undo" | "run_direct" | "run_to") {
                    let target = if m_str == "run_to" { arg(1) } else { arg(0) };
                    let recv_text = self.expr_text(&m.receiver);
                    let tool = if recv_text.contains("migrate!") {
                        format!("sqlx::migrate!().{m_str}")
                    } else {
                        format!("Migrator::{m_str}")
                    };
                    self.emit_migration(&tool, span, target.url);
                    return Val::default();
                }
                return recv;
            }
            Kind::Runner => {
                if matches!(m_str, "run" | "run_async") {
                    let target = arg(0);
                    let url = self.url_of(&target);
                    self.emit_migration(&format!("refinery runner().{m_str}"), span, url);
                    return Val::default();
                }
                return recv;
            }
            Kind::AdvisoryLock => {
                if matches!(m_str, "acquire" | "try_acquire") {
                    let conn = arg(0);
                    self.emit_use(
                        Some(Driver::Sqlx),
                        "PgAdvisoryLock::acquire",
                        None,
                        span,
                        conn.url,
                    );
                    return Val::default();
                }
                return recv;
            }
            _ => {}
        }

        // Deadpool's `Config`, however it was obtained (deserialized configs too).
        if matches!(m_str, "create_pool" | "builder")
            && args.len() == 2 - (m_str == "builder") as usize
        {
            let tls_at = if m_str == "create_pool" { 1 } else { 0 };
            if matches!(
                recv.kind,
                Kind::Unknown | Kind::Opts(None) | Kind::Opts(Some(Driver::Deadpool))
            ) {
                let mut settings = recv.settings.clone();
                settings.extend(self.tls_settings(args.get(tls_at).copied(), vals.get(tls_at)));
                if !recv.known_config {
                    settings.push(self.setting("config_source", "unknown".into(), span.clone()));
                }
                let url = self.url_of(&recv);
                self.emit_client(
                    Driver::Deadpool,
                    &format!("deadpool_postgres::Config::{m_str}"),
                    span,
                    url.clone(),
                    settings,
                );
                return Val {
                    kind: if m_str == "builder" {
                        Kind::PoolBuilder(Some(Driver::Deadpool))
                    } else {
                        Kind::Handle(Driver::Deadpool)
                    },
                    url,
                    ..Val::default()
                };
            }
        }
        if m_str == "connect"
            && args.len() == 1
            && arg(0).kind == Kind::Tls
            && recv.kind == Kind::Unknown
        {
            let url = self.url_of(&recv);
            let settings = self.tls_settings(args.first().copied(), vals.first());
            self.emit_client(
                Driver::TokioPostgres,
                "Config::connect",
                span,
                url.clone(),
                settings,
            );
            return Val {
                kind: Kind::Handle(Driver::TokioPostgres),
                url,
                ..Val::default()
            };
        }

        // SQL run on a connection.
        let on_connection = matches!(recv.kind, Kind::Handle(_))
            || (recv.kind == Kind::Unknown && (!recv.url.is_empty() || self.capture.is_some()));
        if on_connection && sql_methods_on_handle(m_str) {
            let a = arg(0);
            let sql = if a.kind == Kind::Query {
                a.sql.clone()
            } else {
                a.literal()
                    .map(|(t, map)| (t.to_string(), map.range(0..t.len())))
            };
            let api = if m_str == "prepare_cached" || m_str == "prepare_typed_cached" {
                "prepare_cached".to_string()
            } else {
                m_str.to_string()
            };
            let driver = recv.driver().or(if api == "prepare_cached" {
                Some(Driver::Deadpool)
            } else {
                None
            });
            if sql.is_some() || api == "prepare_cached" {
                self.emit_use(driver, &api, sql, span, recv.url.clone());
            }
            return Val::default();
        }
        // diesel switches its statement cache off on the connection, after the set-up:
        // recorded as a use, so that the rule can tell the fix from the problem.
        if m_str == "set_prepared_statement_cache_size"
            && matches!(
                recv.kind,
                Kind::Handle(Driver::Diesel | Driver::DieselAsync)
            )
        {
            let api = if first_text.contains("Disabled") {
                "set_prepared_statement_cache_size(Disabled)"
            } else {
                "set_prepared_statement_cache_size"
            };
            self.emit_use(recv.driver(), api, None, span, recv.url.clone());
            return Val::default();
        }
        if m_str == "run_pending_migrations" {
            self.emit_migration("run_pending_migrations", span, recv.url.clone());
            return Val::default();
        }
        if recv.kind != Kind::Unknown || pass_through_method(m_str) {
            return recv;
        }
        Val::default()
    }

    fn sqlx_pool_builder(
        &mut self,
        recv: Val,
        m: &str,
        span: Range<usize>,
        args: &[&Expr],
        vals: &[Val],
        captured: Vec<(String, Range<usize>)>,
    ) -> Val {
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        match m {
            "connect" | "connect_lazy" | "connect_with" | "connect_lazy_with" => {
                let a = arg(0);
                let url = self.url_of(&a);
                let mut settings = recv.settings.clone();
                if m.ends_with("_with") {
                    settings.extend(a.settings.clone());
                }
                self.emit_client(
                    Driver::Sqlx,
                    &format!("PgPoolOptions::{m}"),
                    span,
                    url.clone(),
                    settings,
                );
                Val {
                    kind: Kind::Handle(Driver::Sqlx),
                    url,
                    ..Val::default()
                }
            }
            _ => {
                let mut v = recv;
                if CONNECT_HOOKS.contains(&m) {
                    if captured.is_empty() {
                        v.settings.push(self.setting(m, "<closure>".into(), span));
                    }
                    for (sql, r) in captured {
                        v.settings.push(self.setting(m, sql, r));
                    }
                    return v;
                }
                let value = args
                    .first()
                    .map(|a| self.arg_text(a, &arg(0)))
                    .unwrap_or_default();
                v.settings.push(self.setting(m, value, span));
                v
            }
        }
    }

    /// Methods on connect options (sqlx `PgConnectOptions`, tokio-postgres `Config`,
    /// sea-orm `ConnectOptions`): setters, and `connect(tls)` for tokio-postgres.
    fn opts_method(
        &mut self,
        recv: Val,
        d: Option<Driver>,
        m: &str,
        span: Range<usize>,
        args: &[&Expr],
        vals: &[Val],
    ) -> Option<Val> {
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        let tp_family = matches!(
            d,
            None | Some(Driver::TokioPostgres) | Some(Driver::Postgres)
        );
        if m == "connect" && args.len() == 1 && tp_family {
            let driver = d.unwrap_or(Driver::TokioPostgres);
            let url = self.url_of(&recv);
            let mut settings = recv.settings.clone();
            settings.extend(self.tls_settings(args.first().copied(), vals.first()));
            self.emit_client(driver, "Config::connect", span, url.clone(), settings);
            return Some(Val {
                kind: Kind::Handle(driver),
                url,
                ..Val::default()
            });
        }
        if matches!(m, "create_pool" | "builder") && matches!(d, None | Some(Driver::Deadpool)) {
            return None; // handled with deserialized configs
        }
        if m == "get_pg_config" {
            let mut v = recv;
            v.kind = Kind::Opts(Some(Driver::TokioPostgres));
            return Some(v);
        }
        if args.len() > 1 || pass_through_method(m) {
            return Some(recv);
        }
        let mut v = recv;
        let value = args
            .first()
            .map(|a| self.arg_text(a, &arg(0)))
            .unwrap_or_default();
        let literal = arg(0).literal().map(|(t, _)| t.to_string());
        let part = match m {
            "host" => Some("host"),
            "port" => Some("port"),
            "user" | "username" => Some("user"),
            "dbname" | "database" => Some("dbname"),
            "options" if d != Some(Driver::Sqlx) => Some("options"),
            "application_name" => Some("application_name"),
            "ssl_root_cert" => Some("sslrootcert"),
            _ => None,
        };
        if let Some(part) = part {
            if let Some(l) = literal.or_else(|| (part == "port").then(|| value.clone())) {
                v.parts.push((part.to_string(), l, span.clone()));
            }
        }
        if m == "ssl_mode" {
            if let Some(mode) = sslmode_of(&value) {
                v.parts.push(("sslmode".into(), mode.into(), span.clone()));
            }
        }
        v.settings.push(self.setting(m, value, span));
        Some(v)
    }
}

/// A query builder carrying the SQL of `v` (when it is a literal).
fn query_val(v: &Val) -> Val {
    Val {
        kind: Kind::Query,
        sql: v
            .literal()
            .map(|(t, map)| (t.to_string(), map.range(0..t.len()))),
        ..Val::default()
    }
}

/// Certificate checks turned off along a TLS value, as settings of the set-up it feeds.
fn weak_settings(v: &Val) -> Vec<Setting> {
    let mut out = v.weak.clone();
    if let Some(span) = &v.empty_roots {
        out.push(Setting {
            name: "root_store".into(),
            value: "RootCertStore::empty()".into(),
            span: span.clone(),
        });
    }
    out
}

/// A callee's summary at one call site: its parameters replaced by the arguments.
fn substitute(mut s: Val, idx: usize, args: &[Val]) -> Val {
    let mut url = Vec::new();
    let mut kind_from_arg = None;
    for src in std::mem::take(&mut s.url) {
        match src {
            Src::Param { func, index } if func == idx => {
                if let Some(a) = args.get(index) {
                    for x in &a.url {
                        super::push_src(&mut url, x.clone());
                    }
                    if kind_from_arg.is_none() {
                        kind_from_arg = Some(a.kind);
                    }
                }
            }
            other => super::push_src(&mut url, other),
        }
    }
    s.url = url;
    if s.kind == Kind::Unknown {
        if let Some(k) = kind_from_arg {
            s.kind = k;
        }
    }
    s.fields = s
        .fields
        .into_iter()
        .map(|(n, v)| (n, substitute(v, idx, args)))
        .collect();
    s
}
