//! The byte-level test that rejects files which cannot matter, before any parsing. On real
//! trees most files stop here; this is where speed comes from.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::classify::FileKind;

/// Words whose absence proves a file holds no connection string, driver set-up or Neon
/// secret. Matched case-insensitively.
const NEEDLES: &[&str] = &[
    "postgres",
    "neon.tech",
    "sslmode",
    "database_url",
    "napi_",
    "host=",
    "dbname=",
];

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(NEEDLES)
            .expect("static needles build")
    })
}

/// Whether a file of `kind` with these bytes needs extracting.
///
/// `.env` files always do: their variables resolve `env::var(...)` elsewhere, whatever
/// their values look like.
pub fn is_candidate(kind: FileKind, bytes: &[u8]) -> bool {
    match kind {
        FileKind::DotEnv | FileKind::DotEnvTemplate => true,
        _ => matcher().is_match(bytes),
    }
}

/// Whether the bytes look binary (a NUL in the first 8 KiB, as git and ripgrep decide).
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}
