//! The partner's side, for real: the sandbox's Gateway listeners checked by
//! Kafka clients that are not pz's (`kcat`, i.e. librdkafka, and
//! `kafka-python`), by `pz check`, and by random bytes.
//!
//! `kcat` and `kafka-python` are installed by `.ci/run`. Where one is
//! missing the test says so and is skipped; with `PZ_REQUIRE_TOOLS=1` (set
//! by `.ci/run`) a missing tool fails the test instead.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use pz::api::{Client, ZoneStatus};
use pz::sandbox::RunningSandbox;

fn pz_zone(name: &str) -> pz::api::PartnerZone {
    zone(name, "gateway-prod")
}

/// Whether `program --version`-like `probe` runs; if not, says why the
/// test is skipped (or fails under `PZ_REQUIRE_TOOLS`).
fn tool(program: &str, probe: &[&str]) -> bool {
    let ok = std::process::Command::new(program)
        .args(probe)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let msg = format!("{program} is not installed here (`.ci/run` installs it)");
        if std::env::var_os("PZ_REQUIRE_TOOLS").is_some() {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
    }
    ok
}

fn has_kcat() -> bool {
    tool("kcat", &["-V"])
}

fn has_kafka_python() -> bool {
    tool("python3", &["-c", "import kafka"])
}

async fn ready_zone(client: &Client, name: &str) {
    apply_ready(client, &zone(name, "gateway-prod")).await;
}

/// Applies `zone` and waits until it is READY.
async fn apply_ready(client: &Client, zone: &pz::api::PartnerZone) {
    client.apply_zone(zone, false).await.unwrap();
    let name = zone.metadata.name.as_str();
    assert!(
        eventually(
            async || client.get_zone(name).await.unwrap().metadata.status
                == Some(ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );
}

fn aliases(zone: &pz::api::PartnerZone) -> Vec<String> {
    let mut v: Vec<String> = zone
        .spec
        .topics
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    v.sort();
    v
}

/// `pz credentials NAME --properties`, as the documentation's onboarding does.
async fn properties(base: &str, name: &str) -> String {
    let run = pz(base, &["credentials", name, "--properties"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn get<'a>(props: &'a str, key: &str) -> &'a str {
    pz::kafka::properties::get(props, key).unwrap()
}

fn jaas(props: &str, field: &str) -> String {
    pz::kafka::properties::jaas_option(get(props, "sasl.jaas.config"), field).unwrap()
}

/// `kcat -L` with the file's settings: the topic names, or kcat's error.
async fn kcat_list(props: &str, password: &str) -> Result<Vec<String>, String> {
    kcat_list_with(props, password, &[]).await
}

/// The same with more `-X` settings (`ssl.ca.location=…`).
async fn kcat_list_with(
    props: &str,
    password: &str,
    extra: &[&str],
) -> Result<Vec<String>, String> {
    let mut settings: Vec<String> = extra.iter().map(|x| x.to_string()).collect();
    settings.extend([
        format!("security.protocol={}", get(props, "security.protocol")),
        format!("sasl.mechanism={}", get(props, "sasl.mechanism")),
        format!("sasl.username={}", jaas(props, "username")),
        format!("sasl.password={password}"),
    ]);
    kcat_topics(get(props, "bootstrap.servers"), &settings).await
}

/// `kcat -L -b BOOTSTRAP -X SETTING…`: the topic names, or kcat's error.
async fn kcat_topics(bootstrap: &str, settings: &[String]) -> Result<Vec<String>, String> {
    // Async: the sandbox answers on this test's own runtime.
    let out = tokio::process::Command::new("kcat")
        .args(["-L", "-J", "-m", "5", "-b", bootstrap])
        .args(settings.iter().flat_map(|x| ["-X", x.as_str()]))
        .output()
        .await
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    Ok(names)
}

#[tokio::test]
async fn the_documented_onboarding_with_kcat() {
    if !has_kcat() {
        return;
    }
    let mut o = options();
    o.token_ttl = Duration::from_secs(2);
    // The sandbox's own clock, moved by the test: no waiting for expiry.
    let clock = pz::sandbox::clock::Clock::manual(chrono::Utc::now());
    o.clock = clock.clone();
    o.deploy_delay = Duration::ZERO;
    let (sb, client) = start(o).await;
    let base = sb.base_url();
    ready_zone(&client, "onboard").await;
    ready_zone(&client, "neighbour").await;
    let zone = client.get_zone("onboard").await.unwrap();

    let props = properties(&base, "onboard").await;
    let secret = jaas(&props, "password");
    assert_eq!(kcat_list(&props, &secret).await, Ok(aliases(&zone)));

    // Refused by SASL, each with its reason.
    let wrong = kcat_list(&props, "not-the-secret").await.unwrap_err();
    assert!(
        wrong.contains("Authentication failed: wrong secret"),
        "{wrong}"
    );
    let theirs = jaas(&properties(&base, "neighbour").await, "password");
    let other = kcat_list(&props, &theirs).await.unwrap_err();
    assert!(
        other.contains("issued for Partner Zone 'neighbour'"),
        "{other}"
    );
    clock.advance(Duration::from_secs(3));
    let expired = kcat_list(&props, &secret).await.unwrap_err();
    assert!(expired.contains("expired"), "{expired}");

    let fresh = properties(&base, "onboard").await;
    let fresh_secret = jaas(&fresh, "password");
    assert!(kcat_list(&fresh, &fresh_secret).await.is_ok());
    client.delete_zone("onboard").await.unwrap();
    let deleted = kcat_list(&fresh, &fresh_secret).await.unwrap_err();
    assert!(deleted.contains("was deleted"), "{deleted}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_topic_under_two_aliases_appears_twice() {
    if !has_kcat() {
        return;
    }
    let (sb, client) = start(options()).await;
    let mut z = zone("twice", "gateway-prod");
    let mut second = z.spec.topics[0].clone();
    second.name = format!("{}-again", second.name).into();
    second.permission = pz::api::Permission::Read;
    z.spec.topics.push(second);
    apply_ready(&client, &z).await;
    let zone = client.get_zone("twice").await.unwrap();
    let props = properties(&sb.base_url(), "twice").await;
    let listed = kcat_list(&props, &jaas(&props, "password")).await.unwrap();
    assert_eq!(listed, aliases(&zone));
    assert!(
        listed.contains(&"alias-a".to_string()) && listed.contains(&"alias-a-again".to_string())
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn kafka_python_lists_the_aliases() {
    if !has_kafka_python() {
        return;
    }
    let (sb, client) = start(options()).await;
    ready_zone(&client, "pyzone").await;
    let zone = client.get_zone("pyzone").await.unwrap();
    let props = properties(&sb.base_url(), "pyzone").await;
    let listed = kafka_python_list(&props, None).await;
    assert_eq!(listed, aliases(&zone));
    sb.shutdown().await;
}

/// kafka-python's admin client with the file's settings (and a CA for
/// SASL_SSL): the topics it lists.
async fn kafka_python_list(props: &str, ca: Option<&str>) -> Vec<String> {
    let script = r#"
import sys
from kafka import KafkaAdminClient
tls = {"ssl_cafile": sys.argv[5]} if sys.argv[4] == "SASL_SSL" else {}
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], security_protocol=sys.argv[4],
    sasl_mechanism="PLAIN", sasl_plain_username=sys.argv[2], sasl_plain_password=sys.argv[3],
    request_timeout_ms=5000, **tls)
print("\n".join(sorted(a.list_topics())))
a.close()
"#;
    let mut out = tokio::process::Command::new("python3");
    out.args(["-c", script, get(props, "bootstrap.servers")])
        .arg(jaas(props, "username"))
        .arg(jaas(props, "password"))
        .arg(get(props, "security.protocol"))
        .arg(ca.unwrap_or_default());
    python_lines(out).await
}

/// kafka-python's admin client in SASL OAUTHBEARER over TLS, presenting
/// `token`: the topics it lists.
async fn kafka_python_oauth_list(bootstrap: &str, ca: &str, token: &str) -> Vec<String> {
    let script = r#"
import sys
from kafka import KafkaAdminClient
try:
    from kafka.sasl.oauth import AbstractTokenProvider
except ImportError:  # kafka-python 3
    from kafka.net.sasl.oauth import AbstractTokenProvider
boot, ca, token = sys.argv[1:4]
class Provider(AbstractTokenProvider):
    def token(self):
        return token
a = KafkaAdminClient(bootstrap_servers=boot, security_protocol="SASL_SSL", ssl_cafile=ca,
    sasl_mechanism="OAUTHBEARER", sasl_oauth_token_provider=Provider(), request_timeout_ms=5000)
print("\n".join(sorted(a.list_topics())))
a.close()
"#;
    let mut out = tokio::process::Command::new("python3");
    out.arg("-c").arg(script).args([bootstrap, ca, token]);
    python_lines(out).await
}

/// Runs a Python script that prints one topic per line; fails with its
/// stderr.
async fn python_lines(mut command: tokio::process::Command) -> Vec<String> {
    let out = command.output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A sandbox whose Gateways listen with TLS (`--kafka-tls`).
async fn start_tls() -> (RunningSandbox, Client) {
    let mut o = options();
    o.kafka_tls = true;
    start(o).await
}

/// The test zone authenticating with `kind` as `account` (Console 1.34+).
fn zone_of_mode(name: &str, kind: &str, account: &str) -> pz::api::PartnerZone {
    let mut z = zone(name, "gateway-prod");
    z.spec.service_account = None;
    z.spec.authentication_mode = Some(pz::api::AuthenticationMode {
        kind: kind.into(),
        service_account: Some(account.into()),
        extra: Default::default(),
    });
    z
}

/// The sandbox's CA (`GET /sandbox/ca`), PEM.
async fn sandbox_ca(base: &str) -> String {
    reqwest::Client::new()
        .get(format!("{base}/sandbox/ca"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// PLAIN over TLS: the Gateways under the sandbox's CA (`--kafka-tls`),
/// reached by kcat, kafka-python and `pz check` with that CA, and refused
/// at the TLS step without it.
#[tokio::test]
async fn sasl_ssl_under_the_sandbox_ca() {
    if !has_kcat() || !has_kafka_python() {
        return;
    }
    let (sb, client) = start_tls().await;
    let base = sb.base_url();
    ready_zone(&client, "tlszone").await;
    let zone = client.get_zone("tlszone").await.unwrap();
    let props = properties(&base, "tlszone").await;
    assert_eq!(get(&props, "security.protocol"), "SASL_SSL");
    let ca = sandbox_ca(&base).await;
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, &ca).unwrap();
    let ca_file = ca_path.to_str().unwrap();
    let secret = jaas(&props, "password");

    let location = format!("ssl.ca.location={ca_file}");
    assert_eq!(
        kcat_list_with(&props, &secret, &[&location]).await,
        Ok(aliases(&zone))
    );
    let untrusted = kcat_list(&props, &secret).await.unwrap_err();
    assert!(
        untrusted.to_lowercase().contains("certificate"),
        "{untrusted}"
    );

    let listed = kafka_python_list(&props, Some(ca_file)).await;
    assert_eq!(listed, aliases(&zone));

    let file = dir.path().join("config.properties");
    std::fs::write(&file, &props).unwrap();
    let f = file.to_str().unwrap();
    let (code, report, stderr) =
        check(&base, &["tlszone", "--properties", f, "--cacert", ca_file]).await;
    assert_eq!(code, 0, "{report} {stderr}");
    let (code, report, _) = check(&base, &["tlszone", "--properties", f]).await;
    assert_eq!(code, 1, "{report}");
    assert_eq!(failed_step(&report).0, "tls", "{report}");
    sb.shutdown().await;
}

/// `kcat -L` over SSL with a client certificate: the topics, or its error.
async fn kcat_mtls(
    bootstrap: &str,
    ca: &str,
    cert: &str,
    key: &str,
) -> Result<Vec<String>, String> {
    let settings = [
        "security.protocol=SSL".to_string(),
        format!("ssl.ca.location={ca}"),
        format!("ssl.certificate.location={cert}"),
        format!("ssl.key.location={key}"),
    ];
    kcat_topics(bootstrap, &settings).await
}

/// mTLS: the partner's client certificate from the sandbox CA is its
/// identity (no SASL); kcat and `pz check --cert --key` get in with it, a
/// certificate of another zone sees that zone's topics (the check fails
/// at topics), one from another CA is refused at TLS.
#[tokio::test]
async fn mtls_with_a_client_certificate_from_the_sandbox_ca() {
    if !has_kcat() {
        return;
    }
    let (sb, client) = start_tls().await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let mut issued = Vec::new();
    for name in ["mtlszone", "mtlsother"] {
        let mut z = zone_of_mode(name, "MTLS", &format!("sa-{name}"));
        if name == "mtlsother" {
            z.spec.topics.truncate(1);
        }
        apply_ready(&client, &z).await;
        let path = format!("/sandbox/partner-zone/{name}/certificate");
        let pair = sandbox_call(reqwest::Method::POST, &base, &path).await;
        issued.push((
            write(
                &format!("{name}.pem"),
                pair["certificate"].as_str().unwrap(),
            ),
            write(&format!("{name}.key"), pair["privateKey"].as_str().unwrap()),
        ));
    }
    let ca = write("ca.pem", &sandbox_ca(&base).await);
    let config = client.kafka_configuration("mtlszone").await.unwrap();
    assert!(config.contains("security.protocol=SSL"), "{config}");
    let bootstrap = get(&config, "bootstrap.servers").to_string();
    let zone = client.get_zone("mtlszone").await.unwrap();

    let (cert, key) = &issued[0];
    assert_eq!(
        kcat_mtls(&bootstrap, &ca, cert, key).await,
        Ok(aliases(&zone))
    );
    let (code, report, stderr) = check(
        &base,
        &["mtlszone", "--cert", cert, "--key", key, "--cacert", &ca],
    )
    .await;
    assert_eq!(code, 0, "{report} {stderr}");

    // Another zone's certificate: in, but as that zone.
    let (other_cert, other_key) = &issued[1];
    let theirs = kcat_mtls(&bootstrap, &ca, other_cert, other_key)
        .await
        .unwrap();
    assert_ne!(theirs, aliases(&zone));
    let (code, report, _) = check(
        &base,
        &[
            "mtlszone", "--cert", other_cert, "--key", other_key, "--cacert", &ca,
        ],
    )
    .await;
    assert_eq!(code, 1, "{report}");
    assert_eq!(failed_step(&report).0, "topics", "{report}");

    // A certificate from another CA: refused at TLS.
    let stranger_key = rcgen::KeyPair::generate().unwrap();
    let stranger = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&stranger_key)
        .unwrap();
    let s_cert = write("stranger.pem", &stranger.pem());
    let s_key = write("stranger.key", &stranger_key.serialize_pem());
    assert!(kcat_mtls(&bootstrap, &ca, &s_cert, &s_key).await.is_err());
    let (code, report, _) = check(
        &base,
        &[
            "mtlszone", "--cert", &s_cert, "--key", &s_key, "--cacert", &ca,
        ],
    )
    .await;
    assert_eq!(code, 1, "{report}");
    assert!(
        ["tls", "sasl"].contains(&failed_step(&report).0.as_str()),
        "{report}"
    );
    sb.shutdown().await;
}

/// OAUTHBEARER over TLS: the client-credentials grant at the sandbox's
/// token endpoint (a wrong secret gets a 401), the token in
/// kafka-python's OAUTHBEARER login lists the zone's aliases; kcat's
/// unsecured (unsigned) token is refused.
#[tokio::test]
async fn oauthbearer_with_the_sandbox_token_endpoint() {
    if !has_kcat() {
        return;
    }
    let (sb, client) = start_tls().await;
    let base = sb.base_url();
    apply_ready(
        &client,
        &zone_of_mode("oauthzone", "OAUTHBEARER", "oauth-sub"),
    )
    .await;
    let zone = client.get_zone("oauthzone").await.unwrap();
    let config = client.kafka_configuration("oauthzone").await.unwrap();
    assert!(config.contains("sasl.mechanism=OAUTHBEARER"), "{config}");
    let oauth = sandbox_call(
        reqwest::Method::POST,
        &base,
        "/sandbox/partner-zone/oauthzone/oauth-client",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, sandbox_ca(&base).await).unwrap();
    let bootstrap = get(&config, "bootstrap.servers").to_string();
    // The client-credentials grant, as a partner's client does it.
    let grant = |secret: &str| {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", oauth["clientId"].as_str().unwrap()),
            ("client_secret", secret),
        ];
        let endpoint = oauth["tokenEndpoint"].as_str().unwrap().to_string();
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        async move {
            reqwest::Client::new()
                .post(endpoint)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = grant("wrong").await;
    assert_eq!(wrong.status().as_u16(), 401);
    let answer: serde_json::Value = grant(oauth["clientSecret"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    let token = answer["access_token"].as_str().unwrap().to_string();
    // kafka-python presents it in SASL OAUTHBEARER, over TLS.
    if has_kafka_python() {
        let listed = kafka_python_oauth_list(&bootstrap, &ca.display().to_string(), &token).await;
        assert_eq!(listed, aliases(&zone));
    }
    // pz check as the partner's client: the grant, then SASL OAUTHBEARER.
    let secret_file = dir.path().join("client-secret");
    std::fs::write(&secret_file, oauth["clientSecret"].as_str().unwrap()).unwrap();
    let ca_file = ca.display().to_string();
    let grant_args = |secret: &str| {
        vec![
            "oauthzone".to_string(),
            "--token-endpoint".into(),
            oauth["tokenEndpoint"].as_str().unwrap().into(),
            "--client-id".into(),
            oauth["clientId"].as_str().unwrap().into(),
            "--client-secret-file".into(),
            secret.into(),
            "--cacert".into(),
            ca_file.clone(),
        ]
    };
    let args = grant_args(secret_file.to_str().unwrap());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = check(&base, &refs).await;
    assert_eq!(code, 0, "{report} {stderr}");
    let wrong_file = dir.path().join("wrong-secret");
    std::fs::write(&wrong_file, "wrong").unwrap();
    let args = grant_args(wrong_file.to_str().unwrap());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr) = check(&base, &refs).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("refused the client"), "{stderr}");
    // Another signature: its first character changed.
    let (signed, tag) = token.rsplit_once('.').unwrap();
    let first = if tag.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{signed}.{first}{}", &tag[1..]);
    let (code, report, _) = check(
        &base,
        &["oauthzone", "--token", &forged, "--cacert", &ca_file],
    )
    .await;
    assert_eq!(code, 1, "{report}");
    assert_eq!(failed_step(&report).0, "sasl", "{report}");

    // kcat's unsecured token (librdkafka signs nothing): refused.
    let unsigned = [
        "security.protocol=SASL_SSL".to_string(),
        format!("ssl.ca.location={}", ca.display()),
        "sasl.mechanism=OAUTHBEARER".to_string(),
        "sasl.oauthbearer.config=principal=oauth-sub".to_string(),
        "enable.sasl.oauthbearer.unsecure.jwt=true".to_string(),
    ];
    let refused = kcat_topics(&bootstrap, &unsigned).await.unwrap_err();
    assert!(refused.contains("not one the sandbox signed"), "{refused}");
    sb.shutdown().await;
}

/// Expiry in sight, on the sandbox's clock: a secret issued 27 days ago
/// (30-day tokens) passes `pz check` with a warning; one issued 31 days ago
/// fails it (exit 1, saying it expired) before any connection.
#[tokio::test]
async fn pz_check_warns_of_an_expiry_within_seven_days_and_fails_an_expired_secret() {
    let now = chrono::Utc::now();
    let clock = pz::sandbox::clock::Clock::manual(now - chrono::Duration::days(31));
    let mut o = options();
    o.clock = clock.clone();
    o.deploy_delay = Duration::ZERO;
    let (sb, client) = start(o).await;
    let base = sb.base_url();
    ready_zone(&client, "ageing").await;
    let dir = tempfile::tempdir().unwrap();
    let expired = write(
        dir.path(),
        "old.properties",
        &properties(&base, "ageing").await,
    );
    clock.advance(Duration::from_secs(4 * 86_400));
    let soon = write(
        dir.path(),
        "soon.properties",
        &properties(&base, "ageing").await,
    );

    let run = pz(&base, &["check", "ageing", "--properties", &soon], None).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("warning: the secret expires in 2 days")
            || run.stdout.contains("warning: the secret expires in 3 days"),
        "{}",
        run.stdout
    );
    let run = pz(&base, &["check", "ageing", "--properties", &expired], None).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("expired at"), "{}", run.stderr);
    let (code, report, _) = check(&base, &["ageing", "--properties", &expired]).await;
    assert_eq!(code, 1);
    let (step, detail) = failed_step(&report);
    assert_eq!(step, "sasl");
    assert!(detail.contains("the partner cannot get in"), "{detail}");
    sb.shutdown().await;
}

async fn check(base: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let run = pz(base, &all, None).await;
    let json = serde_json::from_str(&run.stdout).unwrap_or(serde_json::Value::Null);
    (run.code, json, run.stderr)
}

fn failed_step(report: &serde_json::Value) -> (String, String) {
    let step = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["outcome"] == "fail")
        .unwrap_or_else(|| panic!("a failed step in {report}"));
    (
        step["step"].as_str().unwrap().to_string(),
        step["detail"].as_str().unwrap().to_string(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn pz_check_passes_on_a_ready_zone_and_names_each_failure() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    ready_zone(&client, "checked").await;
    let props = properties(&base, "checked").await;
    let good = write(dir.path(), "config.properties", &props);

    let (code, report, _) = check(&base, &["checked", "--properties", &good]).await;
    assert_eq!(code, 0, "{report}");
    let steps: Vec<(&str, &str)> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("bootstrap", "pass"),
            ("tcp", "pass"),
            ("tls", "skip"),
            ("sasl", "pass"),
            ("topics", "pass")
        ]
    );
    let zone = client.get_zone("checked").await.unwrap();
    let mut seen: Vec<String> =
        serde_json::from_value(report["topics"]["visible"].clone()).unwrap();
    seen.sort();
    assert_eq!(seen, aliases(&zone));

    // --generate: a new secret, and the same result.
    let (code, _, stderr) = check(&base, &["checked", "--generate"]).await;
    assert_eq!(code, 0);
    assert!(stderr.contains("generated a new secret"), "{stderr}");

    // Wrong secret: the SASL step, with the Gateway's reason.
    let bad = write(
        dir.path(),
        "bad.properties",
        &props.replace(&jaas(&props, "password"), "guess"),
    );
    let (code, report, _) = check(&base, &["checked", "--properties", &bad]).await;
    assert_eq!(code, 1);
    let (step, detail) = failed_step(&report);
    assert_eq!(step, "sasl");
    assert!(detail.contains("wrong secret"), "{detail}");

    // Another zone's file: the topics differ.
    let mut other = pz_zone("other");
    other.spec.topics.truncate(1);
    apply_ready(&client, &other).await;
    let theirs = write(
        dir.path(),
        "other.properties",
        &properties(&base, "other").await,
    );
    let (code, report, stderr) = check(&base, &["checked", "--properties", &theirs]).await;
    assert_eq!(code, 1, "{report}");
    assert_eq!(failed_step(&report).0, "topics");
    assert!(
        stderr.contains("is not checked's service account"),
        "{stderr}"
    );

    // A zone being deployed: SASL says so.
    let mut edited = zone.clone();
    edited.spec.display_name = Some("Checked again".into());
    client.apply_zone(&edited, false).await.unwrap();
    let (code, report, _) = check(&base, &["checked", "--properties", &good]).await;
    assert_eq!(code, 1);
    let (step, detail) = failed_step(&report);
    assert_eq!(
        (step.as_str(), detail.contains("not deployed")),
        ("sasl", true),
        "{detail}"
    );

    // Usage: no secret given, an unreadable file, a masked password.
    let (code, _, stderr) = check(&base, &["checked"]).await;
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = check(&base, &["checked", "--properties", "/nonexistent"]).await;
    assert_eq!(code, 2);
    let masked = write(
        dir.path(),
        "masked.properties",
        &props.replace(&jaas(&props, "password"), "****"),
    );
    let (code, _, stderr) = check(&base, &["checked", "--properties", &masked]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("masked"), "{stderr}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_down_gateway_refuses_at_the_tcp_step_and_comes_back() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    ready_zone(&client, "downtime").await;
    let http = reqwest::Client::new();
    let toggle = async |state: &str| {
        let r = http
            .put(format!("{base}/sandbox/gateway/gateway-prod/{state}"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    };
    toggle("down").await;
    let (code, report, _) = check(&base, &["downtime", "--generate"]).await;
    assert_eq!(code, 1);
    let (step, detail) = failed_step(&report);
    assert_eq!(step, "tcp");
    assert!(detail.contains("connection refused"), "{detail}");

    toggle("up").await;
    let mut last = serde_json::Value::Null;
    let back = eventually(
        async || {
            let (code, report, _) = check(&base, &["downtime", "--generate"]).await;
            last = report;
            code == 0
        },
        Duration::from_secs(5),
    )
    .await;
    assert!(back, "{last}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_listener_that_never_answers_times_out_within_the_bound() {
    let (sb, client) = start(options()).await;
    ready_zone(&client, "silent").await;
    // Accepts connections, reads nothing, answers nothing.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = mute.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = mute.accept().await {
            held.push(s);
        }
    });
    let props = properties(&sb.base_url(), "silent").await;
    let real = get(&props, "bootstrap.servers").to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "config.properties",
        &props.replace(&real, &addr.to_string()),
    );
    let started = Instant::now();
    let (code, report, _) = check(&sb.base_url(), &["silent", "--properties", &file]).await;
    let took = started.elapsed();
    assert_eq!(code, 1);
    let (step, detail) = failed_step(&report);
    assert_eq!(step, "sasl");
    assert!(detail.contains("no answer within 5 s"), "{detail}");
    assert!(took < Duration::from_secs(9), "took {took:?}");
    sb.shutdown().await;
}

/// The first Gateway's listener of a running sandbox.
fn listener(sb: &RunningSandbox) -> std::net::SocketAddr {
    sb.kafka
        .iter()
        .find(|l| l.cluster == "gateway-prod")
        .unwrap()
        .addr
}

mod random_bytes {
    use super::*;
    use proptest::prelude::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Sends `bytes`, then reads until the sandbox closes or 300 ms pass.
    async fn poke(addr: std::net::SocketAddr, bytes: &[u8]) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(bytes).await;
        let _ = s.shutdown().await;
        let mut sink = vec![0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_millis(300), async {
            while let Ok(n) = s.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    }

    /// A framed request with a real API key and version and a random body:
    /// closer to what a confused client sends than pure noise.
    fn framed() -> impl Strategy<Value = Vec<u8>> {
        (
            0i16..80,
            -1i16..20,
            any::<i32>(),
            proptest::collection::vec(any::<u8>(), 0..300),
        )
            .prop_map(|(key, version, id, body)| {
                let mut frame = Vec::new();
                frame.extend_from_slice(&key.to_be_bytes());
                frame.extend_from_slice(&version.to_be_bytes());
                frame.extend_from_slice(&id.to_be_bytes());
                frame.extend_from_slice(&body);
                let mut out = (frame.len() as u32).to_be_bytes().to_vec();
                out.extend(frame);
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_leave_the_gateway_standing(
            noise in proptest::collection::vec(any::<u8>(), 0..600),
            frame in framed(),
        ) {
            let addr = shared_listener();
            let rt = runtime();
            rt.block_on(async {
                poke(addr, &noise).await;
                poke(addr, &frame).await;
                // Still a Kafka listener: ApiVersions is answered.
                let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                let mut conn = pz::kafka::Connection::new(stream);
                let answer = conn
                    .call(&kafka_protocol::messages::ApiVersionsRequest::default(), 0)
                    .await
                    .unwrap();
                assert_eq!(answer.error_code, 0);
            });
        }
    }

    /// One sandbox for every case, on a thread and runtime of its own (each
    /// case has its own runtime).
    fn shared_listener() -> std::net::SocketAddr {
        use std::sync::OnceLock;
        static ADDR: OnceLock<std::net::SocketAddr> = OnceLock::new();
        *ADDR.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                runtime().block_on(async {
                    let (sb, _) = start(options()).await;
                    tx.send(listener(&sb)).unwrap();
                    std::future::pending::<()>().await;
                });
            });
            rx.recv().unwrap()
        })
    }
}

/// The console on a TLS sandbox, for a zone whose partner brings its own
/// credentials: `t` has the sandbox issue them (a client certificate, an
/// OAuth client) and checks the partner's access with them; `s` saves
/// config.properties with the PEM files it names, and kcat gets in with
/// those files, seeing exactly the zone's aliases.
#[tokio::test]
async fn the_console_issues_and_checks_what_each_partner_brings() {
    use common::harness::Harness;
    use crossterm::event::KeyCode;
    use pz::app::Overlay;
    use pz::app::credentials::Phase;
    if !has_kcat() {
        return;
    }
    let mut o = options();
    o.kafka_tls = true;
    let mut h = Harness::start(o, (120, 40)).await;
    for (name, mode) in [("mtlszone", "MTLS"), ("oauthzone", "OAUTHBEARER")] {
        apply_ready(&h.client, &zone_of_mode(name, mode, &format!("{name}-sa"))).await;
    }
    h.key(KeyCode::Char('r')).await;
    h.until(|s| s.screen.contains("oauthzone")).await;
    for name in ["mtlszone", "oauthzone"] {
        h.select(name).await;
        h.key(KeyCode::Char('t')).await;
        h.wait_for("have the sandbox issue").await;
        h.key(KeyCode::Enter).await;
        h.until(|s| {
            matches!(&s.overlay, Some(Overlay::Credentials(v))
                if v.check.as_ref().is_some_and(|c| c.result.is_some()))
        })
        .await;
        let Some(Overlay::Credentials(v)) = h.overlay() else {
            panic!()
        };
        let check = v.check.as_ref().unwrap();
        assert_eq!(
            check.result.as_ref().map(|r| r.0),
            Some(true),
            "{}",
            h.screen()
        );
        assert!(matches!(v.phase, Phase::Issued(_)));
        let steps: Vec<&str> = check.steps.iter().map(|s| s.step.label()).collect();
        assert!(
            steps.contains(&"tls") && steps.contains(&"topics"),
            "{steps:?}"
        );
        // Saved: config.properties and the PEM files, 0600, usable by kcat.
        let dir = h.dir.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join("config.properties");
        h.key(KeyCode::Char('s')).await;
        for _ in 0.."config.properties".len() {
            h.key(KeyCode::Backspace).await;
        }
        h.text(&path.display().to_string()).await;
        h.key(KeyCode::Enter).await;
        h.until(|_| path.exists()).await;
        let props = std::fs::read_to_string(&path).unwrap();
        assert!(!props.contains('<'), "no placeholder left:\n{props}");
        let ca = dir.join(format!("{name}-ca.pem"));
        assert!(props.contains(&format!("ssl.truststore.location={}", ca.display())));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&ca).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let bootstrap = get(&props, "bootstrap.servers");
        let zone = h.client.get_zone(name).await.unwrap();
        let seen = if name == "mtlszone" {
            let pem = dir.join("mtlszone-client.pem");
            assert!(props.contains(&format!("ssl.keystore.location={}", pem.display())));
            let pem = pem.display().to_string();
            kcat_mtls(bootstrap, &ca.display().to_string(), &pem, &pem).await
        } else {
            // Debian's kcat has no OIDC: the grant with the saved client,
            // as the partner's client does, then kafka-python presents the
            // token over TLS with the saved CA.
            assert!(has_kafka_python(), "kafka-python is needed for OAUTHBEARER");
            let id = jaas(&props, "clientId");
            let secret = jaas(&props, "clientSecret");
            let endpoint = get(&props, "sasl.oauthbearer.token.endpoint.url");
            let answer: serde_json::Value = reqwest::Client::new()
                .post(endpoint)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", id.as_str()),
                    ("client_secret", secret.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = answer["access_token"]
                .as_str()
                .expect("a token")
                .to_string();
            Ok::<_, String>(
                kafka_python_oauth_list(bootstrap, &ca.display().to_string(), &token).await,
            )
        };
        assert_eq!(seen.unwrap(), aliases(&zone), "{name}");
        h.key(KeyCode::Esc).await;
        h.key(KeyCode::Esc).await;
    }
}

/// `pz ARGS` in `home` with `vars`, no stdin.
async fn rot(base: &str, home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    pz_env(base, args, None, home, vars).await
}

/// `pz rotate`: the zone saved, deleted, created again under a new service
/// account and READY, with a new secret; kcat with the old secret is
/// refused and the new one sees the same aliases. Then a crash (an abort,
/// as kill -9) after each step, and `--resume`: exactly one zone, READY,
/// under yet another account, the recovery file gone.
#[tokio::test]
async fn rotate_revokes_the_old_secret_and_resumes_after_a_crash() {
    if !has_kcat() {
        return;
    }
    let mut o = options();
    o.deploy_delay = Duration::from_millis(200);
    let (sb, client) = start(o).await;
    let base = sb.base_url();
    ready_zone(&client, "rot").await;
    let zone = client.get_zone("rot").await.unwrap();
    let old = properties(&base, "rot").await;
    assert_eq!(
        kcat_list(&old, &jaas(&old, "password")).await,
        Ok(aliases(&zone))
    );

    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("new.properties");
    let out_s = out.display().to_string();
    let vars = [("CDK_API_KEY", KEY)];
    let started = Instant::now();
    let run = rot(
        &base,
        home.path(),
        &["rotate", "rot", "--yes", "-o", &out_s],
        &vars,
    )
    .await;
    println!(
        "rotation (delete to READY with the new secret): {:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = std::fs::read_to_string(&out).unwrap();
    assert_eq!(jaas(&new, "username"), "sa-rot-r2");
    let rotated = client.get_zone("rot").await.unwrap();
    assert_eq!(rotated.spec.service_account_name(), Some("sa-rot-r2"));
    assert_eq!(rotated.spec.topics, zone.spec.topics);
    assert_eq!(rotated.spec.partner, zone.spec.partner);
    let refused = kcat_list(&old, &jaas(&old, "password")).await;
    assert!(refused.is_err(), "the old secret still opens the zone");
    assert_eq!(
        kcat_list(&new, &jaas(&new, "password")).await,
        Ok(aliases(&zone))
    );
    let recovery = home.path().join("pz/rotations/rot.yaml");
    assert!(!recovery.exists());

    // Declined: nothing changes.
    let run = pz_env(
        &base,
        &["rotate", "rot"],
        Some("not-rot\n"),
        home.path(),
        &vars,
    )
    .await;
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("not confirmed"), "{}", run.stderr);

    let mut account = "sa-rot-r2".to_string();
    for step in ["saved", "deleted", "created"] {
        let crash = [("CDK_API_KEY", KEY), ("PZ_TEST_CRASH_AFTER", step)];
        let run = rot(&base, home.path(), &["rotate", "rot", "--yes"], &crash).await;
        assert_ne!(run.code, 0, "{step}: {}", run.stderr);
        assert!(recovery.exists(), "{step}: the recovery file is kept");
        // Another rotation is refused until this one is finished.
        let again = rot(&base, home.path(), &["rotate", "rot", "--yes"], &vars).await;
        assert_eq!(again.code, 2, "{step}: {}", again.stderr);
        assert!(again.stderr.contains("--resume"), "{}", again.stderr);
        let resumed = rot(&base, home.path(), &["rotate", "rot", "--resume"], &vars).await;
        assert_eq!(resumed.code, 0, "{step}: {}", resumed.stderr);
        let next = account
            .rsplit_once("-r")
            .map(|(s, n)| format!("{s}-r{}", n.parse::<u32>().unwrap() + 1))
            .unwrap();
        let zones: Vec<_> = client
            .list_zones()
            .await
            .unwrap()
            .into_iter()
            .filter(|z| z.metadata.name == "rot")
            .collect();
        assert_eq!(zones.len(), 1, "{step}");
        assert_eq!(zones[0].metadata.status, Some(ZoneStatus::Ready), "{step}");
        assert_eq!(
            zones[0].spec.service_account_name(),
            Some(next.as_str()),
            "{step}"
        );
        assert!(!recovery.exists(), "{step}: the recovery file is removed");
        account = next;
    }

    // --restore after a crash puts the zone back as it was.
    let crash = [("CDK_API_KEY", KEY), ("PZ_TEST_CRASH_AFTER", "deleted")];
    rot(&base, home.path(), &["rotate", "rot", "--yes"], &crash).await;
    let restored = rot(&base, home.path(), &["rotate", "rot", "--restore"], &vars).await;
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    let back = client.get_zone("rot").await.unwrap();
    assert_eq!(back.spec.service_account_name(), Some(account.as_str()));
    assert!(!recovery.exists());
    // --check: pz check's steps with the new secret.
    let args = ["rotate", "rot", "--yes", "--check", "-o", &out_s];
    let checked = rot(&base, home.path(), &args, &vars).await;
    assert_eq!(checked.code, 0, "{}{}", checked.stdout, checked.stderr);
    assert!(
        checked.stdout.contains("sees exactly its 2 topics"),
        "{}",
        checked.stdout
    );
    sb.shutdown().await;
}

/// The hand-over encrypted with age: `pz credentials --encrypt-to` for an
/// X25519 recipient and an ssh-ed25519 key (`-R FILE`), decrypted by the
/// `age` command with each identity to a config.properties kcat gets in
/// with; a wrong key is refused; `--encrypt` alone reuses the recipients.
/// The public key `age-keygen` wrote beside the identity in `file`.
fn age_public_key(file: &std::path::Path) -> String {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("age-keygen notes the public key")
        .to_string()
}

#[tokio::test]
async fn the_secret_is_handed_over_encrypted_with_age() {
    // ssh-keygen has no version flag: `-l -f /dev/null` fails on it but
    // runs it, and a missing program is a spawn error.
    let ssh_keygen = std::process::Command::new("ssh-keygen")
        .args(["-l", "-f", "/dev/null"])
        .output()
        .is_ok();
    if !ssh_keygen && std::env::var_os("PZ_REQUIRE_TOOLS").is_some() {
        panic!("ssh-keygen is not installed here (`.ci/run` installs openssh-client)");
    }
    if !has_kcat() || !tool("age", &["--version"]) || !ssh_keygen {
        eprintln!("SKIPPED: needs kcat, age and ssh-keygen");
        return;
    }
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    ready_zone(&client, "sealed").await;
    let zone = client.get_zone("sealed").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run_in = |args: &[&str]| {
        std::process::Command::new(args[0])
            .args(&args[1..])
            .current_dir(d)
            .output()
            .unwrap()
    };
    assert!(run_in(&["age-keygen", "-o", "key.txt"]).status.success());
    assert!(run_in(&["age-keygen", "-o", "other.txt"]).status.success());
    assert!(
        run_in(&[
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            "id_ed25519"
        ])
        .status
        .success()
    );
    let public = age_public_key(&d.join("key.txt"));
    let bundle = d.join("sealed.age").display().to_string();
    let ssh_pub = d.join("id_ed25519.pub").display().to_string();
    let home = tempfile::tempdir().unwrap();
    let vars = [("CDK_API_KEY", KEY)];
    let args = [
        "credentials",
        "sealed",
        "--encrypt-to",
        &public,
        "-R",
        &ssh_pub,
        "-o",
        &bundle,
    ];
    let run = rot(&base, home.path(), &args, &vars).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sealed = std::fs::read(&bundle).unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("password="));
    for identity in ["key.txt", "id_ed25519"] {
        let out = run_in(&["age", "-d", "-i", identity, &bundle]);
        assert!(
            out.status.success(),
            "{identity}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let props = String::from_utf8(out.stdout).unwrap();
        assert!(props.contains("#   alias-a  WRITE\n"), "{props}");
        assert_eq!(
            kcat_list(&props, &jaas(&props, "password")).await,
            Ok(aliases(&zone))
        );
    }
    let wrong = run_in(&["age", "-d", "-i", "other.txt", &bundle]);
    assert!(!wrong.status.success(), "a wrong key decrypts the bundle");
    // Next time: the same recipients, remembered; armored text this time.
    let run = rot(
        &base,
        home.path(),
        &["credentials", "sealed", "--encrypt", "--armor"],
        &vars,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains(&public), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{}",
        run.stdout
    );
    std::fs::write(d.join("armored.age"), &run.stdout).unwrap();
    let out = run_in(&["age", "-d", "-i", "key.txt", "armored.age"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("sasl.jaas.config="));
    // A recipient that is not one is refused before a secret is spent.
    let run = rot(
        &base,
        home.path(),
        &[
            "credentials",
            "sealed",
            "--encrypt-to",
            "hunter2",
            "-o",
            &bundle,
        ],
        &vars,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    sb.shutdown().await;
}

/// `E` in the credentials view: the bundle written 0600 for the typed
/// recipient, decrypted by the `age` command; the recipient offered again
/// the next time, and an existing bundle replaced only when asked.
#[tokio::test]
async fn e_in_the_credentials_view_hands_the_secret_over_encrypted() {
    use common::harness::Harness;
    use crossterm::event::KeyCode;
    use pz::app::Overlay;
    use pz::app::handover::Handover;
    if !tool("age", &["--version"]) {
        return;
    }
    let mut h = Harness::start(options(), (120, 40)).await;
    ready_zone(&h.client, "sealed").await;
    h.key(KeyCode::Char('r')).await;
    h.until(|s| s.screen.contains("sealed")).await;
    let d = h.dir.path().to_path_buf();
    let keygen = std::process::Command::new("age-keygen")
        .args(["-o", "key.txt"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(keygen.status.success());
    let public = age_public_key(&d.join("key.txt"));
    let bundle = d.join("sealed.age");
    let mut secrets = Vec::new();
    h.select("sealed").await;
    for round in 0..2 {
        h.key(KeyCode::Char('c')).await;
        h.wait_for("Generate a new secret").await;
        h.key(KeyCode::Enter).await;
        h.until(|s| matches!(&s.overlay, Some(Overlay::Credentials(v)) if v.ready()))
            .await;
        let Some(Overlay::Credentials(v)) = h.overlay() else {
            panic!()
        };
        secrets.push(v.secret().unwrap().expose().to_string());
        h.key(KeyCode::Char('E')).await;
        h.until(|s| matches!(&s.overlay, Some(Overlay::Credentials(v)) if v.typing_recipients()))
            .await;
        let Some(Overlay::Credentials(v)) = h.overlay() else {
            panic!()
        };
        let Some(Handover::Recipients(input)) = &v.handover else {
            panic!()
        };
        if round == 0 {
            assert_eq!(input.text(), "", "nothing remembered yet");
            h.text(&public).await;
        } else {
            assert_eq!(input.text(), public, "the recipient is remembered");
        }
        h.key(KeyCode::Enter).await;
        h.until(|s| matches!(&s.overlay, Some(Overlay::Credentials(v)) if v.typing()))
            .await;
        for _ in 0.."sealed.age".len() {
            h.key(KeyCode::Backspace).await;
        }
        h.text(&bundle.display().to_string()).await;
        h.key(KeyCode::Enter).await;
        if round == 1 {
            h.until(
                |s| matches!(&s.overlay, Some(Overlay::Credentials(v)) if v.overwrite.is_some()),
            )
            .await;
            h.wait_for("Overwrite it?").await;
            h.key(KeyCode::Char('y')).await;
        }
        h.until(|s| {
            s.toasts
                .iter()
                .any(|t| t.contains("encrypted for 1 recipient"))
        })
        .await;
        h.key(KeyCode::Esc).await;
        h.until(|s| s.overlay.is_none()).await;
        h.advance(Duration::from_secs(10));
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&bundle).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let sealed = std::fs::read(&bundle).unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains(&secrets[1]),
        "the secret is not in the file in clear"
    );
    let out = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(d.join("key.txt"))
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = String::from_utf8(out.stdout).unwrap();
    assert!(plain.contains(&secrets[1]), "the last secret:\n{plain}");
    assert!(plain.contains("sasl.jaas.config="), "{plain}");
    assert!(plain.contains("# ") && plain.contains("READ"), "{plain}");
    h.quit().await;
}
