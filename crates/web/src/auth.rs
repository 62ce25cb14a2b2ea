//! Sign-in machinery: password hashing (argon2id), the database-backed session store, the
//! `CurrentStaff` extractor, and login throttling.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use async_trait::async_trait;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use lofte_db::{Db, accounts};
use lofte_domain::auth::{Staff, Throttle};
use time::OffsetDateTime;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::AppState;
use crate::error::AppError;

/// The session key holding the signed-in account's id.
pub const ACCOUNT_KEY: &str = "account_id";
/// The session key holding the account's `password_changed_at` at login: a session from before
/// a password change or reset is no longer valid.
pub const PASSWORD_KEY: &str = "password_changed_at";

/// Hashes a password with argon2id (OWASP parameters) on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await
        .map_err(|e| AppError::Internal(format!("hash task: {e}")))?
        .map_err(|e| AppError::Internal(format!("hash: {e}")))
}

/// A hash of nothing in particular, verified when an address is unknown so that a wrong address
/// takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$CSol1iTHTy09XA5ofRrERQ$cmgz8/3DKq2dPEsRttjw6MB9NyP9SKhimQvMQ5FsIQQ";

/// Checks a password against a stored hash (or the dummy) on a blocking thread.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    let real = hash.is_some();
    let ok = tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| AppError::Internal(format!("verify task: {e}")))?;
    Ok(real && ok)
}

/// Login attempts, per account (by address, known or not) and per client address, and
/// separately the requests for reset links.
#[derive(Debug)]
pub struct LoginThrottle {
    per_account: Mutex<Throttle>,
    per_ip: Mutex<Throttle>,
    resets: Mutex<Throttle>,
    /// Answers to open surveys (those without one-time codes), per address.
    answers: Mutex<Throttle>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let window = Duration::from_secs(15 * 60);
        LoginThrottle {
            per_account: Mutex::new(Throttle::new(5, window)),
            per_ip: Mutex::new(Throttle::new(20, window)),
            resets: Mutex::new(Throttle::new(5, window)),
            // Generous: a market stall with a tablet or a library's shared address sends many.
            answers: Mutex::new(Throttle::new(SURVEY_ANSWERS_PER_WINDOW, Duration::from_secs(10 * 60))),
        }
    }
}

/// Answers to an open survey taken from one address in ten minutes.
pub const SURVEY_ANSWERS_PER_WINDOW: u32 = 30;

impl LoginThrottle {
    /// Counts an answer to an open survey from `ip`; `Some(wait)` when it must be refused now.
    pub fn survey_attempt(&self, ip: &str) -> Option<Duration> {
        let Ok(mut answers) = self.answers.lock() else { return Some(Duration::from_secs(60)) };
        answers.attempt(ip, Instant::now()).err()
    }

    /// Counts a login attempt before the password is checked; `Some(wait)` when it must not
    /// be tried now. Attempts at the same moment are counted one by one.
    pub fn attempt(&self, email: &str, ip: &str) -> Option<Duration> {
        let now = Instant::now();
        let (Ok(mut accounts), Ok(mut ips)) = (self.per_account.lock(), self.per_ip.lock()) else {
            return Some(Duration::from_secs(60));
        };
        let blocked = accounts.blocked_for(email, now).max(ips.blocked_for(ip, now));
        if blocked.is_none() {
            accounts.fail(email, now);
            ips.fail(ip, now);
        }
        blocked
    }

    /// A successful login clears the account's count and takes back the client address's
    /// attempt (only failures count against an address).
    pub fn succeed(&self, email: &str, ip: &str) {
        if let Ok(mut t) = self.per_account.lock() {
            t.succeed(email);
        }
        if let Ok(mut t) = self.per_ip.lock() {
            t.refund(ip);
        }
    }

    /// Counts a request for a reset link for an address (kept apart from logins, so that such
    /// requests never block anyone's login).
    pub fn attempt_reset(&self, email: &str) -> Option<Duration> {
        let now = Instant::now();
        self.resets.lock().ok().and_then(|mut t| t.attempt(email, now).err())
    }
}

/// tower-sessions' store on our database (`web_session` rows; data as JSON, expiry as text).
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires = lofte_db::time_text(record.expiry_date);
        while !accounts::session_create(&self.db, &record.id.to_string(), &data, &expires).await.map_err(backend)? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        accounts::session_save(&self.db, &record.id.to_string(), &data, &lofte_db::time_text(record.expiry_date))
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires)) =
            accounts::session_load(&self.db, &id.to_string(), &lofte_db::now_text()).await.map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        accounts::session_delete(&self.db, &id.to_string()).await.map_err(backend)
    }
}

/// The signed-in member of staff. Anonymous requests are sent to the login page and brought
/// back afterwards.
pub struct CurrentStaff(pub Staff, pub Session);

impl FromRequestParts<AppState> for CurrentStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(format!("session layer missing: {msg}")).into_response())?;
        let to_login = || {
            let here = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.clone(), |o| o.0.clone());
            let next = here.path_and_query().map_or("/arbetsyta", |p| p.as_str()).to_owned();
            Redirect::to(&format!("/logga-in?nasta={}", encode(&next))).into_response()
        };
        let id: Option<String> =
            session.get(ACCOUNT_KEY).await.map_err(|e| AppError::Internal(e.to_string()).into_response())?;
        let Some(id) = id else { return Err(to_login()) };
        let since: Option<String> = session.get(PASSWORD_KEY).await.unwrap_or(None);
        match accounts::staff(&state.db, &id).await {
            // A demo account while the demo is off, or a session from before a password change,
            // is signed out.
            Ok(Some(staff)) if (!staff.is_demo || state.demo_enabled) && staff.password_changed_at == since => {
                Ok(CurrentStaff(staff, session))
            }
            Ok(_) => {
                let _ = session.flush().await;
                Err(to_login())
            }
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

/// The client's address for throttling: the connecting peer, or, when the server runs behind a
/// trusted reverse proxy, the last address in `X-Forwarded-For` (the one that proxy saw; earlier
/// entries are the client's own claims).
pub fn client_ip(headers: &axum::http::HeaderMap, peer: std::net::SocketAddr, trust_proxy: bool) -> String {
    if trust_proxy {
        // Only the last entry was written by our proxy; if it is not an address, fall back to
        // the peer rather than to an entry the client wrote.
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .next_back();
        if let Some(ip) = last.and_then(|v| v.parse::<std::net::IpAddr>().ok()) {
            return ip.to_string();
        }
    }
    peer.ip().to_string()
}

/// Percent-encodes a path for a query parameter.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths are followed after login (no `//host` or `https://…`).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(char::is_control) {
        next
    } else {
        "/arbetsyta"
    }
}

/// A fresh random token for links (32 bytes, URL-safe) and its SHA-256 (hex) for storage.
pub fn new_token() -> (String, String) {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Shared, per-process login state.
pub type SharedThrottle = Arc<LoginThrottle>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/arbetsyta?x=1"), "/arbetsyta?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "arbetsyta", "/a\nb"] {
            assert_eq!(safe_next(bad), "/arbetsyta", "{bad:?}");
        }
    }

    #[test]
    fn the_client_address_comes_from_the_proxy_only_when_trusted() {
        let peer: std::net::SocketAddr = "10.0.0.1:4000".parse().expect("addr");
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", axum::http::HeaderValue::from_static("1.2.3.4, 192.0.2.7"));
        assert_eq!(client_ip(&headers, peer, false), "10.0.0.1");
        assert_eq!(client_ip(&headers, peer, true), "192.0.2.7");
        headers.insert("x-forwarded-for", axum::http::HeaderValue::from_static("1.2.3.4, nonsense"));
        assert_eq!(client_ip(&headers, peer, true), "10.0.0.1", "never an earlier, client-written entry");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), ha);
        assert_eq!(ha.len(), 64);
    }

    #[tokio::test]
    async fn passwords_verify_and_the_demo_hash_is_argon2id() {
        let hash = hash_password("ett långt lösenord".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("ett långt lösenord".into(), Some(hash.clone())).await.expect("verify"));
        assert!(!verify_password("fel".into(), Some(hash)).await.expect("verify"));
        assert!(verify_password(lofte_db::seed::DEMO_PASSWORD.into(), Some(DUMMY_HASH.into())).await.expect("verify"));
        assert!(!verify_password(lofte_db::seed::DEMO_PASSWORD.into(), None).await.expect("verify"));
    }
}
