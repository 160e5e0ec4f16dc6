//! The async client for the Partner Zone endpoints of the Console API v2.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::types::{ApplyResult, KafkaCluster, PartnerZone, Topic, is_valid_name};
use crate::secret::Secret;

/// Answers larger than this are refused rather than read into memory.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Where the Console is and how to talk to it.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub base_url: String,
    pub api_key: Secret,
    /// `CDK_INSECURE=true`: skip TLS verification.
    pub insecure: bool,
    /// `CDK_CACERT`: an extra CA bundle (PEM).
    pub ca_cert: Option<String>,
    /// `CDK_CERT` + `CDK_KEY`: a client certificate (PEM files).
    pub client_cert: Option<(String, String)>,
    pub timeout: Duration,
}

impl Connection {
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
        Connection {
            base_url: base_url.into(),
            api_key,
            insecure: false,
            ca_cert: None,
            client_cert: None,
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Secret,
    timeout: Duration,
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
        let base = conn.base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ApiError::Config(format!(
                "the Console URL must start with http:// or https:// (got {base:?})"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(conn.timeout))
            .timeout(conn.timeout)
            .user_agent(concat!("pz/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(conn.insecure);
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
            base,
            key: conn.api_key.clone(),
            timeout: conn.timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub async fn list_zones(&self) -> Result<Vec<PartnerZone>, ApiError> {
        self.call(Method::GET, "/public/console/v2/partner-zone", None::<&()>)
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
        let path = format!("/public/console/v2/partner-zone?dryMode={dry_run}");
        self.call(Method::PUT, &path, Some(zone)).await
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

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, ApiError> {
        let bytes = self.send(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            let hint = if bytes.first() == Some(&b'<') {
                "an HTML page instead of JSON (is the URL the Console's?)".to_string()
            } else {
                e.to_string()
            };
            ApiError::Malformed(format!("{path}: {hint}"))
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Vec<u8>, ApiError> {
        let url = format!("{}{}", self.base, path);
        tracing::debug!(%method, %url, "request");
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(self.key.expose())
            .header(
                "X-CDK-CLIENT",
                concat!("CLI/pz-", env!("CARGO_PKG_VERSION")),
            );
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = request.send().await.map_err(|e| self.transport(&url, e))?;
        let status = response.status();
        if let Some(len) = response.content_length()
            && len as usize > MAX_BODY_BYTES
        {
            return Err(too_big(&url));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport(&url, e))?
        {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_big(&url));
            }
            bytes.extend_from_slice(&chunk);
        }
        tracing::debug!(%url, status = status.as_u16(), "response");
        if status.is_success() {
            Ok(bytes)
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

fn too_big(url: &str) -> ApiError {
    ApiError::Malformed(format!(
        "{url}: the answer is larger than {} MiB",
        MAX_BODY_BYTES / 1024 / 1024
    ))
}

fn checked(name: &str) -> Result<&str, ApiError> {
    if is_valid_name(name) {
        Ok(name)
    } else {
        Err(ApiError::Config(format!(
            "{name:?} is not a valid name (lowercase letters, digits, '_', '-', '.')"
        )))
    }
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
