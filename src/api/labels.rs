//! `metadata.labels`: a few `key: value` pairs, kept as a sorted list.
//!
//! A zone has two or three labels; a `BTreeMap` holds them in a node of
//! eleven slots (about 540 bytes), a sorted `Vec` in 48 bytes each, and a
//! lookup among three is as quick either way.

use compact_str::CompactString;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<(CompactString, CompactString)>);

impl Labels {
    pub fn new() -> Self {
        Labels(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Sets `key`, giving back the value it had.
    pub fn insert(
        &mut self,
        key: impl Into<CompactString>,
        value: impl Into<CompactString>,
    ) -> Option<CompactString> {
        let (key, value) = (key.into(), value.into());
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    pub fn remove(&mut self, key: &str) -> Option<CompactString> {
        self.position(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// In key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.into_iter()
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

/// Labels as `key=value` joined by `sep` (`,` in tables, `, ` to edit).
pub fn labels_text<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>, sep: &str) -> String {
    labels
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(sep)
}

impl<K: Into<CompactString>, V: Into<CompactString>> FromIterator<(K, V)> for Labels {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut labels = Labels::new();
        for (k, v) in pairs {
            labels.insert(k, v);
        }
        labels.0.shrink_to_fit();
        labels
    }
}

type Pair<'a> = (&'a str, &'a str);

impl<'a> IntoIterator for &'a Labels {
    type Item = Pair<'a>;
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (CompactString, CompactString)>,
        fn(&'a (CompactString, CompactString)) -> Pair<'a>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl std::ops::Index<&str> for Labels {
    type Output = str;
    /// Panics when `key` is absent, as a map's index does.
    fn index(&self, key: &str) -> &str {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no label {key:?}"),
        }
    }
}

impl std::fmt::Debug for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Labels;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of label keys to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
                let mut labels = Labels::new();
                // A key given twice keeps its last value, as a map does.
                while let Some((k, v)) = map.next_entry::<CompactString, CompactString>()? {
                    labels.insert(k, v);
                }
                labels.0.shrink_to_fit();
                Ok(labels)
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Whatever is inserted and removed, the labels answer as a
        /// `BTreeMap` would, and their JSON is the map's.
        #[test]
        fn behaves_as_a_map(ops in proptest::collection::vec(("[a-d]", "[x-z]{0,2}", any::<bool>()), 0..40)) {
            let mut labels = Labels::new();
            let mut map = BTreeMap::new();
            for (k, v, remove) in ops {
                if remove {
                    prop_assert_eq!(labels.remove(&k).map(String::from), map.remove(&k));
                } else {
                    prop_assert_eq!(labels.insert(k.clone(), v.clone()).map(String::from), map.insert(k, v));
                }
            }
            prop_assert_eq!(labels.len(), map.len());
            prop_assert!(labels.iter().eq(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
            let json = serde_json::to_string(&labels).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&map).unwrap());
            prop_assert_eq!(serde_json::from_str::<Labels>(&json).unwrap(), labels);
        }
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value_and_a_number_is_refused() {
        let labels: Labels = serde_json::from_str(r#"{"b":"1","a":"2","b":"3"}"#).unwrap();
        assert_eq!(labels.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(&labels["b"], "3");
        assert!(serde_json::from_str::<Labels>(r#"{"a":1}"#).is_err());
    }
}
