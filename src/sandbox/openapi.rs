//! The sandbox's own OpenAPI document, served at
//! `/api/public/docs/docs.yaml` as a Console serves its own: the Partner
//! Zone endpoints and the PartnerZone schema of the generation emulated,
//! so that pz (and the vendor CLI) can tell which one it talks to.

use serde_json::{Value, json};

use crate::api::Generation;

/// The document, as YAML.
pub fn document(generation: Generation) -> String {
    serde_yaml_ng::to_string(&value(generation)).unwrap_or_default()
}

fn value(generation: Generation) -> Value {
    let zone_ref = json!({"$ref": "#/components/schemas/PartnerZoneResource"});
    let zone_list = json!({"type": "array", "items": zone_ref});
    let ok = |schema: Value| json!({"200": {"description": "", "content": {"application/json": {"schema": schema}}}});
    let name = json!([{"name": "partner-zone-name", "in": "path", "required": true,
                       "schema": {"type": "string", "pattern": "^[0-9a-z_\\-.]+$"}}]);
    let mut spec = json!({
        "cluster": {"type": "string"},
        "displayName": {"type": "string"},
        "description": {"type": "string"},
        "url": {"type": "string"},
        "topics": {"type": "array", "items": {"$ref": "#/components/schemas/PartnerZoneTopic"}},
        "partner": {"$ref": "#/components/schemas/Partner"},
        "trafficControlPolicies": {"type": "object", "properties": {
            "maxProduceRate": {"type": "integer", "format": "int64"},
            "maxConsumeRate": {"type": "integer", "format": "int64"},
            "limitCommitOffset": {"type": "integer", "format": "int64"}}},
    });
    let required;
    let mut schemas = json!({
        "PartnerZoneTopic": {"type": "object", "required": ["name", "backingTopic", "permission"],
            "properties": {"name": {"type": "string"}, "backingTopic": {"type": "string"},
                           "permission": {"type": "string", "enum": ["READ", "WRITE"]}}},
        "Partner": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "role": {"type": "string"},
            "email": {"type": "string"}, "phone": {"type": "string"}}},
    });
    if generation.has_authentication_mode() {
        spec["authenticationMode"] =
            json!({"$ref": "#/components/schemas/PartnerZoneAuthenticationMode"});
        spec["headers"] = json!({"type": "object", "properties": {
            "addOnProduce": {"type": "array", "items": {"type": "object", "required": ["key", "value"],
                "properties": {"key": {"type": "string"}, "value": {"type": "string"},
                               "overrideIfExists": {"type": "boolean"}}}},
            "removeOnConsume": {"type": "array", "items": {"type": "object", "required": ["keyRegex"],
                "properties": {"keyRegex": {"type": "string"}}}}}});
        schemas["PartnerZoneAuthenticationMode"] = json!({"type": "object",
            "required": ["type", "serviceAccount"],
            "properties": {"type": {"type": "string", "enum": generation.auth_types()},
                           "serviceAccount": {"type": "string"}}});
        required = json!(["cluster", "authenticationMode"]);
    } else {
        spec["serviceAccount"] = json!({"type": "string"});
        required = json!(["cluster", "serviceAccount"]);
    }
    schemas["PartnerZoneSpec"] =
        json!({"type": "object", "required": required, "properties": spec});
    schemas["PartnerZoneResource"] = json!({"type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"type": "string", "enum": ["v2", "console/v2"]},
            "kind": {"type": "string", "enum": ["PartnerZone"]},
            "metadata": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "pattern": "^[0-9a-z_\\-.]+$"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "status": {"type": "string", "enum": ["PENDING", "READY", "FAILED", "DELETED"]},
                "failedReason": {"type": "string"}}},
            "spec": {"$ref": "#/components/schemas/PartnerZoneSpec"}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("Conduktor Console API {}", crate::api::client::SANDBOX_TITLE),
            "version": format!("1.{}.0", generation.minor),
        },
        "paths": {
            "/public/console/v2/partner-zone": {
                "get": {"operationId": "list-partner-zone-resources", "responses": ok(zone_list)},
                "put": {"operationId": "upsert-a-partner-zone",
                        "parameters": [{"name": "dryMode", "in": "query", "schema": {"type": "boolean"}}],
                        "requestBody": {"content": {"application/json": {"schema": zone_ref}}},
                        "responses": ok(json!({"type": "object"}))}},
            "/public/console/v2/partner-zone/{partner-zone-name}": {
                "get": {"parameters": name, "responses": ok(zone_ref)},
                "delete": {"parameters": name, "responses": ok(json!({}))}},
            "/public/partner-zone/v2/{partner-zone-name}/generate-credentials": {
                "post": {"parameters": name, "responses": ok(json!({"type": "string"}))}},
            "/public/console/v2/partner-zone/{partner-zone-name}/kafka-configuration": {
                "get": {"parameters": name, "responses": ok(json!({"type": "string"}))}},
        },
        "components": {"schemas": schemas},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_generation_reads_back_as_itself() {
        for g in [
            Generation::LEGACY,
            Generation { minor: 34 },
            Generation::NEWEST,
        ] {
            let doc = document(g);
            assert_eq!(Generation::from_openapi(doc.as_bytes()), Some(g), "{doc}");
        }
        assert!(!document(Generation::LEGACY).contains("authenticationMode"));
    }
}
