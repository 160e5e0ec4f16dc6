//! Which generation of the Console's Partner Zone resource a Console speaks:
//! 1.32's `spec.serviceAccount` (PLAIN only), or, from 1.34 on,
//! `spec.authenticationMode {type, serviceAccount}` (OAUTHBEARER from 1.34,
//! MTLS from 1.36), with labels and headers.
//!
//! pz finds out from the Console's own OpenAPI document
//! (`{base}/api/public/docs/docs.yaml`, the document the vendor CLI reads
//! too): one GET that writes nothing, that every Console serves to any
//! caller, and whose PartnerZone schema names `authenticationMode` exactly
//! when the Console takes it. A dry run would need a zone and a key that may
//! write; the shape of the zones says nothing when there are none. When the
//! document cannot be read, the zones' shape decides, and with no zones
//! either, pz writes both spellings of a PLAIN service account (which both
//! generations accept: 1.32 keeps the field it does not know).

use super::types::{AuthenticationMode, PartnerZone};
use compact_str::CompactString;

/// The authentication types, in the wizard's order.
pub const AUTH_TYPES: [&str; 3] = ["PLAIN", "OAUTHBEARER", "MTLS"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Generation {
    /// Console 1.`minor`.
    pub minor: u16,
}

impl Default for Generation {
    fn default() -> Self {
        Generation::NEWEST
    }
}

impl Generation {
    /// The 1.32 shape.
    pub const LEGACY: Generation = Generation { minor: 32 };
    /// The newest generation pz knows (the Terraform provider's acceptance
    /// tests run against Console 1.45).
    pub const NEWEST: Generation = Generation { minor: 45 };

    /// `1.32`, `1.45`, `1.45.2`; a version before 1.32 has no Partner Zones.
    pub fn parse(version: &str) -> Option<Generation> {
        let v = version.trim().trim_start_matches('v');
        let mut parts = v.split('.');
        let major: u16 = parts.next()?.parse().ok()?;
        let minor: u16 = parts.next()?.parse().ok()?;
        (major == 1 && minor >= 32).then_some(Generation { minor })
    }

    /// Whether zones carry `spec.authenticationMode` (1.34 and later).
    pub fn has_authentication_mode(self) -> bool {
        self.minor >= 34
    }

    /// The authentication types this Console takes.
    pub fn auth_types(self) -> &'static [&'static str] {
        match self.minor {
            ..34 => &AUTH_TYPES[..1],
            34..36 => &AUTH_TYPES[..2],
            _ => &AUTH_TYPES[..],
        }
    }

    /// For the header and `pz info`.
    pub fn label(self) -> String {
        if self.has_authentication_mode() {
            format!("Console 1.{} (authenticationMode)", self.minor)
        } else {
            format!("Console 1.{} (serviceAccount)", self.minor)
        }
    }

    /// Reads the Console's OpenAPI document: its PartnerZone schema names
    /// `authenticationMode` from 1.34 on; `info.version` gives the rest
    /// when it is a Console version (the 1.32 document says `v2`).
    pub fn from_openapi(doc: &[u8]) -> Option<Generation> {
        let text = std::str::from_utf8(doc).ok()?;
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).ok()?;
        value.get("openapi").or_else(|| value.get("swagger"))?;
        let version = value
            .get("info")
            .and_then(|i| i.get("version"))
            .and_then(|v| v.as_str())
            .and_then(Generation::parse);
        let new_shape = text.contains("authenticationMode");
        Some(match (new_shape, version) {
            (true, Some(v)) if v.has_authentication_mode() => v,
            (true, _) if text.contains("MTLS") => Generation { minor: 36 },
            (true, _) => Generation { minor: 34 },
            (false, _) => Generation::LEGACY,
        })
    }

    /// What a zone's shape tells of the Console that listed it: a zone
    /// with `authenticationMode` means 1.34 or later, one with only
    /// `serviceAccount` means 1.32.
    pub fn of_zone(zone: &PartnerZone) -> Generation {
        Generation::of_auth_mode(
            zone.spec
                .authentication_mode
                .as_ref()
                .map(|m| m.kind.as_str()),
        )
    }

    /// The same, from its `authenticationMode.type` (`None`: no
    /// `authenticationMode`, the 1.32 shape).
    pub fn of_auth_mode(kind: Option<&str>) -> Generation {
        match kind {
            Some("MTLS") => Generation { minor: 36 },
            Some(_) => Generation { minor: 34 },
            None => Generation::LEGACY,
        }
    }
}

/// The zone in the shape a Console of `generation` takes (`None`: not
/// known, so a PLAIN account is written both ways). Refuses what that
/// Console cannot do: OAUTHBEARER or MTLS on 1.32.
pub fn write_shape(
    zone: &PartnerZone,
    generation: Option<Generation>,
) -> Result<PartnerZone, String> {
    let mut z = zone.clone();
    let account = z.spec.service_account_name().map(CompactString::from);
    let kind = z.spec.auth_type().to_string();
    match generation {
        Some(g) if !g.has_authentication_mode() => {
            if kind != "PLAIN" {
                return Err(format!(
                    "zone {}: this Console (1.{}) authenticates partners with PLAIN only, not {kind} (OAUTHBEARER needs 1.34, MTLS 1.36)",
                    z.metadata.name, g.minor
                ));
            }
            // Keep what else the mode carried only if the Console may know it.
            if z.spec
                .authentication_mode
                .as_ref()
                .is_some_and(|m| m.extra.is_empty())
            {
                z.spec.authentication_mode = None;
            }
            z.spec.service_account = account;
        }
        Some(g) => {
            if !g.auth_types().contains(&kind.as_str()) {
                return Err(format!(
                    "zone {}: this Console (1.{}) does not take authenticationMode.type {kind} (it takes {})",
                    z.metadata.name,
                    g.minor,
                    g.auth_types().join(", ")
                ));
            }
            let mode = plain_mode(&mut z);
            if mode.service_account.is_none() {
                mode.service_account = account;
            }
            z.spec.service_account = None;
        }
        None => {
            if kind == "PLAIN" {
                z.spec.service_account = account.clone();
                plain_mode(&mut z).service_account = account;
            }
        }
    }
    Ok(z)
}

/// The zone's authentication mode, PLAIN when it had none.
fn plain_mode(z: &mut PartnerZone) -> &mut AuthenticationMode {
    z.spec
        .authentication_mode
        .get_or_insert_with(|| AuthenticationMode {
            kind: "PLAIN".into(),
            ..Default::default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(yaml: &str) -> PartnerZone {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    const OLD: &str = "metadata: {name: z}\nspec: {cluster: c, serviceAccount: sa, topics: []}\n";
    const NEW: &str = "metadata: {name: z}\nspec: {cluster: c, authenticationMode: {type: MTLS, serviceAccount: sa}, topics: []}\n";

    #[test]
    fn versions_parse_and_say_what_they_take() {
        assert_eq!(Generation::parse("1.45.2"), Some(Generation { minor: 45 }));
        assert_eq!(Generation::parse("v1.32"), Some(Generation::LEGACY));
        assert_eq!(Generation::parse("1.31"), None);
        assert_eq!(Generation::parse("v2"), None);
        assert_eq!(Generation::LEGACY.auth_types(), ["PLAIN"]);
        assert_eq!(
            Generation { minor: 35 }.auth_types(),
            ["PLAIN", "OAUTHBEARER"]
        );
        assert_eq!(Generation::NEWEST.auth_types().len(), 3);
    }

    #[test]
    fn the_openapi_document_tells_the_generation() {
        let old = b"openapi: 3.1.0\ninfo: {version: v2}\ncomponents: {schemas: {Spec: {properties: {serviceAccount: {}}}}}\n";
        assert_eq!(Generation::from_openapi(old), Some(Generation::LEGACY));
        let new = b"openapi: 3.1.0\ninfo: {version: 1.45.0}\ncomponents: {schemas: {Spec: {properties: {authenticationMode: {}}}}}\n";
        assert_eq!(Generation::from_openapi(new), Some(Generation::NEWEST));
        let unversioned = b"openapi: 3.1.0\ninfo: {version: v2}\nx: [authenticationMode, MTLS]\n";
        assert_eq!(
            Generation::from_openapi(unversioned),
            Some(Generation { minor: 36 })
        );
        assert_eq!(Generation::from_openapi(b"<html>"), None);
        assert_eq!(Generation::from_openapi(b"title: not openapi"), None);
    }

    #[test]
    fn zones_tell_it_when_the_document_cannot() {
        assert_eq!(Generation::of_zone(&zone(OLD)), Generation::LEGACY);
        assert_eq!(Generation::of_zone(&zone(NEW)), Generation { minor: 36 });
        assert_eq!(
            Generation::of_auth_mode(Some("PLAIN")),
            Generation { minor: 34 }
        );
    }

    #[test]
    fn each_generation_gets_its_shape() {
        let new = write_shape(&zone(OLD), Some(Generation::NEWEST)).unwrap();
        assert_eq!(new.spec.service_account, None);
        let mode = new.spec.authentication_mode.unwrap();
        assert_eq!(
            (mode.kind.as_str(), mode.service_account.as_deref()),
            ("PLAIN", Some("sa"))
        );
        let mut plain_new = zone(NEW);
        plain_new.spec.authentication_mode.as_mut().unwrap().kind = "PLAIN".into();
        let old = write_shape(&plain_new, Some(Generation::LEGACY)).unwrap();
        assert_eq!(old.spec.service_account.as_deref(), Some("sa"));
        assert_eq!(old.spec.authentication_mode, None);
        let err = write_shape(&zone(NEW), Some(Generation::LEGACY)).unwrap_err();
        assert!(err.contains("PLAIN only, not MTLS"), "{err}");
        let err = write_shape(&zone(NEW), Some(Generation { minor: 34 })).unwrap_err();
        assert!(
            err.contains("does not take authenticationMode.type MTLS"),
            "{err}"
        );
        let both = write_shape(&zone(OLD), None).unwrap();
        assert_eq!(both.spec.service_account.as_deref(), Some("sa"));
        assert_eq!(
            both.spec
                .authentication_mode
                .unwrap()
                .service_account
                .as_deref(),
            Some("sa")
        );
        // Not known and not PLAIN: written as given.
        assert_eq!(write_shape(&zone(NEW), None).unwrap(), zone(NEW));
    }
}
