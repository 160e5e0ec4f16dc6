//! Label selectors as kubectl takes them (`-l key=value,key!=value`):
//! comma-separated requirements, all of which must hold: `key=value` (or
//! `key==value`), `key!=value` (true when the label is absent too), `key`
//! (the label exists) and `!key` (it does not).

use super::types::Labels;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Absent(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!("{text:?}: an empty requirement (two commas?)"));
            }
            let req = if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(key(k, text)?, v.trim().to_string())
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(key(k, text)?, v.trim().to_string())
            } else if let Some(k) = part.strip_prefix('!') {
                Requirement::Absent(key(k, text)?)
            } else if part.contains([' ', '(', ')']) {
                return Err(format!(
                    "{part:?}: pz takes key=value, key!=value, key and !key (not set-based selectors)"
                ));
            } else {
                Requirement::Exists(key(part, text)?)
            };
            out.push(req);
        }
        Ok(Selector(out))
    }

    /// No requirement: every zone matches.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_by(|key| labels.get(key))
    }

    /// Whether labels that `get` looks up (a key's value, if it has one)
    /// meet every requirement.
    pub fn matches_by<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::Absent(k) => get(k).is_none(),
        })
    }
}

fn key(k: &str, whole: &str) -> Result<String, String> {
    let k = k.trim();
    if k.is_empty() || k.contains(['=', '!', ' ']) {
        Err(format!("{whole:?}: a requirement needs a label key"))
    } else {
        Ok(k.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn requirements_all_hold() {
        let l = labels(&[("env", "prod"), ("team", "data")]);
        let yes = |s: &str| Selector::parse(s).unwrap().matches(&l);
        assert!(yes("env=prod"));
        assert!(yes("env==prod"));
        assert!(yes("env=prod,team!=web"));
        assert!(!yes("env=prod,team!=data"));
        assert!(yes("team"));
        assert!(!yes("owner"));
        assert!(yes("!owner"));
        assert!(yes("owner!=me"), "absent is not equal");
        assert!(!yes("env=staging"));
        assert!(yes(" env = prod "));
    }

    #[test]
    fn bad_selectors_say_why() {
        assert!(Selector::parse("a=b,,c").unwrap_err().contains("empty"));
        assert!(Selector::parse("=b").unwrap_err().contains("label key"));
        assert!(Selector::parse("env in (a,b)").is_err());
    }
}
