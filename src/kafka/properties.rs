//! A partner's `config.properties`: what `pz check` needs from it (where to
//! connect, how, as whom, with which secret).

use crate::secret::Secret;

/// The client settings read from a properties text.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub bootstrap: Vec<String>,
    pub security_protocol: String,
    pub mechanism: String,
    pub username: String,
    pub password: Secret,
}

impl ClientSettings {
    /// mTLS: no SASL, the client certificate says who the partner is.
    pub fn is_mtls(&self) -> bool {
        self.security_protocol.eq_ignore_ascii_case("SSL")
    }

    pub fn uses_tls(&self) -> bool {
        speaks_tls(&self.security_protocol)
    }
}

/// Whether a `security.protocol` is over TLS (`SSL`, `SASL_SSL`).
pub fn speaks_tls(protocol: &str) -> bool {
    protocol.eq_ignore_ascii_case("SASL_SSL") || protocol.eq_ignore_ascii_case("SSL")
}

/// The value of `key` (Java properties: `key=value` or `key: value`,
/// `#`/`!` comments).
pub fn get<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let line = line.trim_start();
        if line.starts_with('#') || line.starts_with('!') {
            return None;
        }
        let at = line.find(['=', ':'])?;
        (line[..at].trim() == key).then(|| line[at + 1..].trim())
    })
}

/// `name='value'` or `name="value"` inside a JAAS line.
pub fn jaas_option(jaas: &str, name: &str) -> Option<String> {
    let mut rest = jaas;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0
            || rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace());
        let after = rest[at + name.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '\'' || quote == '"' {
                let body = &value[1..];
                let end = body.find(quote)?;
                return Some(body[..end].to_string());
            }
            let end = value.find([' ', ';']).unwrap_or(value.len());
            return Some(value[..end].to_string());
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// Reads the settings a SASL PLAIN client needs; the error names what is
/// missing.
pub fn parse(text: &str) -> Result<ClientSettings, String> {
    let bootstrap: Vec<String> = get(text, "bootstrap.servers")
        .ok_or("no bootstrap.servers")?
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if bootstrap.is_empty() {
        return Err("bootstrap.servers is empty".into());
    }
    let security_protocol = get(text, "security.protocol")
        .unwrap_or("PLAINTEXT")
        .to_string();
    if security_protocol.eq_ignore_ascii_case("SSL") {
        // mTLS: the client certificate is the identity; no SASL.
        return Ok(ClientSettings {
            bootstrap,
            security_protocol,
            mechanism: String::new(),
            username: String::new(),
            password: Secret::default(),
        });
    }
    let mechanism = get(text, "sasl.mechanism").unwrap_or("GSSAPI").to_string();
    if mechanism.eq_ignore_ascii_case("OAUTHBEARER") {
        // The token comes from the partner's identity provider, not the file.
        return Ok(ClientSettings {
            bootstrap,
            security_protocol,
            mechanism,
            username: String::new(),
            password: Secret::default(),
        });
    }
    let jaas = get(text, "sasl.jaas.config").ok_or("no sasl.jaas.config")?;
    let username = jaas_option(jaas, "username").ok_or("sasl.jaas.config has no username")?;
    let password = jaas_option(jaas, "password").ok_or("sasl.jaas.config has no password")?;
    if password.chars().all(|c| c == '*') {
        return Err(
            "the password in sasl.jaas.config is masked: write the file with `pz credentials NAME --properties`"
                .into(),
        );
    }
    Ok(ClientSettings {
        bootstrap,
        security_protocol,
        mechanism,
        username,
        password: Secret::new(password),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_pz_writes() {
        let text = crate::credentials::partner_properties(
            "bootstrap.servers=127.0.0.1:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n",
            "acme",
            &Secret::new("a.b.c"),
        );
        let s = parse(&text).unwrap();
        assert_eq!(s.bootstrap, ["127.0.0.1:9094"]);
        assert_eq!(s.security_protocol, "SASL_PLAINTEXT");
        assert_eq!(s.mechanism, "PLAIN");
        assert_eq!(s.username, "acme");
        assert_eq!(s.password.expose(), "a.b.c");
        assert!(!s.uses_tls());
    }

    #[test]
    fn reads_what_a_partner_may_hold() {
        let text = "# partner copy\nbootstrap.servers: gw1:9094, gw2:9094\nsecurity.protocol = SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required\n";
        assert_eq!(parse(text).unwrap_err(), "sasl.jaas.config has no username");
        let text = format!("{text}sasl.jaas.config=x required username=\"u\" password=\"p;w\";\n");
        // The first sasl.jaas.config wins, as in Java: still no username.
        assert!(parse(&text).is_err());
        let text = "bootstrap.servers: gw1:9094, gw2:9094\nsecurity.protocol = SASL_SSL\nsasl.jaas.config=x required username=\"u\" password=\"p;w\";\n";
        let s = parse(text).unwrap();
        assert_eq!(s.bootstrap, ["gw1:9094", "gw2:9094"]);
        assert!(s.uses_tls());
        assert_eq!(s.username, "u");
        assert_eq!(s.password.expose(), "p;w");
    }

    #[test]
    fn a_masked_or_missing_password_is_named() {
        let masked =
            "bootstrap.servers=h:1\nsasl.jaas.config=x required username='u' password='*****';";
        assert!(parse(masked).unwrap_err().contains("masked"));
        assert_eq!(parse("").unwrap_err(), "no bootstrap.servers");
        assert_eq!(
            parse("bootstrap.servers=h:1").unwrap_err(),
            "no sasl.jaas.config"
        );
    }
}
