//! The sandbox's Console users (`pz sandbox --user NAME:PASSWORD`): the
//! login the vendor CLI does with `CDK_USER`/`CDK_PASSWORD` (`POST
//! /api/login` answering a Bearer token), and Basic auth for
//! `CDK_AUTH_MODE=external`. Users are admins; tokens live in memory for an
//! hour and are never written.

use std::collections::HashMap;
use std::time::Duration;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::server::{Shared, json, reject};
use super::world::Rejection;
use crate::secret::Secret;

/// What a caller may do.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Role {
    Admin,
    Viewer,
}

/// How long a login's token is valid.
pub const SESSION_TTL: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub password: Secret,
}

impl User {
    /// `NAME:PASSWORD`, as `--user` takes it.
    pub fn parse(text: &str) -> Result<User, String> {
        match text.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => Ok(User {
                name: name.to_string(),
                password: Secret::new(password),
            }),
            _ => Err(format!(
                "{:?} is not NAME:PASSWORD",
                text.split(':').next().unwrap_or_default()
            )),
        }
    }
}

/// The users and the tokens their logins were given.
#[derive(Default)]
pub struct Users {
    users: Vec<User>,
    sessions: std::sync::Mutex<HashMap<String, (String, DateTime<Utc>)>>,
}

impl Users {
    pub fn new(users: Vec<User>) -> Users {
        Users {
            users,
            sessions: Default::default(),
        }
    }

    /// The user whose password this is (compared in constant time).
    pub fn check(&self, name: &str, password: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| constant_eq(&u.name, name) & constant_eq(u.password.expose(), password))
    }

    /// A new token for `user`, valid until `now + SESSION_TTL`.
    pub fn open_session(&self, user: &str, now: DateTime<Utc>) -> Secret {
        let token = format!("pz-session-{}", super::generate_key().expose());
        let until = now + chrono::Duration::from_std(SESSION_TTL).unwrap_or_default();
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, (_, t)| *t > now);
        sessions.insert(token.clone(), (user.to_string(), until));
        Secret::new(token)
    }

    /// The user a session token belongs to, while it is valid.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Option<String> {
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions
            .get(token)
            .filter(|(_, until)| *until > now)
            .map(|(u, _)| u.clone())
    }

    /// A `Basic` header's user, when its password is right.
    pub fn basic(&self, encoded: &str) -> Option<String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (name, password) = text.split_once(':')?;
        self.check(name, password).map(|u| u.name.clone())
    }
}

pub(super) async fn authenticate(
    State(s): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let basic = authorization.and_then(|v| v.strip_prefix("Basic "));
    let role = match token {
        Some(t) if constant_eq(t, s.opts.api_key.expose()) => Role::Admin,
        Some(t) if s.users.session(t, s.now()).is_some() => Role::Admin,
        None if basic.is_some_and(|b| s.users.basic(b).is_some()) => Role::Admin,
        Some(t)
            if s.opts
                .viewer_key
                .as_ref()
                .is_some_and(|v| constant_eq(t, v.expose())) =>
        {
            Role::Viewer
        }
        _ => {
            return reject(Rejection::new(
                401,
                "The user is not authenticated",
                "Send a valid API key as 'Authorization: Bearer <key>'",
            ));
        }
    };
    if role == Role::Viewer && req.method() != axum::http::Method::GET {
        return reject(Rejection::new(
            403,
            "The user doesn't have sufficient privilege to do this operation",
            "This API key may read but not change Partner Zones",
        ));
    }
    req.extensions_mut().insert(role);
    next.run(req).await
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `POST /api/login` with `{username, password}`: a Bearer token for an
/// hour, or 401.
pub(super) async fn login(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Credentials {
        username: String,
        password: String,
    }
    let Ok(c) = serde_json::from_slice::<Credentials>(&body) else {
        return reject(Rejection::new(
            400,
            "The request is not valid",
            "The body must be {\"username\": …, \"password\": …}",
        ));
    };
    let Some(user) = s.users.check(&c.username, &c.password) else {
        tracing::info!(user = %crate::sanitize::line(&c.username), "login refused");
        return reject(Rejection::new(
            401,
            "The user is not authenticated",
            "Invalid username or password",
        ));
    };
    let token = s.users.open_session(&user.name, s.now());
    json(&serde_json::json!({
        "access_token": token.expose(),
        "token_type": "Bearer",
        "expires_in": super::auth::SESSION_TTL.as_secs(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_log_in_and_sessions_expire() {
        let users = Users::new(vec![User::parse("ann:s3cret").unwrap()]);
        assert!(users.check("ann", "s3cret").is_some());
        assert!(users.check("ann", "wrong").is_none());
        assert!(users.check("bob", "s3cret").is_none());
        let now = crate::demo::clock();
        let token = users.open_session("ann", now);
        assert_eq!(users.session(token.expose(), now).as_deref(), Some("ann"));
        let later = now + chrono::Duration::hours(2);
        assert_eq!(users.session(token.expose(), later), None);
        assert_eq!(users.session("forged", now), None);
        // "ann:s3cret"
        assert_eq!(users.basic("YW5uOnMzY3JldA==").as_deref(), Some("ann"));
        assert_eq!(users.basic("YW5uOndyb25n"), None);
    }

    #[test]
    fn a_user_is_name_colon_password() {
        assert!(User::parse("ann:pw:with:colons").is_ok());
        let err = User::parse("ann").unwrap_err();
        assert!(err.contains("NAME:PASSWORD"));
        assert!(User::parse(":pw").is_err());
        assert!(User::parse("ann:").is_err());
    }
}
