//! The Console's rules for an applied Partner Zone, as the sandbox enforces
//! them: each broken rule is a 400 (malformed) or 409 (business rule) whose
//! message names the field. The tests below read as the rule list.

use std::collections::HashSet;

use super::world::{Rejection, World};
use crate::api::types::{
    API_VERSION, PartnerZone, Permission, ZONE_KIND, is_valid_name, same_api_version,
};

/// Whether `name` may be a Kafka topic name or a service account:
/// letters, digits, `_`, `-` and `.`.
fn kafka_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Validates an applied body the way the Console of the world's
/// generation does; the first broken rule is the answer.
///
/// 1.34+ (the default) takes `spec.authenticationMode`, and still takes
/// the 1.32 `spec.serviceAccount` alone as a PLAIN mode (served back as
/// `authenticationMode`): the vendor's Terraform provider (tested against
/// 1.45) only sends the mode, but the vendor's own Partner Zone pages
/// still give the `serviceAccount` example to `conduktor apply`, and a
/// Console that refused its documented example would break it. Both
/// together must agree (what pz sends when it cannot tell the
/// generation). What 1.32 refused at apply as a conflict (a service account
/// of another zone, a missing backing topic), 1.34+ accepts and fails at
/// deployment with a `failedReason`.
pub fn validate(world: &World, zone: &PartnerZone) -> Result<(), Rejection> {
    let newer = world.generation.has_authentication_mode();
    if !same_api_version(&zone.api_version) {
        return Err(Rejection::bad_request(format!(
            "apiVersion must be '{API_VERSION}' (or 'console/v2'), not '{}'",
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
    if crate::api::types::is_dot_segment(name) {
        return Err(Rejection::bad_request(format!(
            "metadata.name '{name}' is not valid: {}",
            crate::api::types::DOT_NAMES
        )));
    }
    if !is_valid_name(name) {
        return Err(Rejection::bad_request(format!(
            "metadata.name '{name}' is not valid: use lowercase letters, digits, '_', '-' and '.' (^[0-9a-z_\\-.]+$)"
        )));
    }
    let spec = &zone.spec;
    if spec.cluster.is_empty() {
        return Err(Rejection::bad_request("spec.cluster is required"));
    }
    let Some(cluster) = world.cluster(&spec.cluster) else {
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
    let account = if newer {
        newer_rules(world, zone)?
    } else {
        legacy_account(world, zone)?
    };
    if !kafka_name(account) {
        return Err(Rejection::bad_request(format!(
            "service account '{account}' may only hold letters, digits, '_', '-' and '.'"
        )));
    }
    if let Some(partner) = &spec.partner
        && partner.name.trim().is_empty()
    {
        return Err(Rejection::bad_request(
            "spec.partner.name is required when a partner is given",
        ));
    }
    topic_rules(world, zone, !newer)?;
    limit_rules(zone)
}

/// 1.32: `spec.serviceAccount`, one per zone (a 409 otherwise).
fn legacy_account<'z>(world: &World, zone: &'z PartnerZone) -> Result<&'z str, Rejection> {
    let Some(account) = zone
        .spec
        .service_account
        .as_deref()
        .filter(|s| !s.is_empty())
    else {
        return Err(Rejection::bad_request("spec.serviceAccount is required"));
    };
    if let Some(other) = world.account_owner(&zone.metadata.name, account) {
        return Err(Rejection::conflict(format!(
            "service account '{account}' is already used by the Partner Zone '{other}'"
        )));
    }
    Ok(account)
}

/// 1.34+: `spec.authenticationMode`, labels and headers.
fn newer_rules<'z>(world: &World, zone: &'z PartnerZone) -> Result<&'z str, Rejection> {
    let spec = &zone.spec;
    let Some(mode) = &spec.authentication_mode else {
        // The 1.32 spelling: a PLAIN account.
        return match spec.service_account.as_deref().filter(|s| !s.is_empty()) {
            Some(sa) => Ok(sa),
            None => Err(Rejection::bad_request(
                "spec.authenticationMode is required (type and serviceAccount)",
            )),
        };
    };
    let types = world.generation.auth_types();
    if !types.contains(&mode.kind.as_str()) {
        return Err(Rejection::bad_request(format!(
            "spec.authenticationMode.type '{}' is not one of {}",
            mode.kind,
            types.join(", ")
        )));
    }
    let Some(account) = mode.service_account.as_deref().filter(|s| !s.is_empty()) else {
        return Err(Rejection::bad_request(
            "spec.authenticationMode.serviceAccount is required",
        ));
    };
    if let Some(b) = &spec.service_account
        && b != account
    {
        return Err(Rejection::bad_request(format!(
            "spec.serviceAccount '{b}' and spec.authenticationMode.serviceAccount '{account}' differ"
        )));
    }
    for key in zone.metadata.labels.keys() {
        if key.trim().is_empty() {
            return Err(Rejection::bad_request(
                "metadata.labels: a label key cannot be empty",
            ));
        }
    }
    if let Some(h) = &spec.headers {
        for (i, add) in h.add_on_produce.iter().enumerate() {
            if add.key.trim().is_empty() {
                return Err(Rejection::bad_request(format!(
                    "spec.headers.addOnProduce[{i}].key is required"
                )));
            }
        }
        for (i, rm) in h.remove_on_consume.iter().enumerate() {
            if let Some(why) = crate::api::types::regex_problem(&rm.key_regex) {
                return Err(Rejection::bad_request(format!(
                    "spec.headers.removeOnConsume[{i}].keyRegex {why}"
                )));
            }
        }
    }
    Ok(account)
}

/// The topics: at least one; each alias a topic name, used once; READ or
/// WRITE; each backing topic existing (checked here by 1.32 only).
fn topic_rules(
    world: &World,
    zone: &PartnerZone,
    topics_must_exist: bool,
) -> Result<(), Rejection> {
    let spec = &zone.spec;
    if spec.topics.is_empty() {
        return Err(Rejection::conflict(
            "spec.topics: a Partner Zone must share at least one topic",
        ));
    }
    let known: HashSet<&str> = world
        .topics
        .get(spec.cluster.as_str())
        .map(|ts| ts.iter().map(|t| t.metadata.name.as_str()).collect())
        .unwrap_or_default();
    let mut aliases = HashSet::new();
    for (i, t) in spec.topics.iter().enumerate() {
        if t.name.trim().is_empty() {
            return Err(Rejection::bad_request(format!(
                "spec.topics[{i}].name (the alias) is required"
            )));
        }
        if !kafka_name(&t.name) {
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
        if topics_must_exist && !known.contains(t.backing_topic.as_str()) {
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
    Ok(())
}

/// Each traffic limit a positive whole number (`1e+06` is one).
fn limit_rules(zone: &PartnerZone) -> Result<(), Rejection> {
    if let Some(tcp) = &zone.spec.traffic_control_policies {
        for (field, value) in [
            ("maxProduceRate", &tcp.max_produce_rate),
            ("maxConsumeRate", &tcp.max_consume_rate),
            ("limitCommitOffset", &tcp.limit_commit_offset),
        ] {
            if let Some(v) = value
                && crate::api::types::whole_number(v).is_none_or(|n| n == 0)
            {
                return Err(Rejection::bad_request(format!(
                    "spec.trafficControlPolicies.{field} must be a positive whole number, not {v}"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::TrafficControlPolicies;

    fn world() -> World {
        World::seed(crate::demo::clock())
    }

    fn sample() -> PartnerZone {
        serde_yaml_ng::from_str(
            "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: v}\nspec:\n  cluster: gateway-prod\n  displayName: Sample\n  serviceAccount: sa-v\n  topics: [{name: a, backingTopic: orders.v1, permission: READ}]\n",
        )
        .unwrap()
    }

    fn newest() -> World {
        let mut w = world();
        w.adopt(crate::api::Generation::NEWEST);
        w
    }

    /// `sample()` in the 1.34+ shape.
    fn sample_newest() -> PartnerZone {
        crate::api::generation::write_shape(&sample(), Some(crate::api::Generation::NEWEST))
            .unwrap()
    }

    /// The zone changed by `edit` is refused with `status`, and the message
    /// contains `needle` (the field it concerns).
    fn refused(edit: impl Fn(&mut PartnerZone), status: u16, needle: &str) {
        refused_by(&world(), sample(), edit, status, needle)
    }

    fn refused_newest(edit: impl Fn(&mut PartnerZone), status: u16, needle: &str) {
        refused_by(&newest(), sample_newest(), edit, status, needle)
    }

    fn refused_by(
        w: &World,
        mut z: PartnerZone,
        edit: impl Fn(&mut PartnerZone),
        status: u16,
        needle: &str,
    ) {
        edit(&mut z);
        let err = validate(w, &z).unwrap_err();
        assert_eq!(err.status, status, "{err:?}");
        let msg = err.body.msg.unwrap_or_default();
        assert!(msg.contains(needle), "{msg} should contain {needle}");
    }

    #[test]
    fn a_well_formed_zone_is_accepted() {
        validate(&world(), &sample()).unwrap();
    }

    #[test]
    fn api_version_is_v2_and_kind_is_partner_zone() {
        refused(|z| z.api_version = "v1".into(), 400, "apiVersion");
        refused(|z| z.kind = "Topic".into(), 400, "kind");
    }

    #[test]
    fn metadata_name_is_lowercase_letters_digits_dash_dot_underscore() {
        refused(
            |z| z.metadata.name = "Bad Name".into(),
            400,
            "metadata.name",
        );
        refused(
            |z| z.metadata.name = Default::default(),
            400,
            "metadata.name",
        );
        refused(|z| z.metadata.name = ".".into(), 400, "a URL drops them");
        refused(|z| z.metadata.name = "..".into(), 400, "a URL drops them");
    }

    #[test]
    fn spec_cluster_is_required_and_must_exist() {
        refused(|z| z.spec.cluster = Default::default(), 400, "spec.cluster");
        refused(|z| z.spec.cluster = "nope".into(), 400, "no cluster");
    }

    #[test]
    fn spec_cluster_must_be_a_gateway_cluster() {
        refused(
            |z| z.spec.cluster = "kafka-main".into(),
            409,
            "not a Gateway",
        );
    }

    #[test]
    fn a_service_account_is_required_and_well_formed() {
        refused(|z| z.spec.service_account = None, 400, "serviceAccount");
        refused(
            |z| z.spec.service_account = Some("has space".into()),
            400,
            "service account",
        );
    }

    #[test]
    fn a_service_account_belongs_to_one_zone() {
        refused(
            |z| z.spec.service_account = Some("acme-logistics".into()),
            409,
            "already used",
        );
    }

    #[test]
    fn both_service_account_fields_agree_when_both_are_given() {
        refused_newest(
            |z| {
                z.spec.service_account = Some("sa-v".into());
                z.spec.authentication_mode =
                    serde_json::from_value(json!({"type": "PLAIN", "serviceAccount": "other"}))
                        .unwrap()
            },
            400,
            "differ",
        );
    }

    #[test]
    fn authentication_mode_type_is_plain_mtls_or_oauthbearer() {
        refused_newest(
            |z| {
                z.spec.authentication_mode =
                    serde_json::from_value(json!({"type": "KERBEROS", "serviceAccount": "sa-v"}))
                        .unwrap()
            },
            400,
            "authenticationMode.type",
        );
    }

    #[test]
    fn api_version_may_be_the_resource_references_console_v2() {
        let mut z = sample();
        z.api_version = "console/v2".into();
        validate(&world(), &z).unwrap();
        let mut z = sample_newest();
        z.api_version = "console/v2".into();
        validate(&newest(), &z).unwrap();
    }

    #[test]
    fn newest_takes_authentication_mode_or_the_old_service_account() {
        validate(&newest(), &sample_newest()).unwrap();
        // The vendor's documented 1.32 example still applies.
        validate(&newest(), &sample()).unwrap();
        refused_newest(
            |z| z.spec.authentication_mode = None,
            400,
            "spec.authenticationMode is required",
        );
        refused_newest(
            |z| z.spec.authentication_mode.as_mut().unwrap().service_account = None,
            400,
            "authenticationMode.serviceAccount is required",
        );
        // Both spellings, agreeing: accepted (what pz sends when unsure).
        let mut both = sample_newest();
        both.spec.service_account = Some("sa-v".into());
        validate(&newest(), &both).unwrap();
    }

    #[test]
    fn newest_takes_the_minimal_terraform_zone_without_display_name() {
        let z: PartnerZone = serde_yaml_ng::from_str(
            "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: tf}\nspec:\n  cluster: gateway-prod\n  authenticationMode: {type: OAUTHBEARER, serviceAccount: tf-partner}\n  topics: [{name: a, backingTopic: orders.v1, permission: READ}]\n",
        )
        .unwrap();
        validate(&newest(), &z).unwrap();
    }

    #[test]
    fn a_remove_header_regex_must_compile() {
        refused_newest(
            |z| {
                z.spec.headers = Some(
                    serde_json::from_value(
                        json!({"removeOnConsume": [{"keyRegex": "x-(unclosed"}]}),
                    )
                    .unwrap(),
                )
            },
            400,
            "removeOnConsume[0].keyRegex 'x-(unclosed' is not a valid regular expression",
        );
        refused_newest(
            |z| {
                z.spec.headers = Some(
                    serde_json::from_value(
                        json!({"addOnProduce": [{"key": " ", "value": "{{clientId}}"}]}),
                    )
                    .unwrap(),
                )
            },
            400,
            "addOnProduce[0].key is required",
        );
    }

    #[test]
    fn newest_accepts_what_fails_at_deployment() {
        let mut w = newest();
        let mut taken = sample_newest();
        taken
            .spec
            .authentication_mode
            .as_mut()
            .unwrap()
            .service_account = Some("acme-logistics".into());
        validate(&w, &taken).unwrap();
        let mut ghost = sample_newest();
        ghost.metadata.name = "ghost".into();
        ghost.spec.topics[0].backing_topic = "ghost".into();
        validate(&w, &ghost).unwrap();
        let now = crate::demo::clock();
        w.apply(ghost, false, "t", now, chrono::Duration::zero())
            .unwrap();
        w.settle(now);
        let z = w.zone("ghost").unwrap();
        assert_eq!(z.metadata.status, Some(crate::api::ZoneStatus::Failed));
        assert!(
            z.metadata
                .failed_reason
                .as_deref()
                .unwrap()
                .starts_with("Failed to map topic 'a'")
        );
    }

    #[test]
    fn unknown_fields_are_kept() {
        let mut w = newest();
        let mut z = sample_newest();
        z.spec
            .extra
            .insert("underlyingCluster".into(), json!("kafka-main"));
        let now = crate::demo::clock();
        let r = w
            .apply(z, false, "t", now, chrono::Duration::zero())
            .unwrap();
        assert_eq!(r.resource.spec.extra["underlyingCluster"], "kafka-main");
    }

    #[test]
    fn a_partner_has_a_name() {
        refused(
            |z| {
                z.spec.partner =
                    Some(serde_json::from_value(json!({"name": " ", "email": "a@b"})).unwrap())
            },
            400,
            "spec.partner.name",
        );
    }

    #[test]
    fn a_zone_shares_at_least_one_topic() {
        refused(|z| z.spec.topics.clear(), 409, "at least one topic");
    }

    #[test]
    fn each_alias_is_a_valid_topic_name() {
        refused(
            |z| z.spec.topics[0].name = Default::default(),
            400,
            "required",
        );
        refused(
            |z| z.spec.topics[0].name = "a b".into(),
            400,
            "not a valid Kafka topic name",
        );
    }

    #[test]
    fn each_permission_is_read_or_write() {
        refused(
            |z| z.spec.topics[0].permission = Permission::Other("ADMIN".into()),
            400,
            "READ or WRITE",
        );
    }

    #[test]
    fn each_backing_topic_exists_on_the_cluster() {
        refused(
            |z| z.spec.topics[0].backing_topic = "ghost".into(),
            409,
            "does not exist",
        );
    }

    #[test]
    fn each_alias_is_used_once() {
        refused(
            |z| {
                let t = z.spec.topics[0].clone();
                z.spec.topics.push(t);
            },
            409,
            "used twice",
        );
    }

    #[test]
    fn one_topic_may_be_shared_under_two_aliases() {
        let mut z = sample();
        let mut t = z.spec.topics[0].clone();
        t.name = "b".into();
        z.spec.topics.push(t);
        validate(&world(), &z).unwrap();
    }

    #[test]
    fn traffic_limits_are_positive_whole_numbers() {
        for bad in [json!(-5), json!(0), json!(1.5), json!("1MB")] {
            refused(
                |z| {
                    z.spec.traffic_control_policies = Some(Box::new(TrafficControlPolicies {
                        max_produce_rate: Some(bad.clone()),
                        ..Default::default()
                    }))
                },
                400,
                "positive whole number",
            );
        }
    }
}
