//! The sandbox's first world, as data: `seed.yaml` (clusters, topics and
//! zones in the Console API's shapes), read at compile time.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::world::{StoredZone, World, timestamp};
use crate::api::types::{
    API_VERSION, KafkaCluster, Labels, PartnerZone, Topic, TopicMetadata, TopicSpec, ZONE_KIND,
    ZoneStatus,
};

const SEED: &str = include_str!("seed.yaml");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedFile {
    clusters: Vec<KafkaCluster>,
    #[serde(default)]
    gateways_down: Vec<String>,
    topics: std::collections::BTreeMap<String, Vec<SeedTopic>>,
    zones: Vec<SeedZone>,
}

#[derive(Deserialize)]
struct SeedTopic {
    name: String,
    partitions: i64,
    #[serde(default)]
    labels: Labels,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedZone {
    status: ZoneStatus,
    updated_minutes_ago: i64,
    zone: PartnerZone,
}

/// Every topic of the seed has this replication factor.
const REPLICATION_FACTOR: i64 = 3;

impl World {
    /// The seed settled (nothing deploying) and filled up to `n` zones,
    /// copies of one of its READY zones (`partner-00000`, …): what the
    /// benchmarks and the perf example measure.
    pub fn with_zones(n: usize, now: DateTime<Utc>) -> World {
        let mut world = World::seed(now);
        world.settle(now + chrono::Duration::hours(1));
        let Some(template) = world.zones.get("acme-logistics").cloned() else {
            return world;
        };
        for i in 0..n.saturating_sub(world.zones.len()) {
            let mut z = template.clone();
            let name = format!("partner-{i:05}");
            z.zone.metadata.name = name.as_str().into();
            z.zone.spec.display_name = Some(compact_str::format_compact!("Partner {i:05}"));
            z.zone.spec.service_account = Some(compact_str::format_compact!("sa-{i:05}"));
            world.zones.insert(name, z);
        }
        world
    }

    /// A believable first world: two Gateway clusters (one down), one plain
    /// Kafka cluster, 60 labelled topics and zones in every status.
    pub fn seed(now: DateTime<Utc>) -> World {
        // The seed is a constant compiled into pz; a mistake in it is a bug
        // that the tests below find, so it may panic.
        let seed: SeedFile = serde_yaml_ng::from_str(SEED).expect("seed.yaml is valid"); // ok: constant, tested
        // The seed is written in the 1.32 shape; `World::adopt` serves it
        // in another generation's.
        let mut world = World {
            generation: crate::api::Generation::LEGACY,
            ..World::default()
        };
        for mut cluster in seed.clusters {
            cluster.api_version = API_VERSION.into();
            cluster.kind = "KafkaCluster".into();
            world.clusters.push(cluster);
        }
        for name in &seed.gateways_down {
            world.set_gateway_down(name, true);
        }
        for (cluster, topics) in seed.topics {
            let topics = topics.into_iter().map(|t| topic(&cluster, t)).collect();
            world.topics.insert(cluster, topics);
        }
        for SeedZone {
            status,
            updated_minutes_ago,
            mut zone,
        } in seed.zones
        {
            zone.api_version = API_VERSION.into();
            zone.kind = ZONE_KIND.into();
            zone.metadata.id = Some(uuid::Uuid::new_v4().to_string().into());
            zone.metadata.updated_at =
                Some(timestamp(now - Duration::minutes(updated_minutes_ago)).into());
            // A PENDING seed zone finishes deploying a minute after first start.
            let deploy_at = (status == ZoneStatus::Pending).then(|| now + Duration::seconds(60));
            zone.metadata.status = Some(status);
            let name = zone.metadata.name.to_string();
            world.zones.insert(name, StoredZone { zone, deploy_at });
        }
        world
    }
}

fn topic(cluster: &str, t: SeedTopic) -> Topic {
    Topic {
        api_version: API_VERSION.into(),
        kind: "Topic".into(),
        metadata: TopicMetadata {
            name: t.name,
            cluster: cluster.into(),
            labels: t.labels,
            description: t.description,
            extra: Default::default(),
        },
        spec: TopicSpec {
            partitions: t.partitions,
            replication_factor: REPLICATION_FACTOR,
            extra: Default::default(),
        },
        extra: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::demo::clock as now;

    #[test]
    fn seed_parses_and_is_believable() {
        let w = World::seed(now());
        assert!(w.clusters.iter().filter(|c| c.is_gateway()).count() >= 2);
        assert!(w.clusters.iter().any(|c| !c.is_gateway()));
        assert_eq!(w.topics.values().map(Vec::len).sum::<usize>(), 60);
        for status in [ZoneStatus::Ready, ZoneStatus::Pending, ZoneStatus::Failed] {
            assert!(
                w.zones
                    .values()
                    .any(|z| z.zone.metadata.status == Some(status.clone()))
            );
        }
        assert!(w.gateway_down.contains("gateway-dr"));
    }

    #[test]
    fn every_seed_zone_passes_the_rules_and_names_real_topics() {
        for generation in [
            crate::api::Generation::LEGACY,
            crate::api::Generation::NEWEST,
        ] {
            let mut w = World::seed(now());
            w.adopt(generation);
            for s in w.zones.values() {
                w.validate(&s.zone).unwrap();
            }
        }
    }

    #[test]
    fn the_customer_topics_are_labelled_pii() {
        let w = World::seed(now());
        let topics = &w.topics["gateway-prod"];
        let customers = topics
            .iter()
            .find(|t| t.metadata.name == "customers.v1")
            .unwrap();
        assert_eq!(customers.metadata.labels.get("pii"), Some("true"));
        assert_eq!(customers.spec.replication_factor, 3);
    }
}
