//! What a failed call means for the operator: the kind of trouble, what is
//! wrong in plain words, and the one thing to do next. The console shows it
//! in the list's body and header; the subcommands print it as one line.

use std::time::Duration;

use super::error::ApiError;

/// The kinds of trouble a first contact with a Console meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// 401: a wrong or expired API key.
    KeyRejected,
    /// 403: the key may read but not change.
    ReadOnlyKey,
    /// Connection refused, a name that does not resolve, a timeout.
    Unreachable,
    /// The Console's certificate is not trusted, expired or for another name.
    Tls,
    /// A Console older than 1.32: the Partner Zone path answers 404.
    NoPartnerZones,
    /// Something that is not a Conduktor Console answers at the URL.
    NotAConsole,
    /// Anything else (a 5xx, an answer pz cannot read).
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    pub trouble: Trouble,
    /// What is wrong, naming the URL.
    pub what: String,
    /// The one thing to do next.
    pub fix: String,
}

/// How long pz waits before asking again when nothing will change by
/// itself (a key, a certificate, a Console version): no fast retry loop.
pub const SLOW_RETRY: Duration = Duration::from_secs(60);

/// Where the request went and what it was for, for the diagnosis.
pub struct Context<'a> {
    pub base_url: &'a str,
    /// Where the API key came from (`CDK_API_KEY`, `context prod's apiKeyCommand`).
    pub key_source: &'a str,
    /// Whether the call listed the zones (a 404 then means no Partner Zone API,
    /// not a missing zone).
    pub listing: bool,
}

impl Diagnosis {
    pub fn of(err: &ApiError, cx: &Context) -> Diagnosis {
        let url = cx.base_url;
        let d = |trouble, what: String, fix: &str| Diagnosis {
            trouble,
            what,
            fix: fix.to_string(),
        };
        match err {
            ApiError::Unauthorized(_) => {
                let source = if cx.key_source.is_empty() {
                    "the configuration"
                } else {
                    cx.key_source
                };
                let fix = if source == "CDK_API_KEY" {
                    "set CDK_API_KEY to a valid admin API key (Console → Settings → API Keys) and start pz again".to_string()
                } else {
                    format!(
                        "put a valid admin API key (Console → Settings → API Keys) in {source}, then press r"
                    )
                };
                Diagnosis {
                    trouble: Trouble::KeyRejected,
                    what: format!("The Console at {url} rejected the API key (from {source})"),
                    fix,
                }
            }
            ApiError::Login(reason) => Diagnosis {
                trouble: Trouble::KeyRejected,
                what: format!("The Console at {url} refused the login: {reason}"),
                fix: format!(
                    "check the user and password (from {}) and start pz again",
                    if cx.key_source.is_empty() {
                        "the configuration"
                    } else {
                        cx.key_source
                    }
                ),
            },
            ApiError::Forbidden(_) => d(
                Trouble::ReadOnlyKey,
                format!("The API key can read the Console at {url} but not change it (403)"),
                "use an admin API key to create, edit or delete zones",
            ),
            ApiError::ConnectionRefused { .. } => d(
                Trouble::Unreachable,
                format!("Nothing answers at {url}: connection refused"),
                "check the URL and that the Console is running; pz retries by itself",
            ),
            ApiError::Timeout { secs, .. } => d(
                Trouble::Unreachable,
                format!("The Console at {url} did not answer within {secs}s"),
                "check the URL, a proxy or firewall between here and the Console; pz retries by itself",
            ),
            ApiError::Connect { reason, .. } => connect(url, reason),
            ApiError::NotFound(body) if body.title.is_empty() => not_a_console(url),
            ApiError::NotFound(_) if cx.listing => d(
                Trouble::NoPartnerZones,
                format!(
                    "The Console at {url} has no Partner Zones API (Console 1.32 or later is needed)"
                ),
                "upgrade Conduktor Console to 1.32 or later, or check the URL",
            ),
            ApiError::Malformed(m) if m.contains("HTML page") => not_a_console(url),
            other => d(Trouble::Other, other.to_string(), "press r to retry"),
        }
    }

    /// The diagnosis in one line, for stderr and the status bar.
    pub fn line(&self) -> String {
        format!("{}: {}", self.what, self.fix)
    }

    /// The header's name for the trouble.
    pub fn label(&self) -> &'static str {
        match self.trouble {
            Trouble::KeyRejected => "API key rejected",
            Trouble::ReadOnlyKey => "read-only key",
            Trouble::Unreachable => "Console unreachable",
            Trouble::Tls => "TLS failure",
            Trouble::NoPartnerZones => "no Partner Zones API",
            Trouble::NotAConsole => "not a Console",
            Trouble::Other => "error",
        }
    }

    /// When to ask again: `None` means the usual backoff (1 s, 2 s, … 30 s),
    /// for troubles that go away by themselves.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.trouble {
            Trouble::Unreachable | Trouble::Other => None,
            _ => Some(SLOW_RETRY),
        }
    }
}

fn not_a_console(url: &str) -> Diagnosis {
    Diagnosis {
        trouble: Trouble::NotAConsole,
        what: format!("{url} does not look like a Conduktor Console"),
        fix: "set CDK_BASE_URL (or the context's baseUrl) to the Console's address, e.g. https://console.example.com"
            .into(),
    }
}

/// A connection that failed before HTTP: a certificate, a name, a network.
fn connect(url: &str, reason: &str) -> Diagnosis {
    let r = reason.to_ascii_lowercase();
    let tls = |what: &str| {
        Diagnosis {
        trouble: Trouble::Tls,
        what: format!("The Console at {url} {what}"),
        fix: "point CDK_CACERT=/path/ca.pem (or the context's caCert) at your CA; CDK_INSECURE=true only as a last resort: it is unsafe".into(),
    }
    };
    if r.contains("unknownissuer") || r.contains("unknown issuer") {
        tls("presents a certificate from an unknown certificate authority")
    } else if r.contains("expired") || r.contains("notvalidyet") {
        Diagnosis {
            fix: "renew the Console's certificate (its clock or this machine's may also be wrong)"
                .into(),
            ..tls("presents an expired certificate (or one not valid yet)")
        }
    } else if r.contains("notvalidforname") || r.contains("not valid for name") {
        Diagnosis {
            fix: "use the host name the certificate was made for in CDK_BASE_URL".into(),
            ..tls("presents a certificate made for another host name")
        }
    } else if r.contains("certificate") || r.contains("tls") || r.contains("handshake") {
        tls(&format!("failed the TLS handshake ({reason})"))
    } else if r.contains("dns") || r.contains("lookup") || r.contains("resolve") {
        Diagnosis {
            trouble: Trouble::Unreachable,
            what: format!("The host of {url} cannot be found (DNS)"),
            fix: "check the URL's host name and this machine's DNS; pz retries by itself".into(),
        }
    } else {
        Diagnosis {
            trouble: Trouble::Unreachable,
            what: format!("Cannot reach {url}: {reason}"),
            fix: "check the URL and the network; pz retries by itself".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ErrorBody;

    fn cx() -> Context<'static> {
        Context {
            base_url: "https://console.corp",
            key_source: "CDK_API_KEY",
            listing: true,
        }
    }

    #[test]
    fn each_error_class_gets_its_trouble() {
        let body = ErrorBody::new("The user is not authenticated", "Send a valid key");
        let cases = [
            (ApiError::Unauthorized(body.clone()), Trouble::KeyRejected),
            (ApiError::Forbidden(body.clone()), Trouble::ReadOnlyKey),
            (ApiError::NotFound(body.clone()), Trouble::NoPartnerZones),
            (
                ApiError::NotFound(ErrorBody::default()),
                Trouble::NotAConsole,
            ),
            (
                ApiError::Malformed("x: an HTML page instead of JSON".into()),
                Trouble::NotAConsole,
            ),
            (
                ApiError::ConnectionRefused { url: "u".into() },
                Trouble::Unreachable,
            ),
            (
                ApiError::Timeout {
                    url: "u".into(),
                    secs: 10,
                },
                Trouble::Unreachable,
            ),
            (
                ApiError::Connect {
                    url: "u".into(),
                    reason: "dns error: failed to lookup address information".into(),
                },
                Trouble::Unreachable,
            ),
            (
                ApiError::Connect {
                    url: "u".into(),
                    reason: "invalid peer certificate: UnknownIssuer".into(),
                },
                Trouble::Tls,
            ),
        ];
        for (err, trouble) in cases {
            assert_eq!(Diagnosis::of(&err, &cx()).trouble, trouble, "{err}");
        }
    }

    #[test]
    fn a_missing_zone_is_not_a_missing_api() {
        let err = ApiError::NotFound(ErrorBody::new("No partner-zone", "no zone 'x'"));
        let single = Context {
            listing: false,
            ..cx()
        };
        assert_eq!(Diagnosis::of(&err, &single).trouble, Trouble::Other);
    }

    #[test]
    fn the_key_rejection_names_the_url_and_where_the_key_came_from() {
        let err = ApiError::Unauthorized(ErrorBody::default());
        let d = Diagnosis::of(&err, &cx());
        assert!(
            d.line()
                .contains("https://console.corp rejected the API key")
        );
        assert!(d.line().contains("CDK_API_KEY"));
        assert_eq!(d.retry_after(), Some(SLOW_RETRY));
    }

    #[test]
    fn tls_failures_are_told_apart() {
        let tls = |reason: &str| {
            Diagnosis::of(
                &ApiError::Connect {
                    url: "u".into(),
                    reason: reason.into(),
                },
                &cx(),
            )
        };
        assert!(
            tls("invalid peer certificate: UnknownIssuer")
                .what
                .contains("unknown certificate authority")
        );
        assert!(
            tls("invalid peer certificate: certificate expired: verification time")
                .what
                .contains("expired")
        );
        assert!(
            tls("invalid peer certificate: certificate not valid for name \"x\"")
                .what
                .contains("another host name")
        );
        assert!(
            tls("invalid peer certificate: UnknownIssuer")
                .fix
                .contains("CDK_CACERT")
        );
    }
}
