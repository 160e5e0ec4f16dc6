//! The sandbox's world: clusters, topics, zones, issued tokens and the audit
//! log, with the Console's business rules. Pure data and logic, no I/O: the
//! server in `sandbox::server` wraps it in a lock and persists it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::token::{self, Claims, SigningKey};
use crate::api::Generation;
use crate::api::types::{
    API_VERSION, ApplyResult, ErrorBody, KafkaCluster, PartnerZone, Topic, UpsertResult,
    ZoneStatus, whole_number,
};

/// How long a generated credential stays valid.
pub const TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

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

    pub(super) fn bad_request(msg: impl Into<String>) -> Self {
        Rejection::new(400, "The request is not valid", msg)
    }

    pub(super) fn conflict(msg: impl Into<String>) -> Self {
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
    /// Signs the secrets issued (`sandbox::token`); made at seeding.
    #[serde(default)]
    pub signing_key: SigningKey,
    /// The OAuth clients issued to OAUTHBEARER partners (`oauth`): never
    /// their secret, its SHA-256.
    #[serde(default)]
    pub oauth_clients: Vec<super::oauth::OAuthClient>,
    /// The client certificates issued to MTLS partners: fingerprint →
    /// service account.
    #[serde(default)]
    pub client_certificates: BTreeMap<String, String>,
    /// The Console generation emulated (`pz sandbox --console-version`):
    /// a setting of the run, not of the state.
    #[serde(skip)]
    pub generation: Generation,
    /// The Gateways listen with TLS (`--kafka-tls`): also a setting.
    #[serde(skip)]
    pub kafka_tls: bool,
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl World {
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
            c.metadata.labels.insert("gateway-status", "down");
            self.gateway_down.insert(cluster.to_string());
        } else {
            c.metadata.labels.remove("gateway-status");
            self.gateway_down.remove(cluster);
        }
        true
    }

    /// Finishes the deployments that are due. Returns whether anything changed.
    pub fn settle(&mut self, now: DateTime<Utc>) -> bool {
        let due: Vec<String> = self
            .zones
            .iter()
            .filter(|(_, s)| s.deploy_at.is_some_and(|at| at <= now))
            .map(|(n, _)| n.clone())
            .collect();
        for name in &due {
            let reason = self.deployment_failure(name);
            if let Some(stored) = self.zones.get_mut(name) {
                stored.zone.metadata.status = Some(if reason.is_some() {
                    ZoneStatus::Failed
                } else {
                    ZoneStatus::Ready
                });
                // 1.32 says FAILED and nothing more; 1.34+ says why.
                stored.zone.metadata.failed_reason = reason
                    .filter(|_| self.generation.has_authentication_mode())
                    .map(Into::into);
                stored.deploy_at = None;
            }
        }
        !due.is_empty()
    }

    /// Why deploying the zone fails, as the Console's monitoring words it:
    /// its Gateway is down, its service account is another zone's, or a
    /// backing topic does not exist (the last two are refused at apply by
    /// 1.32, accepted and failed by 1.34+).
    pub fn deployment_failure(&self, name: &str) -> Option<String> {
        let zone = &self.zones.get(name)?.zone;
        let cluster = &zone.spec.cluster;
        if self.gateway_down.contains(cluster.as_str()) {
            return Some(format!(
                "Failed to create service account: the Gateway of cluster '{cluster}' does not answer"
            ));
        }
        let account = zone.spec.service_account_name().unwrap_or_default();
        if let Some(other) = self.account_owner(name, account) {
            return Some(format!(
                "Failed to create service account: '{account}' is already used by the Partner Zone '{other}'"
            ));
        }
        let topics = self.topics.get(cluster.as_str());
        zone.spec.topics.iter().find_map(|t| {
            let exists = topics.is_some_and(|ts| ts.iter().any(|k| k.metadata.name == t.backing_topic));
            (!exists).then(|| {
                format!(
                    "Failed to map topic '{}': the backing topic '{}' does not exist on cluster '{cluster}'",
                    t.name, t.backing_topic
                )
            })
        })
    }

    /// The other zone that has `account` as its service account.
    pub fn account_owner(&self, zone: &str, account: &str) -> Option<&str> {
        self.zones
            .iter()
            .find(|(n, s)| *n != zone && s.zone.spec.service_account_name() == Some(account))
            .map(|(n, _)| n.as_str())
    }

    /// Serves the zones in the shape of `generation` (a state written by
    /// another generation is converted as an upgrade would) and says why a
    /// FAILED zone failed. Returns whether anything changed.
    pub fn adopt(&mut self, generation: Generation) -> bool {
        self.generation = generation;
        let mut changed = false;
        let names: Vec<String> = self.zones.keys().cloned().collect();
        for name in names {
            // Only a FAILED zone without its reason needs one (looking for
            // it reads every zone: not for each of 100,000).
            let unexplained = self.zones.get(&name).is_some_and(|s| {
                s.zone.metadata.status == Some(ZoneStatus::Failed)
                    && s.zone.metadata.failed_reason.is_none()
            });
            let reason = (unexplained && generation.has_authentication_mode())
                .then(|| self.deployment_failure(&name))
                .flatten();
            let Some(stored) = self.zones.get_mut(&name) else {
                continue;
            };
            let before = stored.zone.clone();
            if let Ok(shaped) = crate::api::generation::write_shape(&stored.zone, Some(generation))
            {
                stored.zone = shaped;
            }
            if stored.zone.metadata.status == Some(ZoneStatus::Failed)
                && stored.zone.metadata.failed_reason.is_none()
            {
                stored.zone.metadata.failed_reason = reason.map(Into::into);
            }
            changed |= stored.zone != before;
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

    /// Validates an applied body the way the Console does (`sandbox::rules`).
    pub fn validate(&self, zone: &PartnerZone) -> Result<(), Rejection> {
        super::rules::validate(self, zone)
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
        input.metadata.clear_output();
        // Served as the Console serves it: `v2`, whole numbers as integers,
        // the generation's shape.
        input.api_version = API_VERSION.into();
        if let Some(tcp) = input.spec.traffic_control_policies.as_mut() {
            for (_, v) in tcp.limits_mut() {
                if let Some(n) = v.as_ref().and_then(whole_number) {
                    *v = Some(Value::from(n));
                }
            }
        }
        if self.generation.has_authentication_mode()
            && let Ok(shaped) = crate::api::generation::write_shape(&input, Some(self.generation))
        {
            input = shaped;
        }
        let name = input.metadata.name.to_string();
        let existing = self.zones.get(name.as_str());
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
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string().into()),
                );
                zone.metadata.updated_at = Some(timestamp(now).into());
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
        // Deleting is how access is revoked: it works in every status, and
        // the zone's secrets stop opening the Gateway at once.
        if self.zones.remove(name).is_none() {
            return Err(Rejection::zone_not_found(name));
        }
        self.tokens.retain(|t| t.zone != name);
        self.record("Admin.PartnerZone.Delete", actor, name, now);
        Ok(())
    }

    /// A fresh secret for the zone's service account, signed with the
    /// sandbox's key, valid for `ttl`. Earlier ones stay valid until they
    /// expire; only their id is remembered.
    pub fn generate_credentials(
        &mut self,
        name: &str,
        actor: &str,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> Result<String, Rejection> {
        let zone = self.zone(name)?;
        let account = zone
            .spec
            .service_account_name()
            .unwrap_or_default()
            .to_string();
        let jti = uuid::Uuid::new_v4().to_string();
        let ttl = Duration::from_std(ttl).unwrap_or(Duration::days(30));
        let expires_at = now + ttl;
        let claims = Claims {
            sub: account.clone(),
            zone: name.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: jti.clone(),
        };
        let secret = token::sign(&self.signing_key, &claims);
        self.tokens.push(IssuedToken {
            zone: name.to_string(),
            service_account: account,
            jti,
            issued_at: now,
            expires_at,
        });
        self.record("Admin.PartnerZone.TokenCreate", actor, name, now);
        Ok(secret)
    }

    /// The Kafka client properties for a zone, password masked.
    pub fn kafka_configuration(&self, name: &str) -> Result<String, Rejection> {
        let zone = self.zone(name)?;
        let bootstrap = self
            .cluster(&zone.spec.cluster)
            .map(|c| c.spec.bootstrap_servers.clone())
            .unwrap_or_default();
        let account = zone.spec.service_account_name().unwrap_or_default();
        let sasl = if self.kafka_tls {
            "SASL_SSL"
        } else {
            "SASL_PLAINTEXT"
        };
        Ok(match zone.spec.auth_type() {
            // The partner's client certificate is its identity.
            "MTLS" => format!(
                "bootstrap.servers={bootstrap}\nsecurity.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=<the Gateway's CA, PEM>\nssl.keystore.type=PEM\nssl.keystore.location=<your certificate for '{account}' and its key, PEM>\n"
            ),
            // Tokens from the partner's own identity provider, `sub` = the account.
            "OAUTHBEARER" => format!(
                "bootstrap.servers={bootstrap}\nsecurity.protocol={sasl}\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=<your identity provider's token endpoint>\nsasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId='<client id>' clientSecret='<client secret>';\n"
            ),
            _ => format!(
                "bootstrap.servers={bootstrap}\nsecurity.protocol={sasl}\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='{account}' password='***************';\n"
            ),
        })
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
        z.metadata.clear_output();
        serde_json::to_value(z).unwrap_or(Value::Null)
    };
    strip(stored) == strip(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use crate::demo::clock as now;

    fn sample(name: &str, cluster: &str) -> PartnerZone {
        serde_yaml_ng::from_str(&format!(
            r#"
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  displayName: Sample
  serviceAccount: sa-{name}
  topics: [{{name: a, backingTopic: orders.v1, permission: READ}}]
"#
        ))
        .unwrap()
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
    fn credentials_are_fresh_and_expire() {
        let mut w = World::seed(now());
        let a = w
            .generate_credentials("acme-logistics", "t", now(), TOKEN_TTL)
            .unwrap();
        let b = w
            .generate_credentials("acme-logistics", "t", now(), TOKEN_TTL)
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
        let claims = token::verify(&w.signing_key, &a).unwrap();
        assert_eq!(claims.zone, "acme-logistics");
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
    fn a_zone_deletes_in_any_status_and_takes_its_secrets() {
        let mut w = World::seed(now());
        assert_eq!(
            w.zone("initech-billing").unwrap().metadata.status,
            Some(ZoneStatus::Pending)
        );
        w.generate_credentials("initech-billing", "t", now(), TOKEN_TTL)
            .unwrap();
        w.delete("initech-billing", "t", now()).unwrap();
        assert!(w.zone("initech-billing").is_err());
        assert!(w.tokens.iter().all(|t| t.zone != "initech-billing"));
        assert_eq!(w.delete("nope", "t", now()).unwrap_err().status, 404);
        w.delete("acme-logistics", "t", now()).unwrap();
        assert!(w.zone("acme-logistics").is_err());
    }
}
