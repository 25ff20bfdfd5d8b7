//! Reading git's index (`$GIT_DIR/index`, versions 2, 3 and 4) for which paths it tracks,
//! in-process and streaming: memory holds the paths asked about, not the index.
//!
//! Format: `Documentation/gitformat-index.txt` in git. A header (`DIRC`, version, entry
//! count), the entries sorted by path, extensions, and a trailing checksum. The checksum is
//! not verified (that needs SHA-1, and `index.skipHash` writes zeros); the structure is:
//! a truncated or garbled index is an error, never a guess.
//!
//! Split indexes (`core.splitIndex`, the `link` extension) are read with their shared
//! index; the shared index's entries that the split index deletes are left out.
//! Sparse indexes (`sdir`) hold folders for whole trees outside the sparse cone: a path
//! under such a folder counts as tracked (its tree is not read: this errs on the side of
//! reporting, and such a file is outside the checkout anyway).

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::read::open_regular;

/// An index over this is not read (about ten million entries): the run stays bounded.
const MAX_INDEX_BYTES: u64 = 1024 * 1024 * 1024;
/// Longer "path names" are garbage, not paths.
const MAX_NAME_BYTES: usize = 64 * 1024;

/// Which of `wanted` (paths relative to the work tree's top, `/`-separated) the index in
/// `git_dir` tracks. No index (a fresh repository) tracks nothing. The error names the
/// file and what is wrong with it, for a note.
pub(crate) fn tracked(
    git_dir: &Path,
    hash_len: usize,
    wanted: &HashSet<Vec<u8>>,
) -> Result<HashSet<Vec<u8>>, (PathBuf, String)> {
    let path = git_dir.join("index");
    let Some(main) = read_index(&path, hash_len, wanted)? else {
        return Ok(HashSet::new());
    };
    let mut found = main.found;
    let mut sparse_dirs = main.sparse_dirs;
    if let Some(link) = main.link {
        if link.shared.iter().any(|&b| b != 0) {
            let hex: String = link.shared.iter().map(|b| format!("{b:02x}")).collect();
            let shared_path = git_dir.join(format!("sharedindex.{hex}"));
            let shared = read_index(&shared_path, hash_len, wanted)?.ok_or_else(|| {
                (
                    shared_path.clone(),
                    "missing (the index is split)".to_string(),
                )
            })?;
            let deleted = link.deleted;
            found.extend(
                shared
                    .positions
                    .into_iter()
                    .filter(|(pos, _)| !deleted.contains(*pos))
                    .map(|(_, name)| name),
            );
            sparse_dirs.extend(shared.sparse_dirs);
        }
    }
    if !sparse_dirs.is_empty() {
        for w in wanted {
            let under = w
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'/')
                .any(|(i, _)| sparse_dirs.contains(&w[..=i]));
            if under {
                found.insert(w.clone());
            }
        }
    }
    Ok(found)
}

/// What one index file says about the wanted paths.
#[derive(Debug, Default)]
struct IndexFile {
    /// Wanted paths among the entries.
    found: HashSet<Vec<u8>>,
    /// The same, with each entry's position (a split index's deletions name positions).
    positions: Vec<(u64, Vec<u8>)>,
    /// Folder entries of a sparse index (`dir/`).
    sparse_dirs: HashSet<Vec<u8>>,
    /// The `link` extension of a split index.
    link: Option<Link>,
}

#[derive(Debug)]
struct Link {
    /// The shared index's checksum (its file name).
    shared: Vec<u8>,
    /// Positions in the shared index that this index deletes.
    deleted: Bitmap,
}

fn read_index(
    path: &Path,
    hash_len: usize,
    wanted: &HashSet<Vec<u8>>,
) -> Result<Option<IndexFile>, (PathBuf, String)> {
    let err = |e: String| (path.to_path_buf(), e);
    let Some((file, len)) = open_regular(path, MAX_INDEX_BYTES).map_err(err)? else {
        return Ok(None);
    };
    parse(file, len, hash_len, wanted).map(Some).map_err(err)
}

/// Parses an index of `len` bytes (checksum included) from `file`.
fn parse<R: Read>(
    file: R,
    len: u64,
    hash_len: usize,
    wanted: &HashSet<Vec<u8>>,
) -> Result<IndexFile, String> {
    let body = len
        .checked_sub(hash_len as u64)
        .ok_or("truncated: shorter than a header")?;
    let mut r = Reader {
        inner: BufReader::new(file.take(body)),
        pos: 0,
    };
    let mut magic = [0; 4];
    r.exact(&mut magic)?;
    if &magic != b"DIRC" {
        return Err("not a git index (no `DIRC` signature)".into());
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return Err(format!("unsupported index version {version}"));
    }
    let count = r.u32()?;
    let mut out = IndexFile::default();
    let mut name: Vec<u8> = Vec::new();
    // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each), the object id.
    let mut fixed = vec![0; 40 + hash_len];
    for position in 0..u64::from(count) {
        r.exact(&mut fixed)?;
        let mode = u32::from_be_bytes([fixed[24], fixed[25], fixed[26], fixed[27]]);
        let flags = r.u16()?;
        let mut header = 40 + hash_len + 2;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(format!(
                    "entry {position} has extended flags in a version 2 index"
                ));
            }
            r.u16()?;
            header += 2;
        }
        if version == 4 {
            // The name is the previous one less its last `strip` bytes, plus a suffix.
            let strip = r.varint()?;
            let keep = usize::try_from(strip)
                .ok()
                .and_then(|s| name.len().checked_sub(s))
                .ok_or_else(|| format!("entry {position}: bad path compression"))?;
            name.truncate(keep);
            r.until_nul(&mut name)?;
        } else {
            name.clear();
            r.until_nul(&mut name)?;
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            let size = (header + name.len() + 8) & !7;
            let pad = size - header - name.len() - 1;
            let mut zeros = [0; 8];
            r.exact(&mut zeros[..pad])?;
            if zeros.iter().any(|&b| b != 0) {
                return Err(format!("entry {position}: bad padding"));
            }
        }
        if mode & 0o170000 == 0o040000 {
            out.sparse_dirs.insert(name.clone());
        } else if wanted.contains(&name) {
            out.found.insert(name.clone());
            out.positions.push((position, name.clone()));
        }
    }
    // Extensions: a signature, a size, the data. Only `link` matters here.
    while r.pos < body {
        let mut sig = [0; 4];
        r.exact(&mut sig)?;
        let size = u64::from(r.u32()?);
        if size > body - r.pos {
            return Err("truncated: an extension runs past the end".into());
        }
        if &sig == b"link" {
            out.link = Some(r.link(hash_len, size)?);
        } else {
            r.skip(size)?;
        }
    }
    Ok(out)
}

/// A reader that counts what it read and calls running out "truncated".
struct Reader<R> {
    inner: BufReader<R>,
    pos: u64,
}

impl<R: Read> Reader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), String> {
        self.inner.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => "truncated".to_string(),
            _ => format!("cannot read: {e}"),
        })?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn u16(&mut self) -> Result<u16, String> {
        let mut b = [0; 2];
        self.exact(&mut b)?;
        Ok(u16::from_be_bytes(b))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0; 4];
        self.exact(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0; 8];
        self.exact(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// git's offset varint (`varint.c`): 7 bits a byte, most significant first, each
    /// continuation adding one.
    fn varint(&mut self) -> Result<u64, String> {
        let mut b = [0; 1];
        self.exact(&mut b)?;
        let mut val = u64::from(b[0] & 0x7f);
        while b[0] & 0x80 != 0 {
            val = val
                .checked_add(1)
                .filter(|v| v >> 57 == 0)
                .ok_or("bad path compression (varint overflow)")?;
            self.exact(&mut b)?;
            val = (val << 7) | u64::from(b[0] & 0x7f);
        }
        Ok(val)
    }

    /// Appends bytes up to (not including) the next NUL to `out`.
    fn until_nul(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        use std::io::BufRead;
        let before = out.len();
        let room = MAX_NAME_BYTES.saturating_sub(before) as u64 + 1;
        let n = (&mut self.inner)
            .take(room)
            .read_until(0, out)
            .map_err(|e| format!("cannot read: {e}"))?;
        self.pos += n as u64;
        if n == 0 || out.last() != Some(&0) {
            return Err(if (n as u64) < room {
                "truncated".into()
            } else {
                "a path name runs over 64 KB (garbled index)".into()
            });
        }
        out.pop();
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
            .map_err(|e| format!("cannot read: {e}"))?;
        self.pos += copied;
        if copied < n {
            return Err("truncated".into());
        }
        Ok(())
    }

    /// The `link` extension: the shared index's id, then the delete and replace bitmaps.
    fn link(&mut self, hash_len: usize, size: u64) -> Result<Link, String> {
        let start = self.pos;
        let mut shared = vec![0; hash_len];
        self.exact(&mut shared)?;
        let deleted = if self.pos - start < size {
            self.ewah()?
        } else {
            Bitmap::default()
        };
        let rest = size
            .checked_sub(self.pos - start)
            .ok_or("truncated: the `link` extension")?;
        self.skip(rest)?;
        Ok(Link { shared, deleted })
    }

    /// An EWAH-compressed bitmap (`ewah/ewah_io.c`): bit count, word count, the words, the
    /// position of the last marker word. Each marker word says: `run` words of all-`bit`,
    /// then `literals` verbatim words (least significant bit first).
    fn ewah(&mut self) -> Result<Bitmap, String> {
        let _bits = self.u32()?;
        let words = self.u32()?;
        let mut set = Bitmap::default();
        let mut at: u64 = 0;
        let mut left = u64::from(words);
        while left > 0 {
            let marker = self.u64()?;
            left -= 1;
            let run = (marker >> 1) & 0xffff_ffff;
            let literals = marker >> 33;
            let end = at
                .checked_add(run * 64)
                .ok_or("garbled bitmap in the `link` extension")?;
            if marker & 1 == 1 && run > 0 {
                set.ranges.push((at, end));
            }
            at = end;
            if literals > left {
                return Err("garbled bitmap in the `link` extension".into());
            }
            for _ in 0..literals {
                let word = self.u64()?;
                left -= 1;
                for bit in 0..64 {
                    if word >> bit & 1 == 1 {
                        set.ranges.push((at + bit, at + bit + 1));
                    }
                }
                at = at
                    .checked_add(64)
                    .ok_or("garbled bitmap in the `link` extension")?;
            }
        }
        self.u32()?;
        Ok(set)
    }
}

/// Set bits as sorted half-open ranges.
#[derive(Debug, Default)]
struct Bitmap {
    ranges: Vec<(u64, u64)>,
}

impl Bitmap {
    fn contains(&self, bit: u64) -> bool {
        let i = self.ranges.partition_point(|&(_, end)| end <= bit);
        self.ranges.get(i).is_some_and(|&(start, _)| start <= bit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(names: &[&str]) -> HashSet<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    /// A version 2 index holding `names` (no checksum check, so zeros).
    fn index_v2(names: &[&str]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(2u32.to_be_bytes());
        out.extend((names.len() as u32).to_be_bytes());
        for n in names {
            let start = out.len();
            out.extend([0; 24]);
            out.extend(0o100644u32.to_be_bytes());
            out.extend([0; 12 + 20]);
            out.extend((n.len() as u16).to_be_bytes());
            out.extend(n.as_bytes());
            out.push(0);
            while (out.len() - start) % 8 != 0 {
                out.push(0);
            }
        }
        out.extend([0; 20]);
        out
    }

    fn parse_all(bytes: &[u8], want: &HashSet<Vec<u8>>) -> Result<IndexFile, String> {
        parse(bytes, bytes.len() as u64, 20, want)
    }

    #[test]
    fn finds_wanted_entries_only() {
        let bytes = index_v2(&[".env", "a/.env", "src/main.rs"]);
        let got = parse_all(&bytes, &wanted(&["a/.env", "b/.env"])).expect("parses");
        assert_eq!(got.found, wanted(&["a/.env"]));
    }

    #[test]
    fn every_truncation_and_garbage_is_an_error_not_a_panic() {
        let bytes = index_v2(&[".env", "a/.env"]);
        let want = wanted(&[".env"]);
        for cut in 0..bytes.len() - 20 {
            assert!(
                parse_all(&bytes[..cut], &want).is_err(),
                "cut at {cut} parsed"
            );
        }
        for i in 0..bytes.len() {
            for v in [0x00, 0x7f, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = parse_all(&b, &want);
            }
        }
    }

    #[test]
    fn bitmap_membership() {
        let b = Bitmap {
            ranges: vec![(0, 64), (70, 71), (130, 131)],
        };
        assert!(b.contains(0) && b.contains(63) && b.contains(70) && b.contains(130));
        assert!(!b.contains(64) && !b.contains(71) && !b.contains(200));
    }
}
