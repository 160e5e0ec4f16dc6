//! The Traffic control step: the three optional limits (produce rate,
//! consume rate, commit offsets), typed with units, then the headers to
//! add and remove (`headers`); their keys and checks.

use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

use super::fields::{parse_count, parse_rate};
use super::{Place, Verdict, Wizard, WizardCmd};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    pub enabled: bool,
    pub text: String,
}

/// Each limit's label and hint, in the order of `Wizard::limits`.
pub const LIMITS: [(&str, &str); 3] = [
    ("Max produce rate", "bytes/s, e.g. 1MB/s"),
    ("Max consume rate", "bytes/s, e.g. 5MB/s"),
    ("Commit offsets", "requests per minute, e.g. 30"),
];

/// The rows of the step: the limits, then the header rows.
pub const ROWS: usize = LIMITS.len() + super::headers::ROWS.len();

/// The limit at `i` parsed: rates in bytes/s, the commit limit a count.
fn parse(i: usize, text: &str) -> Result<u64, String> {
    if i == 2 {
        parse_count(text)
    } else {
        parse_rate(text)
    }
}

impl Wizard {
    /// Checks every enabled limit; errors are marked inline.
    pub(super) fn check_limits(&mut self) -> bool {
        let mut ok = self.check_headers();
        for i in 0..self.limits.len() {
            self.errors.remove(&Place::Traffic(i));
            let l = &self.limits[i];
            if !l.enabled {
                continue;
            }
            if let Err(e) = parse(i, &l.text) {
                self.errors.insert(Place::Traffic(i), e);
                ok = false;
            }
        }
        ok
    }

    /// Checks the header rows; errors are marked inline.
    fn check_headers(&mut self) -> bool {
        let add = super::headers::parse_add(&self.header_add).err();
        let remove = super::headers::parse_remove(&self.header_remove).err();
        let mut ok = true;
        for (i, e) in [(LIMITS.len(), add), (LIMITS.len() + 1, remove)] {
            match e {
                Some(e) => {
                    self.errors.insert(Place::Traffic(i), e);
                    ok = false;
                }
                None => {
                    self.errors.remove(&Place::Traffic(i));
                }
            }
        }
        ok
    }

    /// The text of Traffic row `i` (a limit, or a header row).
    pub fn row_text(&self, i: usize) -> &str {
        match i.checked_sub(LIMITS.len()) {
            None => self.limits.get(i).map(|l| l.text.as_str()).unwrap_or(""),
            Some(0) => &self.header_add,
            Some(_) => &self.header_remove,
        }
    }

    /// The value the zone gets for limit `i`: none when off or invalid.
    pub(super) fn limit_value(&self, i: usize) -> Option<serde_json::Value> {
        let l = self.limits.get(i)?;
        if !l.enabled {
            return None;
        }
        parse(i, &l.text).ok().map(serde_json::Value::from)
    }
}

/// A bound key on the Traffic control step.
pub(super) fn command(w: &mut Wizard, cmd: WizardCmd) {
    let i = w.limit_focus;
    // Without headers (Console 1.32) the header rows are not offered.
    let rows = if w.takes_headers() {
        ROWS
    } else {
        LIMITS.len()
    };
    match cmd {
        WizardCmd::Down => w.limit_focus = (i + 1) % rows,
        WizardCmd::Up => w.limit_focus = (i + rows - 1) % rows,
        WizardCmd::Toggle if i < LIMITS.len() => w.limits[i].enabled = !w.limits[i].enabled,
        _ => return,
    }
    w.verdict = Verdict::Unchecked;
    w.check_limits();
}

/// A key typed into the focused limit (which it enables).
pub(super) fn typed(w: &mut Wizard, key: KeyEvent) {
    let i = w.limit_focus;
    let current = w.row_text(i).to_string();
    let input = match &mut w.limit_input {
        Some((at, input)) if *at == i => input,
        slot => {
            *slot = Some((i, crate::app::input::TextInput::new(&current)));
            match slot {
                Some((_, input)) => input,
                None => return,
            }
        }
    };
    if input.input(key) {
        let text = input.text();
        match i.checked_sub(LIMITS.len()) {
            None => {
                w.limits[i].text = text;
                w.limits[i].enabled = true;
            }
            Some(0) => w.header_add = text,
            Some(_) => w.header_remove = text,
        }
        w.verdict = Verdict::Unchecked;
        w.check_limits();
    }
}
