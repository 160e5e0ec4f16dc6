//! Logs go to a file under the XDG state dir (mode 0600), never to the
//! screen. `PZ_LOG` sets the filter (default `info`).

use std::path::Path;
use std::sync::Mutex;

/// Starts logging to `path`. Returns false (and logs nowhere) if the file
/// cannot be opened: a missing log never stops pz.
pub fn init(path: &Path) -> bool {
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_err()
    {
        return false;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let Ok(file) = options.open(path) else {
        return false;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PZ_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .is_ok()
}
