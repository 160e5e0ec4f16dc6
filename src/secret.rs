//! A string that must never be printed by accident: API keys and generated
//! credentials. Held in `secrecy`'s `SecretString` (wiped from memory when
//! dropped, never serialized); `Debug` and `Display` are redacted; the value
//! is only reachable through [`Secret::expose`], which makes every use of it
//! easy to find.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The real value. Call this only where the secret is sent, copied or
    /// shown because the user asked for it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }

    /// A fixed-width mask that does not reveal the length.
    pub fn masked(&self) -> &'static str {
        "••••••••••••••••"
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret::new(self.expose())
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret::new("")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

/// Read from a config file (`apiKey:`); there is no `Serialize`: a secret
/// is never written out by serde.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
