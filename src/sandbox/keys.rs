//! The sandbox's own API keys: where they come from (a file, a variable,
//! or generated and kept 0600), never the command line, and what the
//! start-up hint says about them.

use std::path::{Path, PathBuf};

use crate::files::{self, FileError};
use crate::secret::Secret;

/// The variables the sandbox reads its keys from.
pub const ADMIN_VAR: &str = "PZ_SANDBOX_API_KEY";
pub const VIEWER_VAR: &str = "PZ_SANDBOX_VIEWER_KEY";

/// A new random API key for a sandbox.
pub fn generate_key() -> Secret {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    Secret::new(format!(
        "pzsbx_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Where the admin key came from, for the start-up hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Variable(&'static str),
    /// A file the user named.
    File(PathBuf),
    /// pz's own key file; `tightened` when it was readable by others.
    Kept {
        path: PathBuf,
        tightened: bool,
    },
    /// pz's own key file, written now.
    Generated(PathBuf),
}

impl KeySource {
    /// One line on where the key is.
    pub fn describe(&self) -> String {
        match self {
            KeySource::Variable(v) => format!("API key from ${v}"),
            KeySource::File(p) => format!("API key from {}", p.display()),
            KeySource::Kept {
                path,
                tightened: false,
            } => format!("API key in {} (mode 0600)", path.display()),
            KeySource::Kept {
                path,
                tightened: true,
            } => format!(
                "API key in {} (it was readable by others: now mode 0600; consider the key seen)",
                path.display()
            ),
            KeySource::Generated(p) => format!("API key generated in {} (mode 0600)", p.display()),
        }
    }

    /// What to put after `CDK_API_KEY=` in the hint.
    pub fn shell_value(&self) -> String {
        match self {
            KeySource::Variable(v) => format!("${v}"),
            KeySource::File(p) | KeySource::Kept { path: p, .. } | KeySource::Generated(p) => {
                format!("$(cat {})", p.display())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the API key: {0}")]
    File(#[from] FileError),
    #[error("cannot read the API key from {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is empty")]
    Empty(String),
}

/// The admin key: `--api-key-file`, else the variable, else pz's key file
/// (made with a new key when missing or empty).
pub fn admin_key(
    file: Option<&Path>,
    kept: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Secret, KeySource), KeyError> {
    if let Some(path) = file {
        return Ok((read_named(path)?, KeySource::File(path.to_path_buf())));
    }
    if let Some(k) = env(ADMIN_VAR).filter(|k| !k.trim().is_empty()) {
        return Ok((Secret::new(k.trim()), KeySource::Variable(ADMIN_VAR)));
    }
    if let Some((text, tightened)) = files::read_private(kept)?
        && !text.trim().is_empty()
    {
        let source = KeySource::Kept {
            path: kept.to_path_buf(),
            tightened,
        };
        return Ok((Secret::new(text.trim()), source));
    }
    let key = generate_key();
    files::write_private(kept, format!("{}\n", key.expose()).as_bytes())?;
    Ok((key, KeySource::Generated(kept.to_path_buf())))
}

/// The viewer key: `--viewer-key-file`, else the variable, else none.
pub fn viewer_key(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, KeyError> {
    if let Some(path) = file {
        return read_named(path).map(Some);
    }
    Ok(env(VIEWER_VAR)
        .filter(|k| !k.trim().is_empty())
        .map(|k| Secret::new(k.trim())))
}

fn read_named(path: &Path) -> Result<Secret, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyError::Empty(path.display().to_string()));
    }
    Ok(Secret::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_hint_names_where_the_key_really_is() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("sandbox-api-key");
        let (k1, s1) = admin_key(None, &kept, &no_env).unwrap();
        assert_eq!(s1, KeySource::Generated(kept.clone()));
        let (k2, s2) = admin_key(None, &kept, &no_env).unwrap();
        assert_eq!(k1.expose(), k2.expose());
        assert!(matches!(
            s2,
            KeySource::Kept {
                tightened: false,
                ..
            }
        ));
        let env = |v: &str| (v == ADMIN_VAR).then(|| "from-env".to_string());
        let (k, s) = admin_key(None, &kept, &env).unwrap();
        assert_eq!(
            (k.expose(), s.shell_value()),
            ("from-env", "$PZ_SANDBOX_API_KEY".into())
        );
        let named = dir.path().join("mine");
        std::fs::write(&named, "from-file\n").unwrap();
        let (k, s) = admin_key(Some(&named), &kept, &env).unwrap();
        assert_eq!(k.expose(), "from-file");
        assert_eq!(s.shell_value(), format!("$(cat {})", named.display()));
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_key_others_could_read_is_tightened_and_said() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("sandbox-api-key");
        std::fs::write(&kept, "old\n").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, s) = admin_key(None, &kept, &no_env).unwrap();
        assert!(s.describe().contains("now mode 0600"), "{}", s.describe());
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
