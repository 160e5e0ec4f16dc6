//! One Kafka connection to a sandbox Gateway: what a standard client sends
//! to connect and list topics (ApiVersions, SaslHandshake PLAIN,
//! SaslAuthenticate, Metadata), answered from the world with
//! `kafka-protocol`'s messages. Anything else closes the connection, as a
//! broker does with a request it did not advertise.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, BrokerId, MetadataRequest, MetadataResponse,
    RequestHeader, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
    SaslHandshakeResponse, TopicName,
};
use kafka_protocol::protocol::{Decodable, Message, StrBytes};
use tokio::io::{AsyncRead, AsyncWrite};

use super::access::{Access, VisibleTopic};
use super::listen::Admitted;
use super::server::Shared;
use crate::kafka::{WireError, encode_response, read_frame, write_frame};

/// A connection idle this long is closed (Kafka's `connections.max.idle.ms`
/// is ten minutes; a sandbox can be stricter).
const IDLE: Duration = Duration::from_secs(300);

/// SASL must be done this long after connecting, or the connection closes
/// (a real client needs a few milliseconds).
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// The versions this Gateway answers, per API.
const APIS: [(ApiKey, i16, i16); 4] = [
    (ApiKey::ApiVersions, 0, 4),
    (ApiKey::SaslHandshake, 0, 1),
    (ApiKey::SaslAuthenticate, 0, 2),
    (ApiKey::Metadata, 0, 12),
];

const NODE_ID: i32 = 1;

// Kafka's ACL operation codes, as bits of `topic_authorized_operations`.
const READ: i32 = 1 << 3;
const WRITE: i32 = 1 << 4;
const DESCRIBE: i32 = 1 << 8;
const NOT_REQUESTED: i32 = i32::MIN;

/// The Gateway a connection arrived at.
#[derive(Clone)]
pub(super) struct Gateway {
    pub(super) shared: Arc<Shared>,
    pub cluster: String,
    pub advertised: SocketAddr,
}

enum Sasl {
    Start,
    /// After a v0 handshake the client sends the PLAIN token bare.
    HandshakeV0,
    /// After a v1 handshake: SaslAuthenticate, OAUTHBEARER or PLAIN.
    HandshakeV1 {
        oauth: bool,
    },
    Done(Access),
}

/// What goes back for a request, and whether the connection then closes
/// (after a refused SASL authentication, with the reason for the log).
struct Reply {
    bytes: Vec<u8>,
    close: Option<String>,
}

impl Reply {
    fn of(buf: bytes::BytesMut) -> Self {
        Reply {
            bytes: buf.to_vec(),
            close: None,
        }
    }
}

/// Why a connection ends early (logged, never sent as text).
#[derive(Debug, thiserror::Error)]
enum End {
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error("{0}")]
    Refused(String),
}

/// Where a connection is in its life: before SASL it has a deadline and a
/// place among the unauthenticated that a newer one may take.
struct Phase {
    deadline: tokio::time::Instant,
    slot: Option<Admitted>,
}

/// The next frame, or None when the client left, broke the framing, stayed
/// idle too long, missed the SASL deadline or was evicted (logged).
async fn next_frame<S: AsyncRead + Unpin>(
    stream: &mut S,
    gw: &Gateway,
    peer: SocketAddr,
    phase: &Phase,
) -> Option<Bytes> {
    let until = match phase.slot {
        Some(_) => phase.deadline,
        None => tokio::time::Instant::now() + IDLE,
    };
    let evicted = async {
        match &phase.slot {
            Some(s) => s.slot().evicted().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        read = tokio::time::timeout_at(until, read_frame(stream)) => match read {
            Ok(Ok(frame)) => frame,
            Ok(Err(e)) => {
                tracing::info!(%peer, gateway = gw.cluster, "kafka connection closed: {e}");
                None
            }
            Err(_) if phase.slot.is_some() => {
                tracing::info!(%peer, gateway = gw.cluster, "no SASL within {} s: closed", HANDSHAKE.as_secs());
                None
            }
            Err(_) => {
                tracing::info!(%peer, gateway = gw.cluster, "kafka connection idle, closed");
                None
            }
        },
        () = evicted => {
            tracing::info!(%peer, gateway = gw.cluster, "unauthenticated connection evicted by a newer one");
            None
        }
    }
}

/// Serves one connection until the client leaves or breaks the protocol.
pub(super) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    gw: Gateway,
    peer: SocketAddr,
    slot: Admitted,
) {
    serve_as(stream, gw, peer, slot, None).await
}

/// The same for a connection already authenticated (an MTLS partner's
/// client certificate): no SASL is asked.
pub(super) async fn serve_as<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    gw: Gateway,
    peer: SocketAddr,
    slot: Admitted,
    access: Option<Access>,
) {
    let mut state = match access {
        Some(a) => Sasl::Done(a),
        None => Sasl::Start,
    };
    let mut phase = Phase {
        deadline: tokio::time::Instant::now() + HANDSHAKE,
        slot: Some(slot),
    };
    while let Some(frame) = next_frame(&mut stream, &gw, peer, &phase).await {
        let reply = match answer(frame, &mut state, &gw).await {
            Ok(reply) => reply,
            Err(e) => {
                tracing::info!(%peer, gateway = gw.cluster, "kafka connection refused: {e}");
                return;
            }
        };
        if let Err(e) = write_frame(&mut stream, &reply.bytes).await {
            tracing::info!(%peer, "kafka connection lost: {e}");
            return;
        }
        if let Some(why) = reply.close {
            tracing::info!(%peer, gateway = gw.cluster, "SASL refused: {why}");
            return;
        }
        if let Sasl::HandshakeV0 = state {
            // The bare PLAIN token follows; its answer is an empty frame.
            let Some(token) = next_frame(&mut stream, &gw, peer, &phase).await else {
                return;
            };
            match authenticate(&gw, &token).await {
                Ok(access) if write_frame(&mut stream, &[]).await.is_ok() => {
                    state = Sasl::Done(access);
                }
                Ok(_) => return,
                Err(why) => {
                    tracing::info!(%peer, gateway = gw.cluster, "SASL refused: {why}");
                    return;
                }
            }
        }
        if let Sasl::Done(_) = state {
            // Authenticated: no deadline, no longer evictable.
            phase.slot = None;
        }
    }
}

/// The answer to one request frame, or why the connection must close.
async fn answer(mut frame: Bytes, state: &mut Sasl, gw: &Gateway) -> Result<Reply, End> {
    // api key, api version, correlation id: anything shorter is not Kafka.
    if frame.len() < 8 {
        return Err(End::Refused(
            "a frame too short for a request header".into(),
        ));
    }
    let key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let api = ApiKey::try_from(key).map_err(|_| End::Refused(format!("unknown API key {key}")))?;
    let Some(&(_, min, max)) = APIS.iter().find(|(k, _, _)| *k == api) else {
        return Err(End::Refused(format!(
            "{api:?} is not served by this Gateway"
        )));
    };
    if api == ApiKey::ApiVersions && !(min..=max).contains(&version) {
        // What a broker does: an error, in version 0, with what it supports.
        let body = api_versions(ResponseError::UnsupportedVersion.code());
        return Ok(Reply::of(encode_response(api, 0, correlation_id, &body)?));
    }
    if !(min..=max).contains(&version) {
        return Err(End::Refused(format!("{api:?} v{version} is not served")));
    }
    RequestHeader::decode(&mut frame, api.request_header_version(version))
        .map_err(|e| End::Refused(format!("bad request header: {e}")))?;
    let out = match (api, &*state) {
        (ApiKey::ApiVersions, _) => {
            bounded::<ApiVersionsRequest>(&frame, version)?;
            ApiVersionsRequest::decode(&mut frame, version).map_err(refused)?;
            encode_response(api, version, correlation_id, &api_versions(0))?
        }
        (ApiKey::SaslHandshake, Sasl::Start) => {
            bounded::<SaslHandshakeRequest>(&frame, version)?;
            let req = SaslHandshakeRequest::decode(&mut frame, version).map_err(refused)?;
            let mechanism = req.mechanism.as_str();
            let plain = mechanism == "PLAIN";
            // OAUTHBEARER needs SaslAuthenticate (a v1 handshake).
            let oauth = mechanism == "OAUTHBEARER" && version >= 1;
            let body = SaslHandshakeResponse::default()
                .with_error_code(if plain || oauth {
                    0
                } else {
                    ResponseError::UnsupportedSaslMechanism.code()
                })
                .with_mechanisms(vec![
                    StrBytes::from_static_str("PLAIN"),
                    StrBytes::from_static_str("OAUTHBEARER"),
                ]);
            if plain || oauth {
                *state = if version == 0 {
                    Sasl::HandshakeV0
                } else {
                    Sasl::HandshakeV1 { oauth }
                };
            }
            encode_response(api, version, correlation_id, &body)?
        }
        (ApiKey::SaslAuthenticate, Sasl::HandshakeV1 { oauth }) => {
            let oauth = *oauth;
            bounded::<SaslAuthenticateRequest>(&frame, version)?;
            let req = SaslAuthenticateRequest::decode(&mut frame, version).map_err(refused)?;
            let checked = if oauth {
                authenticate_bearer(gw, &req.auth_bytes).await
            } else {
                authenticate(gw, &req.auth_bytes).await
            };
            let (body, result) = match checked {
                Ok(access) => (SaslAuthenticateResponse::default(), Ok(access)),
                Err(why) => (
                    SaslAuthenticateResponse::default()
                        .with_error_code(ResponseError::SaslAuthenticationFailed.code())
                        .with_error_message(Some(StrBytes::from_string(format!(
                            "Authentication failed: {why}"
                        )))),
                    Err(why),
                ),
            };
            let out = encode_response(api, version, correlation_id, &body)?;
            match result {
                Ok(access) => *state = Sasl::Done(access),
                // The answer goes out, then the connection closes.
                Err(why) => {
                    return Ok(Reply {
                        bytes: out.to_vec(),
                        close: Some(why),
                    });
                }
            }
            out
        }
        (ApiKey::Metadata, Sasl::Done(access)) => {
            bounded::<MetadataRequest>(&frame, version)?;
            let req = MetadataRequest::decode(&mut frame, version).map_err(refused)?;
            let topics = {
                let world = gw.shared.settled_world().await;
                world.visible_topics(&access.zone)
            };
            let body = metadata(&req, version, &topics, gw);
            encode_response(api, version, correlation_id, &body)?
        }
        (api, _) => {
            return Err(End::Refused(format!(
                "{api:?} before SASL authentication (or twice)"
            )));
        }
    };
    Ok(Reply::of(out))
}

fn refused(e: impl std::fmt::Display) -> End {
    End::Refused(format!("undecodable request: {e}"))
}

/// A request's counts and lengths checked against the frame before the
/// decoder reserves memory for them (`kafka::bound`).
fn bounded<M: crate::kafka::bound::Bounded>(body: &Bytes, version: i16) -> Result<(), End> {
    crate::kafka::bound::check::<M>(body, version)
        .map_err(|e| End::Refused(format!("a malformed request: {e}")))
}

/// SASL PLAIN: `authzid NUL authcid NUL password`, checked by the world.
async fn authenticate(gw: &Gateway, token: &[u8]) -> Result<Access, String> {
    let mut parts = token.split(|b| *b == 0);
    let (Some(_authzid), Some(user), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a SASL PLAIN token".into());
    };
    let user = String::from_utf8_lossy(user);
    let password = String::from_utf8_lossy(password);
    let world = gw.shared.settled_world().await;
    world
        .authenticate(&gw.cluster, &user, &password, gw.shared.now())
        .map_err(|r| r.to_string())
}

/// SASL OAUTHBEARER: the bearer token of the client's first message,
/// checked by the world (`sandbox::oauth`).
async fn authenticate_bearer(gw: &Gateway, message: &[u8]) -> Result<Access, String> {
    let bearer = super::oauth::bearer_of(message).ok_or("not an OAUTHBEARER message")?;
    let world = gw.shared.settled_world().await;
    world.bearer_access(&gw.cluster, &bearer, gw.shared.now())
}

fn api_versions(error_code: i16) -> ApiVersionsResponse {
    ApiVersionsResponse::default()
        .with_error_code(error_code)
        .with_api_keys(
            APIS.iter()
                .map(|(k, min, max)| {
                    ApiVersion::default()
                        .with_api_key(*k as i16)
                        .with_min_version(*min)
                        .with_max_version((*max).min(max_of(*k)))
                })
                .collect(),
        )
}

/// The highest version `kafka-protocol` can write for a response.
fn max_of(k: ApiKey) -> i16 {
    match k {
        ApiKey::ApiVersions => ApiVersionsResponse::VERSIONS.max,
        ApiKey::SaslHandshake => SaslHandshakeResponse::VERSIONS.max,
        ApiKey::SaslAuthenticate => SaslAuthenticateResponse::VERSIONS.max,
        ApiKey::Metadata => MetadataResponse::VERSIONS.max,
        _ => 0,
    }
}

/// A stable topic id for an alias, so clients that track ids see the same
/// one on every call.
fn topic_id(cluster: &str, alias: &str) -> uuid::Uuid {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{cluster}\0{alias}").as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn metadata(
    req: &MetadataRequest,
    version: i16,
    visible: &[VisibleTopic],
    gw: &Gateway,
) -> MetadataResponse {
    let ops = |t: &VisibleTopic| {
        if version >= 8 && req.include_topic_authorized_operations {
            READ | DESCRIBE | if t.write { WRITE } else { 0 }
        } else {
            NOT_REQUESTED
        }
    };
    let describe = |t: &VisibleTopic| {
        let partitions = (0..t.partitions)
            .map(|i| {
                MetadataResponsePartition::default()
                    .with_partition_index(i)
                    .with_leader_id(BrokerId(NODE_ID))
                    .with_leader_epoch(0)
                    .with_replica_nodes(vec![BrokerId(NODE_ID)])
                    .with_isr_nodes(vec![BrokerId(NODE_ID)])
            })
            .collect();
        MetadataResponseTopic::default()
            .with_name(Some(TopicName(StrBytes::from_string(t.alias.clone()))))
            .with_topic_id(topic_id(&gw.cluster, &t.alias))
            .with_partitions(partitions)
            .with_topic_authorized_operations(ops(t))
    };
    // A null list (v1+) or an empty one in v0 asks for every topic.
    let all = match &req.topics {
        None => true,
        Some(list) => list.is_empty() && version == 0,
    };
    let topics = if all {
        visible.iter().map(describe).collect()
    } else {
        req.topics
            .iter()
            .flatten()
            .filter_map(|wanted| wanted.name.as_ref())
            .flat_map(|name| {
                let matching: Vec<_> = visible
                    .iter()
                    .filter(|t| t.alias == name.0.as_str())
                    .map(describe)
                    .collect();
                if matching.is_empty() {
                    // The partner only sees its aliases: anything else is
                    // unknown, as if it did not exist.
                    vec![
                        MetadataResponseTopic::default()
                            .with_name(Some(name.clone()))
                            .with_error_code(ResponseError::UnknownTopicOrPartition.code()),
                    ]
                } else {
                    matching
                }
            })
            .collect()
    };
    let mut out = MetadataResponse::default()
        .with_brokers(vec![
            MetadataResponseBroker::default()
                .with_node_id(BrokerId(NODE_ID))
                .with_host(StrBytes::from_string(gw.advertised.ip().to_string()))
                .with_port(i32::from(gw.advertised.port())),
        ])
        .with_cluster_id(Some(StrBytes::from_string(format!(
            "sandbox-{}",
            gw.cluster
        ))))
        .with_controller_id(BrokerId(NODE_ID))
        .with_topics(topics);
    if (8..=10).contains(&version) && req.include_cluster_authorized_operations {
        out.cluster_authorized_operations = DESCRIBE;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_lengths_beyond_the_frame_are_refused() {
        let mut huge = Vec::new();
        huge.extend_from_slice(&i32::MAX.to_be_bytes());
        assert!(bounded::<MetadataRequest>(&Bytes::from(huge), 1).is_err());
        let mut ok = Vec::new();
        ok.extend_from_slice(&(-1i32).to_be_bytes());
        assert!(bounded::<MetadataRequest>(&Bytes::from(ok), 1).is_ok());
        // Compact: 0xffffffff0f is u32::MAX.
        let compact = Bytes::from_static(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(bounded::<MetadataRequest>(&compact, 12).is_err());
        assert!(bounded::<MetadataRequest>(&Bytes::from_static(&[0x80]), 12).is_err());
        // No topics (null), no auto-creation, no operations, no tags.
        let fine = Bytes::from_static(&[0x00, 0x00, 0x00, 0x00]);
        assert!(bounded::<MetadataRequest>(&fine, 12).is_ok());
    }

    #[test]
    fn every_advertised_version_can_be_written() {
        for (k, _, max) in APIS {
            assert!(max <= max_of(k), "{k:?}");
        }
    }
}
