//! Who may open a sandbox Gateway and what they see there: the rules behind
//! its Kafka listener's SASL PLAIN and Metadata answers. Pure logic over the
//! [`World`]; the wire is in `sandbox::kafka_session`.

use chrono::{DateTime, Utc};

use super::token;
use super::world::World;
use crate::api::types::{Permission, ZoneStatus};

/// A topic as the partner sees it: under its alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleTopic {
    pub alias: String,
    pub backing_topic: String,
    pub partitions: i32,
    pub write: bool,
}

/// What an authenticated partner may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub zone: String,
    pub service_account: String,
}

/// Why SASL authentication failed; the text goes back to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown user '{0}': no Partner Zone on this Gateway has this service account")]
    UnknownUser(String),
    #[error("wrong secret for '{user}': {why}")]
    WrongSecret { user: String, why: String },
    #[error(
        "the secret was issued for Partner Zone '{zone}' (service account '{owner}'), not for '{user}'"
    )]
    OtherAccount {
        user: String,
        owner: String,
        zone: String,
    },
    #[error("the Partner Zone '{0}' was deleted: its secrets no longer open anything")]
    Deleted(String),
    #[error("the Partner Zone '{zone}' is served by the Gateway '{cluster}', not this one")]
    OtherGateway { zone: String, cluster: String },
    #[error("the secret expired at {0}: generate a new one")]
    Expired(String),
    #[error("the Partner Zone '{zone}' is not deployed (status {status})")]
    NotDeployed { zone: String, status: String },
}

impl World {
    /// Whether any zone served by `cluster` has `account` as its service account.
    fn knows_account(&self, cluster: &str, account: &str) -> bool {
        self.zones.values().any(|z| {
            z.zone.spec.cluster == cluster && z.zone.spec.service_account_name() == Some(account)
        })
    }

    /// SASL PLAIN on the Gateway of `cluster`: `user` is a zone's service
    /// account, `password` a secret this sandbox issued for that zone, not
    /// expired, for a zone that still exists and is READY.
    pub fn authenticate(
        &self,
        cluster: &str,
        user: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<Access, Refusal> {
        let known = self.knows_account(cluster, user);
        let claims = match token::verify(&self.signing_key, password) {
            Ok(c) => c,
            Err(e) if known => {
                return Err(Refusal::WrongSecret {
                    user: user.into(),
                    why: e.to_string(),
                });
            }
            Err(_) => return Err(Refusal::UnknownUser(user.into())),
        };
        if claims.sub != user {
            if !known && !self.zones.contains_key(&claims.zone) {
                return Err(Refusal::UnknownUser(user.into()));
            }
            return Err(Refusal::OtherAccount {
                user: user.into(),
                owner: claims.sub,
                zone: claims.zone,
            });
        }
        let issued = self
            .tokens
            .iter()
            .find(|t| t.jti == claims.jti && t.zone == claims.zone);
        let (zone, issued) = match (self.zones.get(&claims.zone), issued) {
            (Some(z), Some(issued)) => (&z.zone, issued),
            _ => return Err(Refusal::Deleted(claims.zone)),
        };
        if zone.spec.service_account_name() != Some(user) {
            return Err(Refusal::OtherAccount {
                user: user.into(),
                owner: zone.spec.service_account_name().unwrap_or_default().into(),
                zone: claims.zone,
            });
        }
        if zone.spec.cluster != cluster {
            return Err(Refusal::OtherGateway {
                zone: claims.zone,
                cluster: zone.spec.cluster.to_string(),
            });
        }
        // The expiry the sandbox stored when it issued the secret wins over
        // the one the secret carries: a secret re-signed with a later `exp`
        // (by someone holding the signing key) expires all the same.
        let exp = claims.exp.min(issued.expires_at.timestamp());
        if exp <= now.timestamp() {
            let at = chrono::DateTime::from_timestamp(exp, 0)
                .map(super::world::timestamp)
                .unwrap_or_else(|| exp.to_string());
            return Err(Refusal::Expired(at));
        }
        if zone.spec.auth_type() != "PLAIN" {
            return Err(Refusal::WrongSecret {
                user: user.into(),
                why: format!(
                    "the Partner Zone '{}' authenticates with {}, not SASL PLAIN",
                    claims.zone,
                    zone.spec.auth_type()
                ),
            });
        }
        let status = zone.metadata.status.clone().unwrap_or(ZoneStatus::Pending);
        if status != ZoneStatus::Ready {
            return Err(Refusal::NotDeployed {
                zone: claims.zone,
                status: status.to_string(),
            });
        }
        Ok(Access {
            zone: claims.zone,
            service_account: user.into(),
        })
    }

    /// The partner of an MTLS zone, known by its client certificate (the
    /// sandbox CA's: the TLS handshake checked that), whose fingerprint the
    /// sandbox remembered with the service account it was issued for.
    pub fn certificate_access(&self, cluster: &str, fingerprint: &str) -> Result<Access, Refusal> {
        let Some(common_name) = self.client_certificates.get(fingerprint) else {
            return Err(Refusal::UnknownUser(
                "a certificate this sandbox did not issue".into(),
            ));
        };
        let common_name = common_name.as_str();
        let found = self.zones.iter().find(|(_, s)| {
            s.zone.spec.cluster == cluster
                && s.zone.spec.service_account_name() == Some(common_name)
        });
        let Some((name, stored)) = found else {
            return Err(Refusal::UnknownUser(common_name.into()));
        };
        if stored.zone.spec.auth_type() != "MTLS" {
            return Err(Refusal::WrongSecret {
                user: common_name.into(),
                why: format!(
                    "the Partner Zone '{name}' authenticates with {}, not a client certificate",
                    stored.zone.spec.auth_type()
                ),
            });
        }
        if stored.zone.metadata.status != Some(crate::api::ZoneStatus::Ready) {
            return Err(Refusal::WrongSecret {
                user: common_name.into(),
                why: format!("the Partner Zone '{name}' is not deployed (not READY)"),
            });
        }
        Ok(Access {
            zone: name.clone(),
            service_account: common_name.into(),
        })
    }

    /// The topics a zone's partner sees, in the zone's order: each alias
    /// (a topic shared twice appears twice) with its backing topic's
    /// partition count. Empty if the zone is gone.
    pub fn visible_topics(&self, zone: &str) -> Vec<VisibleTopic> {
        let Some(stored) = self.zones.get(zone) else {
            return Vec::new();
        };
        let spec = &stored.zone.spec;
        let topics = self.topics.get(spec.cluster.as_str());
        spec.topics
            .iter()
            .map(|t| {
                let partitions = topics
                    .and_then(|ts| ts.iter().find(|x| x.metadata.name == t.backing_topic))
                    .map(|x| x.spec.partitions)
                    .unwrap_or(1);
                VisibleTopic {
                    alias: t.name.to_string(),
                    backing_topic: t.backing_topic.to_string(),
                    partitions: i32::try_from(partitions.max(1)).unwrap_or(1),
                    write: t.permission == Permission::Write,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::clock as now;
    use crate::sandbox::world::TOKEN_TTL;

    const ZONE: &str = "acme-logistics";

    fn world() -> (World, String, String) {
        let mut w = World::seed(now());
        let z = w.zone(ZONE).unwrap();
        assert_eq!(z.metadata.status, Some(ZoneStatus::Ready));
        let cluster = z.spec.cluster.to_string();
        let secret = w.generate_credentials(ZONE, "t", now(), TOKEN_TTL).unwrap();
        (w, cluster, secret)
    }

    fn account(w: &World, zone: &str) -> String {
        w.zone(zone)
            .unwrap()
            .spec
            .service_account_name()
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_issued_secret_opens_the_zone() {
        let (w, cluster, secret) = world();
        let user = account(&w, ZONE);
        let access = w.authenticate(&cluster, &user, &secret, now()).unwrap();
        assert_eq!(access.zone, ZONE);
    }

    #[test]
    fn unknown_user_and_wrong_secret() {
        let (w, cluster, secret) = world();
        let user = account(&w, ZONE);
        assert_eq!(
            w.authenticate(&cluster, "nobody", "x", now()),
            Err(Refusal::UnknownUser("nobody".into()))
        );
        let mut altered = secret.clone();
        altered.pop();
        altered.push(if secret.ends_with('A') { 'B' } else { 'A' });
        assert!(matches!(
            w.authenticate(&cluster, &user, &altered, now()),
            Err(Refusal::WrongSecret { .. })
        ));
        assert!(matches!(
            w.authenticate(&cluster, &user, "password", now()),
            Err(Refusal::WrongSecret { .. })
        ));
    }

    #[test]
    fn another_zones_secret_is_refused() {
        let (mut w, cluster, _) = world();
        let other = w
            .zones
            .iter()
            .find(|(n, z)| {
                n.as_str() != ZONE
                    && z.zone.spec.cluster == cluster
                    && z.zone.metadata.status == Some(ZoneStatus::Ready)
            })
            .map(|(n, _)| n.clone())
            .unwrap();
        let theirs = w
            .generate_credentials(&other, "t", now(), TOKEN_TTL)
            .unwrap();
        let user = account(&w, ZONE);
        let refusal = w.authenticate(&cluster, &user, &theirs, now()).unwrap_err();
        assert!(matches!(refusal, Refusal::OtherAccount { .. }), "{refusal}");
        assert!(refusal.to_string().contains(&other));
    }

    #[test]
    fn expired_deleted_and_undeployed() {
        let (mut w, cluster, secret) = world();
        let user = account(&w, ZONE);
        let later = now() + chrono::Duration::days(31);
        assert!(matches!(
            w.authenticate(&cluster, &user, &secret, later),
            Err(Refusal::Expired(_))
        ));
        w.zones.get_mut(ZONE).unwrap().zone.metadata.status = Some(ZoneStatus::Pending);
        assert_eq!(
            w.authenticate(&cluster, &user, &secret, now()),
            Err(Refusal::NotDeployed {
                zone: ZONE.into(),
                status: "PENDING".into()
            })
        );
        let zone = w.zones.get(ZONE).unwrap().zone.clone();
        w.delete(ZONE, "t", now()).unwrap();
        // Deleted, then created again under the same name: the old secret
        // stays dead.
        for _ in 0..2 {
            assert_eq!(
                w.authenticate(&cluster, &user, &secret, now()),
                Err(Refusal::Deleted(ZONE.into()))
            );
            w.apply(zone.clone(), false, "t", now(), chrono::Duration::zero())
                .unwrap();
            w.settle(now());
        }
    }

    #[test]
    fn another_gateway_is_refused() {
        let (w, cluster, secret) = world();
        let user = account(&w, ZONE);
        let other = w
            .clusters
            .iter()
            .find(|c| c.is_gateway() && c.metadata.name != cluster)
            .unwrap()
            .metadata
            .name
            .clone();
        let refusal = w.authenticate(&other, &user, &secret, now()).unwrap_err();
        assert!(
            matches!(
                refusal,
                Refusal::UnknownUser(_) | Refusal::OtherGateway { .. }
            ),
            "{refusal}"
        );
    }

    #[test]
    fn visible_topics_are_the_aliases_with_partitions() {
        let (w, _, _) = world();
        let topics = w.visible_topics(ZONE);
        let zone = w.zone(ZONE).unwrap();
        assert_eq!(
            topics.iter().map(|t| t.alias.as_str()).collect::<Vec<_>>(),
            zone.spec
                .topics
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
        );
        let backing = &w.topics[zone.spec.cluster.as_str()];
        for t in &topics {
            let b = backing
                .iter()
                .find(|b| b.metadata.name == t.backing_topic)
                .unwrap();
            assert_eq!(i64::from(t.partitions), b.spec.partitions);
        }
        assert!(w.visible_topics("gone").is_empty());
    }

    #[test]
    fn a_secret_re_signed_with_a_later_expiry_still_expires_when_stored() {
        let (w, cluster, secret) = world();
        let user = account(&w, ZONE);
        let mut claims = token::verify(&w.signing_key, &secret).unwrap();
        let after = now() + TOKEN_TTL + std::time::Duration::from_secs(60);
        assert!(w.authenticate(&cluster, &user, &secret, after).is_err());
        // Someone holding the signing key re-signs it with a later `exp`.
        claims.exp += 10 * 365 * 24 * 3600;
        let forged = token::sign(&w.signing_key, &claims);
        assert!(w.authenticate(&cluster, &user, &forged, now()).is_ok());
        assert!(matches!(
            w.authenticate(&cluster, &user, &forged, after),
            Err(Refusal::Expired(_))
        ));
    }
}
