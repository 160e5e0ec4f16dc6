//! The Review step: the YAML of a new zone or the diff of an edit, the
//! server's dry-run verdict, and `enter` to apply.

use serde::{Deserialize, Serialize};

use super::{Field, Place, Wizard, WizardCmd};
use crate::api::{ApiError, ApplyResult, UpsertResult};
use crate::app::Effect;

/// What the server said of the zone in a dry run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Unchecked,
    Checking,
    Valid(UpsertResult),
    Invalid(String),
}

impl Wizard {
    /// The review text: the YAML of a new zone, or a diff for an update.
    pub fn review_lines(&self) -> Vec<(char, String)> {
        let new = crate::api::yaml::zone_to_yaml(&self.to_zone());
        let Some(original) = &self.original else {
            return new.lines().map(|l| (' ', l.to_string())).collect();
        };
        let old = crate::api::yaml::zone_to_yaml(original);
        let diff = similar::TextDiff::from_lines(&old, &new);
        diff.iter_all_changes()
            .map(|c| {
                let sign = match c.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                (sign, c.value().trim_end_matches('\n').to_string())
            })
            .collect()
    }

    /// The dry run answered.
    pub(super) fn checked(&mut self, result: Result<ApplyResult, ApiError>) {
        self.verdict = match result {
            Ok(r) => Verdict::Valid(r.upsert_result),
            Err(e) => {
                let text = e.to_string();
                self.place_server_error(&text);
                Verdict::Invalid(text)
            }
        };
    }

    /// Attaches a server error to the place it concerns, where it says.
    pub(super) fn place_server_error(&mut self, msg: &str) {
        let place = if msg.contains("metadata.name") {
            Some(Place::Field(Field::Id))
        } else if msg.contains("spec.cluster") {
            Some(Place::Field(Field::Gateway))
        } else if msg.contains("ervice account") || msg.contains("serviceAccount") {
            Some(Place::Field(Field::Account))
        } else if msg.contains("spec.topics") {
            Some(Place::Topics)
        } else if msg.contains("maxProduceRate") {
            Some(Place::Traffic(0))
        } else if msg.contains("maxConsumeRate") {
            Some(Place::Traffic(1))
        } else if msg.contains("limitCommitOffset") {
            Some(Place::Traffic(2))
        } else if msg.contains("spec.partner") {
            Some(Place::Field(Field::PartnerName))
        } else {
            None
        };
        if let Some(p) = place {
            self.errors.insert(p, msg.to_string());
        }
    }
}

/// A bound key on the Review step: scroll, and `enter` to check or apply.
pub(super) fn command(w: &mut Wizard, cmd: WizardCmd, fx: &mut Vec<Effect>) {
    match cmd {
        WizardCmd::Up => w.review_scroll = w.review_scroll.saturating_sub(1),
        WizardCmd::Down => w.review_scroll = w.review_scroll.saturating_add(1).min(200),
        WizardCmd::PageUp => w.review_scroll = w.review_scroll.saturating_sub(10),
        WizardCmd::PageDown => w.review_scroll = w.review_scroll.saturating_add(10).min(200),
        WizardCmd::Enter => match w.verdict {
            Verdict::Valid(_) => {
                w.submitting = true;
                fx.push(Effect::Apply(Box::new(w.to_zone())));
            }
            Verdict::Checking => {}
            _ => {
                w.verdict = Verdict::Checking;
                fx.push(Effect::DryRun(Box::new(w.to_zone())));
            }
        },
        _ => {}
    }
}
