//! What pz talks to once the configuration is resolved: a client for a real
//! Console, or for the sandbox started in-process.

use crate::api::{Client, Connection};
use crate::config::{Paths, Target};
use crate::sandbox::{self, RunningSandbox, SandboxOptions};

pub struct Backend {
    pub client: Client,
    /// Set when pz started the sandbox itself; it stops with pz.
    pub sandbox: Option<RunningSandbox>,
    pub context: Option<String>,
    pub read_only: bool,
}

impl Backend {
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// A short label of where pz is connected, for the header and `pz info`.
    pub fn label(&self) -> String {
        match (&self.sandbox, &self.context) {
            (Some(_), _) => format!("sandbox {}", self.client.base_url()),
            (None, Some(ctx)) => format!("{ctx} {}", self.client.base_url()),
            (None, None) => self.client.base_url().to_string(),
        }
    }
}

/// Connects to the target; for [`Target::Sandbox`], starts the sandbox on a
/// free loopback port with its state in the XDG data dir.
pub async fn connect(target: Target, paths: &Paths) -> anyhow::Result<Backend> {
    match target {
        Target::Console {
            connection,
            context,
            read_only,
        } => Ok(Backend {
            client: Client::new(&connection)?,
            sandbox: None,
            context,
            read_only,
        }),
        Target::Sandbox => {
            let key = sandbox::generate_key();
            let mut options = SandboxOptions::new(key.clone());
            options.state = Some(paths.sandbox_state());
            let running = sandbox::start(options).await?;
            let client = Client::new(&Connection::new(running.base_url(), key))?;
            Ok(Backend {
                client,
                sandbox: Some(running),
                context: None,
                read_only: false,
            })
        }
    }
}
