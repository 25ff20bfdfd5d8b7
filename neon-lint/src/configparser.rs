//! What Python's `configparser` (with its default interpolation, as Alembic uses it) does
//! with a value: shared by the ini extractor, which reads values as the program sees them,
//! and the rule that judges the escaping.

/// The byte offset of the first `%` configparser rejects (not `%%`, not `%(name)s`).
pub fn bad_percent(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match b.get(i + 1) {
                Some(b'%') => {
                    i += 2;
                    continue;
                }
                Some(b'(') if s[i..].contains(")s") => {
                    i += 2;
                    continue;
                }
                _ => return Some(i),
            }
        }
        i += 1;
    }
    None
}
