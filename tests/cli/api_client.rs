//! Every endpoint through the client against the sandbox over real HTTP,
//! and every error class.

use crate::common;

use std::time::Duration;

use common::*;
use pz::api::{ApiError, Permission, UpsertResult, ZoneStatus};

#[tokio::test]
async fn every_endpoint() {
    let (sb, c) = start(options()).await;

    let zones = c.list_zones().await.unwrap();
    assert!(zones.len() >= 5);
    let one = c.get_zone("acme-logistics").await.unwrap();
    assert_eq!(one.spec.display_name.as_deref(), Some("ACME Logistics"));

    let clusters = c.list_clusters().await.unwrap();
    assert!(clusters.iter().any(|k| k.is_gateway()));
    assert!(clusters.iter().any(|k| !k.is_gateway()));
    let topics = c.list_topics("gateway-prod").await.unwrap();
    assert!(topics.len() >= 30);
    assert!(topics.iter().all(|t| !t.metadata.labels.is_empty()));

    let z = zone("new-zone", "gateway-prod");
    let dry = c.apply_zone(&z, true).await.unwrap();
    assert_eq!(dry.upsert_result, UpsertResult::Created);
    assert!(matches!(
        c.get_zone("new-zone").await,
        Err(ApiError::NotFound(_))
    ));
    let created = c.apply_zone(&z, false).await.unwrap();
    assert_eq!(created.upsert_result, UpsertResult::Created);
    assert_eq!(created.resource.metadata.status, Some(ZoneStatus::Pending));
    let stored = c.get_zone("new-zone").await.unwrap();
    assert_eq!(stored.spec.topics[0].permission, Permission::Write);
    // Served in the newest shape: the account moved into authenticationMode.
    let shaped = pz::api::generation::write_shape(&z, Some(pz::api::Generation::NEWEST)).unwrap();
    assert_eq!(stored.spec, shaped.spec);
    let again = c.apply_zone(&stored, false).await.unwrap();
    assert_eq!(again.upsert_result, UpsertResult::NotChanged);

    let config = c.kafka_configuration("new-zone").await.unwrap();
    assert!(config.contains("sasl.mechanism=PLAIN"));
    assert!(config.contains("username='sa-new-zone'"));
    let s1 = c.generate_credentials("new-zone").await.unwrap();
    let s2 = c.generate_credentials("new-zone").await.unwrap();
    assert_ne!(s1.expose(), s2.expose());
    assert!(pz::credentials::expiry(&s1).is_some());

    // A PENDING zone deletes like any other: deleting is how access is
    // revoked.
    assert_eq!(
        c.get_zone("new-zone").await.unwrap().metadata.status,
        Some(ZoneStatus::Pending)
    );
    c.delete_zone("new-zone").await.unwrap();
    assert!(matches!(
        c.delete_zone("new-zone").await,
        Err(ApiError::NotFound(_))
    ));
    sb.shutdown().await;
}

#[tokio::test]
async fn error_classes_keep_the_servers_message() {
    let (sb, c) = start(options()).await;
    let base = sb.base_url();

    let e = client_for(&base, "wrong").list_zones().await.unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized(_)), "{e}");

    let viewer = client_for(&base, VIEWER);
    assert!(viewer.list_zones().await.is_ok());
    let e = viewer
        .apply_zone(&zone("v", "gateway-prod"), false)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Forbidden(_)), "{e}");
    assert!(matches!(
        viewer.delete_zone("acme-logistics").await,
        Err(ApiError::Forbidden(_))
    ));

    let e = c.get_zone("missing").await.unwrap_err();
    assert!(matches!(e, ApiError::NotFound(_)));
    assert!(e.to_string().contains("missing"));

    let mut bad = zone("bad", "kafka-main");
    let e = c.apply_zone(&bad, true).await.unwrap_err();
    assert!(matches!(e, ApiError::Conflict(_)));
    assert!(e.to_string().contains("not a Gateway cluster"), "{e}");

    bad.spec.cluster = "gateway-prod".into();
    bad.metadata.name = "Not Valid".into();
    let e = c.apply_zone(&bad, true).await.unwrap_err();
    assert!(matches!(e, ApiError::BadRequest(_)));
    assert!(e.to_string().contains("metadata.name"), "{e}");
    sb.shutdown().await;
}

#[tokio::test]
async fn injected_failures_are_500_or_broken_connections() {
    let mut o = options();
    o.fail_rate = 1.0;
    let (sb, c) = start(o).await;
    let mut saw_500 = false;
    let mut saw_drop = false;
    for _ in 0..40 {
        match c.list_zones().await {
            Err(ApiError::Server { status: 500, body }) => {
                assert!(body.msg.unwrap_or_default().contains("Injected"));
                saw_500 = true;
            }
            Err(e @ (ApiError::Connect { .. } | ApiError::Malformed(_))) => {
                assert!(e.is_transient());
                saw_drop = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_500 && saw_drop);
    sb.shutdown().await;
}

#[tokio::test]
async fn timeout_and_connection_refused() {
    let mut o = options();
    o.latency = Duration::from_millis(1500);
    let (sb, _) = start(o).await;
    let mut conn = pz::api::Connection::new(sb.base_url(), pz::secret::Secret::new(KEY));
    conn.timeout = Duration::from_millis(300);
    let slow = pz::api::Client::new(&conn).unwrap();
    let e = slow.list_zones().await.unwrap_err();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e}");
    sb.shutdown().await;

    // Nothing listens on a port we just released.
    let port = free_port();
    let e = client_for(&format!("http://127.0.0.1:{port}"), KEY)
        .list_zones()
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::ConnectionRefused { .. }), "{e}");
}

/// A fake Console that answers with whatever body the test wants.
async fn fake_console(status: u16, content_type: &'static str, body: Vec<u8>) -> String {
    use axum::http::{StatusCode, header};
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move {
            (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, content_type)],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn malformed_answers_are_clear_errors() {
    let html = fake_console(200, "text/html", b"<html>login</html>".to_vec()).await;
    let e = client_for(&html, KEY).list_zones().await.unwrap_err();
    assert!(matches!(e, ApiError::Malformed(_)));
    assert!(e.to_string().contains("HTML"), "{e}");

    let garbage = fake_console(200, "application/json", b"{\"not\": \"a list\"}".to_vec()).await;
    let e = client_for(&garbage, KEY).list_zones().await.unwrap_err();
    assert!(matches!(e, ApiError::Malformed(_)), "{e}");

    let proxy = fake_console(502, "text/html", b"<html>Bad Gateway</html>".to_vec()).await;
    let e = client_for(&proxy, KEY).list_zones().await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(e.to_string().contains("HTML page"), "{e}");

    let huge = vec![b' '; pz::api::client::MAX_BODY_BYTES + 10];
    let big = fake_console(200, "application/json", huge).await;
    let e = client_for(&big, KEY).list_zones().await.unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
}

/// `pz get -o json`'s list, laid out without parsing zones, refuses what
/// is not a JSON array as the parsed list does: a clear line, exit 1,
/// nothing on stdout.
#[tokio::test]
async fn the_laid_out_list_refuses_what_is_not_a_json_array() {
    for (body, says) in [
        (
            &b"<html>login</html>"[..],
            "does not look like a Conduktor Console",
        ),
        (
            b"{\"not\": \"a list\"}",
            "partner-zone: invalid type: map, expected a sequence",
        ),
        (b"  [{\"a\": 1}, ", "partner-zone: EOF"),
        (b"[1] trailing", "partner-zone: trailing characters"),
        (b"[\"\xff\"]", "partner-zone: the text is not UTF-8"),
        (b"\"text\"", "expected a sequence"),
    ] {
        let base = fake_console(200, "application/json", body.to_vec()).await;
        let run = pz(&base, &["get", "-o", "json"], None).await;
        assert_eq!(run.code, 1, "{body:?}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "{body:?}: {}", run.stdout);
        assert!(
            run.stderr.starts_with("pz: ") && run.stderr.contains(says),
            "{body:?}: {}",
            run.stderr
        );
    }
    let base = fake_console(200, "application/json", b" [ {\"b\":[1,{}]} ]".to_vec()).await;
    let run = pz(&base, &["get", "-o", "json"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "[\n  {\n    \"b\": [\n      1,\n      {}\n    ]\n  }\n]\n"
    );
}

/// The same list answer again is told apart without being parsed; any
/// change (a new zone, a status) is news.
#[tokio::test]
async fn an_unchanged_list_is_not_parsed_again() {
    let (sb, c) = start(options()).await;
    let (zones, digest) = c.list_rows_unless(None).await.unwrap().unwrap();
    assert_eq!(c.list_rows_unless(Some(digest)).await.unwrap(), None);
    c.apply_zone(&zone("news", "gateway-prod"), false)
        .await
        .unwrap();
    let (more, changed) = c.list_rows_unless(Some(digest)).await.unwrap().unwrap();
    assert_ne!(changed, digest);
    assert_eq!(more.len(), zones.len() + 1);
    sb.shutdown().await;
}
