//! The sandbox Gateways' Kafka listeners: one per Gateway cluster, on the
//! address its `bootstrapServers` names. A Gateway marked down does not
//! listen (its clients get "connection refused"); marked up again, it
//! listens again on the same address.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::kafka_session::{self, Gateway};
use super::server::{SandboxError, Shared};

/// At most this many authenticated Kafka connections per Gateway (beyond
/// them a connection is closed at once).
const MAX_CONNECTIONS: usize = 256;
/// At most this many connections per Gateway that have not finished SASL
/// yet; one more evicts the oldest, so idle sockets cannot lock partners out
/// (and each has `kafka_session::HANDSHAKE` to authenticate anyway).
const MAX_UNAUTHENTICATED: usize = 64;

/// Where each Gateway cluster's listener is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaListener {
    pub cluster: String,
    pub addr: SocketAddr,
    /// Down when the sandbox started (it may go up or down since).
    pub down_at_start: bool,
}

/// Listening sockets bound for the Gateway clusters, before they serve.
pub(super) struct Bound {
    pub listeners: Vec<KafkaListener>,
    sockets: Vec<Option<TcpListener>>,
}

/// Binds a listener per Gateway cluster: the first on `base`, each next one
/// on the next port (port 0: a free port each). A Gateway that is down gets
/// its address but does not keep listening.
pub(super) async fn bind(
    base: SocketAddr,
    gateways: &[(String, bool)],
) -> Result<Bound, SandboxError> {
    let mut listeners = Vec::new();
    let mut sockets = Vec::new();
    for (i, (cluster, down)) in gateways.iter().enumerate() {
        let mut want = base;
        if base.port() != 0 {
            let port =
                u16::try_from(usize::from(base.port()) + i).map_err(|_| SandboxError::Bind {
                    addr: base,
                    source: std::io::Error::other("no port left for the next Gateway"),
                })?;
            want.set_port(port);
        }
        let socket = TcpListener::bind(want)
            .await
            .map_err(|source| SandboxError::Bind { addr: want, source })?;
        let addr = socket
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr: want, source })?;
        listeners.push(KafkaListener {
            cluster: cluster.clone(),
            addr,
            down_at_start: *down,
        });
        sockets.push((!down).then_some(socket));
    }
    Ok(Bound { listeners, sockets })
}

/// Serves every bound listener in its own task; each follows its Gateway's
/// up/down state through `changes`.
pub(super) fn serve(
    bound: Bound,
    shared: &Arc<Shared>,
    changes: &watch::Sender<u64>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Vec<JoinHandle<()>> {
    bound
        .listeners
        .into_iter()
        .zip(bound.sockets)
        .map(|(l, socket)| {
            let gw = Gateway {
                shared: shared.clone(),
                cluster: l.cluster,
                advertised: l.addr,
            };
            let tls = tls.clone().map(tokio_rustls::TlsAcceptor::from);
            tokio::spawn(run(gw, socket, changes.subscribe(), tls))
        })
        .collect()
}

async fn run(
    gw: Gateway,
    mut socket: Option<TcpListener>,
    mut changes: watch::Receiver<u64>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let mut conns = JoinSet::new();
    let unauthenticated = super::listen::Slots::new(MAX_UNAUTHENTICATED);
    loop {
        while conns.try_join_next().is_some() {}
        let down = gw.shared.gateway_is_down(&gw.cluster).await;
        if down && socket.is_some() {
            tracing::info!(gateway = gw.cluster, "gateway down: Kafka listener closed");
            socket = None;
            conns.abort_all();
        } else if !down && socket.is_none() {
            match TcpListener::bind(gw.advertised).await {
                Ok(s) => {
                    tracing::info!(gateway = gw.cluster, addr = %gw.advertised, "gateway up: Kafka listener open");
                    socket = Some(s);
                }
                Err(e) => tracing::error!(
                    gateway = gw.cluster,
                    "cannot listen on {} again: {e}",
                    gw.advertised
                ),
            }
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            accepted = accept(socket.as_ref()) => match accepted {
                Ok((stream, peer)) => {
                    if conns.len() >= MAX_CONNECTIONS + MAX_UNAUTHENTICATED {
                        tracing::warn!(gateway = gw.cluster, %peer, "too many Kafka connections: closed");
                        continue;
                    }
                    let (slot, evicted) = unauthenticated.admit();
                    if evicted {
                        tracing::info!(gateway = gw.cluster, "too many connections without SASL: the oldest closed");
                    }
                    let _ = stream.set_nodelay(true);
                    let gw = gw.clone();
                    match &tls {
                        None => {
                            conns.spawn(kafka_session::serve(stream, gw, peer, slot));
                        }
                        Some(acceptor) => {
                            conns.spawn(serve_tls(acceptor.clone(), stream, gw, peer, slot));
                        }
                    }
                }
                Err(e) => {
                    // Out of descriptors, say: wait rather than spin.
                    tracing::warn!(gateway = gw.cluster, "accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// A connection to a TLS Gateway: the handshake within the time SASL has,
/// then the Kafka session; a client certificate (the CA's: the handshake
/// checked it) is an MTLS partner, known by the certificates issued.
async fn serve_tls(
    acceptor: tokio_rustls::TlsAcceptor,
    stream: tokio::net::TcpStream,
    gw: Gateway,
    peer: SocketAddr,
    slot: super::listen::Admitted,
) {
    let tls = match tokio::time::timeout(kafka_session::HANDSHAKE, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => return tracing::info!(%peer, "TLS handshake failed: {e}"),
        Err(_) => return tracing::info!(%peer, "no TLS handshake in time: closed"),
    };
    let print = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| super::pki::fingerprint(c));
    let access = match print {
        None => None,
        Some(print) => {
            let world = gw.shared.settled_world().await;
            match world.certificate_access(&gw.cluster, &print) {
                Ok(a) => Some(a),
                Err(why) => {
                    return tracing::info!(%peer, gateway = gw.cluster, "client certificate refused: {why}");
                }
            }
        }
    };
    kafka_session::serve_as(tls, gw, peer, slot, access).await
}

async fn accept(
    socket: Option<&TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match socket {
        Some(s) => s.accept().await,
        None => std::future::pending().await,
    }
}
