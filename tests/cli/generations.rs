//! Today's Console and 1.32, both first-class: the vendor's documented zone
//! shapes (`tests/fixtures/zones`) applied with `pz apply` to a sandbox of
//! each generation and read back; the generation detected; the login
//! (`CDK_USER`/`CDK_PASSWORD`, `CDK_AUTH_MODE=external`); `/api` bases; an
//! error's `cause`; a zone's `failedReason`.

use std::path::PathBuf;

use pz::api::{Generation, PartnerZone, ZoneStatus};

use crate::common::{KEY, Run, client_for, options, pz, pz_env, start};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/zones")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn options_of(generation: Generation) -> pz::sandbox::SandboxOptions {
    let mut o = options();
    o.generation = generation;
    o
}

async fn stored(base: &str, name: &str) -> PartnerZone {
    client_for(base, KEY).get_zone(name).await.unwrap()
}

/// Checks what every fixture must read back as, in `generation`'s shape.
fn assert_shape(z: &PartnerZone, generation: Generation, account: &str) {
    assert_eq!(z.api_version, "v2", "{}", z.metadata.name);
    assert_eq!(z.spec.service_account_name(), Some(account));
    if generation.has_authentication_mode() {
        assert_eq!(
            z.spec.service_account, None,
            "{}: the 1.34+ shape",
            z.metadata.name
        );
        assert!(z.spec.authentication_mode.is_some());
    } else {
        assert_eq!(z.spec.service_account.as_deref(), Some(account));
        assert_eq!(
            z.spec.authentication_mode, None,
            "{}: the 1.32 shape",
            z.metadata.name
        );
    }
    if let Some(tcp) = &z.spec.traffic_control_policies {
        // 1e+06 went out, and came back, as the integer 1000000.
        let rate = tcp.max_produce_rate.as_ref().unwrap();
        assert!(rate.is_u64(), "{rate}");
        assert_eq!(rate.as_u64(), Some(1_000_000));
    }
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}: {}{}", run.stdout, run.stderr);
}

#[tokio::test]
async fn the_vendors_zone_shapes_apply_to_either_generation() {
    for generation in [Generation::LEGACY, Generation::NEWEST] {
        let (sb, _) = start(options_of(generation)).await;
        let base = sb.base_url();
        for (file, name, account) in [
            (
                "resource-reference.yaml",
                "external-partner-zone",
                "johndoe",
            ),
            ("terraform-minimal.yaml", "minimal", "minimal-partner"),
            ("terraform-complex.yaml", "complex", "external-partner"),
            (
                "openapi-1.32-example.yaml",
                "john-partner-zone",
                "johndoe132",
            ),
        ] {
            let what = format!("{} {file}", generation.label());
            let f = fixture(file);
            let run = pz(&base, &["apply", "-f", &f, "--wait"], None).await;
            ok(&run, &what);
            assert!(
                run.stdout.contains(&format!("PartnerZone/{name}: Created")),
                "{what}: {}",
                run.stdout
            );
            let z = stored(&base, name).await;
            assert_eq!(z.metadata.status, Some(ZoneStatus::Ready), "{what}");
            assert_shape(&z, generation, account);
            // The file and the Console agree: console/v2, 1e+06 and the
            // other generation's spelling are no difference.
            let diff = pz(&base, &["diff", "-f", &f], None).await;
            ok(&diff, &format!("{what} diff"));
            assert!(diff.stdout.is_empty(), "{what}: {}", diff.stdout);
        }
        // What only the newer shape carries, read back.
        let z = stored(&base, "external-partner-zone").await;
        assert_eq!(&z.metadata.labels["project"], "projectA");
        let h = z.spec.headers.as_ref().unwrap();
        assert_eq!(h.add_on_produce[0].value, "{{clientId}}");
        assert_eq!(h.remove_on_consume[0].key_regex, "my_org_prefix.*");
        let minimal = stored(&base, "minimal").await;
        assert_eq!(minimal.spec.display_name, None, "no displayName needed");

        // OAUTHBEARER: 1.34+ takes it; on 1.32 pz refuses before sending.
        let oauth = fixture("oauth-partner.yaml");
        let run = pz(&base, &["apply", "-f", &oauth], None).await;
        if generation.has_authentication_mode() {
            ok(&run, "oauth on 1.45");
            let z = stored(&base, "oauth-partner").await;
            assert_eq!(z.spec.auth_type(), "OAUTHBEARER");
            // No secret to generate: the partner brings its tokens.
            let run = pz(&base, &["credentials", "oauth-partner"], None).await;
            assert_eq!(run.code, 2, "{}", run.stderr);
            assert!(
                run.stderr
                    .contains("whose `sub` must be 'oauth-partner-sub'"),
                "{}",
                run.stderr
            );
            let run = pz(
                &base,
                &["credentials", "oauth-partner", "--properties"],
                None,
            )
            .await;
            ok(&run, "oauth properties");
            assert!(
                run.stdout.contains("sasl.mechanism=OAUTHBEARER"),
                "{}",
                run.stdout
            );
        } else {
            assert_eq!(run.code, 2, "{}", run.stderr);
            assert!(
                run.stderr.contains("PLAIN only, not OAUTHBEARER"),
                "{}",
                run.stderr
            );
            assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        }

        // pz info names the generation it detected.
        let home = tempfile::tempdir().unwrap();
        let info = pz_env(&base, &["info"], None, home.path(), &[("CDK_API_KEY", KEY)]).await;
        ok(&info, "info");
        assert!(
            info.stdout
                .contains(&format!("generation:     {}", generation.label())),
            "{}",
            info.stdout
        );
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn a_fractional_limit_is_refused_before_sending() {
    let (sb, client) = start(options()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("half.yaml");
    let text = std::fs::read_to_string(fixture("terraform-complex.yaml"))
        .unwrap()
        .replace(
            "maxConsumeRate: 1e+06",
            "maxConsumeRate: 1.5e+06\n    # and\n    # more",
        )
        .replace("limitCommitOffset: 30", "limitCommitOffset: 2.5");
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let run = pz(&sb.base_url(), &["apply", "-f", f], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = text
        .lines()
        .position(|l| l.contains("limitCommitOffset"))
        .unwrap()
        + 1;
    assert!(
        run.stderr.contains(&format!("half.yaml:{line}:5: spec.trafficControlPolicies.limitCommitOffset must be a positive whole number, not 2.5")),
        "{}",
        run.stderr
    );
    assert!(
        client.get_zone("complex").await.is_err(),
        "nothing was sent"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn cdk_user_and_password_log_in_as_the_vendor_cli_does() {
    let mut o = options();
    o.users = vec![pz::sandbox::auth::User::parse("ann:s3cret").unwrap()];
    let (sb, _) = start(o).await;
    let base = sb.base_url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();

    let as_ann = async |password: &str| {
        let vars = [("CDK_USER", "ann"), ("CDK_PASSWORD", password)];
        pz_env(&base, &["get"], None, h, &vars).await
    };
    let run = as_ann("s3cret").await;
    ok(&run, "login");
    assert!(run.stdout.contains("acme-logistics"), "{}", run.stdout);

    let run = as_ann("nope").await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let err = run.stderr.trim();
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.contains("refused the login"), "{err}");
    assert!(err.contains("invalid username or password"), "{err}");
    assert!(!err.contains("nope"), "the password is not shown: {err}");

    // CDK_AUTH_MODE=external: Basic auth, as for an API gateway in front.
    let external = [
        ("CDK_USER", "ann"),
        ("CDK_PASSWORD", "s3cret"),
        ("CDK_AUTH_MODE", "external"),
    ];
    let run = pz_env(&base, &["get", "acme-logistics"], None, h, &external).await;
    ok(&run, "basic");

    let both = [
        ("CDK_USER", "ann"),
        ("CDK_PASSWORD", "s3cret"),
        ("CDK_API_KEY", KEY),
    ];
    let run = pz_env(&base, &["get"], None, h, &both).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("can't set both CDK_USER and CDK_API_KEY"),
        "{}",
        run.stderr
    );

    // The same in a context of the config file.
    let dir = h.join("pz");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        format!("currentContext: s\ncontexts:\n  s:\n    baseUrl: {base}/api/\n    user: ann\n    passwordEnv: ANN_PW\n"),
    )
    .unwrap();
    let run =
        crate::common::pz_env_only(&["get", "stark-payments"], h, &[("ANN_PW", "s3cret")]).await;
    ok(&run, "context login");
    sb.shutdown().await;
}

#[tokio::test]
async fn every_base_reaches_api_public() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    for b in [
        base.clone(),
        format!("{base}/"),
        format!("{base}/api"),
        format!("{base}/api/"),
    ] {
        let run = pz(&b, &["get", "acme-logistics", "-o", "json"], None).await;
        ok(&run, &b);
        assert!(run.stdout.contains("\"acme-logistics\""), "{b}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn the_cause_follows_the_message() {
    use axum::http::StatusCode;
    use axum::routing::put;
    let app = axum::Router::new().nest(
        "/api",
        axum::Router::new().route(
            "/public/console/v2/partner-zone",
            put(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(serde_json::json!({
                        "title": "The request is not valid",
                        "msg": "spec.topics[0].backingTopic",
                        "cause": "the topic 'orders.v1' is compacted"
                    })),
                )
            }),
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let run = pz(
        &base,
        &["apply", "-f", &fixture("terraform-minimal.yaml")],
        None,
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("spec.topics[0].backingTopic (cause: the topic 'orders.v1' is compacted)"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_failed_zone_says_why() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ghost.yaml");
    std::fs::write(
        &file,
        std::fs::read_to_string(fixture("terraform-minimal.yaml"))
            .unwrap()
            .replace("backingTopic: payments.v1", "backingTopic: ghost.v1"),
    )
    .unwrap();
    // 1.34+ accepts it and fails the deployment, saying why.
    let run = pz(
        &base,
        &["apply", "-f", file.to_str().unwrap(), "--wait"],
        None,
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let why = "Failed to map topic 'topic': the backing topic 'ghost.v1' does not exist on cluster 'gateway-prod'";
    assert!(
        run.stderr
            .contains(&format!("PartnerZone/minimal: FAILED: {why}")),
        "{}",
        run.stderr
    );
    let get = pz(&base, &["get", "minimal"], None).await;
    ok(&get, "get");
    assert!(
        get.stdout.contains(&format!("failed: {why}")),
        "{}",
        get.stdout
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_standalone_sandbox_emulates_the_version_asked() {
    let (state_dir, state) = crate::common::temp_state();
    let (_p, port) = crate::common::spawn_sandbox_free(
        &state,
        &["--console-version", "1.32", "--user", "ann:pw"],
    );
    let base = format!("http://127.0.0.1:{port}");
    let doc = reqwest::get(format!("{base}/api/public/docs/docs.yaml"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(Generation::from_openapi(&doc), Some(Generation::LEGACY));
    let run = pz_env(
        &base,
        &["get", "-o", "yaml"],
        None,
        state_dir.path(),
        &[("CDK_USER", "ann"), ("CDK_PASSWORD", "pw")],
    )
    .await;
    ok(&run, "1.32 sandbox");
    assert!(
        run.stdout.contains("serviceAccount: acme-logistics"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("authenticationMode"), "{}", run.stdout);
    let bad = crate::common::spawn_sandbox_output(&state, &["--console-version", "1.30"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("1.32 or later"));
}

#[tokio::test]
async fn labels_select_zones_as_kubectl_does() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    let names = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    let run = pz(&base, &["get", "-l", "tier=gold"], None).await;
    ok(&run, "tier=gold");
    assert_eq!(names(&run), ["globex-analytics", "stark-payments"]);
    let run = pz(&base, &["get", "-l", "project,tier!=gold"], None).await;
    assert_eq!(names(&run), ["acme-logistics"]);
    let run = pz(&base, &["get", "-l", "!project"], None).await;
    assert_eq!(names(&run), ["initech-billing", "umbrella-research"]);
    let run = pz(&base, &["get", "-l", "a in (b)"], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    sb.shutdown().await;
}
