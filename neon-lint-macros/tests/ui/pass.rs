// Every literal here passes every error-level URL rule and raises no warning: the file must
// compile without diagnostics and run. One file, so that trybuild compiles once.
use neon_lint_macros::neon_url;

// In constant and static initialisers.
const CONSOLE: &str = neon_url!(
    "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
);
static VERIFY_FULL: &str = neon_url!(
    "postgresql://alex@ep-cool-rain-123456.c-2.us-east-2.aws.neon.tech/neondb?sslmode=verify-full&sslrootcert=system"
);

// Through `macro_rules!`: fragments arrive in invisible groups.
macro_rules! app_url {
    ($url:literal) => {
        neon_url!(pooled, $url)
    };
}
macro_rules! any_url {
    ($url:expr) => {
        neon_url!($url)
    };
}

fn main() {
    // Advice-level findings (unverified-tls, owner-role-in-app) stay silent.
    let require_only = neon_url!(
        "postgresql://neondb_owner@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"
    );
    // Key/value form.
    let kv = neon_url!(
        "host=ep-cool-rain-123456.us-east-2.aws.neon.tech dbname=neondb user=alex sslmode=require"
    );
    // Raw strings, with and without hashes; the expansion is the same literal.
    let raw = neon_url!(
        r"host=ep-cool-rain-123456.us-east-2.aws.neon.tech application_name='a\b' sslmode=require"
    );
    let hashed = neon_url!(
        r#"host=ep-cool-rain-123456.us-east-2.aws.neon.tech application_name="x" sslmode=require"#
    );
    // Escapes and a line continuation are decoded before the rules run.
    let escaped = neon_url!(
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb\x3fsslmode=\u{72}equire\
         &channel_binding=require"
    );
    // concat! of literals is evaluated, integers and characters included.
    let concatenated = neon_url!(concat!(
        "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech:",
        5432,
        "/neondb",
        '?',
        "sslmode=require",
    ));
    // Role forms, each on the host it asks for.
    let migrations = neon_url!(
        direct,
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require"
    );
    let app = neon_url!(pooled, "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require",);
    // Not Neon: the Neon rules do not apply, and the pooled form cannot tell.
    let local = neon_url!("postgres://postgres@localhost:5433/app");
    let local_app = neon_url!(pooled, "postgres://postgres@localhost/app");
    let local_migrations = neon_url!(direct, "host=/var/run/postgresql dbname=app");
    // A placeholder password is not a password.
    let placeholder = neon_url!("postgresql://alex:${PGPASSWORD}@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require");
    let wrapped = app_url!("postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require");
    let wrapped_expr = any_url!("postgres://localhost/app");
    // A warning silenced the documented way.
    #[allow(deprecated)]
    let port = neon_url!(
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech:6432/neondb?sslmode=require"
    );

    assert!(CONSOLE.ends_with("channel_binding=require"));
    assert!(VERIFY_FULL.contains("verify-full"));
    assert!(require_only.contains("neondb_owner"));
    assert!(kv.starts_with("host="));
    assert!(raw.contains(r"'a\b'"));
    assert!(hashed.contains(r#""x""#));
    assert_eq!(
        escaped,
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
    );
    assert_eq!(
        concatenated,
        "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech:5432/neondb?sslmode=require"
    );
    let all: [&'static str; 10] = [
        migrations,
        app,
        local,
        local_app,
        local_migrations,
        placeholder,
        wrapped,
        wrapped_expr,
        port,
        kv,
    ];
    assert!(all.iter().all(|s| !s.is_empty()));
}
