//! Version strings compared the way package managers mostly agree on: numeric release
//! components (`1.10.7`, `v4.18.0`, `2.9`), then a pre-release (`-beta.3`, `rc1`, `a2`,
//! `.dev0`) sorting before its release. Post-releases and build metadata (`.post1`,
//! `+libpq-17.4`) compare equal to their release: nothing in the SNI table depends on them.

use std::cmp::Ordering;

/// A parsed version: release components and an optional pre-release tag.
#[derive(Debug, Clone)]
pub struct Version {
    release: Vec<u64>,
    pre: Option<String>,
}

impl Version {
    /// Parses `v1.2.3`, `2.9.2`, `0.22`, `5.0.0-beta.3`, `3.0rc1`; `None` when it does not
    /// start with a number (`latest`, `*`, a git URL).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut release = Vec::new();
        let mut rest = s;
        loop {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                break;
            }
            release.push(rest[..n].parse().ok()?);
            rest = &rest[n..];
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
                _ => break,
            }
        }
        if release.is_empty() {
            return None;
        }
        let tail = rest.trim_start_matches(['.', '-', '_']);
        let lower = tail.to_ascii_lowercase();
        let pre = if tail.is_empty()
            || rest.starts_with('+')
            || lower.starts_with("post")
            || rest.starts_with('*')
        {
            None
        } else {
            Some(lower)
        };
        Some(Version { release, pre })
    }

    /// The release components (`[2, 9, 2]`).
    pub fn release(&self) -> &[u64] {
        &self.release
    }
}

// Equality agrees with the order: `2.9` equals `2.9.0`.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        for i in 0..n {
            let a = self.release.get(i).copied().unwrap_or(0);
            let b = other.release.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => cmp_pre(a, b),
        }
    }
}

/// Pre-release tags segment by segment, numbers as numbers (`beta.3` < `beta.10`).
fn cmp_pre(a: &str, b: &str) -> Ordering {
    let seg = |s: &str| -> Vec<(bool, u64, String)> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut digits = false;
        for c in s.chars() {
            let d = c.is_ascii_digit();
            if !c.is_ascii_alphanumeric() || (d != digits && !cur.is_empty()) {
                if !cur.is_empty() {
                    out.push((digits, cur.parse().unwrap_or(0), std::mem::take(&mut cur)));
                }
                if !c.is_ascii_alphanumeric() {
                    continue;
                }
            }
            digits = d;
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push((digits, cur.parse().unwrap_or(0), cur));
        }
        out
    };
    let (a, b) = (seg(a), seg(b));
    for (x, y) in a.iter().zip(&b) {
        let o = match (x.0, y.0) {
            (true, true) => x.1.cmp(&y.1),
            (false, false) => x.2.cmp(&y.2),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn orders_versions() {
        assert!(v("2.9.1") < v("2.9.2"));
        assert!(v("2.9") < v("2.9.2"));
        assert!(v("2.9.2") == v("2.9.2.0"));
        assert!(v("v1.10.6") < v("1.10.7"));
        assert!(v("v5.0.0-beta.2") < v("v5.0.0-beta.3"));
        assert!(v("v5.0.0-beta.10") > v("v5.0.0-beta.3"));
        assert!(v("v5.0.0-beta.3") < v("v5.0.0"));
        assert!(v("3.0rc1") < v("3.0.0"));
        assert!(v("2.9.post0") == v("2.9"));
        assert!(v("0.3.5+libpq-17.4") == v("0.3.5"));
        assert!(v("0.21.0") < v("0.22"));
        assert!(Version::parse("latest").is_none());
        assert!(Version::parse("*").is_none());
    }
}
