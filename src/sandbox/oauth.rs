//! The identity provider an OAUTHBEARER partner would bring, in miniature:
//! `POST /sandbox/partner-zone/{name}/oauth-client` (admin key) issues a
//! client for the zone's service account, and the token endpoint
//! (`POST /sandbox/oauth/token`, `grant_type=client_credentials`, the client
//! in the form or as Basic auth) answers signed tokens whose `sub` is that
//! account. The Gateways check them in SASL OAUTHBEARER: signed by the
//! sandbox, unexpired, `sub` a READY OAUTHBEARER zone's account.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::access::Access;
use super::server::{Shared, json, reject};
use super::token::{self, Claims};
use super::world::{Rejection, World};

/// How long a token is valid.
pub const TOKEN_SECS: i64 = 3600;

/// What the sandbox remembers of a client it issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    pub secret_sha256: String,
    pub zone: String,
}

fn sha256(text: &str) -> String {
    super::pki::sha256_hex(text.as_bytes())
}

fn oauth_key(world: &World) -> token::SigningKey {
    world.signing_key.derive("oauth-token")
}

impl World {
    /// A new client for the zone `name`: `(client id, client secret)`.
    pub fn issue_oauth_client(&mut self, name: &str) -> Result<(String, String), Rejection> {
        self.zone(name)?;
        let client_id = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let secret = super::generate_key().expose().to_string();
        self.oauth_clients.push(OAuthClient {
            client_id: client_id.clone(),
            secret_sha256: sha256(&secret),
            zone: name.to_string(),
        });
        Ok((client_id, secret))
    }

    /// The client-credentials grant: a token for the client's zone account.
    pub fn oauth_token(
        &self,
        client_id: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let c = self
            .oauth_clients
            .iter()
            .find(|c| c.client_id == client_id && c.secret_sha256 == sha256(secret))
            .ok_or("invalid_client")?;
        let zone = self.zone(&c.zone).map_err(|_| "invalid_client")?;
        let claims = Claims {
            sub: zone
                .spec
                .service_account_name()
                .unwrap_or_default()
                .to_string(),
            zone: c.zone.clone(),
            iat: now.timestamp(),
            exp: (now + Duration::seconds(TOKEN_SECS)).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        Ok(token::sign(&oauth_key(self), &claims))
    }

    /// SASL OAUTHBEARER: the partner the token names, if it may in.
    pub fn bearer_access(
        &self,
        cluster: &str,
        bearer: &str,
        now: DateTime<Utc>,
    ) -> Result<Access, String> {
        let claims = token::verify(&oauth_key(self), bearer)
            .map_err(|e| format!("the token is not one the sandbox signed ({e})"))?;
        if claims.exp <= now.timestamp() {
            return Err("the token has expired".into());
        }
        let found = self.zones.iter().find(|(_, s)| {
            s.zone.spec.cluster == cluster
                && s.zone.spec.service_account_name() == Some(claims.sub.as_str())
        });
        let Some((name, stored)) = found else {
            return Err(format!(
                "no Partner Zone on this Gateway has the service account '{}' (the token's sub)",
                claims.sub
            ));
        };
        if stored.zone.spec.auth_type() != "OAUTHBEARER" {
            return Err(format!(
                "the Partner Zone '{name}' does not authenticate with OAUTHBEARER"
            ));
        }
        if stored.zone.metadata.status != Some(crate::api::ZoneStatus::Ready) {
            return Err(format!(
                "the Partner Zone '{name}' is not deployed (not READY)"
            ));
        }
        Ok(Access {
            zone: name.clone(),
            service_account: claims.sub,
        })
    }
}

/// The bearer token of an OAUTHBEARER client's first message
/// (`n,,\x01auth=Bearer TOKEN\x01\x01`, RFC 7628).
pub fn bearer_of(message: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(message).ok()?;
    text.split('\u{1}')
        .find_map(|kv| kv.strip_prefix("auth="))
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
}

/// `POST /sandbox/partner-zone/{name}/oauth-client`.
pub(super) async fn oauth_client(
    State(s): State<Arc<Shared>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = super::server::check_name(&name) {
        return reject(r);
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    match s.with_world(true, |w| w.issue_oauth_client(&name)).await {
        Ok((id, secret)) => json(&serde_json::json!({
            "clientId": id,
            "clientSecret": secret,
            "tokenEndpoint": format!("http://{host}/sandbox/oauth/token"),
        })),
        Err(r) => r,
    }
}

/// `POST /sandbox/oauth/token`: `grant_type=client_credentials`.
pub(super) async fn token_endpoint(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: std::collections::HashMap<String, String> = url_form(&String::from_utf8_lossy(&body));
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(400, "unsupported_grant_type");
    }
    // The client in the form, or as Basic auth (what librdkafka sends).
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| {
            t.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    let (id, secret) = match (form.get("client_id"), form.get("client_secret"), basic) {
        (Some(i), Some(s), _) => (i.clone(), s.clone()),
        (_, _, Some(pair)) => pair,
        _ => return oauth_error(401, "invalid_client"),
    };
    let world = s.settled_world().await;
    match world.oauth_token(&id, &secret, s.now()) {
        Ok(t) => json(&serde_json::json!({
            "access_token": t,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECS,
        })),
        Err(e) => oauth_error(401, &e),
    }
}

fn oauth_error(status: u16, error: &str) -> Response {
    let mut r = reject(Rejection::new(status, "OAuth", error));
    *r.body_mut() = axum::body::Body::from(serde_json::json!({"error": error}).to_string());
    r
}

/// An `application/x-www-form-urlencoded` body as a map.
fn url_form(text: &str) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_is_read_from_the_gs2_message() {
        assert_eq!(
            bearer_of(b"n,,\x01auth=Bearer abc.def.ghi\x01\x01").as_deref(),
            Some("abc.def.ghi")
        );
        assert_eq!(
            bearer_of(b"n,a=user,\x01host=x\x01auth=Bearer t\x01\x01").as_deref(),
            Some("t")
        );
        assert_eq!(bearer_of(b"garbage"), None);
    }

    #[test]
    fn clients_get_tokens_for_their_zone_only() {
        let now = crate::demo::clock();
        let mut w = World::seed(now);
        let (id, secret) = w.issue_oauth_client("acme-logistics").unwrap();
        let t = w.oauth_token(&id, &secret, now).unwrap();
        assert!(w.oauth_token(&id, "wrong", now).is_err());
        // acme-logistics is a PLAIN zone: the token does not open it.
        let err = w.bearer_access("gateway-prod", &t, now).unwrap_err();
        assert!(
            err.contains("does not authenticate with OAUTHBEARER"),
            "{err}"
        );
        // A PLAIN secret is not a bearer token.
        let plain = w
            .generate_credentials(
                "acme-logistics",
                "t",
                now,
                std::time::Duration::from_secs(60),
            )
            .unwrap();
        assert!(
            w.bearer_access("gateway-prod", &plain, now)
                .unwrap_err()
                .contains("not one the sandbox signed")
        );
        let later = now + Duration::seconds(TOKEN_SECS + 1);
        assert!(
            w.bearer_access("gateway-prod", &t, later)
                .unwrap_err()
                .contains("expired")
        );
    }
}
