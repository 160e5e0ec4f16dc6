//! One error type for every way a call to the Console can fail. The server's
//! `title`/`msg` are kept for display; the variants tell the classes apart.

use super::types::ErrorBody;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{}", describe(400, "Bad request", .0))]
    BadRequest(ErrorBody),
    #[error("{} (check the API key: CDK_API_KEY or the context's apiKey)", describe(401, "Not authenticated", .0))]
    Unauthorized(ErrorBody),
    #[error("{}", describe(403, "Forbidden", .0))]
    Forbidden(ErrorBody),
    #[error("{}", describe(404, "Not found", .0))]
    NotFound(ErrorBody),
    #[error("{}", describe(409, "Conflict", .0))]
    Conflict(ErrorBody),
    #[error("{}", describe(*.status, "Server error", .body))]
    Server { status: u16, body: ErrorBody },
    #[error("{}", describe(*.status, "Unexpected HTTP status", .body))]
    OtherStatus { status: u16, body: ErrorBody },
    #[error("timed out after {secs}s waiting for {url}")]
    Timeout { url: String, secs: u64 },
    #[error("connection refused by {url}: is the Console running?")]
    ConnectionRefused { url: String },
    #[error("cannot reach {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error(
        "{url} redirected to {location:?}, another host, port or scheme: pz does not follow it, so the API key is not sent there (if that is the Console, use its URL)"
    )]
    Redirected { url: String, location: String },
    #[error("the Console sent an answer pz cannot read: {0}")]
    Malformed(String),
    #[error("configuration: {0}")]
    Config(String),
    /// `CDK_USER`/`CDK_PASSWORD`: the Console's login refused them or failed.
    #[error("could not log in: {0}")]
    Login(String),
}

fn describe(status: u16, fallback: &str, body: &ErrorBody) -> String {
    let title = if body.title.is_empty() {
        fallback
    } else {
        body.title.as_str()
    };
    let mut text = match body.msg.as_deref().filter(|m| !m.is_empty()) {
        Some(msg) => format!("{status} {title}: {msg}"),
        None => format!("{status} {title}"),
    };
    // The vendor CLI shows `cause` first of all; pz keeps the message and
    // adds the cause after it.
    if let Some(cause) = body.cause.as_deref().filter(|c| !c.is_empty())
        && !text.contains(cause)
    {
        text.push_str(&format!(" (cause: {cause})"));
    }
    text
}

impl ApiError {
    /// Maps a non-2xx answer to its class, keeping the server's message.
    pub fn from_status(status: u16, body: &[u8]) -> ApiError {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_else(|_| ErrorBody {
            title: String::new(),
            msg: summarize_body(body),
            cause: None,
        });
        match status {
            400 => ApiError::BadRequest(parsed),
            401 => ApiError::Unauthorized(parsed),
            403 => ApiError::Forbidden(parsed),
            404 => ApiError::NotFound(parsed),
            409 => ApiError::Conflict(parsed),
            500..=599 => ApiError::Server {
                status,
                body: parsed,
            },
            _ => ApiError::OtherStatus {
                status,
                body: parsed,
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::BadRequest(_) => Some(400),
            ApiError::Unauthorized(_) => Some(401),
            ApiError::Forbidden(_) => Some(403),
            ApiError::NotFound(_) => Some(404),
            ApiError::Conflict(_) => Some(409),
            ApiError::Server { status, .. } | ApiError::OtherStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error body, when it sent one.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            ApiError::BadRequest(b)
            | ApiError::Unauthorized(b)
            | ApiError::Forbidden(b)
            | ApiError::NotFound(b)
            | ApiError::Conflict(b) => Some(b),
            ApiError::Server { body, .. } | ApiError::OtherStatus { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (network trouble, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Timeout { .. }
                | ApiError::ConnectionRefused { .. }
                | ApiError::Connect { .. }
                | ApiError::Malformed(_)
        )
    }
}

/// A short, printable excerpt of a body that was not the JSON error shape
/// (an HTML error page from a proxy, say).
fn summarize_body(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let looks_html = text.starts_with('<');
    let mut excerpt: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
    if text.chars().count() > 120 {
        excerpt.push('…');
    }
    Some(if looks_html {
        format!("the server answered with an HTML page, not JSON ({excerpt})")
    } else {
        excerpt
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_title_and_msg() {
        let e = ApiError::from_status(409, br#"{"title":"Conflict","msg":"alias taken"}"#);
        assert!(matches!(e, ApiError::Conflict(_)));
        assert_eq!(e.to_string(), "409 Conflict: alias taken");
    }

    #[test]
    fn the_cause_follows_the_message() {
        let e = ApiError::from_status(
            400,
            br#"{"title":"Invalid","msg":"spec.topics[0]","cause":"topic 'x' does not exist"}"#,
        );
        assert_eq!(
            e.to_string(),
            "400 Invalid: spec.topics[0] (cause: topic 'x' does not exist)"
        );
        let e = ApiError::from_status(500, br#"{"title":"Oops","cause":"db down"}"#);
        assert_eq!(e.to_string(), "500 Oops (cause: db down)");
    }

    #[test]
    fn html_body_is_summarized() {
        let e = ApiError::from_status(502, b"<html><body>Bad Gateway</body></html>");
        let text = e.to_string();
        assert!(text.starts_with("502 Server error: the server answered with an HTML page"));
        assert!(e.is_transient());
    }

    #[test]
    fn unauthorized_hints_at_the_key() {
        let e = ApiError::from_status(401, br#"{"title":"The user is not authenticated"}"#);
        assert!(e.to_string().contains("CDK_API_KEY"));
        assert_eq!(e.status(), Some(401));
    }
}
