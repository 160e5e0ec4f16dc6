//! The second security pass, as an attacker on a shared bastion would try
//! it: a hostile Gateway answering `pz check` and the console's `t`, a
//! crash with `ulimit -c unlimited`, planted symbolic links at every file pz
//! writes, floods of idle sockets at the sandbox, zones named `.` and `..`,
//! secrets in children's environments and on the command line, bidi
//! controls on screen, and a re-signed expired secret (in `access.rs`).

use crate::common;

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::pty::Session;
use common::*;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};
use kafka_protocol::protocol::Encodable;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------- Gateway

/// How the hostile Gateway breaks its answer.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// ApiVersions with an array count of 0x7fffffff.
    HugeApiVersions,
    /// SaslHandshake with 0x7fffffff mechanisms.
    HugeMechanisms,
    /// SaslHandshake with a mechanism of length -7.
    NegativeLength,
    /// SaslAuthenticate with 1 GiB of auth bytes announced.
    HugeAuthBytes,
    /// Metadata with 0x7fffffff brokers.
    HugeMetadata,
    /// An ApiVersions frame announcing 100 bytes, 10 sent, then closed.
    Truncated,
    /// A length prefix of 1 GiB.
    HugeFrame,
    /// One byte every 200 ms, for ever.
    Trickle,
}

fn api_versions_v0() -> Vec<u8> {
    let keys = [
        (ApiKey::ApiVersions, 0, 3),
        (ApiKey::SaslHandshake, 0, 1),
        (ApiKey::SaslAuthenticate, 0, 1),
        (ApiKey::Metadata, 0, 1),
    ]
    .map(|(k, min, max)| {
        ApiVersion::default()
            .with_api_key(k as i16)
            .with_min_version(min)
            .with_max_version(max)
    });
    let mut b = BytesMut::new();
    ApiVersionsResponse::default()
        .with_api_keys(keys.to_vec())
        .encode(&mut b, 0)
        .unwrap();
    b.to_vec()
}

/// A listener that plays a Gateway until the answer it breaks.
async fn hostile_gateway(answer: Answer) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut n = 0;
                loop {
                    let mut len = [0u8; 4];
                    if s.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let mut frame = vec![0u8; u32::from_be_bytes(len) as usize];
                    if s.read_exact(&mut frame).await.is_err() {
                        return;
                    }
                    let corr = frame[4..8].to_vec();
                    n += 1;
                    let huge = 0x7fff_ffffu32.to_be_bytes();
                    let body: Vec<u8> = match (answer, n) {
                        (Answer::HugeApiVersions, _) => [&[0, 0][..], &huge].concat(),
                        (Answer::Truncated, _) => {
                            let _ = s.write_all(&100u32.to_be_bytes()).await;
                            let _ = s.write_all(&corr).await;
                            let _ = s.write_all(&[0; 6]).await;
                            return;
                        }
                        (Answer::HugeFrame, _) => {
                            let _ = s.write_all(&(1u32 << 30).to_be_bytes()).await;
                            let _ = s.write_all(&corr).await;
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            return;
                        }
                        (Answer::Trickle, _) => {
                            let _ = s.write_all(&100u32.to_be_bytes()).await;
                            for _ in 0..150 {
                                if s.write_all(&[0]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(Duration::from_millis(200)).await;
                            }
                            return;
                        }
                        (_, 1) => api_versions_v0(),
                        (Answer::HugeMechanisms, _) => [&[0, 0][..], &huge].concat(),
                        (Answer::NegativeLength, _) => {
                            [&[0, 0, 0, 0, 0, 1][..], &(-7i16).to_be_bytes()].concat()
                        }
                        (_, 2) => {
                            // Handshake accepted, PLAIN offered.
                            [&[0, 0, 0, 0, 0, 1, 0, 5][..], b"PLAIN"].concat()
                        }
                        (Answer::HugeAuthBytes, _) => {
                            [&[0, 0, 0xff, 0xff][..], &(1u32 << 30).to_be_bytes()].concat()
                        }
                        (_, 3) => vec![0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                        (Answer::HugeMetadata, _) => huge.to_vec(),
                    };
                    let mut out = ((body.len() + 4) as u32).to_be_bytes().to_vec();
                    out.extend_from_slice(&corr);
                    out.extend_from_slice(&body);
                    if s.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn properties_for(dir: &Path, addr: SocketAddr) -> std::path::PathBuf {
    let path = dir.join("config.properties");
    std::fs::write(
        &path,
        format!(
            "bootstrap.servers={addr}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n\
             sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='acme-logistics-sa' password='x';\n"
        ),
    )
    .unwrap();
    path
}

/// Every answer pz reads, broken each way: one failed step with a reason,
/// exit 1, never an abort, within the step bounds.
#[tokio::test]
async fn pz_check_survives_every_hostile_gateway_answer() {
    let (sb, _) = start(options()).await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (Answer::HugeApiVersions, "sasl", "2147483647 API versions"),
        (Answer::HugeMechanisms, "sasl", "2147483647 SASL mechanisms"),
        (Answer::NegativeLength, "sasl", "negative length"),
        (Answer::HugeAuthBytes, "sasl", "1073741824 bytes announced"),
        (Answer::HugeMetadata, "topics", "2147483647 brokers"),
        (Answer::Truncated, "sasl", "closed the connection"),
        (Answer::HugeFrame, "sasl", "frame of 1073741824 bytes"),
        (Answer::Trickle, "sasl", "no answer within"),
    ];
    for (answer, step, reason) in cases {
        let addr = hostile_gateway(answer).await;
        let props = properties_for(dir.path(), addr);
        let started = Instant::now();
        let run = pz(
            &sb.base_url(),
            &[
                "check",
                "acme-logistics",
                "--properties",
                props.to_str().unwrap(),
            ],
            None,
        )
        .await;
        let out = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 1, "{answer:?}: {out}");
        assert!(!out.contains("memory allocation"), "{answer:?}: {out}");
        let failed = out
            .lines()
            .find(|l| l.trim_start().starts_with('✖'))
            .unwrap_or_else(|| panic!("{answer:?}: no failed step in {out}"));
        assert!(failed.contains(step), "{answer:?}: {failed}");
        assert!(failed.contains(reason), "{answer:?}: {failed}");
        assert!(started.elapsed() < Duration::from_secs(15), "{answer:?}");
    }
    sb.shutdown().await;
}

/// The console's `t` against a Gateway that answers with a huge count: the
/// check fails on screen, the secret just generated stays shown, pz quits
/// normally and the terminal is restored.
#[test]
fn the_consoles_check_survives_a_hostile_gateway() {
    let rt = runtime();
    let addr = rt.block_on(hostile_gateway(Answer::HugeApiVersions));
    let (_dir, state) = temp_state();
    let mut world = pz::sandbox::World::seed(chrono::Utc::now());
    for c in &mut world.clusters {
        c.spec.bootstrap_servers = addr.to_string();
    }
    std::fs::write(&state, serde_json::to_vec(&world).unwrap()).unwrap();
    let mut o = options();
    o.state = Some(state);
    o.kafka_listen = None;
    let (sb, _) = rt.block_on(start(o));
    let mut s = Session::start(&sb.base_url(), &[]);
    s.wait_for("acme");
    s.keys("t");
    s.wait_for("Generate a new secret");
    s.keys("\r");
    s.wait_for("cannot get in");
    let screen = s.screen();
    assert!(screen.contains("API versions"), "{screen}");
    assert!(screen.contains("Secret"), "{screen}");
    s.esc();
    s.wait_gone("cannot get in");
    s.keys("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

// ------------------------------------------------------------- core files

fn spawn_with_unlimited_core(cmd: &mut std::process::Command, cwd: &Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    cmd.current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::resource::setrlimit(
                nix::sys::resource::Resource::RLIMIT_CORE,
                nix::sys::resource::RLIM_INFINITY,
                nix::sys::resource::RLIM_INFINITY,
            )
            .map_err(std::io::Error::from)
        });
    }
    cmd.spawn().unwrap()
}

fn cores(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("core"))
        .collect()
}

fn abort_and_wait(child: &mut std::process::Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGABRT).unwrap();
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc_sigabrt()), "{status:?}");
}

fn libc_sigabrt() -> i32 {
    nix::sys::signal::Signal::SIGABRT as i32
}

/// A pz aborted with `ulimit -c unlimited` leaves no core file (which would
/// hold the API key), where a process that does not protect itself does.
#[test]
fn an_aborted_pz_leaves_no_core_file() {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let control_dir = tempfile::tempdir().unwrap();
    let mut control = spawn_with_unlimited_core(
        std::process::Command::new("sleep").arg("30"),
        control_dir.path(),
    );
    abort_and_wait(&mut control);
    if cores(control_dir.path()).is_empty() {
        let msg = format!(
            "this machine writes no core file for an aborted process (core_pattern {:?})",
            pattern.trim()
        );
        if std::env::var_os("PZ_REQUIRE_TOOLS").is_some() && !pattern.starts_with('|') {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pz"));
    cmd.args(["sandbox", "--listen", "127.0.0.1:0"])
        .args(["--kafka-listen", "127.0.0.1:0", "--state"])
        .arg(dir.path().join("state.json"))
        .env("PZ_SANDBOX_API_KEY", KEY)
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path());
    let mut child = spawn_with_unlimited_core(&mut cmd, dir.path());
    // Running, with its keys in memory, once it listens.
    await_listening(&mut child);
    abort_and_wait(&mut child);
    assert_eq!(cores(dir.path()), Vec::<String>::new());
}

// ----------------------------------------------------------- planted links

fn victim(dir: &Path) -> std::path::PathBuf {
    let v = dir.join("victim");
    std::fs::write(&v, "precious").unwrap();
    std::fs::set_permissions(&v, std::fs::Permissions::from_mode(0o644)).unwrap();
    v
}

fn untouched(v: &Path) {
    assert_eq!(std::fs::read_to_string(v).unwrap(), "precious");
    let mode = std::fs::metadata(v).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the link's target was chmod-ed");
}

/// The sandbox state: a link at the old fixed temporary name is ignored; a
/// link (or a dangling one) at the state file itself is refused.
#[tokio::test]
async fn the_sandbox_state_is_never_written_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let v = victim(dir.path());
    let state = dir.path().join("state.json");
    symlink(&v, dir.path().join("state.json.tmp")).unwrap();
    let mut o = options();
    o.state = Some(state.clone());
    let (sb, client) = start(o).await;
    client
        .apply_zone(&zone("linked", "gateway-prod"), false)
        .await
        .unwrap();
    untouched(&v);
    assert!(std::fs::read_to_string(&state).unwrap().contains("linked"));
    sb.shutdown().await;

    for target in [v.clone(), dir.path().join("nowhere")] {
        let linked = dir.path().join("linked-state.json");
        let _ = std::fs::remove_file(&linked);
        symlink(&target, &linked).unwrap();
        let mut o = options();
        o.state = Some(linked);
        let err = match pz::sandbox::start(o).await {
            Ok(_) => panic!("started on a linked state file"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("symbolic link"), "{err}");
        untouched(&v);
        assert!(!dir.path().join("nowhere").exists());
    }
}

/// The wizard's draft: links at the draft and at its old temporary name.
#[test]
fn the_draft_is_never_written_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let v = victim(dir.path());
    let draft = dir.path().join("draft.json");
    let wizard = pz::demo::wizard(pz::app::wizard::Step::Details);
    symlink(&v, dir.path().join("draft.json.tmp")).unwrap();
    pz::effects::save_draft(&draft, &wizard).unwrap();
    untouched(&v);
    std::fs::remove_file(&draft).unwrap();
    symlink(&v, &draft).unwrap();
    let err = pz::effects::save_draft(&draft, &wizard).unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
    untouched(&v);
}

/// `pz config use-context`: a config file that is a link (dotfiles) is
/// written through, the link kept, and pz says so; a link at the old
/// temporary name is ignored.
#[tokio::test]
async fn use_context_writes_through_a_linked_config_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("pz");
    std::fs::create_dir(&conf).unwrap();
    let dotfiles = home.path().join("dotfiles-pz.yaml");
    std::fs::write(
        &dotfiles,
        "currentContext: a # mine\ncontexts:\n  a: {baseUrl: 'http://127.0.0.1:1'}\n  b: {baseUrl: 'http://127.0.0.1:2'}\n",
    )
    .unwrap();
    std::fs::set_permissions(&dotfiles, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = conf.join("config.yaml");
    symlink(&dotfiles, &link).unwrap();
    let v = victim(home.path());
    symlink(&v, conf.join("config.yaml.tmp")).unwrap();
    let run = pz_in(
        "http://127.0.0.1:1",
        &["config", "use-context", "b"],
        None,
        home.path(),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("is a link"), "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&dotfiles).unwrap();
    assert!(text.starts_with("currentContext: b # mine\n"), "{text}");
    untouched(&v);
}

/// `pz credentials -o FILE`: 0600, and a link there is refused before a
/// secret is spent.
#[tokio::test]
async fn credentials_to_a_file_are_private_and_never_through_a_link() {
    let (sb, _) = start(options()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("config.properties");
    let run = pz(
        &sb.base_url(),
        &[
            "credentials",
            "acme-logistics",
            "--properties",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("sasl.jaas.config")
    );
    let v = victim(dir.path());
    for target in [v.clone(), dir.path().join("nowhere")] {
        let link = dir.path().join("linked.properties");
        let _ = std::fs::remove_file(&link);
        symlink(&target, &link).unwrap();
        let run = pz(
            &sb.base_url(),
            &[
                "credentials",
                "acme-logistics",
                "-o",
                link.to_str().unwrap(),
            ],
            None,
        )
        .await;
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
        untouched(&v);
        assert!(!dir.path().join("nowhere").exists());
    }
    sb.shutdown().await;
}

/// The sandbox's key file and pz's log: a link is refused (the key) or not
/// opened (the log); wider modes are tightened and said.
#[test]
fn the_key_file_and_the_log_refuse_links_and_tighten_modes() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("pz");
    std::fs::create_dir(&data).unwrap();
    let v = victim(home.path());
    symlink(&v, data.join("sandbox-api-key")).unwrap();
    let out = crate::common::sandbox_command()
        .env("XDG_DATA_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env_remove("PZ_SANDBOX_API_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    untouched(&v);

    // A key file others could read: tightened, and the hint says so; the
    // log (a link here) is not written through.
    std::fs::remove_file(data.join("sandbox-api-key")).unwrap();
    std::fs::write(data.join("sandbox-api-key"), "old-key\n").unwrap();
    std::fs::set_permissions(
        data.join("sandbox-api-key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let _ = std::fs::remove_file(data.join("pz.log"));
    symlink(&v, data.join("pz.log")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .args(["--kafka-listen", "127.0.0.1:0", "--state"])
        .arg(home.path().join("state.json"))
        .env("XDG_DATA_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env_remove("PZ_SANDBOX_API_KEY")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 4096];
    // The whole hint line (it may come in more than one read).
    let hint_done = |s: &str| {
        s.find("point pz at it")
            .is_some_and(|at| s[at..].contains('\n'))
    };
    while !hint_done(&seen) && Instant::now() < deadline {
        let n = std::io::Read::read(&mut stderr, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.contains("now mode 0600"), "{seen}");
    assert!(seen.contains("CDK_API_KEY=$(cat "), "{seen}");
    let mode = std::fs::metadata(data.join("sandbox-api-key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    untouched(&v);
}

/// Keys never on the command line: `--api-key` is refused with the way to
/// do it; the key from the environment is named as such in the hint.
#[test]
fn sandbox_keys_come_from_a_file_or_the_environment() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["sandbox", "--api-key", "visible-in-ps"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PZ_SANDBOX_API_KEY"), "{err}");
    assert!(err.contains("--api-key-file"), "{err}");
}

// ----------------------------------------------------------- idle sockets

/// Raises this test process's descriptor limit to hold the flood.
fn raise_nofile(want: u64) {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, want.min(hard), hard).unwrap();
}

/// Opens up to `n` idle connections to `addr` (loopback only), each given 3 s.
async fn flood(addr: SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        set.spawn(async move {
            tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr)).await
        });
    }
    let mut held = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(Ok(Ok(s))) = r {
            held.push(s);
        }
    }
    held
}

/// 2,000 idle sockets at the HTTP port and 2,000 at a Gateway of a sandbox
/// limited to 1,024 descriptors: `pz get` and `pz check --generate` still
/// succeed.
#[test]
fn idle_socket_floods_do_not_lock_anyone_out() {
    use std::os::unix::process::CommandExt;
    raise_nofile(8192);
    let rt = runtime();
    let (_dir, state) = temp_state();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pz"));
    cmd.args(["sandbox", "--listen", "127.0.0.1:0"])
        .args([
            "--kafka-listen",
            "127.0.0.1:0",
            "--deploy-delay-ms",
            "100",
            "--state",
        ])
        .arg(&state)
        .env("PZ_SANDBOX_API_KEY", KEY)
        .env("XDG_STATE_HOME", state.parent().unwrap())
        .env("XDG_DATA_HOME", state.parent().unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, 1024, 1024)
                .map_err(std::io::Error::from)
        });
    }
    let mut sandbox = SandboxProcess(cmd.spawn().unwrap());
    let port = await_listening(&mut sandbox.0);
    let base = format!("http://127.0.0.1:{port}");
    let client = client_for(&base, KEY);
    let listening = rt.block_on(eventually(
        async || client.list_zones().await.is_ok(),
        Duration::from_secs(10),
    ));
    assert!(listening, "the sandbox never answered");
    let zone = rt.block_on(client.get_zone("acme-logistics")).unwrap();
    let clusters = rt.block_on(client.list_clusters()).unwrap();
    let gateway: SocketAddr = clusters
        .iter()
        .find(|c| c.metadata.name == zone.spec.cluster)
        .unwrap()
        .spec
        .bootstrap_servers
        .parse()
        .unwrap();
    let http_held = rt.block_on(flood(SocketAddr::from(([127, 0, 0, 1], port)), 2000));
    let kafka_held = rt.block_on(flood(gateway, 2000));
    assert!(
        http_held.len() > 1000,
        "only {} HTTP sockets",
        http_held.len()
    );
    assert!(
        kafka_held.len() > 1000,
        "only {} Kafka sockets",
        kafka_held.len()
    );
    let started = Instant::now();
    let get = rt.block_on(pz(&base, &["get"], None));
    assert_eq!(get.code, 0, "{}", get.stderr);
    assert!(get.stdout.contains("acme-logistics"));
    let check = rt.block_on(pz(&base, &["check", "acme-logistics", "--generate"], None));
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(started.elapsed() < Duration::from_secs(20));
    drop((http_held, kafka_held));
}

// --------------------------------------------------------------- . and ..

/// `.` and `..` are refused by pz (before any request) and by the sandbox,
/// and every other name travels percent-encoded.
#[tokio::test]
async fn dot_names_are_refused_and_other_names_are_encoded() {
    let (sb, client) = start(options()).await;
    for name in [".", ".."] {
        for args in [
            vec!["get", name],
            vec!["delete", name, "--yes"],
            vec!["credentials", name],
        ] {
            let run = pz(&sb.base_url(), &args, None).await;
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains("a URL drops them"), "{}", run.stderr);
        }
        // The sandbox refuses it too (sent around pz's own check).
        let mut z = zone("x", "gateway-prod");
        z.metadata.name = name.into();
        let answer = reqwest::Client::new()
            .put(format!("{}/public/console/v2/partner-zone", sb.base_url()))
            .bearer_auth(KEY)
            .json(&z)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        let text = answer.text().await.unwrap();
        assert!(text.contains("a URL drops them"), "{text}");
        assert!(client.apply_zone(&z, true).await.is_err());
    }
    sb.shutdown().await;

    // A Console that lists a name pz would not choose: it is still reached.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(uri.path().to_string());
            axum::http::StatusCode::NOT_FOUND
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let odd = client_for(&format!("http://{addr}"), KEY);
    let _ = odd.get_zone("Odd Name/..?x#").await;
    let _ = odd.delete_zone("Odd Name/..?x#").await;
    let paths = seen.lock().unwrap().clone();
    assert_eq!(
        paths,
        [
            "/api/public/console/v2/partner-zone/Odd%20Name%2F..%3Fx%23",
            "/api/public/console/v2/partner-zone/Odd%20Name%2F..%3Fx%23"
        ]
    );
}

// ------------------------------------------------------------ environment

/// A child pz starts (tmux for the clipboard) does not inherit CDK_*.
#[test]
fn children_do_not_inherit_the_consoles_secrets() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let record = home.path().join("tmux-env");
    let fake = bin.join("tmux");
    let mut f = std::fs::File::create(&fake).unwrap();
    writeln!(
        f,
        "#!/bin/sh\nenv > '{}'\ncat > /dev/null\nexit 0",
        record.display()
    )
    .unwrap();
    drop(f);
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut s = Session::start(
        &sb.base_url(),
        &[
            ("PATH", &path),
            ("TMUX", "/tmp/fake-tmux,1,0"),
            ("CDK_GATEWAY_PASSWORD", "not-for-children"),
        ],
    );
    s.wait_for("acme");
    s.keys("y");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !record.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(30));
    }
    s.keys("q");
    s.wait_exit();
    let env = std::fs::read_to_string(&record).expect("pz ran tmux");
    assert!(env.contains("TMUX="), "{env}");
    assert!(!env.contains("CDK_"), "{env}");
    rt.block_on(sb.shutdown());
}

// ------------------------------------------------------------------- text

/// A displayName with U+202E and an ESC in URL, Gateway and alias: shown as
/// `\u{202e}` and `\e`, nothing raw reaches the screen.
#[test]
fn bidi_controls_and_escapes_are_shown_in_every_cell() {
    let evil = "ab\u{1b}[31mcd\u{202e}ef";
    let zone: pz::api::PartnerZone = serde_json::from_value(serde_json::json!({
        "apiVersion": "v2", "kind": "PartnerZone",
        "metadata": {"name": "evil", "status": "READY"},
        "spec": {"cluster": evil, "displayName": evil, "url": evil, "serviceAccount": "sa",
                 "topics": [{"name": evil, "backingTopic": evil, "permission": "READ"}]}
    }))
    .unwrap();
    let mut a = pz::demo::app(pz::theme::Theme::default(), (140, 40));
    a.update(pz::app::Action::ZonesLoaded(Ok(vec![zone.clone()].into())));
    let list = draw(&a);
    let row = list.lines().find(|l| l.contains("evil")).unwrap();
    // Name, URL and Gateway (cut to its column).
    assert_eq!(row.matches("ab\\e[31mcd\\u{202e}").count(), 3, "{row}");
    pz::demo::act_with(&mut a, pz::app::Action::Open, &[zone]);
    let detail = draw(&a);
    for text in [&list, &detail] {
        assert!(
            !text.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'),
            "{text}"
        );
    }
    let title = detail.lines().find(|l| l.contains("┌")).unwrap();
    assert!(title.contains("ab\\e[31mcd\\u{202e}ef"), "{title}");
    let topic = detail.lines().find(|l| l.contains("→")).unwrap();
    assert_eq!(topic.matches("\\u{202e}").count(), 2, "{topic}");
}
