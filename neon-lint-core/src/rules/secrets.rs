//! Shared judgement of password values for the secrets rules.
//!
//! A committed placeholder (`YOUR_NEON_PASSWORD`, `<password>`, `replace-me`) is not a leak;
//! a real-looking password is. Documentation spells placeholders in many ways, so the test
//! is by words, not by a list of whole values: a value is a placeholder when every word in it
//! is placeholder vocabulary (`your`, `strong`, `password`, `here`, a short number...) and at
//! least one of them says "fill me in". `tests/data/passwords/` holds the spellings collected
//! from public docs and configs, and real-shaped passwords, that the tests measure this
//! against. Neon itself only accepts passwords with 60 bits of entropy (its console and API
//! issue `npg_` + 12 alphanumerics), so `password123` beside a Neon host is never a real one.

/// Words that on their own mark a value as something to fill in.
const FILL_IN_WORDS: &[&str] = &[
    "password",
    "passwort",
    "passwd",
    "passw0rd",
    "pass",
    "pwd",
    "pw",
    "secret",
    "replace",
    "change",
    "changeme",
    "changeit",
    "your",
    "yours",
    "my",
    "placeholder",
    "example",
    "sample",
    "dummy",
    "fake",
    "redacted",
    "hidden",
    "masked",
    "todo",
    "fixme",
    "tbd",
    "insert",
    "enter",
    "fill",
    "put",
    "votre",
    "senha",
    "contrasena",
    "contraseña",
    "mot",
    "xxx",
];

/// Words that may stand beside a fill-in word in a placeholder without making it real.
const PLACEHOLDER_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "me",
    "it",
    "with",
    "here",
    "this",
    "to",
    "of",
    "for",
    "in",
    "goes",
    "actual",
    "real",
    "own",
    "new",
    "secure",
    "strong",
    "super",
    "very",
    "long",
    "random",
    "generated",
    "safe",
    "default",
    "value",
    "string",
    "db",
    "database",
    "neon",
    "neondb",
    "postgres",
    "postgresql",
    "pg",
    "psql",
    "sql",
    "user",
    "username",
    "role",
    "owner",
    "admin",
    "root",
    "app",
    "application",
    "prod",
    "production",
    "staging",
    "dev",
    "development",
    "local",
    "test",
    "testing",
    "demo",
    "mysql",
    "mongo",
    "redis",
    "api",
    "key",
    "token",
    "auth",
    "de",
    "passe",
    "mon",
    "tu",
    "su",
    "sua",
    "seu",
    "ihr",
    "dein",
    "aqui",
    "ici",
    "hier",
    "only",
    "not",
    "do",
    "use",
    "set",
    "via",
    "env",
    "from",
    "console",
    "dashboard",
    "copy",
    "paste",
    "xxxx",
    "xxxxx",
    "xxxxxx",
    "xxxxxxxx",
];

/// Values that are placeholders although no fill-in word appears.
const PLACEHOLDER_VALUES: &[&str] = &[
    "abc123def",
    "postgres",
    "test",
    "npg_xxxxxxxxxxxx",
    "hunter2",
    "letmein",
    "qwerty",
    "admin",
    "root",
    "toor",
    "s3cr3t",
    "p4ssw0rd",
    "p@ssw0rd",
    "p@ssword",
];

/// Whether a password value looks real: not a placeholder, not a template hole, not empty.
pub fn is_real_password(value: &str) -> bool {
    let v = value.trim();
    if v.chars().count() < 6 {
        return false;
    }
    // Template holes and markers: `${PW}`, `{password}`, `<password>`, `[password]`,
    // `%(pw)s`, `****`; also `$(cat secret)`.
    if v.contains(['$', '{', '}', '<', '>', '[', ']', '*']) || v.starts_with('%') {
        return false;
    }
    !is_placeholder(v)
}

/// The longest vocabulary word, in characters.
const MAX_WORD: usize = 12;

/// Longer values are never placeholders (documentation spells them short), and the word
/// analysis stays cheap.
const MAX_PLACEHOLDER: usize = 128;

/// Whether a password value (at least six characters, no template marker) is a placeholder.
fn is_placeholder(v: &str) -> bool {
    if v.len() > MAX_PLACEHOLDER {
        return false;
    }
    let lower = v.to_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    // One character repeated (`xxxxxxxx`, `00000000`, `........`).
    let mut chars = lower.chars();
    let first = chars.next().unwrap_or(' ');
    if chars.all(|c| c == first) {
        return true;
    }
    let words = words(v);
    if words.is_empty() {
        return false;
    }
    let mut fill_in = false;
    for w in &words {
        if is_fill_in(w) {
            fill_in = true;
        } else if !(PLACEHOLDER_WORDS.contains(&w.as_str()) || is_filler_number(w)) {
            return false;
        }
    }
    fill_in
}

/// A fill-in word, also glued (`yourpassword`, `mypassword`, `changeme`, `replaceme`).
fn is_fill_in(w: &str) -> bool {
    if FILL_IN_WORDS.contains(&w) || is_repeated_x(w) {
        return true;
    }
    // Glued spellings: a fill-in word followed or preceded by vocabulary, with no
    // separator (`yourpassword`, `mysecretpassword`, `strongpassword`, `passwordhere`).
    glued(w, 0)
}

/// Whether `w` is entirely a concatenation of vocabulary words with at least one fill-in
/// word (bounded: at most four pieces).
fn glued(w: &str, depth: usize) -> bool {
    if depth >= 4 {
        return false;
    }
    // Vocabulary words are short: only the first few split points can start one, which
    // keeps this linear in the value's length.
    for (i, _) in w.char_indices().skip(1).take(MAX_WORD) {
        let (head, tail) = w.split_at(i);
        let head_fill = FILL_IN_WORDS.contains(&head);
        let head_vocab = head_fill || PLACEHOLDER_WORDS.contains(&head);
        if !head_vocab {
            continue;
        }
        let tail_fill = FILL_IN_WORDS.contains(&tail) || is_filler_number(tail);
        let tail_vocab = tail_fill || PLACEHOLDER_WORDS.contains(&tail);
        if tail_vocab && (head_fill || FILL_IN_WORDS.contains(&tail)) {
            return true;
        }
        if head_fill && glued_vocab(tail, depth + 1) {
            return true;
        }
        if glued(tail, depth + 1) {
            return true;
        }
    }
    false
}

/// Whether `w` is a concatenation of vocabulary words (fill-in or not).
fn glued_vocab(w: &str, depth: usize) -> bool {
    if FILL_IN_WORDS.contains(&w) || PLACEHOLDER_WORDS.contains(&w) || is_filler_number(w) {
        return true;
    }
    if depth >= 4 {
        return false;
    }
    w.char_indices().skip(1).take(MAX_WORD).any(|(i, _)| {
        let (head, tail) = w.split_at(i);
        (FILL_IN_WORDS.contains(&head) || PLACEHOLDER_WORDS.contains(&head))
            && glued_vocab(tail, depth + 1)
    })
}

/// `xxx`, `XXXX`: letters standing for hidden characters.
fn is_repeated_x(w: &str) -> bool {
    w.len() >= 3 && w.bytes().all(|b| b == b'x')
}

/// Numbers that documentation appends to placeholder words (`password123`, `pass1`,
/// `secret2024`): a short run of digits that counts up or repeats, or a year.
fn is_filler_number(w: &str) -> bool {
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let b = w.as_bytes();
    let counting = b.windows(2).all(|p| p[1] == p[0] + 1);
    let repeated = b.iter().all(|&c| c == b[0]);
    let year = w.len() == 4 && (w.starts_with("19") || w.starts_with("20"));
    w.len() <= 2 || counting || repeated || year
}

/// The words of a value, lower-case: split at every non-alphanumeric character, at
/// lower-to-upper case changes (`yourPassword`) and between letters and digits
/// (`password123`).
fn words(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in v.chars() {
        let boundary = match prev {
            None => false,
            Some(p) => {
                !c.is_alphanumeric()
                    || !p.is_alphanumeric()
                    || (p.is_lowercase() && c.is_uppercase())
                    || (p.is_alphabetic() != c.is_alphabetic())
            }
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur).to_lowercase());
        }
        if c.is_alphanumeric() {
            cur.push(c);
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur.to_lowercase());
    }
    // Leetspeak inside a fill-in word (`passw0rd`) is split by the digit rule; glue it back.
    let mut glued = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if i + 2 < out.len() && format!("{}{}{}", out[i], out[i + 1], out[i + 2]) == "passw0rd" {
            glued.push("passw0rd".to_string());
            i += 3;
            continue;
        }
        glued.push(out[i].clone());
        i += 1;
    }
    glued
}

#[cfg(test)]
mod tests {
    use super::is_real_password;

    #[test]
    fn placeholders_in_their_usual_spellings() {
        for v in [
            "YOUR_NEON_PASSWORD",
            "STRONG_PASSWORD",
            "REPLACE_ME",
            "replace-me",
            "CHANGEME",
            "change_me",
            "changeit",
            "xxxx",
            "xxxxxxxx",
            "yourPassword",
            "yourpassword",
            "mysecretpassword",
            "your_secure_password_here",
            "password123",
            "secret2024",
            "votre-password",
            "passw0rd",
            "super-secret",
            "npg_xxxxxxxxxxxx",
        ] {
            assert!(!is_real_password(v), "{v} is a placeholder");
        }
    }

    #[test]
    fn template_markers_are_placeholders() {
        for v in [
            "<password>",
            "${PASSWORD}",
            "{password}",
            "[password]",
            "%(pw)s",
            "******",
        ] {
            assert!(!is_real_password(v), "{v}");
        }
    }

    #[test]
    fn real_looking_passwords_stay_real() {
        for v in [
            "npg_8CZoNbatvBL5",
            "AbC3x42dEfq",
            "Tr0ub4dor-and-3",
            "k9#mZ2!qL",
            "correct-horse-battery-staple",
            "password-Kx81mQ",
            "rahasia99",
            "copper_bench",
        ] {
            assert!(is_real_password(v), "{v} looks real");
        }
    }

    #[test]
    fn never_panics_on_odd_text() {
        for v in [
            "",
            " ",
            "é",
            "ééééééé",
            "pass\u{0}word",
            "ＰＡＳＳＷＯＲＤ__",
            "_-_-_-_",
        ] {
            let _ = is_real_password(v);
        }
    }
}
