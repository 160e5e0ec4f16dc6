//! The one way pz writes a file: state, drafts, the config file, saved
//! partner properties, the sandbox's key and the log all come here.
//!
//! A write goes to a new temporary file with a random name in the target's
//! directory, created with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600 (so a
//! link planted at a predictable `X.tmp` is never followed), is optionally
//! fsynced, then renamed over the target (or linked to it, when the target
//! must not exist yet), and the directory is fsynced. A target that is a
//! symbolic link is refused, unless the caller asks to write through it (the
//! config file in a dotfiles checkout), in which case the link's target is
//! replaced the same way and the caller says so.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a write does with a symbolic link at the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Refuse to write (the default: a planted link must not redirect a secret).
    Refuse,
    /// Replace the file the link points to, keeping the link.
    WriteThrough,
}

/// Whether an existing file may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Replace,
    /// Fail with [`FileError::Exists`] if anything is at the target, a
    /// dangling link included.
    Keep,
}

/// The mode of the written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 0600.
    Private,
    /// The replaced file's own mode (0600 for a new one).
    KeepExisting,
}

/// How to write.
#[derive(Clone, Copy, Debug)]
pub struct How {
    pub links: Links,
    pub existing: Existing,
    pub mode: Mode,
    /// fsync the file and its directory (state: yes; a draft: no).
    pub durable: bool,
}

/// State and keys: durable, 0600, replaced, no links.
pub const PRIVATE: How = How {
    links: Links::Refuse,
    existing: Existing::Replace,
    mode: Mode::Private,
    durable: true,
};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(
        "{path} is a symbolic link{}: pz does not write through links it did not make; remove it or choose another file",
        .target.as_ref().map(|t| format!(" to {}", t.display())).unwrap_or_default()
    )]
    Symlink {
        path: PathBuf,
        target: Option<PathBuf>,
    },
    #[error("{path} exists")]
    Exists { path: PathBuf },
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl FileError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
        move |source| FileError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What a write did, for the caller to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file actually replaced: the link's target when written through.
    pub file: PathBuf,
    /// True when `file` is the target of a link at the path asked for.
    pub through_link: bool,
}

/// Writes `bytes` to `path` as [`PRIVATE`] says.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<Written, FileError> {
    write(path, bytes, PRIVATE)
}

/// Writes `bytes` to `path`.
pub fn write(path: &Path, bytes: &[u8], how: How) -> Result<Written, FileError> {
    let (file, through_link) = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match how.links {
            Links::Refuse => {
                return Err(FileError::Symlink {
                    path: path.to_path_buf(),
                    target: fs::read_link(path).ok(),
                });
            }
            Links::WriteThrough => {
                let target = fs::canonicalize(path).map_err(|_| FileError::Symlink {
                    path: path.to_path_buf(),
                    target: fs::read_link(path).ok(),
                })?;
                (target, true)
            }
        },
        Ok(m) if !m.is_file() => {
            return Err(FileError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        _ => (path.to_path_buf(), false),
    };
    let old = match fs::symlink_metadata(&file) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(FileError::Symlink {
                path: file.clone(),
                target: fs::read_link(&file).ok(),
            });
        }
        Ok(m) => Some(m),
        Err(_) => None,
    };
    if how.existing == Existing::Keep && old.is_some() {
        return Err(FileError::Exists { path: file });
    }
    let mode = match (how.mode, &old) {
        #[cfg(unix)]
        (Mode::KeepExisting, Some(m)) => {
            use std::os::unix::fs::PermissionsExt;
            m.permissions().mode() & 0o7777
        }
        _ => 0o600,
    };
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    create_private_dir(&dir).map_err(FileError::io(&file))?;
    let (tmp, mut handle) = create_temp(&dir, &file).map_err(FileError::io(&file))?;
    let result = (|| {
        handle.write_all(bytes)?;
        set_mode(&handle, mode)?;
        if how.durable {
            handle.sync_all()?;
        }
        drop(handle);
        match how.existing {
            Existing::Replace => fs::rename(&tmp, &file),
            // A link fails if anything is there, atomically.
            Existing::Keep => fs::hard_link(&tmp, &file).and_then(|()| fs::remove_file(&tmp)),
        }
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(FileError::Exists { path: file });
        }
        return Err(FileError::Io {
            path: file,
            source: e,
        });
    }
    if how.durable {
        // Make the rename itself durable.
        let _ = File::open(&dir).and_then(|d| d.sync_all());
    }
    Ok(Written { file, through_link })
}

/// Creates `dir` (and its parents) with mode 0700 for what pz makes.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Opens `path` for appending (the log): never through a link, created
/// 0600, and an existing file others could read is tightened to 0600.
/// Returns the file and whether its mode was tightened.
pub fn open_append_private(path: &Path) -> std::io::Result<(File, bool)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    no_follow(&mut options);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let tightened = tighten(&file)?;
    Ok((file, tightened))
}

/// Opens a file pz wrote for reading, never through a link; `Ok(None)`
/// when there is none.
fn open_no_follow(path: &Path) -> Result<Option<File>, FileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    no_follow(&mut options);
    match options.open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) if is_symlink(path) => Err(FileError::Symlink {
            path: path.to_path_buf(),
            target: fs::read_link(path).ok(),
        }),
        Err(e) => Err(FileError::io(path)(e)),
    }
}

/// Reads a file pz wrote (its state), refusing a link: `Ok(None)` when
/// there is none.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, FileError> {
    let Some(mut file) = open_no_follow(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(FileError::io(path))?;
    Ok(Some(bytes))
}

/// Reads a private file pz wrote (a key): refused if it is a link, and its
/// mode tightened to 0600 if others could read it. Returns the text and
/// whether the mode was tightened; `Ok(None)` when there is no file.
pub fn read_private(path: &Path) -> Result<Option<(String, bool)>, FileError> {
    let Some(mut file) = open_no_follow(path)? else {
        return Ok(None);
    };
    let tightened = tighten(&file).map_err(FileError::io(path))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).map_err(FileError::io(path))?;
    Ok(Some((text, tightened)))
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Sets 0600 on an open file if group or others have any access.
fn tighten(file: &File) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
            return Ok(true);
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(false)
}

fn set_mode(file: &File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (file, mode);
    Ok(())
}

/// A new file `.NAME.RANDOM.tmp` beside `target`, made with O_EXCL and
/// O_NOFOLLOW: nothing planted can be at its name.
fn create_temp(dir: &Path, target: &Path) -> std::io::Result<(PathBuf, File)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pz".into());
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        no_follow(&mut options);
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name")))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_private_and_replaces_leaving_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_link_at_the_target_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
        let path = dir.path().join("state.json");
        symlink(&victim, &path).unwrap();
        let e = write_private(&path, b"secret").unwrap_err();
        assert!(matches!(e, FileError::Symlink { .. }), "{e}");
        assert!(e.to_string().contains("symbolic link to"), "{e}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(mode(&victim), 0o644);
        // Dangling: refused too, and nothing is created where it points.
        let nowhere = dir.path().join("nowhere");
        let dangling = dir.path().join("config.properties");
        symlink(&nowhere, &dangling).unwrap();
        assert!(matches!(
            write_private(&dangling, b"secret"),
            Err(FileError::Symlink { .. })
        ));
        assert!(!nowhere.exists());
    }

    #[test]
    fn a_link_at_the_old_fixed_temp_name_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("draft.json");
        symlink(&victim, dir.path().join("draft.json.tmp")).unwrap();
        write_private(&path, b"mine").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read(&path).unwrap(), b"mine");
    }

    #[test]
    fn keep_refuses_anything_there_even_a_dangling_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.properties");
        let how = How {
            existing: Existing::Keep,
            ..PRIVATE
        };
        write(&path, b"one", how).unwrap();
        assert!(matches!(
            write(&path, b"two", how),
            Err(FileError::Exists { .. })
        ));
        assert_eq!(fs::read(&path).unwrap(), b"one");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn write_through_replaces_the_links_target_keeping_link_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-config.yaml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config.yaml");
        symlink(&real, &link).unwrap();
        let how = How {
            links: Links::WriteThrough,
            mode: Mode::KeepExisting,
            ..PRIVATE
        };
        let w = write(&link, b"new", how).unwrap();
        assert!(w.through_link);
        assert_eq!(w.file, fs::canonicalize(&real).unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(mode(&real), 0o640);
    }

    #[test]
    fn append_and_read_tighten_wide_modes_and_refuse_links() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("pz.log");
        fs::write(&log, "x").unwrap();
        fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
        let (_, tightened) = open_append_private(&log).unwrap();
        assert!(tightened);
        assert_eq!(mode(&log), 0o600);
        let key = dir.path().join("sandbox-api-key");
        fs::write(&key, "k\n").unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let (text, tightened) = read_private(&key).unwrap().unwrap();
        assert_eq!((text.as_str(), tightened), ("k\n", true));
        assert_eq!(mode(&key), 0o600);
        let victim = dir.path().join("victim");
        fs::write(&victim, "v").unwrap();
        let link = dir.path().join("pz2.log");
        symlink(&victim, &link).unwrap();
        assert!(open_append_private(&link).is_err());
        assert!(matches!(
            read_private(&link),
            Err(FileError::Symlink { .. })
        ));
        assert!(read_private(&dir.path().join("none")).unwrap().is_none());
    }
}
