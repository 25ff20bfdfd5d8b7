//! `is_real_password` measured against placeholder spellings collected from public docs and
//! configs (`tests/data/placeholder-passwords.txt`) and real-shaped passwords
//! (`tests/data/real-passwords.txt`): every placeholder must be recognised and every real one
//! kept, so the committed-credential rules neither cry wolf on `.env.example` files nor miss
//! a real secret.

use neon_lint_core::rules::secrets::is_real_password;

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[test]
fn every_collected_placeholder_is_recognised() {
    let text = include_str!("data/placeholder-passwords.txt");
    let missed: Vec<&str> = lines(text).filter(|v| is_real_password(v)).collect();
    let total = lines(text).count();
    assert!(total >= 100, "the list holds {total} spellings");
    assert!(
        missed.is_empty(),
        "{} of {total} placeholders judged real: {missed:?}",
        missed.len()
    );
}

#[test]
fn every_real_shaped_password_is_kept() {
    let text = include_str!("data/real-passwords.txt");
    let lost: Vec<&str> = lines(text).filter(|v| !is_real_password(v)).collect();
    assert!(
        lost.is_empty(),
        "real passwords judged placeholders: {lost:?}"
    );
}

#[test]
fn long_values_are_judged_in_linear_time() {
    // Values made only of vocabulary must not explode the glued-word search (a hang here
    // would stop the test run); past 128 bytes a value is never a placeholder.
    assert!(!is_real_password("yourpassword"));
    for n in [5, 10] {
        let _ = is_real_password(&"yourpassword".repeat(n));
    }
    assert!(is_real_password(&"yourpassword".repeat(20_000)));
    let _ = is_real_password(&"mypass".repeat(21));
}
