//! The one way neon-lint reads a file from disk: regular files only, never more than a
//! limit.
//!
//! Configuration, baselines, ignore files and the walked files all come from a tree that
//! may be hostile: a FIFO named `Cargo.toml` would block `read_to_string` forever, a
//! symlink to `/dev/zero` or a 2 GB file would take gigabytes. So the file is opened
//! without blocking (a FIFO swapped in after a `stat` cannot hang the open), the *opened*
//! handle is checked (no race between the check and the read), and the read stops one byte
//! past the limit (a file that grows after the check is still refused).

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The size limit for files neon-lint reads: connection settings live in small files, and
/// a 50 MB data dump is not one.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file (after following symlinks): what it is instead.
    NotRegular(&'static str),
    /// Larger than the limit (the size seen, when the file said; the limit).
    TooBig { size: Option<u64>, limit: u64 },
    /// The operating system refused.
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole megabytes when exact, else one decimal: "1.3 MB is over the 1 MB limit".
        let mb = |n: u64| {
            const MB: u64 = 1024 * 1024;
            if n % MB == 0 {
                format!("{}", n / MB)
            } else {
                format!("{:.1}", n as f64 / MB as f64)
            }
        };
        match self {
            ReadError::NotRegular(what) => write!(f, "not a regular file ({what})"),
            ReadError::TooBig {
                size: Some(size),
                limit,
            } => write!(
                f,
                "{} MB is over the {} MB size limit",
                mb(*size),
                mb(*limit)
            ),
            ReadError::TooBig { size: None, limit } => {
                write!(f, "over the {} MB size limit", mb(*limit))
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// Reads `path` (a regular file, symlinks followed) into `buf`, which is cleared first.
pub fn read_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    let file = open_regular(path, limit)?;
    file.take(limit + 1).read_to_end(buf)?;
    if buf.len() as u64 > limit {
        buf.clear();
        return Err(ReadError::TooBig { size: None, limit });
    }
    Ok(())
}

/// Reads a file the walker met as a regular file into `buf` (cleared first), and returns
/// its identity (device, inode) from the opened handle.
///
/// The walk's hot path: one `open`, one `fstat`, reads sized from the `fstat`. The walker's
/// directory entry already said "regular file", so there is no `stat` before the `open`;
/// if the entry was swapped for a FIFO or a device meanwhile, the non-blocking open does not
/// wait and the `fstat` of the handle refuses it.
#[cfg(unix)]
pub fn read_walked(
    path: &Path,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<Option<(u64, u64)>, ReadError> {
    use std::os::unix::fs::MetadataExt;
    buf.clear();
    let mut file = open_nonblocking(path)?;
    let meta = check_opened(&file, limit)?;
    // One byte more than `fstat` said, so that a file that grew is noticed with no extra
    // allocation; `take` keeps a growing file within the limit.
    buf.reserve(meta.len() as usize + 1);
    (&mut file).take(limit + 1).read_to_end(buf)?;
    if buf.len() as u64 > limit {
        buf.clear();
        return Err(ReadError::TooBig { size: None, limit });
    }
    Ok(Some((meta.dev(), meta.ino())))
}

/// Elsewhere: [`read_into`]; the caller finds the identity by path.
#[cfg(not(unix))]
pub fn read_walked(
    path: &Path,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<Option<(u64, u64)>, ReadError> {
    read_into(path, limit, buf).map(|()| None)
}

/// Reads `path` (a regular file, symlinks followed) whole.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_into(path, limit, &mut buf)?;
    Ok(buf)
}

/// Reads `path` as UTF-8 text (what TOML and JSON require).
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit)?).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Opens `path` (a regular file of at most `limit` bytes, symlinks followed) for reading in
/// pieces, with its length (git's index is read as a stream).
pub fn open(path: &Path, limit: u64) -> Result<(File, u64), ReadError> {
    let file = open_regular(path, limit)?;
    let len = file.metadata()?.len();
    Ok((file, len))
}

/// What an opened handle is: a regular file within `limit` bytes, or the reason it is not
/// read.
fn check_opened(file: &File, limit: u64) -> Result<std::fs::Metadata, ReadError> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooBig {
            size: Some(meta.len()),
            limit,
        });
    }
    Ok(meta)
}

/// Opens `path` for reading without blocking, and checks what the opened handle is.
fn open_regular(path: &Path, limit: u64) -> Result<File, ReadError> {
    // Look before opening, so that a device is never opened (opening some has side
    // effects); then look again at what was opened, in case it was swapped meanwhile.
    let seen = std::fs::metadata(path)?;
    if !seen.is_file() {
        return Err(ReadError::NotRegular(kind_name(&seen.file_type())));
    }
    let file = open_nonblocking(path)?;
    check_opened(&file, limit)?;
    Ok(file)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    // Reads from a regular file ignore the flag.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// A name for a file type that is not a regular file, for messages.
pub fn kind_name(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symlink"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_and_big_files_reads_small_ones() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("a.toml");
        std::fs::write(&small, "x = 1\n").unwrap();
        assert_eq!(read(&small, 100).unwrap(), b"x = 1\n");
        assert!(matches!(
            read(&small, 3),
            Err(ReadError::TooBig { size: Some(6), .. })
        ));
        #[cfg(unix)]
        {
            let zero = dir.path().join("zero.toml");
            std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
            let e = read(&zero, 100).unwrap_err();
            assert!(e.to_string().contains("character device"), "{e}");
        }
        assert!(matches!(
            read(dir.path(), 100),
            Err(ReadError::NotRegular("a directory"))
        ));
    }
}
