//! The status line's message: what went wrong, and where it came from, so
//! that it is cleared by its origin (the connection recovered, the user
//! went back) and never by matching its text.

/// Where a status message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Loading the zones failed (cleared when a load succeeds).
    Connection,
    /// The configuration: a warning about the config file, a failed
    /// reconnect, no contexts.
    Config,
    /// A change the Console or the key does not allow.
    Refused,
    /// A request the user made (a zone, credentials, a delete).
    Request,
    /// A file (`:apply`, a save) or a copy.
    File,
    /// The `:` command line.
    Command,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub origin: Origin,
    pub text: String,
}

impl Status {
    pub fn new(origin: Origin, text: impl Into<String>) -> Self {
        Status {
            origin,
            text: text.into(),
        }
    }
}

impl super::App {
    /// Shows `text` in the status line, from `origin`.
    pub fn set_status(&mut self, origin: Origin, text: impl Into<String>) {
        self.status = Some(Status::new(origin, text));
    }

    /// Clears the status line if its message came from `origin`.
    pub fn clear_status_from(&mut self, origin: Origin) {
        if self.status.as_ref().is_some_and(|s| s.origin == origin) {
            self.status = None;
        }
    }

    /// The status line's text, if any.
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }
}
