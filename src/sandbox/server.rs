//! The sandbox's HTTP server: the Console's paths, status codes, JSON and
//! Bearer auth, over the [`World`], with fault injection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Serialize;
use tokio::sync::Mutex;

use super::controls;
use super::gateway::{self, KafkaListener};
use super::store;
use super::world::{Rejection, World};
use crate::api::types::{PartnerZone, is_valid_name};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    /// `None` keeps the world in memory only.
    pub state: Option<PathBuf>,
    pub api_key: Secret,
    pub viewer_key: Option<Secret>,
    pub deploy_delay: Duration,
    pub latency: Duration,
    pub fail_rate: f64,
    /// The seed of the injected faults (None: a random one, logged), so a
    /// run that failed can be replayed.
    pub fail_seed: Option<u64>,
    /// How long a generated secret stays valid.
    pub token_ttl: Duration,
    /// Where the sandbox reads the time (tests move a manual one).
    pub clock: super::clock::Clock,
    /// The first Gateway's Kafka listener (the next Gateways take the next
    /// ports; port 0 gives each a free port); `None` opens none.
    pub kafka_listen: Option<SocketAddr>,
    /// The Console generation emulated (`--console-version`).
    pub generation: crate::api::Generation,
    /// Console users who may log in (`--user NAME:PASSWORD`), as admins.
    pub users: Vec<super::auth::User>,
    /// The Gateways listen with TLS under the sandbox's CA (`--kafka-tls`).
    pub kafka_tls: bool,
}

impl SandboxOptions {
    pub fn new(api_key: Secret) -> Self {
        SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state: None,
            api_key,
            viewer_key: None,
            deploy_delay: Duration::from_millis(2000),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            fail_seed: None,
            clock: super::clock::Clock::system(),
            token_ttl: super::world::TOKEN_TTL,
            kafka_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            generation: crate::api::Generation::NEWEST,
            users: Vec::new(),
            kafka_tls: false,
        }
    }
}

pub(super) struct Shared {
    world: Mutex<World>,
    /// The zone list's answer as last serialized, until the world changes
    /// (a write, a deployment settling): a poll of 1,000 zones is not
    /// serialized anew every time. Only read or set under `world`'s lock.
    listed: std::sync::Mutex<Option<Bytes>>,
    pub(super) opts: SandboxOptions,
    /// Bumped when a Gateway goes up or down; its listener follows.
    pub(super) gateways: tokio::sync::watch::Sender<u64>,
    /// Decides the injected faults, from `fail_seed`.
    faults: std::sync::Mutex<rand::rngs::StdRng>,
    pub(super) users: super::auth::Users,
    /// The CA of the TLS Gateways (`--kafka-tls`).
    pub(super) pki: Option<super::pki::Authority>,
}

const ADMIN_ACTOR: &str = "admin@sandbox.local";

/// A sandbox serving on a socket; dropping the handle does not stop it,
/// [`RunningSandbox::shutdown`] does.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    /// Each Gateway cluster's Kafka listener.
    pub kafka: Vec<KafkaListener>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    listeners: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) {
        for l in &self.listeners {
            l.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops (it only does on error or shutdown).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Pki(#[from] super::pki::PkiError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Loads (or seeds and saves) the world, binds and serves in a task.
pub async fn start(opts: SandboxOptions) -> Result<RunningSandbox, SandboxError> {
    let mut world = load_world(opts.state.as_deref(), &opts.clock)?;
    world.kafka_tls = opts.kafka_tls;
    let pki = match opts.kafka_tls {
        true => Some(super::pki::Authority::load_or_create(
            opts.state.as_deref().and_then(std::path::Path::parent),
        )?),
        false => None,
    };
    let tls = pki.as_ref().map(|p| p.server_config()).transpose()?;
    if world.adopt(opts.generation)
        && let Some(path) = &opts.state
    {
        persist(path, &world)?;
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: opts.listen,
        source,
    })?;
    let bound = match opts.kafka_listen {
        Some(base) => {
            let gateways: Vec<(String, bool)> = world
                .clusters
                .iter()
                .filter(|c| c.is_gateway())
                .map(|c| {
                    let name = c.metadata.name.clone();
                    let down = world.gateway_down.contains(&name);
                    (name, down)
                })
                .collect();
            let bound = gateway::bind(base, &gateways).await?;
            // The clusters name where their Gateway really listens.
            for l in &bound.listeners {
                if let Some(c) = world
                    .clusters
                    .iter_mut()
                    .find(|c| c.metadata.name == l.cluster)
                {
                    c.spec.bootstrap_servers = l.addr.to_string();
                }
            }
            if let Some(path) = &opts.state {
                persist(path, &world)?;
            }
            Some(bound)
        }
        None => None,
    };
    let (changes, _) = tokio::sync::watch::channel(0u64);
    let seed = opts.fail_seed.unwrap_or_else(rand::random);
    if opts.fail_rate > 0.0 {
        tracing::info!(
            seed,
            rate = opts.fail_rate,
            "fault injection (replay with this seed)"
        );
    }
    let shared = Arc::new(Shared {
        world: Mutex::new(world),
        listed: std::sync::Mutex::new(None),
        users: super::auth::Users::new(opts.users.clone()),
        pki,
        opts,
        gateways: changes,
        faults: std::sync::Mutex::new(rand::SeedableRng::seed_from_u64(seed)),
    });
    let (kafka, listeners) = match bound {
        Some(bound) => {
            let kafka = bound.listeners.clone();
            (kafka, gateway::serve(bound, &shared, &shared.gateways, tls))
        }
        None => (Vec::new(), Vec::new()),
    };
    let app = router(shared);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        super::listen::serve_http(listener, app, rx).await;
    });
    tracing::info!(%addr, "sandbox listening");
    Ok(RunningSandbox {
        addr,
        kafka,
        shutdown: Some(tx),
        task,
        listeners,
    })
}

fn load_world(
    path: Option<&std::path::Path>,
    clock: &super::clock::Clock,
) -> Result<World, store::StoreError> {
    let Some(path) = path else {
        return Ok(World::seed(clock.now()));
    };
    match store::read(path)? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| store::StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
        None => {
            let world = World::seed(clock.now());
            persist(path, &world)?;
            Ok(world)
        }
    }
}

fn persist(path: &std::path::Path, world: &World) -> Result<(), store::StoreError> {
    let bytes = serde_json::to_vec(world).map_err(|e| store::StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    store::write_atomic(path, &bytes)
}

/// The Console's paths, each under `/public/...` and `/api/public/...`
/// (where the vendor CLI sends everything), then the login and the OpenAPI
/// document, which need no key.
fn router(shared: Arc<Shared>) -> Router {
    let routes: Vec<(&str, axum::routing::MethodRouter<Arc<Shared>>)> = vec![
        (
            "/public/console/v2/partner-zone",
            get(list_zones).put(apply_zone),
        ),
        (
            "/public/console/v2/partner-zone/{name}",
            get(get_zone).delete(delete_zone),
        ),
        (
            "/public/console/v2/partner-zone/{name}/kafka-configuration",
            get(kafka_configuration),
        ),
        (
            "/public/partner-zone/v2/{name}/generate-credentials",
            post(generate_credentials),
        ),
        ("/public/console/v2/kafka-cluster", get(list_clusters)),
        ("/public/console/v2/kafka-cluster/{name}", get(get_cluster)),
        ("/public/kafka/v2/cluster/{cluster}/topic", get(list_topics)),
        ("/sandbox/audit", get(controls::audit)),
        ("/sandbox/ca", get(controls::ca)),
        (
            "/sandbox/partner-zone/{name}/certificate",
            post(controls::certificate),
        ),
        (
            "/sandbox/gateway/{cluster}/{state}",
            put(controls::set_gateway),
        ),
        (
            "/sandbox/partner-zone/{name}/oauth-client",
            post(super::oauth::oauth_client),
        ),
    ];
    let mut api = Router::new();
    for (path, method) in routes {
        api = api
            .route(&format!("/api{path}"), method.clone())
            .route(path, method);
    }
    let api = api
        .fallback(|| async {
            reject(Rejection::new(
                404,
                "The searched entity was not found",
                "No such endpoint in the Partner Zone API",
            ))
        })
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            super::auth::authenticate,
        ));
    let open = Router::new()
        .route("/api/login", post(super::auth::login))
        // The partners' identity provider: no admin key.
        .route("/sandbox/oauth/token", post(super::oauth::token_endpoint))
        .route("/api/public/docs/docs.yaml", get(openapi))
        .route("/public/docs/docs.yaml", get(openapi));
    open.merge(api)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject_faults,
        ))
        .with_state(shared)
}

pub(super) fn reject(r: Rejection) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(r.body)).into_response()
}

pub(super) fn json<T: Serialize + ?Sized>(value: &T) -> Response {
    axum::Json(value).into_response()
}

async fn inject_faults(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !s.opts.latency.is_zero() {
        tokio::time::sleep(s.opts.latency).await;
    }
    let fault = (s.opts.fail_rate > 0.0)
        .then(|| {
            use rand::Rng;
            let mut rng = s.faults.lock().unwrap_or_else(|p| p.into_inner());
            (rng.random::<f64>() < s.opts.fail_rate).then(|| rng.random::<bool>())
        })
        .flatten();
    if let Some(as_500) = fault {
        if as_500 {
            return reject(Rejection::new(
                500,
                "An unexpected error occurred in the server",
                "Injected failure (sandbox --fail-rate)",
            ));
        }
        // A dropped connection: the headers go out, then the body breaks.
        let broken = futures::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected drop (sandbox --fail-rate)",
            ))
        });
        return Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(broken))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    next.run(req).await
}

pub(super) fn check_name(name: &str) -> Result<(), Rejection> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(Rejection::new(
            400,
            "The request is not valid",
            format!("'{name}' does not match ^[0-9a-z_\\-.]+$"),
        ))
    }
}

impl Shared {
    /// The sandbox's time (`SandboxOptions::clock`).
    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.opts.clock.now()
    }

    /// Runs `f` on the settled world; a change it makes is persisted before
    /// the answer goes out, and undone if it cannot be persisted.
    /// The world with due deployments finished (and saved).
    pub(super) async fn settled_world(&self) -> tokio::sync::MutexGuard<'_, World> {
        let mut world = self.world.lock().await;
        if self.settle(&mut world)
            && let Some(path) = &self.opts.state
            && let Err(e) = persist(path, &world)
        {
            tracing::error!("{e}");
        }
        world
    }

    /// Finishes the due deployments (`world` is the locked world); whether
    /// any finished, which the serialized zone list then forgets.
    fn settle(&self, world: &mut World) -> bool {
        let settled = world.settle(self.opts.clock.now());
        if settled {
            self.world_changed();
        }
        settled
    }

    /// Forgets the serialized zone list (under `world`'s lock).
    fn world_changed(&self) {
        *self.listed.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The zone list's answer: serialized once per state of the world.
    fn zone_list(&self, world: &World) -> Response {
        let mut listed = self.listed.lock().unwrap_or_else(|p| p.into_inner());
        let body = match &*listed {
            Some(body) => body.clone(),
            None => {
                let zones: Vec<_> = world.zones.values().map(|z| &z.zone).collect();
                match serde_json::to_vec(&zones) {
                    Ok(bytes) => listed.insert(Bytes::from(bytes)).clone(),
                    Err(e) => {
                        return reject(Rejection::new(
                            500,
                            "An unexpected error occurred in the server",
                            e.to_string(),
                        ));
                    }
                }
            }
        };
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    }

    pub(super) async fn gateway_is_down(&self, cluster: &str) -> bool {
        self.world.lock().await.gateway_down.contains(cluster)
    }

    pub(super) async fn with_world<T>(
        &self,
        mutates: bool,
        f: impl FnOnce(&mut World) -> Result<T, Rejection>,
    ) -> Result<T, Response> {
        let mut world = self.world.lock().await;
        let settled = self.settle(&mut world);
        if mutates {
            self.world_changed();
        }
        let before = mutates.then(|| world.clone());
        let result = f(&mut world).map_err(reject)?;
        if let Some(path) = &self.opts.state
            && (settled || before.as_ref().is_some_and(|b| *b != *world))
            && let Err(e) = persist(path, &world)
        {
            tracing::error!("{e}");
            if let Some(before) = before {
                *world = before;
            }
            return Err(reject(Rejection::new(
                500,
                "An unexpected error occurred in the server",
                e.to_string(),
            )));
        }
        Ok(result)
    }
}

/// The OpenAPI document of the generation emulated.
async fn openapi(State(s): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/yaml")],
        super::openapi::document(s.opts.generation),
    )
        .into_response()
}

async fn list_zones(State(s): State<Arc<Shared>>) -> Response {
    match s.with_world(false, |w| Ok(s.zone_list(w))).await {
        Ok(r) | Err(r) => r,
    }
}

async fn get_zone(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return reject(r);
    }
    match s.with_world(false, |w| w.zone(&name).map(json)).await {
        Ok(r) | Err(r) => r,
    }
}

async fn apply_zone(
    State(s): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let dry_run = match query.get("dryMode").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return reject(Rejection::new(
                400,
                "The request is not valid",
                format!("dryMode must be true or false, not '{other}'"),
            ));
        }
    };
    let zone: PartnerZone = match serde_json::from_slice(&body) {
        Ok(z) => z,
        Err(e) => {
            return reject(Rejection::new(
                400,
                "The request is not valid",
                format!("The body is not a valid PartnerZone: {e}"),
            ));
        }
    };
    let delay = chrono::Duration::from_std(s.opts.deploy_delay).unwrap_or_default();
    match s
        .with_world(!dry_run, |w| {
            w.apply(zone, dry_run, ADMIN_ACTOR, s.opts.clock.now(), delay)
                .map(|r| json(&r))
        })
        .await
    {
        Ok(r) | Err(r) => r,
    }
}

async fn delete_zone(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return reject(r);
    }
    match s
        .with_world(true, |w| {
            w.delete(&name, ADMIN_ACTOR, s.opts.clock.now())
                .map(|()| StatusCode::OK.into_response())
        })
        .await
    {
        Ok(r) | Err(r) => r,
    }
}

async fn generate_credentials(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return reject(r);
    }
    match s
        .with_world(true, |w| {
            w.generate_credentials(&name, ADMIN_ACTOR, s.opts.clock.now(), s.opts.token_ttl)
                .map(|secret| json(&secret))
        })
        .await
    {
        Ok(r) | Err(r) => r,
    }
}

async fn kafka_configuration(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return reject(r);
    }
    match s
        .with_world(false, |w| w.kafka_configuration(&name).map(|p| json(&p)))
        .await
    {
        Ok(r) | Err(r) => r,
    }
}

async fn list_clusters(State(s): State<Arc<Shared>>) -> Response {
    match s.with_world(false, |w| Ok(json(&w.clusters))).await {
        Ok(r) | Err(r) => r,
    }
}

async fn get_cluster(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    match s
        .with_world(false, |w| {
            w.cluster(&name).map(json).ok_or_else(|| {
                Rejection::new(
                    404,
                    "No kafka-cluster with this name exists",
                    format!("There is no cluster named '{name}'"),
                )
            })
        })
        .await
    {
        Ok(r) | Err(r) => r,
    }
}

async fn list_topics(State(s): State<Arc<Shared>>, Path(cluster): Path<String>) -> Response {
    match s
        .with_world(false, |w| w.topics_of(&cluster).map(json))
        .await
    {
        Ok(r) | Err(r) => r,
    }
}
