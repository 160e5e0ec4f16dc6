//! The zone list as the console keeps it: of each zone only what the list
//! shows, sorts, filters and counts, every text of every zone in one
//! buffer. A full [`PartnerZone`] is about 1,000 bytes in memory (its
//! struct, its topics, its longer strings each in an allocation of their
//! own); a row is its texts' bytes and 56 more, so 100,000 zones fit in a
//! quarter of the memory. What an action needs beyond a row (the topics,
//! the partner's role, the traffic limits) it fetches with the zone
//! itself (`App::zone_for`).
//!
//! Read straight from the list's answer: strings are borrowed from the
//! body where they have no escapes, and what the list does not need
//! (topics beyond their count, descriptions, policies) is skipped, not
//! built.

use std::borrow::Cow;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::labels::Labels;
use super::types::{PartnerZone, ZoneStatus};

/// A text of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Name,
    Id,
    Status,
    UpdatedAt,
    FailedReason,
    DisplayName,
    Url,
    Cluster,
    PartnerName,
    PartnerEmail,
    AuthMode,
    /// `key US value RS` for each label, in key order.
    Labels,
}

const FIELDS: usize = 12;
/// Between a label's key and its value.
const UNIT: char = '\u{1f}';
/// After each label.
const RECORD: char = '\u{1e}';

/// One zone's place in the buffer: where each text ends (it starts where
/// the one before it ended), which of them the zone has, its topic count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    ends: [u32; FIELDS],
    present: u16,
    topics: u32,
}

/// The zones of a list, in the order they came.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoneRows {
    text: String,
    slots: Vec<Slot>,
}

/// One zone of [`ZoneRows`].
#[derive(Clone, Copy)]
pub struct ZoneRow<'a> {
    rows: &'a ZoneRows,
    slot: usize,
}

/// A row's texts before they are stored (borrowed from a zone or from the
/// answer being read).
#[derive(Default)]
struct Texts<'a> {
    values: [Option<&'a str>; FIELDS],
    topics: usize,
}

impl<'a> Texts<'a> {
    fn set(&mut self, field: Field, value: Option<&'a str>) {
        self.values[field as usize] = value;
    }
}

impl ZoneRows {
    pub fn new() -> ZoneRows {
        ZoneRows::default()
    }

    /// A digest of a list's answer, to tell the next one is the same
    /// before reading it: foldhash's quality hash with a fixed seed (the
    /// same bytes, the same digest), several times quicker than SipHash.
    pub fn digest(answer: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::with_seed(0x7a6f_6e65).hash_one(answer)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, slot: usize) -> Option<ZoneRow<'_>> {
        (slot < self.slots.len()).then_some(ZoneRow { rows: self, slot })
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = ZoneRow<'_>> + '_ {
        (0..self.slots.len()).map(|slot| ZoneRow { rows: self, slot })
    }

    /// The zone called `name`.
    pub fn find(&self, name: &str) -> Option<ZoneRow<'_>> {
        self.iter().find(|z| z.name() == name)
    }

    /// The same rows less the zone called `name`.
    pub fn without(&self, name: &str) -> ZoneRows {
        let mut out = ZoneRows::new();
        for z in self.iter().filter(|z| z.name() != name) {
            out.push_row(z);
        }
        out.shrink_to_fit();
        out
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.slots.shrink_to_fit();
    }

    fn push(&mut self, texts: &Texts<'_>) {
        let mut slot = Slot {
            topics: u32::try_from(texts.topics).unwrap_or(u32::MAX),
            ..Slot::default()
        };
        for (i, value) in texts.values.iter().enumerate() {
            if let Some(v) = value {
                slot.present |= 1 << i;
                self.text.push_str(v);
            }
            // The answer is bounded (api::client::MAX_BODY_BYTES), far
            // below 4 GiB.
            slot.ends[i] = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        }
        self.slots.push(slot);
    }

    fn push_row(&mut self, z: ZoneRow<'_>) {
        let mut texts = Texts {
            topics: z.topics(),
            ..Texts::default()
        };
        for (i, value) in texts.values.iter_mut().enumerate() {
            *value = z.text(i);
        }
        self.push(&texts);
    }
}

/// Labels as one text; a separator inside a key or a value (which no
/// Console accepts, but an answer could carry) reads as U+FFFD.
fn encode_labels<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in labels {
        for (part, end) in [(k, UNIT), (v, RECORD)] {
            if part.contains([UNIT, RECORD]) {
                out.push_str(&part.replace([UNIT, RECORD], "\u{fffd}"));
            } else {
                out.push_str(part);
            }
            out.push(end);
        }
    }
    out
}

/// The rows of zones at hand (the demo, tests): read from the zones' own
/// JSON, as the list reads a Console's answer (one way to make a row).
impl From<&[PartnerZone]> for ZoneRows {
    fn from(zones: &[PartnerZone]) -> Self {
        serde_json::to_vec(zones)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .unwrap_or_default()
    }
}

impl From<Vec<PartnerZone>> for ZoneRows {
    fn from(zones: Vec<PartnerZone>) -> Self {
        ZoneRows::from(zones.as_slice())
    }
}

impl<'a> ZoneRow<'a> {
    fn slot(&self) -> &'a Slot {
        &self.rows.slots[self.slot]
    }

    fn text(&self, field: usize) -> Option<&'a str> {
        let slot = self.slot();
        if slot.present & (1 << field) == 0 {
            return None;
        }
        let start = match (field, self.slot) {
            (0, 0) => 0,
            (0, s) => self.rows.slots[s - 1].ends[FIELDS - 1],
            (f, _) => slot.ends[f - 1],
        };
        self.rows
            .text
            .get(start as usize..slot.ends[field] as usize)
    }

    fn field(&self, field: Field) -> Option<&'a str> {
        self.text(field as usize)
    }

    pub fn name(&self) -> &'a str {
        self.field(Field::Name).unwrap_or_default()
    }

    pub fn id(&self) -> Option<&'a str> {
        self.field(Field::Id)
    }

    pub fn status(&self) -> Option<ZoneStatus> {
        self.field(Field::Status)
            .map(|s| ZoneStatus::from(compact_str::CompactString::from(s)))
    }

    pub fn updated_at(&self) -> Option<&'a str> {
        self.field(Field::UpdatedAt)
    }

    pub fn failed_reason(&self) -> Option<&'a str> {
        self.field(Field::FailedReason)
    }

    pub fn display_name(&self) -> Option<&'a str> {
        self.field(Field::DisplayName)
    }

    pub fn url(&self) -> Option<&'a str> {
        self.field(Field::Url)
    }

    pub fn cluster(&self) -> &'a str {
        self.field(Field::Cluster).unwrap_or_default()
    }

    /// The partner's name, when the zone names a partner.
    pub fn partner_name(&self) -> Option<&'a str> {
        self.field(Field::PartnerName)
    }

    pub fn partner_email(&self) -> Option<&'a str> {
        self.field(Field::PartnerEmail)
    }

    /// `authenticationMode.type`; `None` in the 1.32 shape.
    pub fn auth_mode(&self) -> Option<&'a str> {
        self.field(Field::AuthMode)
    }

    pub fn topics(&self) -> usize {
        self.slot().topics as usize
    }

    /// The labels in key order.
    pub fn labels(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.field(Field::Labels)
            .unwrap_or_default()
            .split_terminator(RECORD)
            .map(|pair| pair.split_once(UNIT).unwrap_or((pair, "")))
    }

    pub fn label(&self, key: &str) -> Option<&'a str> {
        self.labels().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn has_labels(&self) -> bool {
        self.field(Field::Labels).is_some_and(|l| !l.is_empty())
    }
}

impl std::fmt::Debug for ZoneRow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneRow")
            .field("name", &self.name())
            .field("status", &self.field(Field::Status))
            .finish_non_exhaustive()
    }
}

// ---- reading a list's answer ----

/// A string of the answer: borrowed unless it had escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

impl Default for Text<'_> {
    fn default() -> Self {
        Text(Cow::Borrowed(""))
    }
}

fn text<'a>(t: &'a Option<Text<'_>>) -> Option<&'a str> {
    t.as_ref().map(|t| t.0.as_ref())
}

#[derive(Deserialize)]
struct WireZone<'a> {
    #[serde(borrow)]
    metadata: WireMeta<'a>,
    #[serde(borrow)]
    spec: WireSpec<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMeta<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(default)]
    labels: Labels,
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    updated_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    failed_reason: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSpec<'a> {
    #[serde(borrow, default)]
    cluster: Text<'a>,
    #[serde(borrow, default)]
    display_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    url: Option<Text<'a>>,
    #[serde(default, deserialize_with = "count")]
    topics: usize,
    #[serde(borrow, default)]
    partner: Option<WirePartner<'a>>,
    #[serde(borrow, default)]
    authentication_mode: Option<WireAuth<'a>>,
}

#[derive(Deserialize)]
struct WirePartner<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    email: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct WireAuth<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Text<'a>,
}

/// The length of a list, its items skipped.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = usize;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
    }
    d.deserialize_seq(V)
}

impl ZoneRows {
    fn push_wire(&mut self, z: &WireZone<'_>) {
        let labels = encode_labels(z.metadata.labels.iter());
        let (m, s) = (&z.metadata, &z.spec);
        let mut t = Texts {
            topics: s.topics,
            ..Texts::default()
        };
        t.set(Field::Name, Some(&m.name.0));
        t.set(Field::Id, text(&m.id));
        t.set(Field::Status, text(&m.status));
        t.set(Field::UpdatedAt, text(&m.updated_at));
        t.set(Field::FailedReason, text(&m.failed_reason));
        t.set(Field::DisplayName, text(&s.display_name));
        t.set(Field::Url, text(&s.url));
        t.set(Field::Cluster, Some(&s.cluster.0));
        t.set(
            Field::PartnerName,
            s.partner.as_ref().map(|p| p.name.0.as_ref()),
        );
        t.set(
            Field::PartnerEmail,
            s.partner.as_ref().and_then(|p| text(&p.email)),
        );
        t.set(
            Field::AuthMode,
            s.authentication_mode.as_ref().map(|a| a.kind.0.as_ref()),
        );
        t.set(Field::Labels, Some(&labels));
        self.push(&t);
    }
}

impl<'de> Deserialize<'de> for ZoneRows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ZoneRows;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of zones")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ZoneRows, A::Error> {
                let mut rows = ZoneRows::new();
                while let Some(z) = seq.next_element::<WireZone<'de>>()? {
                    rows.push_wire(&z);
                }
                rows.shrink_to_fit();
                Ok(rows)
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"[
      {"apiVersion":"v2","kind":"PartnerZone",
       "metadata":{"name":"a","labels":{"tier":"gold","env":"prod"},"id":"1","updatedAt":"2026-01-01T00:00:00Z","status":"READY","newField":{"x":[1,2]}},
       "spec":{"cluster":"gw","displayName":"A \u00e9","url":"https://a","authenticationMode":{"type":"MTLS","serviceAccount":"CN=a"},
               "topics":[{"name":"t","backingTopic":"b","permission":"READ"},{"name":"u","backingTopic":"c"}],
               "partner":{"name":"Ada","email":"ada@x","role":"r"},"trafficControlPolicies":{"maxProduceRate":1}}},
      {"metadata":{"name":"b","status":"SOMETHING-NEW"},"spec":{"cluster":""}}
    ]"#;

    #[test]
    fn rows_read_what_the_list_needs_and_skip_the_rest() {
        let rows: ZoneRows = serde_json::from_str(LIST).unwrap();
        assert_eq!(rows.len(), 2);
        let a = rows.get(0).unwrap();
        assert_eq!(a.name(), "a");
        assert_eq!(a.id(), Some("1"));
        assert_eq!(a.status(), Some(ZoneStatus::Ready));
        assert_eq!(a.updated_at(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(a.display_name(), Some("A é"), "an escaped string is read");
        assert_eq!(a.url(), Some("https://a"));
        assert_eq!(a.cluster(), "gw");
        assert_eq!(a.topics(), 2);
        assert_eq!(a.partner_name(), Some("Ada"));
        assert_eq!(a.partner_email(), Some("ada@x"));
        assert_eq!(a.auth_mode(), Some("MTLS"));
        assert_eq!(
            a.labels().collect::<Vec<_>>(),
            [("env", "prod"), ("tier", "gold")],
            "in key order"
        );
        assert_eq!(a.label("tier"), Some("gold"));
        let b = rows.get(1).unwrap();
        assert_eq!(b.name(), "b");
        assert_eq!(b.status(), Some(ZoneStatus::Other("SOMETHING-NEW".into())));
        assert_eq!((b.id(), b.url(), b.partner_name()), (None, None, None));
        assert_eq!((b.topics(), b.labels().count()), (0, 0));
        assert!(!b.has_labels() && a.has_labels());
        assert!(rows.get(2).is_none());
    }

    #[test]
    fn rows_of_zones_are_the_rows_of_their_json() {
        let zones: Vec<PartnerZone> = serde_json::from_str(LIST).unwrap();
        let of_zones = ZoneRows::from(zones.as_slice());
        let of_json: ZoneRows = serde_json::from_str(LIST).unwrap();
        assert_eq!(of_zones, of_json);
    }

    #[test]
    fn a_row_without_a_zone_and_a_hostile_label() {
        let rows: ZoneRows = serde_json::from_str(LIST).unwrap();
        let less = rows.without("a");
        assert_eq!(less.iter().map(|z| z.name()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(less.get(0).unwrap().status(), rows.get(1).unwrap().status());
        let hostile: ZoneRows = serde_json::from_str(
            r#"[{"metadata":{"name":"h","labels":{"k\u001fx":"v\u001e"}},"spec":{}}]"#,
        )
        .unwrap();
        let h = hostile.get(0).unwrap();
        assert_eq!(
            h.labels().collect::<Vec<_>>(),
            [("k\u{fffd}x", "v\u{fffd}")]
        );
    }

    #[test]
    fn what_the_full_parse_refuses_the_rows_refuse() {
        for bad in [
            r#"{"a":1}"#,
            r#"[{"spec":{}}]"#,
            r#"[{"metadata":{"name":1},"spec":{}}]"#,
            r#"[{"metadata":{"name":"a"}}]"#,
            r#"[{"metadata":{"name":"a","labels":{"k":1}},"spec":{}}]"#,
            r#"[{"metadata":{"name":"a"},"spec":{"topics":{}}}]"#,
        ] {
            assert!(serde_json::from_str::<ZoneRows>(bad).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<Vec<PartnerZone>>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_row_is_small() {
        assert!(std::mem::size_of::<Slot>() <= 56);
    }
}
