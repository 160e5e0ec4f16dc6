//! Serde types of the Partner Zone contract (Conduktor Console public API v2).
//!
//! Every struct keeps the fields it does not know in `extra`, so a
//! read-modify-write never drops what a newer Console added.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::extra::Extra;
pub use super::labels::{Labels, labels_text};

pub const API_VERSION: &str = "v2";
pub const ZONE_KIND: &str = "PartnerZone";

/// The `^[0-9a-z_\-.]+$` rule of `metadata.name` and every `{name}` in a
/// path, less `.` and `..`: the Console's pattern allows them, but a URL
/// path drops such a segment, so a zone of that name could be created and
/// never read, deleted or revoked again.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !is_dot_segment(name)
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

/// `.` or `..`, which a URL path cannot carry (`%2e` means the same).
pub fn is_dot_segment(name: &str) -> bool {
    name == "." || name == ".."
}

/// Why `.` and `..` are refused, for every place that says so.
pub const DOT_NAMES: &str = "'.' and '..' are refused: the Console's pattern allows them, but a URL drops them, so such a zone could never be read, deleted or revoked";

/// A string-backed enum that keeps values it does not know, so an unknown
/// status or permission from a newer Console survives a round trip.
macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        // Read through a `CompactString`: a known value allocates nothing.
        #[serde(from = "CompactString", into = "String")]
        pub enum $name {
            $($variant,)+
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s.as_str(),
                }
            }
        }

        impl $name {
            /// The variant `text` names, if it is a known one.
            fn known(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::known(&s).unwrap_or($name::Other(s))
            }
        }

        impl From<CompactString> for $name {
            fn from(s: CompactString) -> Self {
                $name::known(&s).unwrap_or_else(|| $name::Other(s.into_string()))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum!(
    /// `metadata.status` of a zone.
    ZoneStatus { Pending = "PENDING", Ready = "READY", Failed = "FAILED", Deleted = "DELETED" }
);

open_enum!(
    /// READ, or WRITE (which includes read).
    Permission { Read = "READ", Write = "WRITE" }
);

open_enum!(
    /// The result of an apply.
    UpsertResult { Created = "Created", Updated = "Updated", NotChanged = "NotChanged" }
);

#[allow(clippy::derivable_impls)] // the enum comes from a macro
impl Default for Permission {
    fn default() -> Self {
        Permission::Read
    }
}

/// A Partner Zone, input or output shape (the output shape adds `id`,
/// `updatedAt` and `status` to the metadata).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerZone {
    #[serde(default = "default_api_version")]
    pub api_version: CompactString,
    #[serde(default = "default_zone_kind")]
    pub kind: CompactString,
    pub metadata: ZoneMetadata,
    pub spec: ZoneSpec,
    #[serde(flatten)]
    pub extra: Extra,
}

fn default_api_version<T: From<&'static str>>() -> T {
    T::from(API_VERSION)
}

fn default_zone_kind<T: From<&'static str>>() -> T {
    T::from(ZONE_KIND)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneMetadata {
    pub name: CompactString,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ZoneStatus>,
    /// Why the deployment failed (Console 1.34+, a FAILED zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_reason: Option<CompactString>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ZoneMetadata {
    /// Forgets what only the server sets: `id`, `updatedAt`, `status`,
    /// `failedReason`.
    pub fn clear_output(&mut self) {
        self.id = None;
        self.updated_at = None;
        self.status = None;
        self.failed_reason = None;
    }
}

/// The first line of a (library's multi-line) message.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

/// Why `pattern` is not a regular expression (the contract's `keyRegex`
/// is a Java regex; the common syntax is checked), or `None`.
pub fn regex_problem(pattern: &str) -> Option<String> {
    let e = regex_lite::Regex::new(pattern).err()?.to_string();
    let reason = e
        .lines()
        .find_map(|l| l.trim().strip_prefix("error:"))
        .map(str::trim)
        .unwrap_or_else(|| first_line(&e));
    Some(format!(
        "'{pattern}' is not a valid regular expression: {reason}"
    ))
}

/// `v2` and the resource reference's `console/v2` mean the same.
pub fn same_api_version(a: &str) -> bool {
    a == API_VERSION || a == "console/v2"
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneSpec {
    #[serde(default)]
    pub cluster: CompactString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<CompactString>,
    /// The 1.32 shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<CompactString>,
    /// The newer shape, which replaces `serviceAccount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_mode: Option<AuthenticationMode>,
    #[serde(default, deserialize_with = "shrunk")]
    pub topics: Vec<ZoneTopic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Partner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_control_policies: Option<Box<TrafficControlPolicies>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Box<Headers>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A list as long as it is: serde grows a list it reads to 4 or more
/// slots, which every zone of a long list would keep.
fn shrunk<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let mut list = Vec::deserialize(d)?;
    list.shrink_to_fit();
    Ok(list)
}

impl ZoneSpec {
    /// The Local Gateway service account, whichever shape carries it.
    pub fn service_account_name(&self) -> Option<&str> {
        self.authentication_mode
            .as_ref()
            .and_then(|a| a.service_account.as_deref())
            .or(self.service_account.as_deref())
    }

    /// Gives the zone another service account, wherever its shape keeps it
    /// (`authenticationMode.serviceAccount`, the 1.32 `serviceAccount`).
    pub fn set_service_account(&mut self, account: &str) {
        if let Some(mode) = &mut self.authentication_mode {
            mode.service_account = Some(account.into());
        }
        if self.service_account.is_some() || self.authentication_mode.is_none() {
            self.service_account = Some(account.into());
        }
    }

    /// The authentication type; the 1.32 shape is always PLAIN.
    pub fn auth_type(&self) -> &str {
        self.authentication_mode
            .as_ref()
            .map(|a| a.kind.as_str())
            .unwrap_or("PLAIN")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationMode {
    #[serde(rename = "type", default)]
    pub kind: CompactString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<CompactString>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneTopic {
    /// The alias the partner sees.
    pub name: CompactString,
    pub backing_topic: CompactString,
    #[serde(default)]
    pub permission: Permission,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    #[serde(default)]
    pub name: CompactString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<CompactString>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Numbers are kept as JSON values so that a bad number from a file reaches
/// the server (which explains it) instead of failing in the client.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficControlPolicies {
    /// bytes/s
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_produce_rate: Option<Value>,
    /// bytes/s
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_consume_rate: Option<Value>,
    /// commit requests per minute
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_commit_offset: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl TrafficControlPolicies {
    /// The three limits with their field names.
    pub fn limits_mut(&mut self) -> [(&'static str, &mut Option<Value>); 3] {
        [
            ("maxProduceRate", &mut self.max_produce_rate),
            ("maxConsumeRate", &mut self.max_consume_rate),
            ("limitCommitOffset", &mut self.limit_commit_offset),
        ]
    }
}

/// A limit as the whole number it means: `1e+06` and `1000000.0` are
/// 1000000; `None` for a fraction, a negative number or anything else.
pub fn whole_number(v: &Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return Some(n);
    }
    let f = v.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f <= 9_007_199_254_740_992.0).then_some(f as u64)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Headers {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "shrunk"
    )]
    pub add_on_produce: Vec<AddHeader>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "shrunk"
    )]
    pub remove_on_consume: Vec<RemoveHeader>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddHeader {
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_if_exists: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveHeader {
    pub key_regex: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `PUT /public/console/v2/partner-zone`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyResult {
    pub resource: PartnerZone,
    pub upsert_result: UpsertResult,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The error body `{title, msg, cause}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl ErrorBody {
    pub fn new(title: impl Into<String>, msg: impl Into<String>) -> Self {
        ErrorBody {
            title: title.into(),
            msg: Some(msg.into()),
            cause: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaCluster {
    #[serde(default = "default_api_version")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    pub metadata: ClusterMetadata,
    pub spec: ClusterSpec,
    #[serde(flatten)]
    pub extra: Extra,
}

impl KafkaCluster {
    /// A Partner Zone can only use a cluster whose provider is Gateway.
    pub fn is_gateway(&self) -> bool {
        self.spec
            .kafka_flavor
            .as_ref()
            .is_some_and(|f| f.kind == "Gateway")
    }

    pub fn display_name(&self) -> &str {
        if self.spec.display_name.is_empty() {
            &self.metadata.name
        } else {
            &self.spec.display_name
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterMetadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub bootstrap_servers: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_flavor: Option<KafkaFlavor>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaFlavor {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Topic {
    #[serde(default = "default_api_version")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    pub metadata: TopicMetadata,
    #[serde(default)]
    pub spec: TopicSpec,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicMetadata {
    pub name: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicSpec {
    #[serde(default)]
    pub partitions: i64,
    #[serde(default)]
    pub replication_factor: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_SHAPE: &str = r#"{
      "apiVersion": "v2", "kind": "PartnerZone",
      "metadata": {"name": "john-partner-zone", "id": "00000000-0000-0000-0000-000000000000",
                   "updatedAt": "2021-09-01T00:00:00Z", "status": "READY"},
      "spec": {"cluster": "my-cluster", "displayName": "John's partner zone",
               "url": "http://conduktor.io", "serviceAccount": "johndoe",
               "topics": [{"name": "topic-a", "backingTopic": "kafka-topic-a", "permission": "WRITE"}],
               "partner": {"name": "John Doe", "role": "Data analyst",
                           "email": "johndoe@company.io", "phone": "07827 837 177"}}
    }"#;

    const NEW_SHAPE: &str = r#"
apiVersion: v2
kind: PartnerZone
metadata:
  name: external-partner-zone
  labels: {project: projectA}
spec:
  cluster: partner1
  displayName: External Partner Zone
  description: for john
  url: https://partner1.com
  authenticationMode:
    type: PLAIN
    serviceAccount: johndoe
  topics:
    - name: topic-a
      backingTopic: kafka-topic-a
      permission: WRITE
  partner: {name: John Doe, role: Data analyst, email: johndoe@company.io, phone: 07827 837 177}
  trafficControlPolicies:
    maxProduceRate: 1000000
    maxConsumeRate: 2000000
    limitCommitOffset: 30
  headers:
    addOnProduce: [{key: X-My-Header, value: my-x-value, overrideIfExists: false}]
    removeOnConsume: [{keyRegex: "my_org_prefix.*"}]
"#;

    #[test]
    fn old_shape_round_trips() {
        let zone: PartnerZone = serde_json::from_str(OLD_SHAPE).unwrap();
        assert_eq!(zone.metadata.status, Some(ZoneStatus::Ready));
        assert_eq!(zone.spec.service_account_name(), Some("johndoe"));
        assert_eq!(zone.spec.topics[0].permission, Permission::Write);
        let back = serde_json::to_value(&zone).unwrap();
        let original: Value = serde_json::from_str(OLD_SHAPE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn new_shape_round_trips() {
        let zone: PartnerZone = serde_yaml_ng::from_str(NEW_SHAPE).unwrap();
        assert_eq!(zone.spec.auth_type(), "PLAIN");
        assert_eq!(zone.spec.service_account_name(), Some("johndoe"));
        assert_eq!(&zone.metadata.labels["project"], "projectA");
        let tcp = zone.spec.traffic_control_policies.as_ref().unwrap();
        assert_eq!(tcp.limit_commit_offset, Some(Value::from(30)));
        let headers = zone.spec.headers.as_ref().unwrap();
        assert_eq!(headers.remove_on_consume[0].key_regex, "my_org_prefix.*");
        let back: Value = serde_json::to_value(&zone).unwrap();
        let original: Value = serde_yaml_ng::from_str(NEW_SHAPE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn unknown_fields_survive_read_modify_write() {
        let json = r#"{"apiVersion":"v2","kind":"PartnerZone","futureTop":1,
          "metadata":{"name":"z","status":"ARCHIVED","futureMeta":{"a":[1,2]}},
          "spec":{"cluster":"c","serviceAccount":"sa","futureSpec":"x",
                  "topics":[{"name":"a","backingTopic":"b","permission":"ADMIN","futureTopic":true}],
                  "partner":{"name":"p","futurePartner":2},
                  "trafficControlPolicies":{"maxProduceRate":5,"futurePolicy":9},
                  "authenticationMode":{"type":"MTLS","futureAuth":"y"}}}"#;
        let mut zone: PartnerZone = serde_json::from_str(json).unwrap();
        zone.spec.display_name = Some("Edited".into());
        let back = serde_json::to_value(&zone).unwrap();
        assert_eq!(back["futureTop"], 1);
        assert_eq!(back["metadata"]["status"], "ARCHIVED");
        assert_eq!(back["metadata"]["futureMeta"]["a"][1], 2);
        assert_eq!(back["spec"]["futureSpec"], "x");
        assert_eq!(back["spec"]["topics"][0]["permission"], "ADMIN");
        assert_eq!(back["spec"]["topics"][0]["futureTopic"], true);
        assert_eq!(back["spec"]["partner"]["futurePartner"], 2);
        assert_eq!(back["spec"]["trafficControlPolicies"]["futurePolicy"], 9);
        assert_eq!(back["spec"]["authenticationMode"]["futureAuth"], "y");
        assert_eq!(back["spec"]["displayName"], "Edited");
    }

    #[test]
    fn name_pattern() {
        assert!(is_valid_name("a-b_c.1"));
        assert!(is_valid_name("..a") && is_valid_name("a..b"));
        assert!(!is_valid_name(".") && !is_valid_name(".."));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("Upper"));
        assert!(!is_valid_name("with space"));
        assert!(!is_valid_name("slash/"));
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z]{0,8}".prop_map(Value::from),
            Just(Value::from("READY")),
            Just(Value::from("WRITE")),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("metadata".to_string()),
                        Just("spec".to_string()),
                        Just("name".to_string()),
                        Just("topics".to_string()),
                        Just("status".to_string()),
                        Just("cluster".to_string()),
                        Just("backingTopic".to_string()),
                        Just("permission".to_string()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_answer_parses_or_fails_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = serde_json::from_slice::<Vec<PartnerZone>>(&bytes);
            let _ = serde_json::from_slice::<ApplyResult>(&bytes);
            let _ = crate::api::ApiError::from_status(500, &bytes).to_string();
        }

        #[test]
        fn any_json_shape_parses_or_fails_without_panic(v in json_value()) {
            let text = v.to_string();
            if let Ok(z) = serde_json::from_str::<PartnerZone>(&text) {
                // What parses also serializes back.
                let _ = serde_json::to_string(&z).unwrap();
            }
            let _ = serde_json::from_str::<Vec<KafkaCluster>>(&text);
            let _ = serde_json::from_str::<Vec<Topic>>(&text);
        }
    }

    #[test]
    fn error_body_parses_with_title_only() {
        let e: ErrorBody = serde_json::from_str(r#"{"title":"x"}"#).unwrap();
        assert_eq!(e.title, "x");
        assert_eq!(e.msg, None);
    }
}
