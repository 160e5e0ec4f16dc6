//! What pz talks to once the configuration is resolved: a client for a real
//! Console, or for the sandbox started in-process.

use crate::api::ConnectionInfo;
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
        label(
            self.client.base_url(),
            self.context.as_deref(),
            self.is_sandbox(),
        )
    }

    /// What the console shows of this connection; `read_only` is the
    /// command line's choice.
    pub fn info(&self, read_only: bool) -> ConnectionInfo {
        info(
            &self.client,
            self.context.clone(),
            self.is_sandbox(),
            read_only || self.read_only,
        )
    }
}

/// The header's name for a connection: `sandbox URL`, `CONTEXT URL` or `URL`.
pub fn label(base_url: &str, context: Option<&str>, sandbox: bool) -> String {
    match (sandbox, context) {
        (true, _) => format!("sandbox {base_url}"),
        (false, Some(ctx)) => format!("{ctx} {base_url}"),
        (false, None) => base_url.to_string(),
    }
}

/// What the console shows of a connection.
pub fn info(
    client: &Client,
    context: Option<String>,
    sandbox: bool,
    read_only: bool,
) -> ConnectionInfo {
    ConnectionInfo {
        label: label(client.base_url(), context.as_deref(), sandbox),
        sandbox,
        read_only,
        risks: client.risks().to_vec(),
        base_url: client.base_url().to_string(),
        key_source: client.key_source().to_string(),
        context,
        generation: None,
        sandbox_endpoints: sandbox,
    }
}

/// Reads the configuration again and connects to `context` (or the
/// current one): how `r` picks up a fixed key and `:ctx` switches Consoles.
/// Blocking: an `apiKeyCommand` may run.
pub fn reconnect(
    paths: &Paths,
    context: Option<&str>,
    read_only: bool,
) -> Result<(Client, ConnectionInfo), String> {
    let file = crate::config::ConfigFile::load(&paths.config_file).map_err(|e| e.to_string())?;
    let target = crate::config::resolve_target(&file, context, &|k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?;
    match target {
        Target::Console {
            connection,
            context,
            read_only: ctx_read_only,
        } => {
            let client = Client::new(&connection).map_err(|e| e.to_string())?;
            let info = info(&client, context, false, read_only || ctx_read_only);
            Ok((client, info))
        }
        Target::Sandbox => Err(
            "no Console is configured (CDK_BASE_URL or a context): pz stays on the sandbox".into(),
        ),
    }
}

/// One context's zones, read as its own entry says (the `CDK_*`
/// variables, which would point every context at one Console, are ignored
/// here), each call bounded by `timeout` when given: for `pz get
/// --all-contexts`, `:ctx`'s health and `:all`.
pub async fn zones_of_context(
    file: &crate::config::ConfigFile,
    name: &str,
    timeout: Option<std::time::Duration>,
) -> Result<Vec<crate::api::PartnerZone>, String> {
    let env = |k: &str| {
        if k.starts_with("CDK_") {
            None
        } else {
            std::env::var(k).ok()
        }
    };
    let target =
        crate::config::resolve_target(file, Some(name), &env).map_err(|e| e.to_string())?;
    let Target::Console { mut connection, .. } = target else {
        return Err("no Console URL".into());
    };
    if let Some(t) = timeout {
        connection.timeout = t;
    }
    let client = Client::new(&connection).map_err(|e| e.to_string())?;
    client
        .list_zones()
        .await
        .map_err(|e| client.diagnose(&e, true).line())
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
