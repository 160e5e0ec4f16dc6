//! `pz check`: connect to a zone's Gateway as the partner would, step by
//! step (bootstrap address, TCP, TLS, SASL PLAIN, topics), each bounded in
//! time, and compare the topics seen with the zone's aliases.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, SaslAuthenticateRequest,
    SaslHandshakeRequest,
};
use kafka_protocol::protocol::{Message, StrBytes};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::properties::ClientSettings;
pub use super::report::{Outcome, Report, Step, StepKind, TopicsSeen};
use super::{Connection, WireError};

/// Each step's bound.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// What the check needs.
pub struct Plan {
    pub zone: String,
    pub settings: ClientSettings,
    /// Where the settings came from ("config.properties", "a new secret").
    pub source: String,
    /// The zone's topic aliases.
    pub expected: Vec<String>,
    /// Extra trusted roots (PEM) for a Gateway with a private CA.
    pub cacert: Option<Vec<u8>>,
    /// The partner's client certificate and key (PEM), for mTLS.
    pub client_cert: Option<(Vec<u8>, Vec<u8>)>,
    /// The bearer token, for SASL OAUTHBEARER.
    pub bearer: Option<crate::secret::Secret>,
    pub step_timeout: Duration,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Runs the steps in order, calling `progress` as each ends; stops at the
/// first failure (later steps are not listed).
pub async fn run(plan: Plan, mut progress: impl FnMut(&Step)) -> Report {
    let mut steps = Vec::new();
    let mut topics = None;
    let mut record = |step: Step, steps: &mut Vec<Step>| {
        progress(&step);
        let ok = step.outcome != Outcome::Fail;
        steps.push(step);
        ok
    };
    let t = plan.step_timeout;

    // 1. The bootstrap address.
    let started = Instant::now();
    let (addrs, step) = resolve(&plan, t).await;
    if !record(finish(StepKind::Bootstrap, step, started), &mut steps) {
        return report(plan.zone, steps, topics);
    }

    // 2. TCP.
    let started = Instant::now();
    let tcp = connect(&addrs, t).await;
    let tcp = match tcp {
        Ok((stream, addr)) => {
            record(
                finish(StepKind::Tcp, Ok(format!("connected to {addr}")), started),
                &mut steps,
            );
            stream
        }
        Err(e) => {
            record(finish(StepKind::Tcp, Err(e), started), &mut steps);
            return report(plan.zone, steps, topics);
        }
    };

    // 3. TLS, for SASL_SSL.
    let started = Instant::now();
    let host = plan
        .settings
        .bootstrap
        .first()
        .and_then(|s| split_host_port(s).map(|(h, _)| h.to_string()))
        .unwrap_or_default();
    let stream: Box<dyn Io> = if plan.settings.uses_tls() {
        match tls(
            tcp,
            &host,
            plan.cacert.as_deref(),
            plan.client_cert.as_ref(),
            t,
        )
        .await
        {
            Ok((s, detail)) => {
                record(finish(StepKind::Tls, Ok(detail), started), &mut steps);
                s
            }
            Err(e) => {
                record(finish(StepKind::Tls, Err(e), started), &mut steps);
                return report(plan.zone, steps, topics);
            }
        }
    } else {
        record(
            Step {
                step: StepKind::Tls,
                outcome: Outcome::Skip,
                detail: format!("not used ({})", plan.settings.security_protocol),
                ms: 0,
            },
            &mut steps,
        );
        Box::new(tcp)
    };
    let mut conn = Connection::new(stream);

    // 4. SASL PLAIN (mTLS: the certificate was the identity).
    let started = Instant::now();
    let mtls = plan.settings.is_mtls();
    let authenticated = if mtls {
        bounded(t, api_versions(&mut conn)).await
    } else {
        bounded(t, sasl(&mut conn, &plan.settings, plan.bearer.as_ref())).await
    };
    let versions = match authenticated {
        Ok(v) => {
            let detail = if mtls {
                "not used: mTLS, the client certificate is the identity".to_string()
            } else if plan.settings.username.is_empty() {
                format!("{} accepted", plan.settings.mechanism)
            } else {
                format!("PLAIN accepted for '{}'", plan.settings.username)
            };
            record(finish(StepKind::Sasl, Ok(detail), started), &mut steps);
            v
        }
        Err(e) => {
            record(finish(StepKind::Sasl, Err(e), started), &mut steps);
            return report(plan.zone, steps, topics);
        }
    };

    // 5. The topics the partner sees.
    let started = Instant::now();
    match bounded(t, list_topics(&mut conn, &versions)).await {
        Ok(visible) => {
            let seen = compare(&plan.expected, visible);
            let detail = describe(&seen);
            let ok = seen.missing.is_empty() && seen.unexpected.is_empty();
            topics = Some(seen);
            record(
                finish(
                    StepKind::Topics,
                    if ok { Ok(detail) } else { Err(detail) },
                    started,
                ),
                &mut steps,
            );
        }
        Err(e) => {
            record(finish(StepKind::Topics, Err(e), started), &mut steps);
        }
    }
    report(plan.zone, steps, topics)
}

fn report(zone: String, steps: Vec<Step>, topics: Option<TopicsSeen>) -> Report {
    Report {
        zone,
        ok: steps.iter().all(|s| s.outcome != Outcome::Fail),
        steps,
        topics,
    }
}

fn finish(step: StepKind, result: Result<String, String>, started: Instant) -> Step {
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (outcome, detail) = match result {
        Ok(d) => (Outcome::Pass, d),
        Err(d) => (Outcome::Fail, d),
    };
    Step {
        step,
        outcome,
        detail,
        ms,
    }
}

async fn bounded<T>(
    t: Duration,
    f: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match tokio::time::timeout(t, f).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} s", t.as_secs_f32())),
    }
}

/// `host:port`, `[v6]:port`.
fn split_host_port(s: &str) -> Option<(&str, u16)> {
    let (host, port) = s.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port.parse().ok()?))
}

async fn resolve(plan: &Plan, t: Duration) -> (Vec<SocketAddr>, Result<String, String>) {
    let Some(first) = plan.settings.bootstrap.first() else {
        return (Vec::new(), Err("bootstrap.servers is empty".into()));
    };
    let Some((host, port)) = split_host_port(first) else {
        return (
            Vec::new(),
            Err(format!("'{first}' is not host:port (from {})", plan.source)),
        );
    };
    match bounded(t, async {
        tokio::net::lookup_host((host, port))
            .await
            .map(|a| a.collect::<Vec<_>>())
            .map_err(|e| format!("cannot resolve '{host}': {e}"))
    })
    .await
    {
        Ok(addrs) if !addrs.is_empty() => {
            let shown: Vec<String> = addrs.iter().map(ToString::to_string).collect();
            let detail = if shown.len() == 1 && shown[0] == *first {
                format!("{first} (from {})", plan.source)
            } else {
                format!("{first} → {} (from {})", shown.join(", "), plan.source)
            };
            (addrs, Ok(detail))
        }
        Ok(_) => (Vec::new(), Err(format!("'{host}' has no address"))),
        Err(e) => (Vec::new(), Err(e)),
    }
}

async fn connect(addrs: &[SocketAddr], t: Duration) -> Result<(TcpStream, SocketAddr), String> {
    let mut last = String::from("no address to connect to");
    for addr in addrs {
        match tokio::time::timeout(t, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = format!(
                    "connection refused by {addr}: nothing listens there (is the Gateway up?)"
                );
            }
            Ok(Err(e)) => last = format!("cannot connect to {addr}: {e}"),
            Err(_) => {
                last = format!(
                    "no answer from {addr} within {} s (a firewall dropping packets?)",
                    t.as_secs_f32()
                );
            }
        }
    }
    Err(last)
}

async fn tls(
    tcp: TcpStream,
    host: &str,
    cacert: Option<&[u8]>,
    client_cert: Option<&(Vec<u8>, Vec<u8>)>,
    t: Duration,
) -> Result<(Box<dyn Io>, String), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    let source = match cacert {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| format!("--cacert: not a PEM certificate: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("--cacert: cannot use the certificate: {e}"))?;
            }
            if roots.is_empty() {
                return Err("--cacert: no certificate in the file".into());
            }
            "the CA from --cacert"
        }
        None => {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            "the public CAs"
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots);
    let config = match client_cert {
        None => config.with_no_client_auth(),
        Some((cert, key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("--cert: not a PEM certificate: {e}"))?;
            if chain.is_empty() {
                return Err("--cert: no certificate in the file".into());
            }
            let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key)
                .map_err(|e| format!("--key: not a PEM private key: {e}"))?;
            config
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("--cert/--key: {e}"))?
        }
    };
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| format!("'{host}' is not a name TLS can verify"))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(t, connector.connect(name, tcp)).await {
        Ok(Ok(s)) => {
            let version = s
                .get_ref()
                .1
                .protocol_version()
                .and_then(|v| v.as_str())
                .unwrap_or("TLS");
            Ok((
                Box::new(s),
                format!("{version}, certificate for '{host}' verified by {source}"),
            ))
        }
        Ok(Err(e)) => Err(format!("TLS handshake failed: {e}")),
        Err(_) => Err(format!(
            "no TLS answer within {} s (is this port TLS?)",
            t.as_secs_f32()
        )),
    }
}

/// The version ranges the broker announced.
pub struct Versions(ApiVersionsResponse);

impl Versions {
    /// The highest version both sides speak, up to `cap`.
    fn pick(&self, key: ApiKey, ours: i16, cap: i16) -> Option<i16> {
        let theirs = self.0.api_keys.iter().find(|k| k.api_key == key as i16)?;
        let v = theirs.max_version.min(ours).min(cap);
        (v >= theirs.min_version).then_some(v)
    }
}

fn wire(e: WireError) -> String {
    match e {
        WireError::Closed => "the Gateway closed the connection".into(),
        other => other.to_string(),
    }
}

/// ApiVersions v0, which every broker answers, old and new.
async fn api_versions<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Connection<S>,
) -> Result<Versions, String> {
    let versions = conn
        .call(&ApiVersionsRequest::default(), 0)
        .await
        .map_err(|e| format!("no Kafka answer to ApiVersions: {}", wire(e)))?;
    if versions.error_code != 0 {
        return Err(format!(
            "ApiVersions refused: {}",
            kafka_error(versions.error_code)
        ));
    }
    Ok(Versions(versions))
}

async fn sasl<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Connection<S>,
    settings: &ClientSettings,
    bearer: Option<&crate::secret::Secret>,
) -> Result<Versions, String> {
    let oauth = settings.mechanism.eq_ignore_ascii_case("OAUTHBEARER");
    if !oauth && !settings.mechanism.eq_ignore_ascii_case("PLAIN") {
        return Err(format!(
            "sasl.mechanism is {}: Partner Zones use PLAIN or OAUTHBEARER",
            settings.mechanism
        ));
    }
    let mechanism = if oauth { "OAUTHBEARER" } else { "PLAIN" };
    if oauth && bearer.is_none() {
        return Err("OAUTHBEARER needs a token: --token, or --token-endpoint with --client-id and --client-secret-file".into());
    }
    let versions = api_versions(conn).await?;
    let hv = versions
        .pick(ApiKey::SaslHandshake, SaslHandshakeRequest::VERSIONS.max, 1)
        .filter(|v| *v >= 1)
        .ok_or("the Gateway does not offer SASL (no SaslHandshake v1)")?;
    let hs = conn
        .call(
            &SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mechanism)),
            hv,
        )
        .await
        .map_err(|e| format!("SaslHandshake: {}", wire(e)))?;
    if hs.error_code != 0 {
        let offered: Vec<&str> = hs.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(format!(
            "{mechanism} is not enabled on this listener (it offers: {})",
            offered.join(", ")
        ));
    }
    let av = versions
        .pick(
            ApiKey::SaslAuthenticate,
            SaslAuthenticateRequest::VERSIONS.max,
            2,
        )
        .ok_or("the Gateway does not offer SaslAuthenticate")?;
    // RFC 7628's client message, or PLAIN's `NUL user NUL password`.
    let token = match bearer {
        Some(b) if oauth => format!("n,,\u{1}auth=Bearer {}\u{1}\u{1}", b.expose()),
        _ => format!("\0{}\0{}", settings.username, settings.password.expose()),
    };
    let auth = conn
        .call(
            &SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token.into_bytes())),
            av,
        )
        .await
        .map_err(|e| format!("SaslAuthenticate: {}", wire(e)))?;
    if auth.error_code != 0 {
        let message = auth
            .error_message
            .as_ref()
            .map(|m| crate::sanitize::line(m.as_str()).into_owned())
            .unwrap_or_else(|| kafka_error(auth.error_code));
        return Err(if oauth {
            format!("OAUTHBEARER refused: {message}")
        } else {
            format!("PLAIN refused for '{}': {message}", settings.username)
        });
    }
    Ok(versions)
}

async fn list_topics<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Connection<S>,
    versions: &Versions,
) -> Result<Vec<String>, String> {
    let v = versions
        .pick(ApiKey::Metadata, MetadataRequest::VERSIONS.max, 12)
        .ok_or("the Gateway does not offer Metadata")?;
    // All topics: null (v1+), or the empty list in v0.
    let req = if v == 0 {
        MetadataRequest::default().with_topics(Some(Vec::new()))
    } else {
        MetadataRequest::default().with_topics(None)
    };
    let meta = conn
        .call(&req, v)
        .await
        .map_err(|e| format!("Metadata: {}", wire(e)))?;
    Ok(meta
        .topics
        .iter()
        .filter(|t| t.error_code == 0)
        .filter_map(|t| t.name.as_ref())
        .map(|n| crate::sanitize::line(n.0.as_str()).into_owned())
        .collect())
}

fn kafka_error(code: i16) -> String {
    kafka_protocol::ResponseError::try_from_code(code)
        .map(|e| e.to_string())
        .unwrap_or_else(|| "no error".into())
}

/// Visible topics against the zone's aliases.
pub fn compare(expected: &[String], visible: Vec<String>) -> TopicsSeen {
    let want: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = visible.iter().map(String::as_str).collect();
    TopicsSeen {
        missing: want.difference(&got).map(|s| s.to_string()).collect(),
        unexpected: got.difference(&want).map(|s| s.to_string()).collect(),
        visible,
    }
}

/// At most this many names of a list go on a step's line.
const SHOWN: usize = 10;

/// `a, b, c`, or the first [`SHOWN`] and "and N more": a Gateway listing
/// 60,000 topics must not make a half-megabyte line.
fn names(list: &[String]) -> String {
    let shown: Vec<&str> = list.iter().take(SHOWN).map(String::as_str).collect();
    let mut out = shown.join(", ");
    if list.len() > SHOWN {
        out.push_str(&format!(" and {} more", list.len() - SHOWN));
    }
    out
}

fn describe(seen: &TopicsSeen) -> String {
    let mut parts = Vec::new();
    if seen.missing.is_empty() && seen.unexpected.is_empty() {
        return format!(
            "{} visible, exactly the zone's aliases: {}",
            seen.visible.len(),
            names(&seen.visible)
        );
    }
    if !seen.missing.is_empty() {
        parts.push(format!("missing: {}", names(&seen.missing)));
    }
    if !seen.unexpected.is_empty() {
        parts.push(format!("unexpected: {}", names(&seen.unexpected)));
    }
    format!("{} visible; {}", seen.visible.len(), parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_names_missing_and_unexpected() {
        let want = vec!["a".to_string(), "b".to_string()];
        let seen = compare(&want, vec!["b".into(), "c".into()]);
        assert_eq!(seen.missing, ["a"]);
        assert_eq!(seen.unexpected, ["c"]);
        assert_eq!(describe(&seen), "2 visible; missing: a; unexpected: c");
        let seen = compare(&want, vec!["a".into(), "b".into()]);
        assert!(describe(&seen).starts_with("2 visible, exactly"));
    }

    #[test]
    fn long_lists_are_cut() {
        let many: Vec<String> = (0..60_000).map(|i| format!("topic-{i:05}")).collect();
        let seen = compare(&["a".to_string()], many);
        let line = describe(&seen);
        assert!(line.len() < 400, "{} bytes", line.len());
        assert!(line.ends_with("and 59990 more"), "{line}");
        assert!(line.contains("missing: a;"), "{line}");
    }

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_port("gw:9094"), Some(("gw", 9094)));
        assert_eq!(split_host_port("[::1]:9094"), Some(("::1", 9094)));
        assert_eq!(split_host_port("gw"), None);
        assert_eq!(split_host_port("gw:x"), None);
    }
}
