//! The sandbox-only endpoints (admin key; not the Console's contract): the
//! audit log, a Gateway up or down (so FAILED deployments can be shown),
//! the CA of the TLS Gateways and client certificates for MTLS partners.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::server::{Shared, check_name, json, reject};
use super::world::Rejection;

/// `GET /sandbox/ca`: the CA of the TLS Gateways, PEM.
pub(super) async fn ca(State(s): State<Arc<Shared>>) -> Response {
    match &s.pki {
        Some(pki) => (
            [(header::CONTENT_TYPE, "application/x-pem-file")],
            pki.ca_pem.clone(),
        )
            .into_response(),
        None => reject(Rejection::new(
            404,
            "The searched entity was not found",
            "The Gateways listen without TLS: start the sandbox with --kafka-tls",
        )),
    }
}

/// `POST /sandbox/partner-zone/{name}/certificate`: a client certificate
/// (common name: the zone's service account) and its key, from the
/// sandbox CA, for an MTLS partner: `{certificate, privateKey}`, PEM.
pub(super) async fn certificate(
    State(s): State<Arc<Shared>>,
    Path(name): Path<String>,
) -> Response {
    if let Err(r) = check_name(&name) {
        return reject(r);
    }
    let Some(pki) = &s.pki else {
        return reject(Rejection::new(
            409,
            "The request does not match one of the business rules",
            "The Gateways listen without TLS: start the sandbox with --kafka-tls",
        ));
    };
    let account = match s
        .with_world(false, |w| {
            w.zone(&name).map(|z| {
                z.spec
                    .service_account_name()
                    .unwrap_or_default()
                    .to_string()
            })
        })
        .await
    {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (certificate, key, print) = match pki.issue(&[], &account, true) {
        Ok(issued) => issued,
        Err(e) => {
            return reject(Rejection::new(
                500,
                "An unexpected error occurred in the server",
                e.to_string(),
            ));
        }
    };
    // Remembered: its fingerprint and whose it is, never the key.
    let remembered = s
        .with_world(true, |w| {
            w.client_certificates.insert(print, account.clone());
            Ok(())
        })
        .await;
    match remembered {
        Ok(()) => json(&serde_json::json!({
            "certificate": certificate,
            "privateKey": key,
        })),
        Err(r) => r,
    }
}

/// Sandbox only: the audit log (not part of the Console contract).
pub(super) async fn audit(State(s): State<Arc<Shared>>) -> Response {
    match s.with_world(false, |w| Ok(json(&w.audit))).await {
        Ok(r) | Err(r) => r,
    }
}

/// Sandbox only: `PUT /sandbox/gateway/{cluster}/up|down` marks a Gateway
/// healthy or down, so FAILED deployments can be shown and tested.
pub(super) async fn set_gateway(
    State(s): State<Arc<Shared>>,
    Path((cluster, state)): Path<(String, String)>,
) -> Response {
    let down = match state.as_str() {
        "up" => false,
        "down" => true,
        _ => {
            return reject(Rejection::new(
                400,
                "The request is not valid",
                "use /sandbox/gateway/{cluster}/up or /down",
            ));
        }
    };
    match s
        .with_world(true, |w| {
            if w.set_gateway_down(&cluster, down) {
                s.gateways.send_modify(|n| *n += 1);
                Ok(StatusCode::OK.into_response())
            } else {
                Err(Rejection::new(
                    404,
                    "The searched entity was not found",
                    format!("There is no cluster named '{cluster}'"),
                ))
            }
        })
        .await
    {
        Ok(r) | Err(r) => r,
    }
}
