//! Persistence of the sandbox state, through `crate::files` (a temporary
//! file beside the target, fsync, rename, fsync of the directory): a crash
//! at any moment leaves either the old file or the new one, never a mix.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Write(#[from] crate::files::FileError),
    #[error(
        "the sandbox state {path} is not valid ({reason}); move it away to start from a fresh seed"
    )]
    Corrupt { path: PathBuf, reason: String },
}

/// Replaces `path` with `bytes`, atomically and durably, mode 0600, never
/// through a link (`crate::files`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    crate::files::write_private(path, bytes)?;
    Ok(())
}

/// Reads the state file; `None` when there is none yet. A leftover temporary
/// file from a crash is ignored (it was never acknowledged).
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(crate::files::read(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(read(&path).unwrap().unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_half_written_temp_file_is_never_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"{\"good\":true}").unwrap();
        // A crash in the middle of the next write leaves a torn temp file.
        fs::write(
            dir.path().join(".state.json.0123456789abcdef.tmp"),
            b"{\"go",
        )
        .unwrap();
        assert_eq!(read(&path).unwrap().unwrap(), b"{\"good\":true}");
    }

    #[test]
    fn missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nope.json")).unwrap().is_none());
    }
}
