//! Configuration: XDG paths, the config file with named contexts, and the
//! vendor's `CDK_*` variables, which override a context.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::api::{Auth, Connection};
use crate::secret::Secret;

/// Where pz keeps its files (XDG base directories).
#[derive(Clone, Debug)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    pub fn from_env() -> Paths {
        let home = dirs::home_dir().unwrap_or_else(|| PathBuf::from("."));
        let xdg = |var: &str, fallback: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(fallback))
                .join("pz")
        };
        Paths {
            config_file: xdg("XDG_CONFIG_HOME", ".config").join("config.yaml"),
            data_dir: xdg("XDG_DATA_HOME", ".local/share"),
            state_dir: xdg("XDG_STATE_HOME", ".local/state"),
        }
    }

    pub fn sandbox_state(&self) -> PathBuf {
        self.data_dir.join("sandbox-state.json")
    }

    pub fn sandbox_key(&self) -> PathBuf {
        self.data_dir.join("sandbox-api-key")
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("pz.log")
    }

    pub fn draft_file(&self) -> PathBuf {
        self.state_dir.join("draft.json")
    }

    /// A file of pz's own about a zone (`rotations/NAME.yaml`,
    /// `recipients/NAME.txt`): the name made safe as one file name.
    /// The recipients a zone's credentials were last encrypted to.
    pub fn recipients_file(&self, zone: &str) -> PathBuf {
        self.zone_file("recipients", zone, "txt")
    }

    pub fn zone_file(&self, dir: &str, zone: &str, ext: &str) -> PathBuf {
        let safe: String = zone
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
                _ => '_',
            })
            .collect();
        self.state_dir
            .join(dir)
            .join(format!("{}.{ext}", safe.trim_start_matches('.')))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clipboard: Option<String>,
    /// Seconds after which a copied secret is emptied from the system
    /// clipboard (0: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clipboard_clear_secs: Option<u64>,
    /// The console reads the mouse (wheel, clicks); `false` leaves it to
    /// the terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mouse: Option<bool>,
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
    /// The file this was read from (not a field of it).
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// A named Console to talk to.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    pub base_url: String,
    /// The key itself (the file should then be 0600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// The name of an environment variable holding the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// A shell command that prints the key (e.g. `pass show conduktor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_command: Option<String>,
    /// A Console user instead of a key (`CDK_USER`), with `password` (the
    /// file should then be 0600) or `passwordEnv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// `conduktor` (log in, the default) or `external` (`CDK_AUTH_MODE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<String>,
    #[serde(default)]
    pub insecure: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    /// Seconds before a request is abandoned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error(transparent)]
    Write(crate::files::FileError),
    #[error("no context named '{0}' in the config file")]
    UnknownContext(String),
    #[error("{0}")]
    Key(String),
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_yaml_ng::from_str(&text)
                .map(|f: ConfigFile| ConfigFile {
                    origin: Some(path.to_path_buf()),
                    ..f
                })
                .map_err(|e| ConfigError::Parse {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

/// A warning when the config file holds an API key and is readable by
/// others than its owner, or when others could change it (or its
/// directory).
pub fn key_file_warning(path: &Path, file: &ConfigFile) -> Option<String> {
    if let Some(why) = writable_by_others(path) {
        return Some(format!(
            "{why}: others could change which Console pz talks to (chmod go-w it)"
        ));
    }
    if !file
        .contexts
        .values()
        .any(|c| c.api_key.is_some() || c.password.is_some())
    {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds an API key or password and is readable by others: chmod 600 it",
                path.display()
            ));
        }
    }
    None
}

/// Why others than its owner (and root) could change the file at `path`:
/// it, or its directory, is writable by group or others, or owned by
/// another user. As ssh does for its config, such a file's commands are
/// not run.
pub fn writable_by_others(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: getuid has no failure mode.
        let me = unsafe { libc::getuid() };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        for (what, p) in [("the config file", Some(path)), ("its directory", dir)] {
            let Some(p) = p else { continue };
            let Ok(m) = std::fs::metadata(p) else {
                continue;
            };
            if m.mode() & 0o022 != 0 {
                return Some(format!(
                    "{what} {} is writable by others (mode {:o})",
                    p.display(),
                    m.mode() & 0o777
                ));
            }
            if m.uid() != me && m.uid() != 0 {
                return Some(format!(
                    "{what} {} belongs to another user (uid {})",
                    p.display(),
                    m.uid()
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// What pz talks to.
#[derive(Clone, Debug)]
pub enum Target {
    /// A real Console (or a standalone sandbox) at this address.
    Console {
        connection: Box<Connection>,
        context: Option<String>,
        read_only: bool,
    },
    /// Nothing configured: start the sandbox in-process.
    Sandbox,
}

/// Reads a variable, treating empty as unset.
fn var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

/// Decides the target from the config file, `--context` and the `CDK_*`
/// variables (which win over the context's values).
pub fn resolve_target(
    file: &ConfigFile,
    context_flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, ConfigError> {
    let context_name = context_flag
        .map(str::to_string)
        .or_else(|| file.current_context.clone());
    let context = match &context_name {
        Some(name) => Some(
            file.contexts
                .get(name)
                .ok_or_else(|| ConfigError::UnknownContext(name.clone()))?,
        ),
        None => None,
    };
    let base_url = var(env, "CDK_BASE_URL").or_else(|| context.map(|c| c.base_url.clone()));
    let Some(base_url) = base_url else {
        return Ok(Target::Sandbox);
    };
    let (auth, key_source) = resolve_auth(context, context_name.as_deref(), file, env)?;
    let mut connection = Connection::new(base_url, Secret::default());
    connection.auth = auth;
    connection.key_source = key_source;
    connection.insecure = var(env, "CDK_INSECURE")
        .map(|v| v.eq_ignore_ascii_case("true") || v == "1")
        .unwrap_or(context.is_some_and(|c| c.insecure));
    connection.ca_cert = var(env, "CDK_CACERT").or_else(|| context.and_then(|c| c.ca_cert.clone()));
    let cert = var(env, "CDK_CERT").or_else(|| context.and_then(|c| c.cert.clone()));
    let key = var(env, "CDK_KEY").or_else(|| context.and_then(|c| c.key.clone()));
    connection.client_cert = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => {
            return Err(ConfigError::Key(
                "a client certificate needs both CDK_CERT and CDK_KEY".into(),
            ));
        }
    };
    if let Some(secs) = context.and_then(|c| c.timeout_secs) {
        connection.timeout = Duration::from_secs(secs.max(1));
    }
    Ok(Target::Console {
        connection: Box::new(connection),
        context: context_name,
        read_only: context.is_some_and(|c| c.read_only),
    })
}

/// How to authenticate, with the vendor CLI's rules: `CDK_API_KEY`, or
/// `CDK_USER` with `CDK_PASSWORD` (never both), logged in, or sent as
/// Basic auth with `CDK_AUTH_MODE=external`; a context's `apiKey…` or
/// `user`/`password`/`authMode` when no variable says otherwise.
fn resolve_auth(
    context: Option<&Context>,
    context_name: Option<&str>,
    file: &ConfigFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Auth, String), ConfigError> {
    let key = var(env, "CDK_API_KEY");
    let user = var(env, "CDK_USER");
    let password = var(env, "CDK_PASSWORD");
    let mode = var(env, "CDK_AUTH_MODE").or_else(|| context.and_then(|c| c.auth_mode.clone()));
    let external = match mode.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("conduktor") => false,
        Some("external") => true,
        Some(_) => {
            return Err(ConfigError::Key(format!(
                "CDK_AUTH_MODE was {:?}: it must be \"conduktor\" or \"external\"",
                mode.unwrap_or_default()
            )));
        }
    };
    if user.is_some() != password.is_some() {
        return Err(ConfigError::Key(
            "CDK_USER and CDK_PASSWORD must be provided together".into(),
        ));
    }
    if key.is_some() && user.is_some() {
        return Err(ConfigError::Key(
            "can't set both CDK_USER and CDK_API_KEY: choose one".into(),
        ));
    }
    let login = |user: String, password: Secret, source: String| {
        if external {
            (Auth::Basic { user, password }, source)
        } else {
            (Auth::Login { user, password }, source)
        }
    };
    if let Some(k) = key {
        return Ok((Auth::Key(Secret::new(k)), "CDK_API_KEY".to_string()));
    }
    if let (Some(u), Some(p)) = (user, password) {
        return Ok(login(u, Secret::new(p), "CDK_USER/CDK_PASSWORD".into()));
    }
    let (Some(c), Some(name)) = (context, context_name) else {
        return Err(ConfigError::Key(
            "CDK_BASE_URL is set but neither CDK_API_KEY nor CDK_USER/CDK_PASSWORD is: set an admin API key".into(),
        ));
    };
    if let Some(u) = &c.user {
        if c.api_key.is_some() || c.api_key_env.is_some() || c.api_key_command.is_some() {
            return Err(ConfigError::Key(format!(
                "context {name} has both a user and an API key: keep one"
            )));
        }
        let password = match (&c.password, &c.password_env) {
            (Some(p), _) => p.clone(),
            (None, Some(var_name)) => Secret::new(var(env, var_name).ok_or_else(|| {
                ConfigError::Key(format!("the variable {var_name} (passwordEnv) is not set"))
            })?),
            (None, None) => {
                return Err(ConfigError::Key(format!(
                    "context {name} has a user but no password or passwordEnv"
                )));
            }
        };
        return Ok(login(
            u.clone(),
            password,
            format!("context {name}'s user and password"),
        ));
    }
    let (key, source) = context_key(c, name, file.origin.as_deref(), env)?;
    Ok((Auth::Key(key), source))
}

/// The context's key and where it came from.
fn context_key(
    c: &Context,
    context: &str,
    origin: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Secret, String), ConfigError> {
    if let Some(key) = &c.api_key {
        return Ok((key.clone(), format!("context {context}'s apiKey")));
    }
    if let Some(name) = &c.api_key_env {
        let source = format!("context {context}'s apiKeyEnv ({name})");
        return var(env, name)
            .map(|k| (Secret::new(k), source))
            .ok_or_else(|| {
                ConfigError::Key(format!("the variable {name} (apiKeyEnv) is not set"))
            });
    }
    if let Some(cmd) = &c.api_key_command {
        if let Some(why) = origin.and_then(writable_by_others) {
            return Err(ConfigError::Key(format!(
                "apiKeyCommand not run: {why}; anyone who can change it could run commands as you (chmod go-w it)"
            )));
        }
        let out = crate::process::scrub(&mut std::process::Command::new("sh"))
            .arg("-c")
            .arg(cmd)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| ConfigError::Key(format!("apiKeyCommand could not run: {e}")))?;
        if !out.status.success() {
            return Err(ConfigError::Key(format!(
                "apiKeyCommand failed with {}",
                out.status
            )));
        }
        let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if key.is_empty() {
            return Err(ConfigError::Key("apiKeyCommand printed nothing".into()));
        }
        return Ok((
            Secret::new(key),
            format!("context {context}'s apiKeyCommand"),
        ));
    }
    Err(ConfigError::Key(
        "the context has no apiKey, apiKeyEnv, apiKeyCommand or user (or set CDK_API_KEY)".into(),
    ))
}

/// Makes `name` the current context of the config file at `path`, changing
/// only the `currentContext:` line (comments and the rest stay as they
/// were), atomically: a temporary file with the same permissions, renamed
/// over the old one. Returns the file changed (a link's target, when the
/// config file is a link) and whether it was through a link.
pub fn set_current_context(path: &Path, name: &str) -> Result<crate::files::Written, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file: ConfigFile = serde_yaml_ng::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if !file.contexts.contains_key(name) {
        return Err(ConfigError::UnknownContext(name.to_string()));
    }
    let value = serde_yaml_ng::to_string(name)
        .map(|v| v.trim_end().to_string())
        .unwrap_or_else(|_| format!("{name:?}"));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    match lines.iter().position(|l| l.starts_with("currentContext:")) {
        Some(i) => {
            // Keep a comment at the end of the line.
            let comment = lines[i].find(" #").map(|c| {
                let start = lines[i][..=c].trim_end().len();
                lines[i][start..].to_string()
            });
            lines[i] = format!("currentContext: {value}{}", comment.unwrap_or_default());
        }
        None => {
            let at = lines
                .iter()
                .position(|l| !(l.starts_with('#') || l.trim().is_empty() || l == "---"))
                .unwrap_or(lines.len());
            lines.insert(at, format!("currentContext: {value}"));
        }
    }
    let mut new = lines.join("\n");
    if text.ends_with('\n') {
        new.push('\n');
    }
    let check: ConfigFile = serde_yaml_ng::from_str(&new).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        reason: format!("the changed file would not parse: {e}"),
    })?;
    if check.current_context.as_deref() != Some(name) {
        return Err(ConfigError::Parse {
            path: path.to_path_buf(),
            reason: "could not set currentContext without rewriting the file".into(),
        });
    }
    write_keeping_mode(path, new.as_bytes()).map_err(ConfigError::Write)
}

/// Replaces `path` with `bytes` by rename, keeping its permissions. A
/// config file that is a link (a dotfiles checkout) is written through:
/// the file it points to is replaced and the link kept; the answer says so.
fn write_keeping_mode(
    path: &Path,
    bytes: &[u8],
) -> Result<crate::files::Written, crate::files::FileError> {
    use crate::files::{How, Links, Mode, PRIVATE};
    let how = How {
        links: Links::WriteThrough,
        mode: Mode::KeepExisting,
        ..PRIVATE
    };
    crate::files::write(path, bytes, how)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file() -> ConfigFile {
        serde_yaml_ng::from_str(
            r#"
currentContext: prod
contexts:
  prod: {baseUrl: "https://console.prod", apiKeyEnv: PROD_KEY, readOnly: true}
  staging: {baseUrl: "https://console.staging", apiKeyCommand: "echo from-command"}
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_readable_file_with_a_key_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, "contexts:\n  a: {baseUrl: 'http://x', apiKey: k}\n").unwrap();
        let file = ConfigFile::load(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(key_file_warning(&path, &file).is_some());
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(key_file_warning(&path, &file).is_none());
        }
        assert!(key_file_warning(&path, &ConfigFile::default()).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_command_in_a_file_others_can_change_is_not_run() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("pz");
        std::fs::create_dir(&conf).unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = conf.join("config.yaml");
        let ran = dir.path().join("ran");
        std::fs::write(
            &path,
            format!(
                "currentContext: a\ncontexts:\n  a: {{baseUrl: 'http://x', apiKeyCommand: 'touch {} && echo k'}}\n",
                ran.display()
            ),
        )
        .unwrap();
        for (file_mode, dir_mode) in [(0o666, 0o700), (0o600, 0o777)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file_mode)).unwrap();
            std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(dir_mode)).unwrap();
            let file = ConfigFile::load(&path).unwrap();
            let err = resolve_target(&file, None, &env_of(&[])).unwrap_err();
            assert!(err.to_string().contains("apiKeyCommand not run"), "{err}");
            assert!(err.to_string().contains("writable by others"), "{err}");
            assert!(key_file_warning(&path, &file).is_some());
            assert!(!ran.exists());
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = ConfigFile::load(&path).unwrap();
        assert!(resolve_target(&file, None, &env_of(&[])).is_ok());
        assert!(ran.exists());
    }

    #[test]
    fn nothing_configured_means_sandbox() {
        let t = resolve_target(&ConfigFile::default(), None, &env_of(&[])).unwrap();
        assert!(matches!(t, Target::Sandbox));
    }

    #[test]
    fn cdk_variables_win_over_the_context() {
        let env = env_of(&[
            ("CDK_BASE_URL", "http://env:8080"),
            ("CDK_API_KEY", "k"),
            ("CDK_INSECURE", "true"),
            ("CDK_CACERT", "/ca.pem"),
            ("CDK_CERT", "/c.pem"),
            ("CDK_KEY", "/c.key"),
        ]);
        let Target::Console {
            connection,
            read_only,
            ..
        } = resolve_target(&file(), None, &env).unwrap()
        else {
            panic!("expected a console")
        };
        assert_eq!(connection.base_url, "http://env:8080");
        assert!(matches!(&connection.auth, Auth::Key(k) if k.expose() == "k"));
        assert!(connection.insecure);
        assert_eq!(connection.ca_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(
            connection.client_cert,
            Some(("/c.pem".to_string(), "/c.key".to_string()))
        );
        assert!(read_only);
        let half = env_of(&[
            ("CDK_BASE_URL", "http://x"),
            ("CDK_API_KEY", "k"),
            ("CDK_CERT", "/c.pem"),
        ]);
        let err = resolve_target(&ConfigFile::default(), None, &half).unwrap_err();
        assert!(err.to_string().contains("CDK_KEY"));
    }

    fn auth_of(
        file: &ConfigFile,
        ctx: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Result<Auth, String> {
        match resolve_target(file, ctx, &env_of(vars)) {
            Ok(Target::Console { connection, .. }) => Ok(connection.auth),
            Ok(Target::Sandbox) => Err("sandbox".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn cdk_user_and_password_as_the_vendor_cli_takes_them() {
        let none = ConfigFile::default();
        let base = ("CDK_BASE_URL", "http://c");
        let auth = auth_of(
            &none,
            None,
            &[base, ("CDK_USER", "ann"), ("CDK_PASSWORD", "pw")],
        )
        .unwrap();
        assert!(
            matches!(&auth, Auth::Login { user, password } if user == "ann" && password.expose() == "pw")
        );
        let auth = auth_of(
            &none,
            None,
            &[
                base,
                ("CDK_USER", "ann"),
                ("CDK_PASSWORD", "pw"),
                ("CDK_AUTH_MODE", "ExTerNaL"),
            ],
        )
        .unwrap();
        assert!(matches!(&auth, Auth::Basic { user, .. } if user == "ann"));
        let auth = auth_of(
            &none,
            None,
            &[base, ("CDK_API_KEY", "t"), ("CDK_AUTH_MODE", "external")],
        )
        .unwrap();
        assert!(matches!(&auth, Auth::Key(k) if k.expose() == "t"));
        let err = auth_of(
            &none,
            None,
            &[
                base,
                ("CDK_USER", "ann"),
                ("CDK_PASSWORD", "pw"),
                ("CDK_API_KEY", "k"),
            ],
        )
        .unwrap_err();
        assert!(err.contains("both CDK_USER and CDK_API_KEY"), "{err}");
        let err = auth_of(&none, None, &[base, ("CDK_USER", "ann")]).unwrap_err();
        assert!(err.contains("must be provided together"), "{err}");
        let err = auth_of(&none, None, &[base, ("CDK_PASSWORD", "pw")]).unwrap_err();
        assert!(err.contains("must be provided together"), "{err}");
        let err = auth_of(
            &none,
            None,
            &[base, ("CDK_API_KEY", "k"), ("CDK_AUTH_MODE", "ldap")],
        )
        .unwrap_err();
        assert!(err.contains("\"conduktor\" or \"external\""), "{err}");
    }

    #[test]
    fn a_context_may_hold_a_user_instead_of_a_key() {
        let text = "contexts:\n  a:\n    baseUrl: http://a\n    user: ann\n    passwordEnv: A_PW\n  b:\n    baseUrl: http://b\n    user: bob\n    password: pw\n    authMode: external\n  c:\n    baseUrl: http://c\n    user: cy\n    apiKey: k\n  d:\n    baseUrl: http://d\n    user: di\n";
        let file: ConfigFile = serde_yaml_ng::from_str(text).unwrap();
        let auth = auth_of(&file, Some("a"), &[("A_PW", "secret")]).unwrap();
        assert!(
            matches!(&auth, Auth::Login { user, password } if user == "ann" && password.expose() == "secret")
        );
        assert!(auth_of(&file, Some("a"), &[]).unwrap_err().contains("A_PW"));
        assert!(matches!(
            auth_of(&file, Some("b"), &[]).unwrap(),
            Auth::Basic { .. }
        ));
        assert!(
            auth_of(&file, Some("c"), &[])
                .unwrap_err()
                .contains("both a user and an API key")
        );
        assert!(
            auth_of(&file, Some("d"), &[])
                .unwrap_err()
                .contains("no password")
        );
        // CDK_API_KEY still wins over the context's user.
        assert!(matches!(
            auth_of(&file, Some("b"), &[("CDK_API_KEY", "k")]).unwrap(),
            Auth::Key(_)
        ));
    }

    #[test]
    fn context_flag_and_key_sources() {
        let Target::Console { connection, .. } =
            resolve_target(&file(), Some("staging"), &env_of(&[])).unwrap()
        else {
            panic!("expected a console")
        };
        assert!(matches!(&connection.auth, Auth::Key(k) if k.expose() == "from-command"));
        let err = resolve_target(&file(), None, &env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("PROD_KEY"));
        let err = resolve_target(&file(), Some("nope"), &env_of(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::UnknownContext(_)));
    }

    #[test]
    fn use_context_changes_one_line_and_keeps_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        let text = "# my Consoles\ncurrentContext: staging  # the safe one\ntheme: light\ncontexts:\n  # production, careful\n  prod:\n    baseUrl: https://p\n    apiKeyEnv: P\n  staging:\n    baseUrl: https://s\n    apiKeyEnv: S\n";
        std::fs::write(&path, text).unwrap();
        set_current_context(&path, "prod").unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            text.replace("currentContext: staging", "currentContext: prod")
        );
        assert!(matches!(
            set_current_context(&path, "nope"),
            Err(ConfigError::UnknownContext(_))
        ));
        // No currentContext line yet: one is added after the leading comments.
        std::fs::write(
            &path,
            "# top\ncontexts:\n  a: {baseUrl: https://a, apiKeyEnv: A}\n",
        )
        .unwrap();
        set_current_context(&path, "a").unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(
            after.starts_with("# top\ncurrentContext: a\ncontexts:"),
            "{after}"
        );
    }
}
