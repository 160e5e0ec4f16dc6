//! `cargo bench`: what the console does per frame, per key and per answer,
//! at 100 to 100,000 zones (divan). The process-level figures (first frame
//! against a bare app, RSS, idle CPU, `pz get` against curl) are the perf
//! example's: `cargo run --release --example perf`.

use chrono::Utc;
use pz::api::{ConnectionInfo, PartnerZone};
use pz::app::{Action, App};
use pz::sandbox::World;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    divan::main();
}

fn zones(n: usize) -> Vec<PartnerZone> {
    World::with_zones(n, Utc::now())
        .zones
        .into_values()
        .map(|s| s.zone)
        .collect()
}

fn loaded(n: usize) -> App {
    let mut app = App::new(
        pz::theme::Theme::default(),
        ConnectionInfo::default(),
        Utc::now(),
    );
    app.update(Action::Resize(120, 40));
    app.update(Action::ZonesLoaded(Ok(zones(n).into())));
    app
}

/// One frame of the zone list, 120x40, a page down.
#[divan::bench(args = [100, 1_000, 10_000, 100_000], sample_count = 30)]
fn list_render(bencher: divan::Bencher, n: usize) {
    let mut app = loaded(n);
    app.update(Action::PageDown);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    bencher.bench_local(|| {
        terminal.draw(|f| pz::ui::render(f, &app)).unwrap();
    });
}

/// One key typed into the `/` filter (the list filtered anew).
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 30)]
fn filter_key(bencher: divan::Bencher, n: usize) {
    let mut app = loaded(n);
    app.update(Action::FilterStart);
    for c in "partner-004".chars() {
        app.update(Action::FilterInput(pz::app::input::char_key(c)));
    }
    let mut back = true;
    bencher.bench_local(|| {
        // Alternately types and erases the last key: each is a key.
        let key = if back {
            pz::app::input::char_key('2')
        } else {
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Backspace)
        };
        back = !back;
        app.update(Action::FilterInput(key));
    });
}

/// The list endpoint's answer parsed into whole zones (the CLI's `pz get`).
#[divan::bench(args = [1_000, 10_000], sample_count = 20)]
fn json_parse(bencher: divan::Bencher, n: usize) {
    let json = serde_json::to_vec(&zones(n)).unwrap();
    bencher.bench(|| {
        let parsed: Vec<PartnerZone> = serde_json::from_slice(divan::black_box(&json)).unwrap();
        assert_eq!(parsed.len(), n);
    });
}

/// The same answer read into the console's list rows (`api::rows`).
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20)]
fn json_rows(bencher: divan::Bencher, n: usize) {
    let json = serde_json::to_vec(&zones(n)).unwrap();
    bencher.bench(|| {
        let rows: pz::api::ZoneRows = serde_json::from_slice(divan::black_box(&json)).unwrap();
        assert_eq!(rows.len(), n);
    });
}

/// The sandbox's list endpoint with 1,000 zones, over HTTP on 127.0.0.1.
#[divan::bench(sample_count = 30)]
fn sandbox_list_endpoint(bencher: divan::Bencher) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(
        &state,
        serde_json::to_vec(&World::with_zones(1_000, Utc::now())).unwrap(),
    )
    .unwrap();
    let key = pz::secret::Secret::new("bench-key");
    let mut o = pz::sandbox::SandboxOptions::new(key.clone());
    o.state = Some(state);
    let sandbox = rt.block_on(pz::sandbox::start(o)).unwrap();
    let client = pz::api::Client::new(&pz::api::Connection::new(sandbox.base_url(), key)).unwrap();
    bencher.bench_local(|| {
        let zones = rt.block_on(client.list_zones()).unwrap();
        assert_eq!(zones.len(), 1_000);
    });
    rt.block_on(sandbox.shutdown());
}
