//! Shared judgement of password values for the secrets rules.

/// Documentation placeholders and template markers that are not real passwords.
const PLACEHOLDER_PASSWORDS: &[&str] = &[
    "abc123def",
    "password",
    "passwd",
    "pass",
    "secret",
    "changeme",
    "change_me",
    "example",
    "xxx",
    "xxxx",
    "xxxxxx",
    "****",
    "npg_xxxxxxxxxxxx",
    "your_password",
    "your-password",
    "yourpassword",
    "mypassword",
    "postgres",
    "test",
];

/// Whether a password value looks real: not a placeholder, not a template hole, not empty.
pub fn is_real_password(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 6 {
        return false;
    }
    if v.contains(['$', '{', '}', '<', '>', '[', ']', '*']) || v.starts_with('%') {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_PASSWORDS.contains(&lower.as_str()) {
        return false;
    }
    // Repeated single characters (`xxxxxxxx`) are placeholders.
    let first = lower.chars().next().unwrap_or(' ');
    !lower.chars().all(|c| c == first)
}
