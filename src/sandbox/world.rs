//! The sandbox's world: clusters, topics, zones, issued tokens and the audit
//! log, with the Console's business rules. Pure data and logic, no I/O: the
//! server in `sandbox::server` wraps it in a lock and persists it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::types::{
    API_VERSION, ApplyResult, ClusterMetadata, ClusterSpec, ErrorBody, KafkaCluster, KafkaFlavor,
    Labels, PartnerZone, Permission, Topic, TopicMetadata, TopicSpec, UpsertResult, ZONE_KIND,
    ZoneStatus, is_valid_name,
};

/// How long a generated credential stays valid.
pub const TOKEN_TTL_DAYS: i64 = 30;

/// An answer other than 2xx: status and the contract's error body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub status: u16,
    pub body: ErrorBody,
}

impl Rejection {
    pub fn new(status: u16, title: &str, msg: impl Into<String>) -> Self {
        Rejection {
            status,
            body: ErrorBody::new(title, msg),
        }
    }

    fn bad_request(msg: impl Into<String>) -> Self {
        Rejection::new(400, "The request is not valid", msg)
    }

    fn conflict(msg: impl Into<String>) -> Self {
        Rejection::new(
            409,
            "The request does not match one of the business rules",
            msg,
        )
    }

    pub fn zone_not_found(name: &str) -> Self {
        Rejection::new(
            404,
            "No partner-zone with this technical id exists",
            format!("There is no Partner Zone named '{name}'"),
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredZone {
    /// The zone in its output shape, exactly as it will be served.
    pub zone: PartnerZone,
    /// When a PENDING zone's deployment finishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEvent {
    pub time: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub zone: String,
}

/// What the sandbox remembers of a credential it issued: never the secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IssuedToken {
    pub zone: String,
    pub service_account: String,
    pub jti: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct World {
    pub clusters: Vec<KafkaCluster>,
    /// Gateway clusters whose Gateway is down: deployments there fail.
    #[serde(default)]
    pub gateway_down: BTreeSet<String>,
    pub topics: BTreeMap<String, Vec<Topic>>,
    pub zones: BTreeMap<String, StoredZone>,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
    #[serde(default)]
    pub tokens: Vec<IssuedToken>,
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn cluster(name: &str, display: &str, bootstrap: &str, gateway: bool, env: &str) -> KafkaCluster {
    let kafka_flavor = gateway.then(|| {
        let extra = json!({
            "url": format!("http://{name}.sandbox.local:8888"),
            "user": "admin",
            "password": "********",
            "virtualCluster": "passthrough",
            "ignoreUntrustedCertificate": false
        });
        KafkaFlavor {
            kind: "Gateway".into(),
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    });
    KafkaCluster {
        api_version: API_VERSION.into(),
        kind: "KafkaCluster".into(),
        metadata: ClusterMetadata {
            name: name.into(),
            labels: labels(&[("env", env)]),
            extra: Default::default(),
        },
        spec: ClusterSpec {
            display_name: display.into(),
            bootstrap_servers: bootstrap.into(),
            kafka_flavor,
            extra: Default::default(),
        },
        extra: Default::default(),
    }
}

const DOMAINS: &[(&str, &str, &str)] = &[
    (
        "orders",
        "commerce",
        "Customer orders as placed in the web shop",
    ),
    ("payments", "finance", "Card and wallet payment events"),
    (
        "invoices",
        "finance",
        "Invoices issued to business customers",
    ),
    ("refunds", "finance", "Refunds and chargebacks"),
    (
        "customers",
        "crm",
        "Customer profile changes (contains PII)",
    ),
    ("shipments", "logistics", "Parcel shipment tracking updates"),
    ("inventory", "logistics", "Stock levels per warehouse"),
    ("returns", "logistics", "Returned items and their condition"),
    ("clicks", "analytics", "Clickstream from the web shop"),
    (
        "sessions",
        "analytics",
        "Web sessions, one event per session end",
    ),
    ("fraud-alerts", "risk", "Alerts raised by the fraud engine"),
    (
        "pricing",
        "commerce",
        "Price changes per product and market",
    ),
];

fn topic(cluster: &str, name: &str, team: &str, description: &str, partitions: i64) -> Topic {
    let mut l = labels(&[("team", team)]);
    if name.contains("customers") {
        l.insert("pii".into(), "true".into());
    }
    l.insert(
        "tier".into(),
        if partitions >= 12 { "gold" } else { "silver" }.into(),
    );
    Topic {
        api_version: API_VERSION.into(),
        kind: "Topic".into(),
        metadata: TopicMetadata {
            name: name.into(),
            cluster: cluster.into(),
            labels: l,
            description: Some(description.into()),
            extra: Default::default(),
        },
        spec: TopicSpec {
            partitions,
            replication_factor: 3,
            extra: Default::default(),
        },
        extra: Default::default(),
    }
}

fn seed_topics(cluster: &str, suffixes: &[&str]) -> Vec<Topic> {
    let mut out = Vec::new();
    for (i, (domain, team, description)) in DOMAINS.iter().enumerate() {
        for (j, suffix) in suffixes.iter().enumerate() {
            let partitions = [3, 6, 12, 24][(i + j) % 4];
            out.push(topic(
                cluster,
                &format!("{domain}.{suffix}"),
                team,
                description,
                partitions,
            ));
        }
    }
    out
}

fn zone_from_yaml(yaml: &str) -> PartnerZone {
    // The seed is a constant of this file; a mistake in it is a bug found by
    // the tests, so it may panic.
    serde_yaml_ng::from_str(yaml).expect("sandbox seed zone is valid YAML") // ok: constant, tested
}

impl World {
    /// A believable first world: two Gateway clusters (one down), one plain
    /// Kafka cluster, 40+ labelled topics and zones in every status.
    pub fn seed(now: DateTime<Utc>) -> World {
        let mut world = World {
            clusters: vec![
                cluster(
                    "gateway-prod",
                    "Gateway (production)",
                    "gateway-prod.sandbox.local:9094",
                    true,
                    "prod",
                ),
                cluster(
                    "gateway-dr",
                    "Gateway (disaster recovery)",
                    "gateway-dr.sandbox.local:9094",
                    true,
                    "dr",
                ),
                cluster(
                    "kafka-main",
                    "Kafka (main, no Gateway)",
                    "kafka-main.sandbox.local:9092",
                    false,
                    "prod",
                ),
            ],
            ..World::default()
        };
        world.set_gateway_down("gateway-dr", true);
        world.topics.insert(
            "gateway-prod".into(),
            seed_topics("gateway-prod", &["v1", "v2", "dlq"]),
        );
        world
            .topics
            .insert("gateway-dr".into(), seed_topics("gateway-dr", &["v1"]));
        world
            .topics
            .insert("kafka-main".into(), seed_topics("kafka-main", &["raw"]));

        let zones = [
            (
                ZoneStatus::Ready,
                60 * 24 * 3,
                r#"
metadata: {name: acme-logistics}
spec:
  cluster: gateway-prod
  displayName: ACME Logistics
  url: https://acme-logistics.example
  description: Shipment tracking shared with our carrier ACME.
  serviceAccount: acme-logistics
  topics:
    - {name: shipments, backingTopic: shipments.v1, permission: READ}
    - {name: returns, backingTopic: returns.v1, permission: WRITE}
  partner: {name: Ada Byron, role: Integration lead, email: ada@acme-logistics.example, phone: +44 20 7946 0001}
"#,
            ),
            (
                ZoneStatus::Ready,
                60 * 5,
                r#"
metadata: {name: globex-analytics, labels: {project: insights, tier: gold}}
spec:
  cluster: gateway-prod
  displayName: Globex Analytics
  url: https://globex.example
  description: |-
    Clickstream and sessions for Globex's attribution study.
    Renewed every quarter.
  authenticationMode: {type: PLAIN, serviceAccount: globex-analytics}
  topics:
    - {name: globex.clicks, backingTopic: clicks.v2, permission: READ}
    - {name: globex.sessions, backingTopic: sessions.v2, permission: READ}
    - {name: globex.feedback, backingTopic: clicks.dlq, permission: WRITE}
  partner: {name: Grace Hopper, role: Data analyst, email: grace@globex.example}
  trafficControlPolicies: {maxProduceRate: 1000000, maxConsumeRate: 5000000, limitCommitOffset: 30}
  headers:
    addOnProduce: [{key: X-Partner, value: globex, overrideIfExists: false}]
    removeOnConsume: [{keyRegex: "internal_.*"}]
"#,
            ),
            (
                ZoneStatus::Pending,
                1,
                r#"
metadata: {name: initech-billing}
spec:
  cluster: gateway-prod
  displayName: Initech Billing
  url: https://initech.example
  serviceAccount: initech-billing
  topics:
    - {name: invoices, backingTopic: invoices.v1, permission: READ}
  partner: {name: Peter Gibbons, role: Accountant, email: peter@initech.example}
"#,
            ),
            (
                ZoneStatus::Failed,
                60 * 2,
                r#"
metadata: {name: umbrella-research}
spec:
  cluster: gateway-dr
  displayName: Umbrella Research
  url: https://umbrella.example
  serviceAccount: umbrella-research
  topics:
    - {name: fraud-alerts, backingTopic: fraud-alerts.v1, permission: READ}
  partner: {name: Alice Abernathy, role: Researcher, email: alice@umbrella.example}
"#,
            ),
            (
                ZoneStatus::Ready,
                60 * 24 * 20,
                r#"
metadata: {name: stark-payments}
spec:
  cluster: gateway-prod
  displayName: Stark Payments
  url: https://stark.example
  serviceAccount: stark-payments
  topics:
    - {name: payments, backingTopic: payments.v1, permission: READ}
    - {name: refunds, backingTopic: refunds.v1, permission: READ}
    - {name: stark.settlements, backingTopic: payments.v2, permission: WRITE}
  partner: {name: Pepper Potts, role: CFO office, email: pepper@stark.example, phone: +1 212 555 0199}
"#,
            ),
        ];
        for (status, minutes_ago, yaml) in zones {
            let mut zone = zone_from_yaml(yaml);
            let updated = now - Duration::minutes(minutes_ago);
            zone.api_version = API_VERSION.into();
            zone.kind = ZONE_KIND.into();
            zone.metadata.id = Some(uuid::Uuid::new_v4().to_string());
            zone.metadata.updated_at = Some(timestamp(updated));
            // The PENDING seed finishes its deployment a minute after first start.
            let deploy_at = (status == ZoneStatus::Pending).then(|| now + Duration::seconds(60));
            zone.metadata.status = Some(status);
            let name = zone.metadata.name.clone();
            world.zones.insert(name, StoredZone { zone, deploy_at });
        }
        world
    }

    pub fn cluster(&self, name: &str) -> Option<&KafkaCluster> {
        self.clusters.iter().find(|c| c.metadata.name == name)
    }

    /// Marks a Gateway up or down (mirrored in a label so users can see why
    /// deployments fail there).
    pub fn set_gateway_down(&mut self, cluster: &str, down: bool) -> bool {
        let Some(c) = self
            .clusters
            .iter_mut()
            .find(|c| c.metadata.name == cluster)
        else {
            return false;
        };
        if down {
            c.metadata
                .labels
                .insert("gateway-status".into(), "down".into());
            self.gateway_down.insert(cluster.to_string());
        } else {
            c.metadata.labels.remove("gateway-status");
            self.gateway_down.remove(cluster);
        }
        true
    }

    /// Finishes the deployments that are due. Returns whether anything changed.
    pub fn settle(&mut self, now: DateTime<Utc>) -> bool {
        let mut changed = false;
        for stored in self.zones.values_mut() {
            if let Some(at) = stored.deploy_at
                && at <= now
            {
                let failed = self.gateway_down.contains(&stored.zone.spec.cluster);
                stored.zone.metadata.status = Some(if failed {
                    ZoneStatus::Failed
                } else {
                    ZoneStatus::Ready
                });
                stored.deploy_at = None;
                changed = true;
            }
        }
        changed
    }

    pub fn zone(&self, name: &str) -> Result<&PartnerZone, Rejection> {
        self.zones
            .get(name)
            .map(|s| &s.zone)
            .ok_or_else(|| Rejection::zone_not_found(name))
    }

    pub fn topics_of(&self, cluster: &str) -> Result<&[Topic], Rejection> {
        if self.cluster(cluster).is_none() {
            return Err(Rejection::new(
                404,
                "The searched entity was not found",
                format!("There is no cluster named '{cluster}'"),
            ));
        }
        Ok(self.topics.get(cluster).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// Validates an applied body the way the Console does.
    pub fn validate(&self, zone: &PartnerZone) -> Result<(), Rejection> {
        if zone.api_version != API_VERSION {
            return Err(Rejection::bad_request(format!(
                "apiVersion must be '{API_VERSION}', not '{}'",
                zone.api_version
            )));
        }
        if zone.kind != ZONE_KIND {
            return Err(Rejection::bad_request(format!(
                "kind must be '{ZONE_KIND}', not '{}'",
                zone.kind
            )));
        }
        let name = &zone.metadata.name;
        if !is_valid_name(name) {
            return Err(Rejection::bad_request(format!(
                "metadata.name '{name}' is not valid: use lowercase letters, digits, '_', '-' and '.' (^[0-9a-z_\\-.]+$)"
            )));
        }
        let spec = &zone.spec;
        if spec.cluster.is_empty() {
            return Err(Rejection::bad_request("spec.cluster is required"));
        }
        let Some(cluster) = self.cluster(&spec.cluster) else {
            return Err(Rejection::bad_request(format!(
                "spec.cluster: there is no cluster named '{}'",
                spec.cluster
            )));
        };
        if !cluster.is_gateway() {
            return Err(Rejection::conflict(format!(
                "spec.cluster: '{}' is not a Gateway cluster; a Partner Zone needs a cluster whose provider is Gateway",
                spec.cluster
            )));
        }
        if let Some(mode) = &spec.authentication_mode {
            if !matches!(mode.kind.as_str(), "PLAIN" | "MTLS" | "OAUTHBEARER") {
                return Err(Rejection::bad_request(format!(
                    "spec.authenticationMode.type '{}' is not one of PLAIN, MTLS, OAUTHBEARER",
                    mode.kind
                )));
            }
            if let (Some(a), Some(b)) = (&mode.service_account, &spec.service_account)
                && a != b
            {
                return Err(Rejection::bad_request(format!(
                    "spec.serviceAccount '{b}' and spec.authenticationMode.serviceAccount '{a}' differ"
                )));
            }
        }
        let Some(account) = spec.service_account_name().filter(|s| !s.is_empty()) else {
            return Err(Rejection::bad_request(
                "spec.serviceAccount (or spec.authenticationMode.serviceAccount) is required",
            ));
        };
        if !account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            return Err(Rejection::bad_request(format!(
                "service account '{account}' may only hold letters, digits, '_', '-' and '.'"
            )));
        }
        if let Some((other, _)) = self
            .zones
            .iter()
            .find(|(n, s)| *n != name && s.zone.spec.service_account_name() == Some(account))
        {
            return Err(Rejection::conflict(format!(
                "service account '{account}' is already used by the Partner Zone '{other}'"
            )));
        }
        if let Some(partner) = &spec.partner
            && partner.name.trim().is_empty()
        {
            return Err(Rejection::bad_request(
                "spec.partner.name is required when a partner is given",
            ));
        }
        if spec.topics.is_empty() {
            return Err(Rejection::conflict(
                "spec.topics: a Partner Zone must share at least one topic",
            ));
        }
        let known: HashSet<&str> = self
            .topics
            .get(&spec.cluster)
            .map(|ts| ts.iter().map(|t| t.metadata.name.as_str()).collect())
            .unwrap_or_default();
        let mut aliases = HashSet::new();
        for (i, t) in spec.topics.iter().enumerate() {
            if t.name.trim().is_empty() {
                return Err(Rejection::bad_request(format!(
                    "spec.topics[{i}].name (the alias) is required"
                )));
            }
            if !t
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            {
                return Err(Rejection::bad_request(format!(
                    "spec.topics[{i}].name '{}' is not a valid Kafka topic name (letters, digits, '_', '-', '.')",
                    t.name
                )));
            }
            if let Permission::Other(p) = &t.permission {
                return Err(Rejection::bad_request(format!(
                    "spec.topics[{i}].permission '{p}' must be READ or WRITE"
                )));
            }
            if !known.contains(t.backing_topic.as_str()) {
                return Err(Rejection::conflict(format!(
                    "spec.topics[{i}].backingTopic: topic '{}' does not exist on cluster '{}'",
                    t.backing_topic, spec.cluster
                )));
            }
            if !aliases.insert(t.name.as_str()) {
                return Err(Rejection::conflict(format!(
                    "spec.topics[{i}].name: the alias '{}' is used twice; each topic needs its own alias",
                    t.name
                )));
            }
        }
        if let Some(tcp) = &spec.traffic_control_policies {
            for (field, value) in [
                ("maxProduceRate", &tcp.max_produce_rate),
                ("maxConsumeRate", &tcp.max_consume_rate),
                ("limitCommitOffset", &tcp.limit_commit_offset),
            ] {
                if let Some(v) = value
                    && v.as_u64().is_none_or(|n| n == 0)
                {
                    return Err(Rejection::bad_request(format!(
                        "spec.trafficControlPolicies.{field} must be a positive whole number, not {v}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Creates or updates a zone. With `dry_run` nothing changes.
    pub fn apply(
        &mut self,
        mut input: PartnerZone,
        dry_run: bool,
        actor: &str,
        now: DateTime<Utc>,
        deploy_delay: Duration,
    ) -> Result<ApplyResult, Rejection> {
        self.validate(&input)?;
        // Output-only metadata sent back by a client is not input.
        input.metadata.id = None;
        input.metadata.updated_at = None;
        input.metadata.status = None;
        let name = input.metadata.name.clone();
        let existing = self.zones.get(&name);
        let upsert = match existing {
            None => UpsertResult::Created,
            Some(s) if same_input(&s.zone, &input) => UpsertResult::NotChanged,
            Some(_) => UpsertResult::Updated,
        };
        let mut zone = input;
        match (existing, &upsert) {
            (Some(s), UpsertResult::NotChanged) => zone = s.zone.clone(),
            (existing, _) => {
                zone.metadata.id = Some(
                    existing
                        .and_then(|s| s.zone.metadata.id.clone())
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                );
                zone.metadata.updated_at = Some(timestamp(now));
                zone.metadata.status = Some(ZoneStatus::Pending);
            }
        }
        if !dry_run && upsert != UpsertResult::NotChanged {
            let kind = if upsert == UpsertResult::Created {
                "Admin.PartnerZone.Create"
            } else {
                "Admin.PartnerZone.Update"
            };
            self.zones.insert(
                name.clone(),
                StoredZone {
                    zone: zone.clone(),
                    deploy_at: Some(now + deploy_delay),
                },
            );
            self.record(kind, actor, &name, now);
        }
        Ok(ApplyResult {
            resource: zone,
            upsert_result: upsert,
            extra: Default::default(),
        })
    }

    pub fn delete(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<(), Rejection> {
        let stored = self
            .zones
            .get(name)
            .ok_or_else(|| Rejection::zone_not_found(name))?;
        if stored.zone.metadata.status == Some(ZoneStatus::Pending) {
            return Err(Rejection::new(
                409,
                "Resource link to an other resource",
                format!(
                    "The Partner Zone '{name}' is being deployed on its Gateway; delete it once it is READY or FAILED"
                ),
            ));
        }
        self.zones.remove(name);
        self.record("Admin.PartnerZone.Delete", actor, name, now);
        Ok(())
    }

    /// A fresh JWT-shaped secret for the zone's service account. Earlier
    /// ones stay valid until they expire; only their id is remembered.
    pub fn generate_credentials(
        &mut self,
        name: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<String, Rejection> {
        let zone = self.zone(name)?;
        let account = zone
            .spec
            .service_account_name()
            .unwrap_or_default()
            .to_string();
        let jti = uuid::Uuid::new_v4().to_string();
        let expires_at = now + Duration::days(TOKEN_TTL_DAYS);
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({
            "sub": account,
            "zone": name,
            "iat": now.timestamp(),
            "exp": expires_at.timestamp(),
            "jti": jti,
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signature = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        self.tokens.push(IssuedToken {
            zone: name.to_string(),
            service_account: account,
            jti,
            issued_at: now,
            expires_at,
        });
        self.record("Admin.PartnerZone.TokenCreate", actor, name, now);
        Ok(format!("{header}.{payload}.{signature}"))
    }

    /// The Kafka client properties for a zone, password masked.
    pub fn kafka_configuration(&self, name: &str) -> Result<String, Rejection> {
        let zone = self.zone(name)?;
        let bootstrap = self
            .cluster(&zone.spec.cluster)
            .map(|c| c.spec.bootstrap_servers.clone())
            .unwrap_or_default();
        let account = zone.spec.service_account_name().unwrap_or_default();
        Ok(format!(
            "bootstrap.servers={bootstrap}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='{account}' password='***************';\n"
        ))
    }

    fn record(&mut self, kind: &str, actor: &str, zone: &str, now: DateTime<Utc>) {
        tracing::info!(event = kind, actor, zone, "audit");
        self.audit.push(AuditEvent {
            time: now,
            kind: kind.to_string(),
            actor: actor.to_string(),
            zone: zone.to_string(),
        });
    }
}

/// Whether an applied input changes nothing of a stored zone.
fn same_input(stored: &PartnerZone, input: &PartnerZone) -> bool {
    let strip = |z: &PartnerZone| -> Value {
        let mut z = z.clone();
        z.metadata.id = None;
        z.metadata.updated_at = None;
        z.metadata.status = None;
        serde_json::to_value(z).unwrap_or(Value::Null)
    };
    strip(stored) == strip(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn sample(name: &str, cluster: &str) -> PartnerZone {
        zone_from_yaml(&format!(
            r#"
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  displayName: Sample
  serviceAccount: sa-{name}
  topics: [{{name: a, backingTopic: orders.v1, permission: READ}}]
"#
        ))
    }

    #[test]
    fn seed_is_believable() {
        let w = World::seed(now());
        assert!(w.clusters.iter().filter(|c| c.is_gateway()).count() >= 2);
        assert!(w.clusters.iter().any(|c| !c.is_gateway()));
        assert!(w.topics.values().map(Vec::len).sum::<usize>() >= 30);
        for status in [ZoneStatus::Ready, ZoneStatus::Pending, ZoneStatus::Failed] {
            assert!(
                w.zones
                    .values()
                    .any(|z| z.zone.metadata.status == Some(status.clone()))
            );
        }
        for s in w.zones.values() {
            w.validate(&s.zone).unwrap();
        }
    }

    #[test]
    fn lifecycle_pending_then_ready_or_failed() {
        let mut w = World::seed(now());
        let delay = Duration::seconds(2);
        let r = w
            .apply(sample("ok", "gateway-prod"), false, "t", now(), delay)
            .unwrap();
        assert_eq!(r.upsert_result, UpsertResult::Created);
        assert_eq!(r.resource.metadata.status, Some(ZoneStatus::Pending));
        w.apply(sample("ko", "gateway-dr"), false, "t", now(), delay)
            .unwrap();
        assert!(!w.settle(now() + Duration::seconds(1)) || w.zone("ok").is_ok());
        assert_eq!(
            w.zone("ok").unwrap().metadata.status,
            Some(ZoneStatus::Pending)
        );
        assert!(w.settle(now() + Duration::seconds(3)));
        assert_eq!(
            w.zone("ok").unwrap().metadata.status,
            Some(ZoneStatus::Ready)
        );
        assert_eq!(
            w.zone("ko").unwrap().metadata.status,
            Some(ZoneStatus::Failed)
        );
    }

    #[test]
    fn apply_again_is_not_changed_and_edit_is_updated() {
        let mut w = World::seed(now());
        let d = Duration::seconds(0);
        let z = sample("z", "gateway-prod");
        w.apply(z.clone(), false, "t", now(), d).unwrap();
        w.settle(now());
        let mut served = w.zone("z").unwrap().clone();
        let again = w.apply(served.clone(), false, "t", now(), d).unwrap();
        assert_eq!(again.upsert_result, UpsertResult::NotChanged);
        assert_eq!(again.resource.metadata.status, Some(ZoneStatus::Ready));
        served.spec.description = Some("changed".into());
        let later = now() + Duration::seconds(5);
        let upd = w.apply(served, false, "t", later, d).unwrap();
        assert_eq!(upd.upsert_result, UpsertResult::Updated);
        assert_eq!(upd.resource.metadata.status, Some(ZoneStatus::Pending));
        let kinds: Vec<_> = w.audit.iter().map(|a| a.kind.as_str()).collect();
        assert!(kinds.ends_with(&["Admin.PartnerZone.Create", "Admin.PartnerZone.Update"]));
    }

    #[test]
    fn dry_run_stores_nothing() {
        let mut w = World::seed(now());
        let before = w.clone();
        let r = w
            .apply(
                sample("dry", "gateway-prod"),
                true,
                "t",
                now(),
                Duration::zero(),
            )
            .unwrap();
        assert_eq!(r.upsert_result, UpsertResult::Created);
        assert_eq!(w, before);
    }

    #[test]
    fn validation_rules() {
        let w = World::seed(now());
        let check = |edit: &dyn Fn(&mut PartnerZone), status: u16, needle: &str| {
            let mut z = sample("v", "gateway-prod");
            edit(&mut z);
            let err = w.validate(&z).unwrap_err();
            assert_eq!(err.status, status, "{err:?}");
            let msg = err.body.msg.unwrap_or_default();
            assert!(msg.contains(needle), "{msg} should contain {needle}");
        };
        check(
            &|z| z.metadata.name = "Bad Name".into(),
            400,
            "metadata.name",
        );
        check(&|z| z.spec.cluster = "nope".into(), 400, "no cluster");
        check(
            &|z| z.spec.cluster = "kafka-main".into(),
            409,
            "not a Gateway",
        );
        check(&|z| z.spec.topics.clear(), 409, "at least one topic");
        check(
            &|z| z.spec.topics[0].backing_topic = "ghost".into(),
            409,
            "does not exist",
        );
        check(
            &|z| {
                let t = z.spec.topics[0].clone();
                z.spec.topics.push(t);
            },
            409,
            "used twice",
        );
        check(
            &|z| z.spec.topics[0].permission = Permission::Other("ADMIN".into()),
            400,
            "READ or WRITE",
        );
        check(
            &|z| {
                z.spec.traffic_control_policies = Some(crate::api::TrafficControlPolicies {
                    max_produce_rate: Some(json!(-5)),
                    ..Default::default()
                })
            },
            400,
            "positive whole number",
        );
        check(&|z| z.spec.service_account = None, 400, "serviceAccount");
        check(
            &|z| z.spec.service_account = Some("acme-logistics".into()),
            409,
            "already used",
        );
    }

    #[test]
    fn credentials_are_fresh_and_expire() {
        let mut w = World::seed(now());
        let a = w
            .generate_credentials("acme-logistics", "t", now())
            .unwrap();
        let b = w
            .generate_credentials("acme-logistics", "t", now())
            .unwrap();
        assert_ne!(a, b);
        assert_eq!(a.split('.').count(), 3);
        let payload = URL_SAFE_NO_PAD
            .decode(a.split('.').nth(1).unwrap())
            .unwrap();
        let claims: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(claims["sub"], "acme-logistics");
        assert!(claims["exp"].as_i64().unwrap() > now().timestamp());
        assert_eq!(w.tokens.len(), 2);
        let serialized = serde_json::to_string(&w).unwrap();
        assert!(!serialized.contains(a.split('.').nth(2).unwrap()));
    }

    #[test]
    fn kafka_configuration_masks_the_password() {
        let w = World::seed(now());
        let props = w.kafka_configuration("acme-logistics").unwrap();
        assert!(props.contains("bootstrap.servers=gateway-prod.sandbox.local:9094"));
        assert!(props.contains("username='acme-logistics' password='***************'"));
    }

    #[test]
    fn delete_of_pending_zone_is_a_conflict() {
        let mut w = World::seed(now());
        assert_eq!(
            w.delete("initech-billing", "t", now()).unwrap_err().status,
            409
        );
        assert_eq!(w.delete("nope", "t", now()).unwrap_err().status, 404);
        w.delete("acme-logistics", "t", now()).unwrap();
        assert!(w.zone("acme-logistics").is_err());
    }
}
