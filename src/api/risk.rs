//! What a connection exposes the admin API key to (plain HTTP to another
//! machine, TLS not verified), and which redirects keep it with its Console.

/// What a connection exposes the admin API key to; shown for as long as it
/// lasts (a warning on stderr, a marker in the console's header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// `http://` to a host that is not this machine: the key crosses the
    /// network unencrypted.
    Plaintext,
    /// `CDK_INSECURE=true`: anyone in the middle can pose as the Console.
    Unverified,
}

impl Risk {
    /// The header's marker.
    pub fn marker(self) -> &'static str {
        match self {
            Risk::Plaintext => "UNENCRYPTED",
            Risk::Unverified => "TLS NOT VERIFIED",
        }
    }

    /// The warning line for the subcommands.
    pub fn warning(self) -> &'static str {
        match self {
            Risk::Plaintext => {
                "the Console URL is http:// to another machine: the admin API key crosses the network unencrypted (use https://)"
            }
            Risk::Unverified => {
                "CDK_INSECURE is set: the Console's TLS certificate is not verified, so anyone in the middle can read the API key (use CDK_CACERT instead)"
            }
        }
    }
}

/// The risks of talking to `base` with these settings.
pub fn risks_of(base: &str, insecure: bool) -> Vec<Risk> {
    let mut out = Vec::new();
    if let Ok(url) = reqwest::Url::parse(base)
        && url.scheme() == "http"
        && !is_loopback(&url)
    {
        out.push(Risk::Plaintext);
    }
    if insecure && base.starts_with("https://") {
        out.push(Risk::Unverified);
    }
    out
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a redirect stays with the Console the key was meant for: same
/// scheme, host and port.
pub(super) fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}
