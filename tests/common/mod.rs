//! Helpers shared by the integration tests: a sandbox on 127.0.0.1 and a
//! client for it.
#![allow(dead_code)]

pub mod harness;
pub mod pty;

use std::path::PathBuf;
use std::time::Duration;

use pz::api::{Client, Connection, PartnerZone};
use pz::sandbox::{self, RunningSandbox, SandboxOptions};
use pz::secret::Secret;

pub const KEY: &str = "test-admin-key";
pub const VIEWER: &str = "test-viewer-key";

pub fn options() -> SandboxOptions {
    let mut o = SandboxOptions::new(Secret::new(KEY));
    o.viewer_key = Some(Secret::new(VIEWER));
    o.deploy_delay = Duration::from_millis(200);
    o
}

pub async fn start(o: SandboxOptions) -> (RunningSandbox, Client) {
    let running = sandbox::start(o).await.expect("sandbox starts");
    let client = client_for(&running.base_url(), KEY);
    (running, client)
}

pub fn client_for(base: &str, key: &str) -> Client {
    let mut c = Connection::new(base, Secret::new(key));
    c.timeout = Duration::from_secs(5);
    Client::new(&c).expect("client")
}

pub fn zone(name: &str, cluster: &str) -> PartnerZone {
    serde_yaml_ng::from_str(&format!(
        r#"
apiVersion: v2
kind: PartnerZone
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  displayName: Zone {name}
  url: https://{name}.example
  serviceAccount: sa-{name}
  topics:
    - {{name: alias-a, backingTopic: orders.v1, permission: WRITE}}
    - {{name: alias-b, backingTopic: payments.v1, permission: READ}}
  partner: {{name: John Doe, role: Data analyst, email: johndoe@company.io, phone: 07827 837 177}}
"#
    ))
    .expect("test zone")
}

pub fn temp_state() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    (dir, path)
}

/// Polls until `f` is true or the time runs out.
pub async fn eventually(mut f: impl AsyncFnMut() -> bool, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A `pz sandbox` process, killed when dropped (also when a test fails).
pub struct SandboxProcess(pub std::process::Child);

impl SandboxProcess {
    pub fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }

    pub fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `pz sandbox` on a port it binds itself (port 0), as its own process:
/// the process and the port it reports. Nothing can take the port between
/// choosing and binding it.
pub fn spawn_sandbox_free(state: &std::path::Path, flags: &[&str]) -> (SandboxProcess, u16) {
    let mut p = spawn_sandbox_piped(0, state, flags);
    let port = await_listening(&mut p.0);
    (p, port)
}

/// Reads a `pz sandbox`'s stderr (piped) until it says where it listens;
/// the rest of its stderr is drained in the background.
pub fn await_listening(child: &mut std::process::Child) -> u16 {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("stderr piped");
    let mut lines = std::io::BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.expect("the sandbox's stderr");
        if let Some(at) = line.find("listening on http://127.0.0.1:") {
            let rest = &line[at + "listening on http://127.0.0.1:".len()..];
            let port: u16 = rest
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a port");
            std::thread::spawn(move || for _ in lines {});
            return port;
        }
    }
    panic!("the sandbox ended before it listened");
}

/// `pz sandbox` as its own process on `port` (again, after a restart).
pub fn spawn_sandbox(port: u16, state: &std::path::Path, flags: &[&str]) -> SandboxProcess {
    let mut p = spawn_sandbox_piped(port, state, flags);
    let stderr = p.0.stderr.take();
    std::thread::spawn(move || {
        if let Some(mut e) = stderr {
            let _ = std::io::copy(&mut e, &mut std::io::sink());
        }
    });
    p
}

fn spawn_sandbox_piped(port: u16, state: &std::path::Path, flags: &[&str]) -> SandboxProcess {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
        // The key from the environment: never on the command line.
        .env("PZ_SANDBOX_API_KEY", KEY)
        .args(flags)
        // Tests run side by side: Kafka listeners on free ports unless a
        // test names its own.
        .args(if flags.contains(&"--kafka-listen") {
            &[][..]
        } else {
            &["--kafka-listen", "127.0.0.1:0"][..]
        })
        .arg("--state")
        .arg(state)
        .env("XDG_STATE_HOME", state.parent().expect("a state dir"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pz sandbox starts");
    SandboxProcess(child)
}

/// `pz sandbox` on free ports (HTTP and Kafka), to be given the rest.
pub fn sandbox_command() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pz"));
    c.args([
        "sandbox",
        "--listen",
        "127.0.0.1:0",
        "--kafka-listen",
        "127.0.0.1:0",
    ]);
    c
}

/// `pz sandbox` with `flags`, to its end (for flags it refuses).
pub fn spawn_sandbox_output(state: &std::path::Path, flags: &[&str]) -> std::process::Output {
    sandbox_command()
        .env("PZ_SANDBOX_API_KEY", KEY)
        .args(flags)
        .arg("--state")
        .arg(state)
        .output()
        .expect("pz sandbox runs")
}

/// A port nothing listens on (just released): only for "connection
/// refused"; a server a test runs binds port 0 itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A runtime for tests that also drive blocking things (a pty, processes).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The console's screen as text, rendered to ratatui's TestBackend at the
/// app's size.
pub fn draw(a: &pz::app::App) -> String {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(a.size.0, a.size.1)).unwrap();
    t.draw(|f| pz::ui::render(f, a)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The console on an empty 80x24 screen, as connected to `base` with a key
/// from `CDK_API_KEY` (what the diagnoses name).
pub fn console_at(base: &str) -> pz::app::App {
    let mut a = pz::demo::app(pz::theme::Theme::default(), (80, 24));
    a.connection.sandbox = false;
    a.connection.label = base.to_string();
    a.connection.base_url = base.to_string();
    a.connection.key_source = "CDK_API_KEY".into();
    a
}

/// Serves `app` on a free loopback port; returns its base URL.
pub fn serve_router(rt: &tokio::runtime::Runtime, app: axum::Router) -> String {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// What a `pz` subcommand did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `pz ARGS` against `base` (with `stdin` if given) in a fresh home.
pub async fn pz(base: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let home = tempfile::tempdir().unwrap();
    pz_in(base, args, stdin, home.path()).await
}

pub async fn pz_in(base: &str, args: &[&str], stdin: Option<&str>, home: &std::path::Path) -> Run {
    pz_env(base, args, stdin, home, &[("CDK_API_KEY", KEY)]).await
}

/// `pz` with these variables (say how it authenticates) besides
/// `CDK_BASE_URL` and the XDG directories.
pub async fn pz_env(
    base: &str,
    args: &[&str],
    stdin: Option<&str>,
    home: &std::path::Path,
    vars: &[(&str, &str)],
) -> Run {
    let mut all = vec![("CDK_BASE_URL", base)];
    all.extend_from_slice(vars);
    pz_run(args, stdin, home, &all).await
}

/// `pz` with no `CDK_*` but these variables: it reads the config file
/// under `home`.
pub async fn pz_env_only(args: &[&str], home: &std::path::Path, vars: &[(&str, &str)]) -> Run {
    pz_run(args, None, home, vars).await
}

async fn pz_run(
    args: &[&str],
    stdin: Option<&str>,
    home: &std::path::Path,
    vars: &[(&str, &str)],
) -> Run {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(args)
        .envs(vars.iter().copied())
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home)
        .env("XDG_DATA_HOME", home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        tokio::io::AsyncWriteExt::write_all(&mut input, text.as_bytes())
            .await
            .unwrap();
    }
    drop(input);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("pz finished")
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// A sandbox-only endpoint (`/sandbox/...`) called with the admin key: its
/// JSON answer.
pub async fn sandbox_call(method: reqwest::Method, base: &str, path: &str) -> serde_json::Value {
    reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
