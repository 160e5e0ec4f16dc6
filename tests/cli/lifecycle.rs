//! Deployment lifecycle, persistence across restarts, and durability under
//! `kill -9`.

use crate::common;

use std::time::Duration;

use common::*;
use pz::api::{UpsertResult, ZoneStatus};

async fn status(c: &pz::api::Client, name: &str) -> Option<ZoneStatus> {
    c.get_zone(name).await.ok().and_then(|z| z.metadata.status)
}

#[tokio::test]
async fn pending_then_ready_or_failed_and_updates_go_back_through_pending() {
    let (sb, c) = start(options()).await;
    c.apply_zone(&zone("ok", "gateway-prod"), false)
        .await
        .unwrap();
    c.apply_zone(&zone("ko", "gateway-dr"), false)
        .await
        .unwrap();
    assert_eq!(status(&c, "ok").await, Some(ZoneStatus::Pending));
    assert_eq!(status(&c, "ko").await, Some(ZoneStatus::Pending));
    assert!(
        eventually(
            async || status(&c, "ok").await == Some(ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );
    assert!(
        eventually(
            async || status(&c, "ko").await == Some(ZoneStatus::Failed),
            Duration::from_secs(5)
        )
        .await
    );

    let mut edited = c.get_zone("ok").await.unwrap();
    edited.spec.description = Some("now with a description".into());
    let r = c.apply_zone(&edited, false).await.unwrap();
    assert_eq!(r.upsert_result, UpsertResult::Updated);
    assert_eq!(status(&c, "ok").await, Some(ZoneStatus::Pending));
    assert!(
        eventually(
            async || status(&c, "ok").await == Some(ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );

    // Audit: create twice, update once.
    let audit = sandbox_call(reqwest::Method::GET, &sb.base_url(), "/sandbox/audit").await;
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Admin.PartnerZone.Create",
            "Admin.PartnerZone.Create",
            "Admin.PartnerZone.Update"
        ]
    );
    assert!(audit[0]["actor"].as_str().unwrap().contains("admin"));
    sb.shutdown().await;
}

/// The sandbox keeps its serialized list between changes: every change,
/// a deployment settling included, shows in the next list.
#[tokio::test]
async fn the_list_follows_every_change() {
    let mut o = options();
    let clock = pz::sandbox::clock::Clock::manual(chrono::Utc::now());
    o.clock = clock.clone();
    let (sb, c) = start(o).await;
    let listed = async || -> Vec<(String, Option<ZoneStatus>)> {
        let zones = c.list_zones().await.unwrap();
        zones
            .into_iter()
            .filter(|z| z.metadata.name.starts_with("cache-"))
            .map(|z| (z.metadata.name.to_string(), z.metadata.status))
            .collect()
    };
    assert!(listed().await.is_empty());
    assert!(listed().await.is_empty(), "asked twice, the same answer");
    c.apply_zone(&zone("cache-a", "gateway-prod"), false)
        .await
        .unwrap();
    assert_eq!(
        listed().await,
        [("cache-a".to_string(), Some(ZoneStatus::Pending))]
    );
    assert_eq!(listed().await[0].1, Some(ZoneStatus::Pending));
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        listed().await,
        [("cache-a".to_string(), Some(ZoneStatus::Ready))],
        "the deployment settled: the list says so"
    );
    c.delete_zone("cache-a").await.unwrap();
    assert!(listed().await.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_restart_keeps_state() {
    let (_dir, path) = temp_state();
    let mut o = options();
    o.state = Some(path.clone());
    let (sb, c) = start(o.clone()).await;
    c.apply_zone(&zone("kept", "gateway-prod"), false)
        .await
        .unwrap();
    c.delete_zone("acme-logistics").await.unwrap();
    let id = c.get_zone("kept").await.unwrap().metadata.id;
    sb.shutdown().await;

    let (sb, c) = start(o).await;
    assert_eq!(c.get_zone("kept").await.unwrap().metadata.id, id);
    assert!(c.get_zone("acme-logistics").await.is_err());
    // The deployment that was due while the sandbox was down still finishes.
    assert!(
        eventually(
            async || status(&c, "kept").await == Some(ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_torn_temp_file_is_ignored_and_a_corrupt_state_refuses_to_start() {
    let (_dir, path) = temp_state();
    let mut o = options();
    o.state = Some(path.clone());
    let (sb, c) = start(o.clone()).await;
    c.apply_zone(&zone("acked", "gateway-prod"), false)
        .await
        .unwrap();
    sb.shutdown().await;
    std::fs::write(path.with_file_name("state.json.tmp"), b"{\"clusters\": [").unwrap();
    let (sb, c) = start(o.clone()).await;
    assert!(c.get_zone("acked").await.is_ok());
    sb.shutdown().await;

    std::fs::write(&path, b"{\"clusters\": [").unwrap();
    let err = pz::sandbox::start(o).await.err().expect("must refuse");
    assert!(err.to_string().contains("not valid"), "{err}");
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_change() {
    let (_dir, path) = temp_state();
    let (mut child, port) = spawn_sandbox_free(&path, &[]);
    let base = format!("http://127.0.0.1:{port}");
    let c = client_for(&base, KEY);
    assert!(
        eventually(
            async || c.list_zones().await.is_ok(),
            Duration::from_secs(10)
        )
        .await
    );

    // Writers keep applying while the process is killed under them.
    let mut writers = Vec::new();
    for w in 0..4 {
        let c = c.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..1000 {
                let name = format!("w{w}-z{i}");
                let mut z = zone(&name, "gateway-prod");
                z.spec.service_account = Some(format!("sa-{name}").into());
                match c.apply_zone(&z, false).await {
                    Ok(_) => acked.push(name),
                    Err(_) => break,
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    assert!(
        !acked.is_empty(),
        "some applies were acknowledged before the kill"
    );

    let bytes = std::fs::read(&path).unwrap();
    let world: pz::sandbox::World = serde_json::from_slice(&bytes).expect("never a corrupt file");
    for name in &acked {
        assert!(
            world.zones.contains_key(name),
            "{name} was acknowledged but lost"
        );
    }

    let mut child = spawn_sandbox(port, &path, &[]);
    assert!(
        eventually(
            async || c.list_zones().await.is_ok(),
            Duration::from_secs(10)
        )
        .await
    );
    let zones = c.list_zones().await.unwrap();
    for name in &acked {
        assert!(zones.iter().any(|z| z.metadata.name == *name));
    }
    child.kill().unwrap();
    let _ = child.wait();
}
