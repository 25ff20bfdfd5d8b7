//! Opening files of the scanned repository that are only ever data: regular files of
//! bounded size. A FIFO named `index` must not block the run, a link to `/dev/zero` must
//! not eat memory, and a device must not even be opened (opening some has side effects).

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// `path` opened for reading when it is a regular file of at most `limit` bytes, with its
/// length; `Ok(None)` when it does not exist; otherwise why not, for a note.
pub(crate) fn open_regular(path: &Path, limit: u64) -> Result<Option<(File, u64)>, String> {
    // Look before opening (following links, as git does), so that a FIFO or a device is
    // never opened; then look again at what was opened, in case it was swapped meanwhile.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err("not a regular file".into()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read: {e}")),
    }
    let file = open_no_block(path).map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > limit {
        return Err(format!(
            "{} MB is over the {} MB limit",
            meta.len() / (1024 * 1024),
            limit / (1024 * 1024)
        ));
    }
    Ok(Some((file, meta.len())))
}

/// The bytes of `path` when it is a regular file of at most `limit` bytes (see
/// [`open_regular`]).
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, String> {
    let Some((file, len)) = open_regular(path, limit)? else {
        return Ok(None);
    };
    let mut buf = Vec::with_capacity(len as usize);
    // At most the length seen: a file that grows while read is read as it was.
    file.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(Some(buf))
}

#[cfg(unix)]
fn open_no_block(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a FIFO swapped in after the first look opens at once instead of waiting
    // for a writer (and is then refused); reads of regular files ignore the flag.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_block(path: &Path) -> std::io::Result<File> {
    File::open(path)
}
