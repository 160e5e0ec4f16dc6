//! The partner's side of OAUTHBEARER before Kafka: the client-credentials
//! grant at the identity provider (`grant_type=client_credentials`, the
//! client in the form), as Kafka's and librdkafka's clients do it. Used by
//! `pz check --token-endpoint` and by the console's `t` on the sandbox.

use std::time::Duration;

use crate::sanitize::line;
use crate::secret::Secret;

/// The largest token answer read (a JWT is a few hundred bytes).
const MAX_ANSWER: usize = 64 * 1024;

/// Asks `endpoint` for a token for `client_id`; `cacert` adds trusted
/// roots (PEM) for an identity provider with a private CA.
pub async fn client_credentials(
    endpoint: &str,
    client_id: &str,
    secret: &Secret,
    cacert: Option<&[u8]>,
    timeout: Duration,
) -> Result<Secret, String> {
    let mut http = reqwest::Client::builder().timeout(timeout);
    if let Some(pem) = cacert {
        for cert in reqwest::Certificate::from_pem_bundle(pem).unwrap_or_default() {
            http = http.add_root_certificate(cert);
        }
    }
    let http = http.build().map_err(|e| e.to_string())?;
    let mut answer = http
        .post(endpoint)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret.expose()),
        ])
        .send()
        .await
        .map_err(|e| format!("the token endpoint {}: {e}", line(endpoint)))?;
    let status = answer.status();
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = answer.chunk().await {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!(
                "the token endpoint {} answered more than {} KiB",
                line(endpoint),
                MAX_ANSWER / 1024
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    match body["access_token"].as_str() {
        Some(token) if status.is_success() => Ok(Secret::new(token)),
        _ => Err(format!(
            "the token endpoint {} refused the client '{}': {status} {}",
            line(endpoint),
            line(client_id),
            line(body["error"].as_str().unwrap_or_default())
        )),
    }
}
