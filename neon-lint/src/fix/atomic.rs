//! Replacing a file's contents atomically and without exposing them: a temporary file with
//! a random name created with `O_EXCL` next to the file (so nobody can guess it, pre-create
//! it or plant a symbolic link there), given the original's mode, owner and group before a
//! byte is written, then renamed over the original. Only regular files are replaced:
//! devices, FIFOs and the like (`/dev/stdout`) are refused here, never turned into regular
//! files (writing straight through to them is the caller's business).

use std::fs::{File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The longest file name most file systems take (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// What the temporary name adds to the file's: `.{name}.neon-lint.{random}`.
const TEMP_PREFIX_EXTRA: usize = 1 + ".neon-lint.".len();
const TEMP_RANDOM: usize = 8;

/// The file as it was read, to check nothing changed it just before the rename.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Length, modification time and identity, when known.
    stamp: Option<Stamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    ino: (u64, u64),
}

impl Stamp {
    fn of(m: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            ino: (m.dev(), m.ino()),
        }
    }
}

impl Snapshot {
    /// Reads `path` (following a symbolic link) with its stamp.
    pub fn read(path: &Path) -> io::Result<Snapshot> {
        let mut f = File::open(path)?;
        let before = f.metadata()?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)?;
        Ok(Snapshot {
            bytes,
            stamp: Some(Stamp::of(&before)),
        })
    }

    /// Whether `path` still holds exactly this.
    fn still_at(&self, path: &Path) -> io::Result<bool> {
        let mut f = File::open(path)?;
        if let Some(stamp) = &self.stamp {
            if Stamp::of(&f.metadata()?) != *stamp {
                return Ok(false);
            }
        }
        let mut now = Vec::with_capacity(self.bytes.len());
        f.read_to_end(&mut now)?;
        Ok(now == self.bytes)
    }
}

fn refuse(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

/// Writes `bytes` to `path` through a temporary file and a rename, keeping mode, owner and
/// group. A symbolic link is followed: its target is rewritten and the link stays a link.
/// Refuses files that are not regular files and read-only files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, None)
}

/// [`write_atomic`], only if the file still holds `expect` right before the rename.
pub fn replace_checked(path: &Path, bytes: &[u8], expect: &Snapshot) -> io::Result<()> {
    replace(path, bytes, Some(expect))
}

fn replace(path: &Path, bytes: &[u8], expect: Option<&Snapshot>) -> io::Result<()> {
    let target = resolve(path)?;
    let meta = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(m) = &meta {
        if !m.is_file() {
            return Err(refuse(
                "not a regular file (a device, FIFO or folder); not replaced",
            ));
        }
        // A rename would replace a read-only file without asking (even for root);
        // editors ask. No write bit, or no permission to open it for writing (without
        // truncating), is read-only.
        let denied = match std::fs::OpenOptions::new().write(true).open(&target) {
            Ok(_) => false,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => true,
            Err(e) => return Err(e),
        };
        if denied || m.permissions().readonly() {
            return Err(refuse(
                "the file is read-only; not changed (make it writable to fix it)",
            ));
        }
        // A rename gives this path a new file and leaves the other hard links with the
        // old contents, silently.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if m.nlink() > 1 {
                return Err(refuse(format!(
                    "the file has {} hard links, which replacing it would split; not changed",
                    m.nlink()
                )));
            }
        }
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.len() + TEMP_PREFIX_EXTRA + TEMP_RANDOM > NAME_MAX {
        return Err(refuse(format!(
            "the file name is too long for a temporary name next to it ({} bytes, at most {}); not changed",
            name.len(),
            NAME_MAX - TEMP_PREFIX_EXTRA - TEMP_RANDOM
        )));
    }
    let prefix = format!(".{name}.neon-lint.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix("").rand_bytes(TEMP_RANDOM);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match &meta {
            // Created with the original's mode (umask permitting; set exactly below), never
            // more readable or writable than the original even for an instant.
            Some(m) => m.permissions().mode() & 0o0755,
            // A new file (an `--output` report): what `File::create` would give it.
            None => 0o644,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    if let Some(m) = &meta {
        keep_owner(tmp.as_file(), m)?;
        tmp.as_file().set_permissions(m.permissions())?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(expect) = expect {
        // As close to the rename as this can be: a write that came in since the re-read
        // would be lost otherwise.
        if !expect.still_at(&target)? {
            return Err(refuse("changed on disk while fixing; not fixed"));
        }
    }
    // On error the temporary file is removed when `tmp` drops.
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// The path whose contents to replace: the target of a symbolic link.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::canonicalize(path)
    } else {
        Ok(path.to_path_buf())
    }
}

/// Gives the temporary file the original's owner and group, or refuses when that is not
/// permitted (the rename would silently hand the file to the current user).
fn keep_owner(tmp: &File, original: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let now = tmp.metadata()?;
        if now.uid() == original.uid() && now.gid() == original.gid() {
            return Ok(());
        }
        let uid = (now.uid() != original.uid()).then_some(original.uid());
        let gid = (now.gid() != original.gid()).then_some(original.gid());
        if std::os::unix::fs::fchown(tmp, uid, gid).is_err() {
            return Err(refuse(
                "the file belongs to another user or group, and replacing it would change that; not changed",
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (tmp, original);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_after_the_read_is_not_lost() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.env");
        std::fs::write(&path, "A=1\n").expect("write");
        let snap = Snapshot::read(&path).expect("read");
        // Someone else writes after our read, before our rename.
        std::fs::write(&path, "A=1\nB=2\n").expect("write");
        let err = replace_checked(&path, b"A=fixed\n", &snap).expect_err("refused");
        assert!(
            err.to_string().contains("changed on disk while fixing"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "A=1\nB=2\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn names_too_long_for_a_temporary_name_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("{}.env", "x".repeat(240)));
        std::fs::write(&path, "A=1\n").expect("write");
        let err = write_atomic(&path, b"A=2\n").expect_err("refused");
        assert!(err.to_string().contains("too long"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "A=1\n");
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_are_not_split() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.env");
        std::fs::write(&path, "A=1\n").expect("write");
        std::fs::hard_link(&path, dir.path().join("other.env")).expect("link");
        let err = write_atomic(&path, b"A=2\n").expect_err("refused");
        assert!(err.to_string().contains("hard links"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("other.env")).expect("read"),
            "A=1\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_never_replaced() {
        let err = write_atomic(Path::new("/dev/null"), b"x").expect_err("refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(std::fs::metadata("/dev/null")
            .expect("meta")
            .file_type()
            .is_char_device_like());
    }

    #[cfg(unix)]
    trait CharDevice {
        fn is_char_device_like(&self) -> bool;
    }

    #[cfg(unix)]
    impl CharDevice for std::fs::FileType {
        fn is_char_device_like(&self) -> bool {
            use std::os::unix::fs::FileTypeExt;
            self.is_char_device()
        }
    }
}
