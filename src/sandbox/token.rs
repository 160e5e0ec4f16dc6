//! The secrets the sandbox issues: JWT-shaped (`header.claims.signature`),
//! signed with HMAC-SHA256 under a key of the sandbox's own. The sandbox
//! never stores a secret; its Kafka listener checks a password by its
//! signature, its claims and its expiry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ring::hmac;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The sandbox's signing key. Kept in the state file (0600) so secrets stay
/// valid across restarts; redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(Vec<u8>);

impl SigningKey {
    pub fn random() -> Self {
        SigningKey(rand::random::<[u8; 32]>().to_vec())
    }

    fn key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }

    /// A key of its own for `purpose` (the OAuth tokens), so that a token of
    /// one kind never passes for another (a PLAIN secret as a bearer token).
    pub fn derive(&self, purpose: &str) -> SigningKey {
        SigningKey(
            hmac::sign(&self.key(), purpose.as_bytes())
                .as_ref()
                .to_vec(),
        )
    }
}

impl Default for SigningKey {
    fn default() -> Self {
        SigningKey::random()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(redacted)")
    }
}

impl Serialize for SigningKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for SigningKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(serde::de::Error::custom)?;
        if bytes.len() < 16 {
            return Err(serde::de::Error::custom("signing key is too short"));
        }
        Ok(SigningKey(bytes))
    }
}

/// What a secret says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The service account.
    pub sub: String,
    pub zone: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

impl Claims {
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }
}

const HEADER: &[u8] = br#"{"alg":"HS256","typ":"JWT"}"#;

/// The signed secret for `claims`.
pub fn sign(key: &SigningKey, claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    // A struct of strings and integers always serializes.
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signed = format!("{header}.{payload}");
    let tag = hmac::sign(&key.key(), signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Why a password is not a secret of this sandbox.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("the password is not a secret issued by this Gateway")]
    Malformed,
    #[error("the secret's signature does not match (wrong or altered secret)")]
    Signature,
}

/// The claims of `secret` if this key signed it (expiry is the caller's
/// business: it needs the time).
pub fn verify(key: &SigningKey, secret: &str) -> Result<Claims, Invalid> {
    let (signed, tag) = secret.rsplit_once('.').ok_or(Invalid::Malformed)?;
    let (_, payload) = signed.split_once('.').ok_or(Invalid::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| Invalid::Malformed)?;
    hmac::verify(&key.key(), signed.as_bytes(), &tag).map_err(|_| Invalid::Signature)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Invalid::Malformed)?;
    serde_json::from_slice(&payload).map_err(|_| Invalid::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "acme".into(),
            zone: "acme-zone".into(),
            iat: 1,
            exp: 2,
            jti: "j".into(),
        }
    }

    #[test]
    fn a_signed_secret_verifies_and_keeps_its_claims() {
        let key = SigningKey::random();
        let secret = sign(&key, &claims());
        assert_eq!(secret.split('.').count(), 3);
        assert_eq!(verify(&key, &secret), Ok(claims()));
    }

    #[test]
    fn another_key_or_an_altered_secret_is_refused() {
        let key = SigningKey::random();
        let secret = sign(&key, &claims());
        assert_eq!(
            verify(&SigningKey::random(), &secret),
            Err(Invalid::Signature)
        );
        // Claims changed, signature kept: a partner cannot extend its expiry.
        let mut forged = claims();
        forged.exp = i64::MAX;
        let other = sign(&key, &forged);
        let forged_part = other.split('.').nth(1).unwrap();
        let mut parts: Vec<&str> = secret.split('.').collect();
        parts[1] = forged_part;
        let spliced = parts.join(".");
        assert_eq!(verify(&key, &spliced), Err(Invalid::Signature));
        for junk in ["", "a", "a.b", "a.b.c", "...", "x.y.!!!"] {
            assert!(verify(&key, junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn the_key_round_trips_and_never_prints() {
        let key = SigningKey::random();
        let json = serde_json::to_string(&key).unwrap();
        let back: SigningKey = serde_json::from_str(&json).unwrap();
        assert_eq!(back, key);
        assert_eq!(format!("{key:?}"), "SigningKey(redacted)");
        assert!(serde_json::from_str::<SigningKey>("\"c2hvcnQ\"").is_err());
    }
}
