//! Format-independent secret tokens: Neon API keys (`napi_` + 32 or more alphanumerics,
//! the pattern trufflehog and GitHub secret scanning use).

use super::Cx;
use crate::site::{SecretKind, SecretToken};

pub(super) fn extract(cx: &mut Cx) {
    let b = cx.file.text.as_bytes();
    for at in memchr::memmem::find_iter(b, b"napi_") {
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let body = at + 5;
        let n = b[body..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n >= 32 {
            let end = body + n;
            if end < b.len() && b[end] == b'_' {
                continue;
            }
            cx.out.secrets.push(SecretToken {
                file: cx.file_id,
                span: at..end,
                kind: SecretKind::NeonApiKey,
            });
        }
    }
}
