//! The fields a struct of the contract does not know, kept so a
//! read-modify-write never drops what a newer Console added.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The fields a struct does not know, kept for the round trip. Nearly
/// always empty, so it costs one pointer until something is in it (a
/// `Map` is 72 bytes, seven per zone, which 100,000 zones pay in full).
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Map<String, Value>>>);

impl Extra {
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|m| m.is_empty())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.as_ref()?.get(key)
    }

    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.0.get_or_insert_default().insert(key, value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().flat_map(|m| m.iter())
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Extra((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl std::ops::Index<&str> for Extra {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

/// Empty and absent are the same.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Extra::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_costs_no_allocation_and_equals_absent() {
        let absent = Extra::default();
        let empty: Extra = serde_json::from_value(json!({})).unwrap();
        assert!(
            empty.0.is_none(),
            "an empty object is kept as no map at all"
        );
        assert_eq!(absent, empty);
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        assert_eq!(absent["anything"], Value::Null);
    }

    #[test]
    fn unknown_fields_round_trip() {
        let text = r#"{"zeta":1,"alpha":{"nested":[true,null]}}"#;
        let extra: Extra = serde_json::from_str(text).unwrap();
        assert_eq!(extra["alpha"]["nested"][0], json!(true));
        let back = serde_json::to_value(&extra).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
        let mut other = Extra::default();
        other.insert("zeta".into(), json!(1));
        assert_ne!(extra, other);
        other.insert("alpha".into(), json!({"nested": [true, null]}));
        assert_eq!(extra, other);
    }
}
