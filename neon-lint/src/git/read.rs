//! Git's data files of the scanned repository, read through the one bounded reader
//! ([`crate::fsread`]): regular files of bounded size only, a missing file being no error.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::fsread::{self, ReadError};

fn missing(e: &ReadError) -> bool {
    matches!(e, ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound)
}

/// `path` opened for reading when it is a regular file of at most `limit` bytes, with its
/// length; `Ok(None)` when it does not exist; otherwise why not, for a note.
pub(crate) fn open_regular(path: &Path, limit: u64) -> Result<Option<(File, u64)>, String> {
    match fsread::open(path, limit) {
        Ok(opened) => Ok(Some(opened)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
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
