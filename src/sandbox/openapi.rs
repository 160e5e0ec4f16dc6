//! The sandbox's own OpenAPI document, served at
//! `/api/public/docs/docs.yaml` as a Console serves its own: the Partner
//! Zone endpoints and the PartnerZone schema of the generation emulated,
//! so that pz (and the vendor CLI) can tell which one it talks to.

use serde_json::{Value, json};

use crate::api::Generation;

/// The newest generation's document (the title says `SANDBOX_TITLE`);
/// an older one is cut from it. Kept as data: built in code it was 24 KB
/// of the static binary.
const NEWEST: &str = include_str!("openapi.json");

/// The document, as YAML.
pub fn document(generation: Generation) -> String {
    serde_yaml_ng::to_string(&value(generation)).unwrap_or_default()
}

fn value(generation: Generation) -> Value {
    let mut doc: Value = serde_json::from_str(NEWEST).unwrap_or_default();
    doc["info"]["version"] = format!("1.{}.0", generation.minor).into();
    let schemas = &mut doc["components"]["schemas"];
    if generation.has_authentication_mode() {
        schemas["PartnerZoneAuthenticationMode"]["properties"]["type"]["enum"] =
            json!(generation.auth_types());
        return doc;
    }
    // 1.32: a service account, no authentication mode, no headers.
    if let Some(all) = schemas.as_object_mut() {
        all.remove("PartnerZoneAuthenticationMode");
    }
    let spec = &mut schemas["PartnerZoneSpec"];
    if let Some(fields) = spec["properties"].as_object_mut() {
        fields.remove("authenticationMode");
        fields.remove("headers");
        fields.insert("serviceAccount".into(), json!({"type": "string"}));
    }
    spec["required"] = json!(["cluster", "serviceAccount"]);
    doc
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
        let legacy = document(Generation::LEGACY);
        assert!(!legacy.contains("authenticationMode") && !legacy.contains("addOnProduce"));
        assert!(legacy.contains("serviceAccount"));
        let newest = document(Generation::NEWEST);
        assert!(newest.contains(crate::api::client::SANDBOX_TITLE));
        assert!(newest.contains("MTLS") && !document(Generation { minor: 34 }).contains("MTLS"));
    }
}
