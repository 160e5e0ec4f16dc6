//! Every sandbox answer validated against the vendor's OpenAPI document,
//! read at test time from ../shared/api/console-openapi-subset.yaml.

use crate::common;

use common::*;
use serde_json::{Value, json};

fn openapi() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/api/console-openapi-subset.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the vendor contract {} must be readable: {e}",
            path.display()
        )
    });
    let mut doc: Value = serde_yaml_ng::from_str(&text).expect("the contract is YAML");
    // partner-zone-contract.md: in newer Consoles `authenticationMode`
    // replaces `serviceAccount` and `url` is optional. The subset still lists
    // both as required (the 1.32 shape); the sandbox serves both shapes.
    let required = doc
        .pointer_mut("/components/schemas/PartnerZoneSpec/required")
        .and_then(Value::as_array_mut)
        .expect("PartnerZoneSpec.required");
    required.retain(|r| r != "serviceAccount" && r != "url");
    doc
}

fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

/// Validates `body` against the schema the contract gives for this
/// operation and status.
fn check(doc: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let pointer = format!(
        "#/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        escape(path)
    );
    assert!(
        doc.pointer(&pointer[1..]).is_some(),
        "the contract has no schema for {method} {path} {status}"
    );
    let mut schema = doc.clone();
    // In a URI fragment the braces of a path template are percent-encoded.
    schema["$ref"] = json!(pointer.replace('{', "%7B").replace('}', "%7D"));
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the contract: {errors:#?}\n{body:#}"
    );
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: not JSON: {e}"))
    };
    (status, value)
}

#[tokio::test]
async fn every_answer_matches_the_vendor_schemas() {
    use reqwest::Method;
    let doc = openapi();
    // The vendor's schemas are 1.32's: the sandbox emulates that generation.
    let mut o = options();
    o.generation = pz::api::Generation::LEGACY;
    let (sb, _) = start(o).await;
    let base = sb.base_url();
    let http = reqwest::Client::new();
    let zones = "/public/console/v2/partner-zone";
    let one = "/public/console/v2/partner-zone/{partner-zone-name}";
    let creds = "/public/partner-zone/v2/{partner-zone-name}/generate-credentials";
    let conf = "/public/console/v2/partner-zone/{partner-zone-name}/kafka-configuration";
    let clusters = "/public/console/v2/kafka-cluster";
    let topics = "/public/kafka/v2/cluster/{cluster}/topic";

    let (s, b) = call(&http, &base, Method::GET, zones, KEY, None).await;
    assert_eq!(s, 200);
    check(&doc, zones, "get", s, &b);

    let (s, b) = call(
        &http,
        &base,
        Method::GET,
        "/public/console/v2/partner-zone/acme-logistics",
        KEY,
        None,
    )
    .await;
    check(&doc, one, "get", s, &b);
    let (s, b) = call(
        &http,
        &base,
        Method::GET,
        "/public/console/v2/partner-zone/nope",
        KEY,
        None,
    )
    .await;
    assert_eq!(s, 404);
    check(&doc, one, "get", s, &b);

    let input = serde_json::to_value(zone("conf-zone", "gateway-prod")).unwrap();
    for dry in ["true", "false"] {
        let (s, b) = call(
            &http,
            &base,
            Method::PUT,
            &format!("{zones}?dryMode={dry}"),
            KEY,
            Some(&input),
        )
        .await;
        assert_eq!(s, 200);
        check(&doc, zones, "put", s, &b);
    }
    let mut bad = input.clone();
    bad["spec"]["topics"] = json!([]);
    let (s, b) = call(&http, &base, Method::PUT, zones, KEY, Some(&bad)).await;
    assert_eq!(s, 409);
    check(&doc, zones, "put", s, &b);
    bad["metadata"]["name"] = json!("UPPER");
    let (s, b) = call(&http, &base, Method::PUT, zones, KEY, Some(&bad)).await;
    assert_eq!(s, 400);
    check(&doc, zones, "put", s, &b);
    let (s, b) = call(&http, &base, Method::PUT, zones, "wrong", Some(&input)).await;
    assert_eq!(s, 401);
    check(&doc, zones, "put", s, &b);
    let (s, b) = call(&http, &base, Method::PUT, zones, VIEWER, Some(&input)).await;
    assert_eq!(s, 403);
    check(&doc, zones, "put", s, &b);

    let (s, b) = call(
        &http,
        &base,
        Method::POST,
        "/public/partner-zone/v2/conf-zone/generate-credentials",
        KEY,
        None,
    )
    .await;
    assert_eq!(s, 200);
    check(&doc, creds, "post", s, &b);
    let (s, b) = call(
        &http,
        &base,
        Method::GET,
        "/public/console/v2/partner-zone/conf-zone/kafka-configuration",
        KEY,
        None,
    )
    .await;
    assert_eq!(s, 200);
    check(&doc, conf, "get", s, &b);

    let (s, b) = call(&http, &base, Method::GET, clusters, KEY, None).await;
    check(&doc, clusters, "get", s, &b);
    let (s, b) = call(
        &http,
        &base,
        Method::GET,
        "/public/kafka/v2/cluster/gateway-prod/topic",
        KEY,
        None,
    )
    .await;
    assert_eq!(s, 200);
    check(&doc, topics, "get", s, &b);

    // A PENDING zone deletes like any other: 200, gone.
    let (s, b) = call(
        &http,
        &base,
        Method::DELETE,
        "/public/console/v2/partner-zone/conf-zone",
        KEY,
        None,
    )
    .await;
    assert_eq!((s, b), (200, Value::Null));
    let (s, b) = call(
        &http,
        &base,
        Method::GET,
        "/public/console/v2/partner-zone/conf-zone",
        KEY,
        None,
    )
    .await;
    assert_eq!(s, 404);
    check(&doc, one, "get", s, &b);
    let (s, b) = call(
        &http,
        &base,
        Method::DELETE,
        "/public/console/v2/partner-zone/acme-logistics",
        KEY,
        None,
    )
    .await;
    assert_eq!((s, b), (200, Value::Null));
    sb.shutdown().await;
}

#[test]
fn the_check_rejects_a_wrong_answer() {
    let doc = openapi();
    let wrong =
        json!([{"apiVersion": "v2", "kind": "PartnerZone", "metadata": {"name": "x"}, "spec": {}}]);
    let result = std::panic::catch_unwind(|| {
        check(&doc, "/public/console/v2/partner-zone", "get", 200, &wrong)
    });
    assert!(
        result.is_err(),
        "a zone without id/status/cluster must fail the check"
    );
}
