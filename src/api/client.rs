//! The async client for the Partner Zone endpoints of the Console API v2.

use super::risk::{Risk, risks_of, same_origin};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::generation::{Generation, write_shape};
use super::rows::ZoneRows;
use super::types::{ApplyResult, KafkaCluster, PartnerZone, Topic};
use crate::secret::Secret;

/// How pz names itself to the Console, as the vendor CLI does.
const CLIENT_HEADER: (&str, &str) = (
    "X-CDK-CLIENT",
    concat!("CLI/pz-", env!("CARGO_PKG_VERSION")),
);

/// Answers larger than this are refused rather than read into memory
/// (some 180,000 zones as the sandbox seeds them, at ~700 bytes each).
pub const MAX_BODY_BYTES: usize = 128 * 1024 * 1024;

/// How pz proves who it is to the Console, as the vendor CLI does.
#[derive(Clone, Debug)]
pub enum Auth {
    /// `CDK_API_KEY` (or `CDK_AUTH_MODE=external` with a token): `Bearer KEY`.
    Key(Secret),
    /// `CDK_USER`/`CDK_PASSWORD`: `POST {base}/api/login`, then the token
    /// it answers as `Bearer`. Logged in at the first call, again when the
    /// token is refused.
    Login { user: String, password: Secret },
    /// `CDK_AUTH_MODE=external` with `CDK_USER`/`CDK_PASSWORD`: Basic auth,
    /// for an API gateway in front of the Console.
    Basic { user: String, password: Secret },
}

impl Default for Auth {
    fn default() -> Self {
        Auth::Key(Secret::default())
    }
}

impl Auth {
    /// Whether there is anything to send.
    pub fn is_set(&self) -> bool {
        match self {
            Auth::Key(k) => !k.is_empty(),
            Auth::Login { user, .. } | Auth::Basic { user, .. } => !user.is_empty(),
        }
    }

    /// For `pz info`: how pz authenticates, never the secret.
    pub fn describe(&self) -> String {
        match self {
            Auth::Key(k) if k.is_empty() => "missing".into(),
            Auth::Key(_) => "API key (set)".into(),
            Auth::Login { user, .. } => format!("login as {user}"),
            Auth::Basic { user, .. } => format!("basic auth as {user} (CDK_AUTH_MODE=external)"),
        }
    }
}

/// The vendor CLI's rule: whatever the base ends with (`/`, `/api`,
/// `/api/`), every call goes to `{base}/api/...`. Returns the base without
/// the `/api` (for messages) and the API root.
pub fn api_root(base_url: &str) -> (String, String) {
    let mut base = base_url.trim_end_matches('/');
    if let Some(stripped) = base.strip_suffix("/api") {
        base = stripped.trim_end_matches('/');
    }
    (base.to_string(), format!("{base}/api"))
}

/// Where the Console is and how to talk to it.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub base_url: String,
    pub auth: Auth,
    /// `CDK_INSECURE=true`: skip TLS verification.
    pub insecure: bool,
    /// `CDK_CACERT`: an extra CA bundle (PEM).
    pub ca_cert: Option<String>,
    /// `CDK_CERT` + `CDK_KEY`: a client certificate (PEM files).
    pub client_cert: Option<(String, String)>,
    pub timeout: Duration,
    /// Where the API key came from, for messages (`CDK_API_KEY`, …).
    pub key_source: String,
}

impl Connection {
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
        Connection {
            base_url: base_url.into(),
            auth: Auth::Key(api_key),
            insecure: false,
            ca_cert: None,
            client_cert: None,
            timeout: Duration::from_secs(10),
            key_source: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The base as given, less a trailing `/` or `/api` (for messages).
    base: String,
    /// `{base}/api`: every path is appended to it.
    root: String,
    auth: Auth,
    /// The token of a login (`Auth::Login`), shared by the clones.
    session: std::sync::Arc<tokio::sync::Mutex<Option<Secret>>>,
    /// The Console's generation, once asked (`None` inside: not known),
    /// and whether its OpenAPI document is the pz sandbox's.
    generation: std::sync::Arc<tokio::sync::OnceCell<(Option<Generation>, bool)>>,
    /// What the last list of zones said of the generation.
    shape_hint: std::sync::Arc<std::sync::Mutex<Option<Generation>>>,
    timeout: Duration,
    risks: Vec<Risk>,
    key_source: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

fn read_file(path: &str, what: &str) -> Result<Vec<u8>, ApiError> {
    std::fs::read(path).map_err(|e| ApiError::Config(format!("cannot read {what} {path}: {e}")))
}

impl Client {
    pub fn new(conn: &Connection) -> Result<Client, ApiError> {
        let (base, root) = api_root(&conn.base_url);
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ApiError::Config(format!(
                "the Console URL must start with http:// or https:// (got {base:?})"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(conn.timeout))
            .timeout(conn.timeout)
            .user_agent(concat!("pz/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(conn.insecure)
            // The API key goes only to the Console it was given for: a
            // redirect elsewhere (another host, port or scheme) is not
            // followed, and the answer says where it pointed.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let same = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| same_origin(first, attempt.url()));
                if attempt.previous().len() > 5 {
                    attempt.error("more than 5 redirects")
                } else if same {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }));
        if let Some(path) = &conn.ca_cert {
            let pem = read_file(path, "CA bundle")?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| ApiError::Config(format!("CA bundle {path}: {e}")))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some((cert, key)) = &conn.client_cert {
            let mut pem = read_file(cert, "client certificate")?;
            pem.push(b'\n');
            pem.extend(read_file(key, "client key")?);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| ApiError::Config(format!("client certificate {cert}: {e}")))?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            http,
            risks: risks_of(&base, conn.insecure),
            key_source: conn.key_source.clone(),
            base,
            root,
            auth: conn.auth.clone(),
            session: Default::default(),
            generation: Default::default(),
            shape_hint: Default::default(),
            timeout: conn.timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Where the API key came from, for messages.
    pub fn key_source(&self) -> &str {
        &self.key_source
    }

    /// What a failed call means, in the operator's words.
    pub fn diagnose(&self, err: &ApiError, listing: bool) -> super::diagnosis::Diagnosis {
        super::diagnosis::Diagnosis::of(
            err,
            &super::diagnosis::Context {
                base_url: &self.base,
                key_source: &self.key_source,
                listing,
            },
        )
    }

    /// What this connection exposes the API key to (see [`Risk`]).
    pub fn risks(&self) -> &[Risk] {
        &self.risks
    }

    pub async fn list_zones(&self) -> Result<Vec<PartnerZone>, ApiError> {
        let bytes = self.send(Method::GET, ZONES, None::<&()>).await?;
        self.zones_of(&bytes)
    }

    /// The list's rows (what the console's list keeps of each zone, see
    /// `api::rows`) and a digest of the answer, or `None` when the answer
    /// is the one whose digest is `seen` (then it is not parsed at all: an
    /// idle console costs next to nothing).
    pub async fn list_rows_unless(
        &self,
        seen: Option<u64>,
    ) -> Result<Option<(ZoneRows, u64)>, ApiError> {
        let bytes = self.send(Method::GET, ZONES, None::<&()>).await?;
        let digest = ZoneRows::digest(&bytes);
        if seen == Some(digest) {
            return Ok(None);
        }
        let rows: ZoneRows = parse_json(ZONES, &bytes)?;
        if let Some(z) = rows.get(0) {
            self.hint_shape(Generation::of_auth_mode(z.auth_mode()));
        }
        Ok(Some((rows, digest)))
    }

    /// The zones of a list answer; their shape tells the generation.
    fn zones_of(&self, bytes: &[u8]) -> Result<Vec<PartnerZone>, ApiError> {
        let mut zones: Vec<PartnerZone> = parse_json(ZONES, bytes)?;
        // A list read grows by doubling: up to half again its zones' size
        // of empty slots, kept as long as the list is.
        zones.shrink_to_fit();
        if let Some(z) = zones.first() {
            self.hint_shape(Generation::of_zone(z));
        }
        Ok(zones)
    }

    fn hint_shape(&self, g: Generation) {
        *self.shape_hint.lock().unwrap_or_else(|p| p.into_inner()) = Some(g);
    }

    /// The list's answer as the Console sent it, for output that needs no
    /// zone parsed (`pz get -o json`): refused here when it is not a JSON
    /// array from its first byte on (with what the parse says of it); the
    /// caller's one pass that lays it out checks the rest, and reports what
    /// it refuses with [`malformed_list`].
    pub async fn list_zones_json(&self) -> Result<Vec<u8>, ApiError> {
        let bytes = self.send(Method::GET, ZONES, None::<&()>).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
            parse_json::<Vec<serde::de::IgnoredAny>>(ZONES, &bytes)?;
            return Err(malformed_list("not a JSON array"));
        }
        Ok(bytes)
    }

    /// The Console's generation: from its OpenAPI document (asked once,
    /// then kept), else from the shape of the zones it listed; `None` when
    /// neither tells (see `api::generation`).
    pub async fn generation(&self) -> Option<Generation> {
        let (found, _) = self.detected().await;
        found.or(*self.shape_hint.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether this is the pz sandbox (its OpenAPI document says so), whose
    /// own endpoints issue what OAUTHBEARER and MTLS partners bring.
    pub async fn is_sandbox(&self) -> bool {
        self.detected().await.1
    }

    async fn detected(&self) -> (Option<Generation>, bool) {
        *self
            .generation
            .get_or_init(|| async {
                match self.openapi().await {
                    Ok(doc) => (
                        Generation::from_openapi(&doc),
                        String::from_utf8_lossy(&doc).contains(SANDBOX_TITLE),
                    ),
                    Err(e) => {
                        tracing::debug!(error = %e, "no OpenAPI document");
                        (None, false)
                    }
                }
            })
            .await
    }

    pub async fn get_zone(&self, name: &str) -> Result<PartnerZone, ApiError> {
        let path = format!("/public/console/v2/partner-zone/{}", checked(name)?);
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// Creates or updates; with `dry_run` the server validates and stores nothing.
    pub async fn apply_zone(
        &self,
        zone: &PartnerZone,
        dry_run: bool,
    ) -> Result<ApplyResult, ApiError> {
        // A zone named '.' or '..' could be created but never addressed.
        checked(&zone.metadata.name)?;
        // Written in the shape this Console takes.
        let zone = write_shape(zone, self.generation().await).map_err(ApiError::Config)?;
        let path = format!("/public/console/v2/partner-zone?dryMode={dry_run}");
        self.call(Method::PUT, &path, Some(&zone)).await
    }

    pub async fn delete_zone(&self, name: &str) -> Result<(), ApiError> {
        let path = format!("/public/console/v2/partner-zone/{}", checked(name)?);
        self.send(Method::DELETE, &path, None::<&()>).await?;
        Ok(())
    }

    /// A fresh secret for the zone's service account. Earlier ones stay valid.
    pub async fn generate_credentials(&self, name: &str) -> Result<Secret, ApiError> {
        let path = format!(
            "/public/partner-zone/v2/{}/generate-credentials",
            checked(name)?
        );
        let secret: String = self.call(Method::POST, &path, None::<&()>).await?;
        Ok(Secret::new(secret))
    }

    /// The Kafka client properties, password masked.
    pub async fn kafka_configuration(&self, name: &str) -> Result<String, ApiError> {
        let path = format!(
            "/public/console/v2/partner-zone/{}/kafka-configuration",
            checked(name)?
        );
        self.call(Method::GET, &path, None::<&()>).await
    }

    pub async fn list_clusters(&self) -> Result<Vec<KafkaCluster>, ApiError> {
        self.call(Method::GET, "/public/console/v2/kafka-cluster", None::<&()>)
            .await
    }

    pub async fn list_topics(&self, cluster: &str) -> Result<Vec<Topic>, ApiError> {
        let path = format!("/public/kafka/v2/cluster/{}/topic", checked(cluster)?);
        self.call(Method::GET, &path, None::<&()>).await
    }

    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, ApiError> {
        let bytes = self.send(method, path, body).await?;
        parse_json(path, &bytes)
    }

    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Vec<u8>, ApiError> {
        // Serialized here, once: what follows is not generic (one copy of
        // the request's code in the binary, not one per body type).
        let body = (body.map(serde_json::to_vec).transpose())
            .map_err(|e| ApiError::Config(format!("{path}: the request's body: {e}")))?;
        let body = body.as_deref();
        match self.send_once(method.clone(), path, body).await {
            // A login's token may have expired: log in again, once.
            Err(ApiError::Unauthorized(_)) if matches!(self.auth, Auth::Login { .. }) => {
                *self.session.lock().await = None;
                self.send_once(method, path, body).await
            }
            other => other,
        }
    }

    /// The `Authorization` header's value for the next call.
    async fn authorization(&self) -> Result<String, ApiError> {
        match &self.auth {
            Auth::Key(key) => Ok(format!("Bearer {}", key.expose())),
            Auth::Basic { user, password } => {
                use base64::Engine;
                let pair = format!("{user}:{}", password.expose());
                Ok(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
            }
            Auth::Login { user, password } => {
                let mut session = self.session.lock().await;
                if session.is_none() {
                    *session = Some(self.login(user, password).await?);
                }
                Ok(format!(
                    "Bearer {}",
                    session.as_ref().map(|s| s.expose()).unwrap_or_default()
                ))
            }
        }
    }

    /// `POST {base}/api/login` with `{username, password}`: the token.
    async fn login(&self, user: &str, password: &Secret) -> Result<Secret, ApiError> {
        #[derive(serde::Deserialize)]
        struct LoginAnswer {
            #[serde(alias = "accessToken", alias = "token")]
            access_token: String,
        }
        let url = format!("{}/login", self.root);
        tracing::debug!(%url, "login");
        let body = serde_json::json!({"username": user, "password": password.expose()});
        let response = self
            .http
            .post(&url)
            .header(CLIENT_HEADER.0, CLIENT_HEADER.1)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.transport(&url, e))?;
        let status = response.status();
        let bytes = read_bounded(response, &url, |e| self.transport(&url, e)).await?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(ApiError::Login(format!(
                "invalid username or password for {user:?}"
            )));
        }
        if !status.is_success() {
            return Err(ApiError::Login(
                ApiError::from_status(status.as_u16(), &bytes).to_string(),
            ));
        }
        let answer: LoginAnswer = serde_json::from_slice(&bytes)
            .map_err(|_| ApiError::Login(format!("{url} answered without an access_token")))?;
        Ok(Secret::new(answer.access_token))
    }

    /// The Console's own OpenAPI document (`{base}/api/public/docs/docs.yaml`),
    /// which tells its generation.
    pub async fn openapi(&self) -> Result<Vec<u8>, ApiError> {
        self.send_once(Method::GET, "/public/docs/docs.yaml", None)
            .await
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>, ApiError> {
        // The sandbox's own endpoints hang off the base, not `/api`.
        let url = match path.strip_prefix("/sandbox/") {
            Some(rest) => format!("{}/sandbox/{rest}", self.base),
            None => format!("{}{}", self.root, path),
        };
        tracing::debug!(%method, %url, "request");
        let authorization = self.authorization().await?;
        let mut request = self
            .http
            .request(method, &url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(CLIENT_HEADER.0, CLIENT_HEADER.1);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = request.send().await.map_err(|e| self.transport(&url, e))?;
        let status = response.status();
        let response_location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
        let bytes = read_bounded(response, &url, |e| self.transport(&url, e)).await?;
        tracing::debug!(%url, status = status.as_u16(), "response");
        if status.is_success() {
            Ok(bytes)
        } else if status.is_redirection() {
            let location = response_location.unwrap_or_default();
            Err(ApiError::Redirected { url, location })
        } else if status == StatusCode::UNAUTHORIZED && bytes.is_empty() {
            Err(ApiError::from_status(
                401,
                br#"{"title":"The user is not authenticated"}"#,
            ))
        } else {
            Err(ApiError::from_status(status.as_u16(), &bytes))
        }
    }

    fn transport(&self, url: &str, e: reqwest::Error) -> ApiError {
        let url = url.to_string();
        if e.is_timeout() {
            return ApiError::Timeout {
                url,
                secs: self.timeout.as_secs().max(1),
            };
        }
        let chain = error_chain(&e);
        if chain.contains("Connection refused") || chain.contains("ConnectionRefused") {
            ApiError::ConnectionRefused { url }
        } else if e.is_connect() {
            ApiError::Connect { url, reason: chain }
        } else {
            ApiError::Connect {
                url,
                reason: format!("the connection broke: {chain}"),
            }
        }
    }
}

/// An answer's JSON, or what it was instead.
/// Where the zones are listed.
const ZONES: &str = "/public/console/v2/partner-zone";

/// The zone list's answer could not be read: `what` says why.
pub fn malformed_list(what: impl std::fmt::Display) -> ApiError {
    ApiError::Malformed(format!("{ZONES}: {what}"))
}

fn parse_json<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let hint = if bytes.first() == Some(&b'<') {
            "an HTML page instead of JSON (is the URL the Console's?)".to_string()
        } else {
            e.to_string()
        };
        ApiError::Malformed(format!("{path}: {hint}"))
    })
}

/// The body of an answer, refused past [`MAX_BODY_BYTES`].
async fn read_bounded(
    mut response: reqwest::Response,
    url: &str,
    transport: impl Fn(reqwest::Error) -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    if let Some(len) = response.content_length()
        && len as usize > MAX_BODY_BYTES
    {
        return Err(too_big(url));
    }
    // The announced length (bounded above) spares the copies of growing.
    let mut bytes = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = response.chunk().await.map_err(&transport)? {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_big(url));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_big(url: &str) -> ApiError {
    ApiError::Malformed(format!(
        "{url}: the answer is larger than {} MiB",
        MAX_BODY_BYTES / 1024 / 1024
    ))
}

/// A name as one path segment: percent-encoded, so that any zone a Console
/// lists can be read, deleted and revoked by name. Only `.` and `..` (and
/// the empty name) cannot be carried by a URL and are refused.
/// How the sandbox's OpenAPI document names itself (`sandbox::openapi`).
pub const SANDBOX_TITLE: &str = "(pz sandbox)";

pub(super) fn checked(name: &str) -> Result<String, ApiError> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    if name.is_empty() {
        return Err(ApiError::Config("a zone name cannot be empty".into()));
    }
    if super::types::is_dot_segment(name) {
        return Err(ApiError::Config(format!(
            "{name:?} cannot be used: {}",
            super::types::DOT_NAMES
        )));
    }
    Ok(utf8_percent_encode(name, SEGMENT).to_string())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.dedup();
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_is_a_risk_only_off_this_machine() {
        for local in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:80",
        ] {
            assert!(risks_of(local, false).is_empty(), "{local}");
        }
        for remote in [
            "http://console.corp:8080",
            "http://10.0.0.5",
            "http://[2001:db8::1]",
        ] {
            assert_eq!(risks_of(remote, false), vec![Risk::Plaintext], "{remote}");
        }
        assert!(risks_of("https://console.corp", false).is_empty());
        assert_eq!(
            risks_of("https://console.corp", true),
            vec![Risk::Unverified]
        );
    }

    #[test]
    fn every_base_leads_to_the_same_api_root() {
        for base in [
            "http://console:8080",
            "http://console:8080/",
            "http://console:8080/api",
            "http://console:8080/api/",
        ] {
            assert_eq!(
                api_root(base),
                (
                    "http://console:8080".to_string(),
                    "http://console:8080/api".to_string()
                ),
                "{base}"
            );
        }
        assert_eq!(api_root("https://c/pre/api").1, "https://c/pre/api");
        assert_eq!(api_root("https://c/apix").1, "https://c/apix/api");
    }

    #[test]
    fn same_origin_means_scheme_host_and_port() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(same_origin(&u("https://c:443/a"), &u("https://c/b")));
        assert!(!same_origin(&u("https://c/a"), &u("http://c/a")));
        assert!(!same_origin(&u("http://c:1/a"), &u("http://c:2/a")));
        assert!(!same_origin(&u("http://c/a"), &u("http://d/a")));
    }
}
