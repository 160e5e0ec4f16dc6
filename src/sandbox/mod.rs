//! The sandbox: a local server that implements the Partner Zone API with the
//! Console's paths, JSON, errors and auth, for demos, tests and training.

pub mod access;
pub mod gateway;
pub mod kafka_session;
pub mod rules;
pub mod seed;
pub mod server;
pub mod store;
pub mod token;
pub mod world;

use std::path::Path;

pub use server::{RunningSandbox, SandboxError, SandboxOptions, start};
pub use world::World;

use crate::secret::Secret;

/// A new random API key for a sandbox.
pub fn generate_key() -> Secret {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    Secret::new(format!(
        "pzsbx_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The key stored at `path`, or a new one written there with mode 0600.
pub fn load_or_create_key(path: &Path) -> std::io::Result<Secret> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => Ok(Secret::new(text.trim())),
        Ok(_) => write_key(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_key(path),
        Err(e) => Err(e),
    }
}

fn write_key(path: &Path) -> std::io::Result<Secret> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = generate_key();
    let mut file = store::create_private(path)?;
    file.write_all(key.expose().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(key)
}
