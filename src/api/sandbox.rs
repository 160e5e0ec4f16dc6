//! The pz sandbox's own endpoints (not the Console's contract), which let
//! an OAUTHBEARER or MTLS partner's side be tried without an identity
//! provider or a CA: the Gateways' CA, a client certificate, an OAuth
//! client. A real Console has none of them: there the partner brings its own.

use reqwest::Method;

use super::{ApiError, Client};
use crate::secret::Secret;

/// `POST /sandbox/partner-zone/{name}/certificate`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxCertificate {
    pub certificate: String,
    pub private_key: Secret,
}

/// `POST /sandbox/partner-zone/{name}/oauth-client`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxOAuthClient {
    pub client_id: String,
    pub client_secret: Secret,
    pub token_endpoint: String,
}

impl Client {
    /// A client certificate (and key) for the zone's service account.
    pub async fn sandbox_certificate(&self, name: &str) -> Result<SandboxCertificate, ApiError> {
        let path = format!(
            "/sandbox/partner-zone/{}/certificate",
            super::client::checked(name)?
        );
        self.call(Method::POST, &path, None::<&()>).await
    }

    /// An OAuth client whose tokens carry `sub` = the zone's service account.
    pub async fn sandbox_oauth_client(&self, name: &str) -> Result<SandboxOAuthClient, ApiError> {
        let path = format!(
            "/sandbox/partner-zone/{}/oauth-client",
            super::client::checked(name)?
        );
        self.call(Method::POST, &path, None::<&()>).await
    }

    /// The CA of the sandbox's TLS Gateways (PEM).
    pub async fn sandbox_ca(&self) -> Result<String, ApiError> {
        let pem = self.send(Method::GET, "/sandbox/ca", None::<&()>).await?;
        String::from_utf8(pem)
            .ok()
            .filter(|p| p.contains("-----BEGIN CERTIFICATE-----"))
            .ok_or_else(|| ApiError::Malformed("/sandbox/ca: not a PEM certificate".into()))
    }
}
