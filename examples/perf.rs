//! Measures what the issues set targets for. Run with
//! `cargo run --release --example perf` (add `-- quick` for a short run).
//!
//! - render of the zone list with 100, 1,000 and 10,000 zones (120x40)
//! - filter as you type on 10,000 zones
//! - JSON parse of 10,000 zones
//! - sandbox requests per second for the list endpoint with 1,000 zones
//! - `pz get -o json` against the sandbox vs `curl` of the same URL
//! - startup to first frame and to zones on screen, in a pseudo-terminal
//! - idle CPU, RSS and bytes to the terminal of the console with 1,000 zones
//! - 100,000 zones: `pz get` (a table) against curl, the console's RSS
//!
//! `-- frames` measures only the first frame and zones on screen, `-- large`
//! only the 100,000 zones.
//! `PZ_PERF_BINARY=path` measures another pz build (e.g. the static one)
//! against the same yardsticks.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use pz::api::ConnectionInfo;
use pz::api::{Client, Connection, PartnerZone};
use pz::app::{Action, App};
use pz::sandbox::{self, SandboxOptions, World};
use pz::secret::Secret;
use pz::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const KEY: &str = "perf-key";

fn world_with(n: usize) -> World {
    World::with_zones(n, Utc::now())
}

fn zones(n: usize) -> Vec<PartnerZone> {
    world_with(n).zones.into_values().map(|s| s.zone).collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn render_bench(n: usize, runs: usize) -> Duration {
    let mut app = App::new(Theme::default(), ConnectionInfo::default(), Utc::now());
    app.update(Action::Resize(120, 40));
    app.update(Action::ZonesLoaded(Ok(zones(n).into())));
    app.update(Action::PageDown);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        t.draw(|f| pz::ui::render(f, &app)).unwrap();
        times.push(start.elapsed());
    }
    median(times)
}

fn filter_bench(runs: usize) -> Duration {
    let mut app = App::new(Theme::default(), ConnectionInfo::default(), Utc::now());
    app.update(Action::Resize(120, 40));
    app.update(Action::ZonesLoaded(Ok(zones(10_000).into())));
    let mut times = Vec::new();
    for _ in 0..runs {
        app.update(Action::FilterClear);
        app.update(Action::FilterStart);
        for c in "partner-0042".chars() {
            let start = Instant::now();
            app.update(Action::FilterInput(pz::app::input::char_key(c)));
            times.push(start.elapsed());
        }
    }
    median(times)
}

fn parse_bench(runs: usize) -> Duration {
    let json = serde_json::to_vec(&zones(10_000)).unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let parsed: Vec<PartnerZone> = serde_json::from_slice(&json).unwrap();
        times.push(start.elapsed());
        assert_eq!(parsed.len(), 10_000);
    }
    median(times)
}

async fn sandbox_with(n: usize, dir: &std::path::Path) -> sandbox::RunningSandbox {
    let state = dir.join("state.json");
    std::fs::write(&state, serde_json::to_vec(&world_with(n)).unwrap()).unwrap();
    let mut o = SandboxOptions::new(Secret::new(KEY));
    o.state = Some(state);
    sandbox::start(o).await.unwrap()
}

async fn rps(client: &Client, seconds: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (c, d) = (client.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                c.list_zones().await.unwrap();
                d.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(std::sync::atomic::Ordering::Relaxed) as f64 / seconds as f64
}

fn time_command(cmd: &mut std::process::Command, runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let out = cmd.output().expect("command runs");
        times.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    median(times)
}

/// The pz measured: `PZ_PERF_BINARY` (another build, e.g. the static
/// one), else the one built beside this example.
fn pz_binary() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("PZ_PERF_BINARY") {
        // Absolute: the pty's spawn looks a relative name up in PATH.
        return std::path::absolute(&path).unwrap_or_else(|_| path.into());
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/examples/perf -> target/<profile>/pz
    exe.parent().unwrap().parent().unwrap().join("pz")
}

struct Startup {
    first_frame: Duration,
    zones: Duration,
    cpu_percent: f64,
    /// The same in clock ticks (threads that ended count too).
    cpu_percent_ticks: f64,
    rss_kib: u64,
    /// Of which the heap and stacks (the rest is the binary's pages).
    rss_anon_kib: u64,
    threads: u64,
    /// Bytes written to the terminal per second while idle.
    idle_bytes_per_sec: f64,
}

fn proc_cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
    let stime: u64 = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    utime + stime
}

/// The CPU time of every live thread of `pid` in nanoseconds (the first
/// field of each `/proc/PID/task/TID/schedstat`): clock ticks are 10 ms,
/// a sixth of the 0.1 % target over 60 s.
fn proc_cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// A `kB` line of `/proc/PID/status` (`VmRSS`, `RssAnon`, `RssFile`).
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The console in a pseudo-terminal: its process, its screen as parsed
/// from its output, a writer for keys, and when it started.
struct Console {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte pz wrote to the terminal so far.
    written: Arc<std::sync::atomic::AtomicUsize>,
    writer: Box<dyn std::io::Write + Send>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _home: tempfile::TempDir,
}

impl Console {
    fn spawn(base: &str, rows: u16, cols: u16) -> Console {
        Console::spawn_binary(&pz_binary(), base, rows, cols)
    }

    fn spawn_binary(binary: &std::path::Path, base: &str, rows: u16, cols: u16) -> Console {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(binary);
        cmd.env("CDK_BASE_URL", base);
        cmd.env("CDK_API_KEY", KEY);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_STATE_HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path());
        let child = pty.slave.spawn_command(cmd).unwrap();
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let s = screen.clone();
        let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let w = written.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                w.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                s.lock().unwrap().process(&buf[..n]);
            }
        });
        Console {
            child,
            screen,
            written,
            writer,
            _master: pty.master,
            _home: home,
        }
    }

    fn contains(&self, text: &str) -> bool {
        self.screen
            .lock()
            .unwrap()
            .screen()
            .contents()
            .contains(text)
    }

    /// Waits until `text` is on screen; returns when it appeared.
    fn wait_for(&self, text: &str, since: Instant) -> Duration {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.contains(text) {
                return since.elapsed();
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        panic!("{text:?} never appeared");
    }

    fn keys(&mut self, keys: &str) {
        use std::io::Write;
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
}

/// Time to the first frame of a bare ratatui app (`examples/bare.rs`) in
/// the same pty, the yardstick for pz's: the median of `runs`.
fn bare_first_frame(runs: usize) -> Option<Duration> {
    let exe = std::env::current_exe().ok()?;
    let bare = exe.parent()?.join("bare");
    if !bare.exists() {
        return None;
    }
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let mut console = Console::spawn_binary(&bare, "", 40, 120);
            let t = console.wait_for("Partner Zones", start);
            console.keys("q");
            let _ = console.child.kill();
            t
        })
        .collect();
    Some(median(times))
}

/// pz's first frame and its zones on screen in the same pty: the medians
/// of `runs`.
fn pz_frames(base: &str, runs: usize) -> (Duration, Duration) {
    let (first, zones): (Vec<Duration>, Vec<Duration>) = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let mut console = Console::spawn(base, 40, 120);
            let first = console.wait_for("Partner Zones", start);
            let zones = console.wait_for("partner-00000", start);
            console.keys("q");
            let _ = console.child.kill();
            (first, zones)
        })
        .unzip();
    (median(first), median(zones))
}

fn startup(base: &str, idle_secs: u64) -> Startup {
    let start = Instant::now();
    let mut console = Console::spawn(base, 40, 120);
    let pid = console.child.process_id().unwrap();
    let first_frame = console.wait_for("Partner Zones", start);
    let zones = console.wait_for("partner-00000", start);
    std::thread::sleep(Duration::from_secs(2)); // settle
    let t0 = proc_cpu_ticks(pid);
    let n0 = proc_cpu_ns(pid);
    let b0 = console.written.load(std::sync::atomic::Ordering::Relaxed);
    std::thread::sleep(Duration::from_secs(idle_secs));
    let t1 = proc_cpu_ticks(pid);
    let n1 = proc_cpu_ns(pid);
    let b1 = console.written.load(std::sync::atomic::Ordering::Relaxed);
    let rss = proc_status_kib(pid, "VmRSS");
    let rss_anon = proc_status_kib(pid, "RssAnon");
    let threads = proc_status_kib(pid, "Threads");
    let ticks_per_sec = 100.0; // USER_HZ on Linux
    let cpu_ticks = (t1 - t0) as f64 / ticks_per_sec / idle_secs as f64 * 100.0;
    let cpu = n1.saturating_sub(n0) as f64 / 1e9 / idle_secs as f64 * 100.0;
    let _ = console.child.kill();
    Startup {
        first_frame,
        zones,
        cpu_percent: cpu,
        cpu_percent_ticks: cpu_ticks,
        rss_kib: rss,
        rss_anon_kib: rss_anon,
        threads,
        idle_bytes_per_sec: (b1 - b0) as f64 / idle_secs as f64,
    }
}

/// From `enter` on the wizard's review step to READY on screen, with the
/// sandbox's default 2 s deploy delay.
fn create_to_ready(base: &str) -> Duration {
    let mut console = Console::spawn(base, 24, 80);
    console.wait_for("acme-logistics", Instant::now());
    console.keys("n");
    console.keys("Timing Partner");
    console.keys("\x0e"); // ctrl-n
    console.wait_for("orders.v1", Instant::now());
    console.keys(" ");
    console.keys("\x0e");
    console.keys("\x0e");
    console.wait_for("enter creates", Instant::now());
    let start = Instant::now();
    console.keys("\r");
    let ready = console.wait_for("timing-partner is READY", start);
    let _ = console.child.kill();
    ready
}

/// First frame and zones on screen, each against the bare app's first
/// frame measured in the same run.
fn frames_report(base: &str, runs: usize) {
    let (pz_ff, pz_zones) = pz_frames(base, runs);
    match bare_first_frame(runs) {
        Some(bare) => {
            println!(
                "first frame, median of {runs}: pz {} vs a bare ratatui app {} (ratio {:.2})",
                fmt(pz_ff),
                fmt(bare),
                pz_ff.as_secs_f64() / bare.as_secs_f64()
            );
            println!(
                "zones on screen (1,000), median of {runs}: pz {} (ratio {:.2} to the bare app's first frame)",
                fmt(pz_zones),
                pz_zones.as_secs_f64() / bare.as_secs_f64()
            );
        }
        None => println!(
            "first frame, median of {runs}: pz {}, zones on screen {} (build examples/bare for the comparison)",
            fmt(pz_ff),
            fmt(pz_zones)
        ),
    }
}

/// `pz ARGS` and `curl` of the same list, run in turn `runs` times: the
/// medians of each.
fn pz_against_curl(base: &str, args: &[&str], runs: usize) -> (Duration, Duration) {
    let home = tempfile::tempdir().unwrap();
    let mut pz = std::process::Command::new(pz_binary());
    pz.args(args)
        .env("CDK_BASE_URL", base)
        .env("CDK_API_KEY", KEY)
        .env("XDG_STATE_HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path());
    let mut curl = std::process::Command::new("curl");
    curl.args([
        "-sf",
        "-H",
        &format!("Authorization: Bearer {KEY}"),
        &format!("{base}/public/console/v2/partner-zone"),
    ]);
    let (p, c): (Vec<Duration>, Vec<Duration>) = (0..runs)
        .map(|_| (time_command(&mut pz, 1), time_command(&mut curl, 1)))
        .unzip();
    (median(p), median(c))
}

/// 100,000 zones: `pz get` (the table) against curl of the same list, and
/// the console's memory once they are on screen.
fn hundred_thousand(rt: &tokio::runtime::Runtime, quick: bool) {
    let dir = tempfile::tempdir().unwrap();
    let sb = rt.block_on(sandbox_with(100_000, dir.path()));
    let base = sb.base_url();
    let runs = if quick { 1 } else { 3 };
    let (pz_t, curl_t) = pz_against_curl(&base, &["get"], runs);
    println!(
        "pz get (a table), 100,000 zones: {} vs curl: {} (ratio {:.1}, median of {runs})",
        fmt(pz_t),
        fmt(curl_t),
        pz_t.as_secs_f64() / curl_t.as_secs_f64()
    );
    let start = Instant::now();
    let console = Console::spawn(&base, 40, 120);
    let pid = console.child.process_id().unwrap();
    let shown = console.wait_for("100000 zones", start);
    std::thread::sleep(Duration::from_secs(3)); // settle
    let mib = |field| proc_status_kib(pid, field) as f64 / 1024.0;
    println!(
        "console, 100,000 zones: on screen in {}; RSS {:.1} MiB ({:.1} MiB heap and stacks), peak {:.1} MiB",
        fmt(shown),
        mib("VmRSS"),
        mib("RssAnon"),
        mib("VmHWM")
    );
    let mut console = console;
    console.keys("q");
    let _ = console.child.kill();
    rt.block_on(sb.shutdown());
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    // `frames`: only the first frame and zones on screen (21 runs each).
    let frames_only = std::env::args().any(|a| a == "frames");
    let runs = if quick { 20 } else { 200 };
    if std::env::args().any(|a| a == "large") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        hundred_thousand(&rt, quick);
        return;
    }
    if frames_only {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sb = rt.block_on(sandbox_with(1_000, dir.path()));
        frames_report(&sb.base_url(), 21);
        rt.block_on(sb.shutdown());
        return;
    }
    println!(
        "pz performance ({} build, {} cores)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for n in [100, 1_000, 10_000] {
        println!(
            "render list, {n:>6} zones, 120x40: {}",
            fmt(render_bench(n, runs))
        );
    }
    println!(
        "filter as you type, 10,000 zones (per key): {}",
        fmt(filter_bench(runs / 20 + 1))
    );
    println!(
        "JSON parse of 10,000 zones: {}",
        fmt(parse_bench(runs / 20 + 1))
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sb = rt.block_on(sandbox_with(1_000, dir.path()));
    let base = sb.base_url();
    let client = Client::new(&Connection::new(base.clone(), Secret::new(KEY))).unwrap();
    let secs = if quick { 2 } else { 5 };
    println!(
        "sandbox list endpoint, 1,000 zones: {:.0} requests/s (4 concurrent clients)",
        rt.block_on(rps(&client, secs))
    );

    let n = if quick { 5 } else { 21 };
    let (pz_t, curl_t) = pz_against_curl(&base, &["get", "-o", "json"], n);
    println!(
        "pz get -o json: {} vs curl: {} (ratio {:.2}, median of {n} interleaved pairs)",
        fmt(pz_t),
        fmt(curl_t),
        pz_t.as_secs_f64() / curl_t.as_secs_f64()
    );

    let idle = if quick { 5 } else { 60 };
    let s = startup(&base, idle);
    println!("startup to first frame: {}", fmt(s.first_frame));
    let runs = if quick { 5 } else { 21 };
    frames_report(&base, runs);
    println!(
        "startup to zones on screen (the idle run): {}",
        fmt(s.zones)
    );
    println!(
        "idle CPU with 1,000 zones over {idle}s: {:.3} % of a core ({:.2} % in clock ticks); RSS {:.1} MiB ({:.1} MiB heap and stacks, {} threads); {:.0} bytes/s to the terminal",
        s.cpu_percent,
        s.cpu_percent_ticks,
        s.rss_kib as f64 / 1024.0,
        s.rss_anon_kib as f64 / 1024.0,
        s.threads,
        s.idle_bytes_per_sec
    );
    println!(
        "create key to READY on screen (2 s deploy delay): {}",
        fmt(create_to_ready(&base))
    );
    rt.block_on(sb.shutdown());
    hundred_thousand(&rt, quick);
}
