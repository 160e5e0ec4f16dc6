//! The wizard's draft: a small, versioned document of what the user typed
//! (details, the Gateway, topics with aliases and permissions, limits, the
//! zone being edited), saved so that a dropped session can resume it. What
//! is derived (errors, the server's verdict, scroll and focus) is not in it:
//! it is recomputed on load. A draft that cannot be read, or comes from
//! another version, is moved aside (kept, 0600) and reported once (the file
//! work is `effects::{save_draft, load_draft}`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::details::Field;
use super::topics::Chosen;
use super::traffic::Limit;
use super::{Step, Wizard};
use crate::api::PartnerZone;

/// The version of the draft document written now.
pub const VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub version: u32,
    pub step: Step,
    pub details: BTreeMap<Field, String>,
    #[serde(default)]
    pub id_edited: bool,
    #[serde(default)]
    pub account_edited: bool,
    #[serde(default)]
    pub gateway: String,
    #[serde(default)]
    pub topics: Vec<Chosen>,
    #[serde(default)]
    pub limits: Vec<Limit>,
    /// The Traffic step's header rows, as typed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header_add: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header_remove: String,
    /// The zone being edited, as the server had it (keeps unknown fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<PartnerZone>,
    /// A zone loaded by `:apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_file: Option<PartnerZone>,
}

impl Wizard {
    /// What the user typed, as a document.
    pub fn draft(&self) -> Draft {
        Draft {
            version: VERSION,
            step: self.step,
            details: self.values.clone(),
            id_edited: self.id_edited,
            account_edited: self.account_edited,
            gateway: self.cluster.clone(),
            topics: self.chosen.clone(),
            limits: self.limits.clone(),
            header_add: self.header_add.clone(),
            header_remove: self.header_remove.clone(),
            original: self.original.clone(),
            from_file: self.from_file.clone(),
        }
    }

    /// The wizard resumed from `d`, its derived state recomputed.
    pub fn from_draft(d: Draft) -> Wizard {
        let mut w = Wizard::new();
        w.step = d.step;
        w.values = d.details;
        w.id_edited = d.id_edited;
        w.account_edited = d.account_edited;
        w.cluster = d.gateway;
        w.chosen = d.topics;
        for (slot, l) in w.limits.iter_mut().zip(d.limits) {
            *slot = l;
        }
        w.header_add = d.header_add;
        w.header_remove = d.header_remove;
        w.original = d.original;
        w.from_file = d.from_file;
        // Errors of what was typed show again; the verdict is asked anew.
        let typed: Vec<Field> = w
            .values
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(f, _)| *f)
            .collect();
        for f in typed {
            w.mark(f);
        }
        w.check_limits();
        w
    }
}

/// Why a draft was not resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub kept_at: PathBuf,
    pub why: String,
}

impl SetAside {
    /// The one line the console shows.
    pub fn message(&self) -> String {
        format!(
            "A saved draft could not be resumed ({}); it is kept at {}",
            self.why,
            self.kept_at.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::wizard::Place;
    use crate::effects::{load_draft as load, save_draft as save};

    #[test]
    fn a_draft_holds_what_was_typed_and_round_trips() {
        let mut w = crate::demo::wizard(Step::Traffic);
        w.limits[0] = Limit {
            enabled: true,
            text: "1MB/s".into(),
        };
        w.limits[2] = Limit {
            enabled: true,
            text: "lots".into(),
        };
        w.check_limits();
        assert!(w.errors.contains_key(&Place::Traffic(2)));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        save(&path, &w).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 2"), "{text}");
        assert!(
            !text.contains("errors") && !text.contains("verdict"),
            "{text}"
        );
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.draft(), w.draft());
        // The invalid limit's error is recomputed, not stored.
        assert!(back.errors.contains_key(&Place::Traffic(2)));
        assert!(!back.errors.contains_key(&Place::Traffic(0)));
    }

    #[test]
    fn every_limit_saves_with_valid_and_invalid_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        for i in 0..3 {
            for text in ["1MB/s", "30", "", "x", "-5", "1.5"] {
                let mut w = crate::demo::wizard(Step::Traffic);
                w.limits[i] = Limit {
                    enabled: true,
                    text: text.into(),
                };
                w.check_limits();
                save(&path, &w).unwrap_or_else(|e| panic!("limit {i} {text:?}: {e}"));
                assert_eq!(load(&path).unwrap().unwrap().limits, w.limits);
            }
        }
    }

    #[test]
    fn an_unreadable_or_old_draft_is_moved_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        for (text, why) in [
            ("{not json", "not JSON"),
            ("{\"values\": {}}", "older pz"),
            ("{\"version\": 9}", "draft version 9"),
            ("{\"version\": 2, \"step\": 7}", "unreadable"),
        ] {
            std::fs::write(&path, text).unwrap();
            let set = load(&path).unwrap_err();
            assert!(set.why.contains(why), "{text}: {}", set.why);
            assert!(!path.exists());
            assert_eq!(std::fs::read_to_string(&set.kept_at).unwrap(), text);
            assert!(set.message().contains("kept at"));
            std::fs::remove_file(&set.kept_at).unwrap();
        }
        assert_eq!(load(&path), Ok(None));
    }
}
