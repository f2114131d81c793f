//! Staff authentication: Argon2id password hashes, database-backed sessions whose cookie
//! token is stored only as a SHA-256, and throttling of failed sign-ins.

pub mod api_key_store;
pub mod api_keys;
pub mod passwords;
pub mod sessions;
pub mod sign_in_failures;
pub mod users;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    backend::{Db, ServiceError, StoreError},
    domain::{ids::UserId, role::Role, settings::looks_like_email},
    on_db,
    views::common::CurrentUser,
};

/// How staff sessions behave, from the server configuration.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// `__Host-` cookies need HTTPS; plain-HTTP local runs use an unprefixed name.
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
}

impl AuthConfig {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies { "__Host-pressrun_session" } else { "pressrun_session" }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self { secure_cookies: false, session_idle_minutes: 12 * 60, session_max_hours: 7 * 24 }
    }
}

/// Failed sign-ins allowed per e-mail address *from one client address* within the window.
/// The lock is per address so that someone else's wrong passwords cannot keep the real user
/// (an admin, say) out; guessing from many addresses meets the per-address limit below and
/// the cost of the password hash.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed sign-ins allowed per client address within the window, across e-mails.
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
pub const MIN_PASSWORD_LEN: usize = 10;

fn argon2() -> Argon2<'static> {
    // OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19_456, 2, 1, None).expect("valid argon2 params"))
}

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Runs the CPU-heavy hash off the async workers.
pub async fn hash_password_blocking(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

pub fn validate_new_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ServiceError::field("password", format!("Use at least {MIN_PASSWORD_LEN} characters.")));
    }
    if password.len() > 1024 {
        return Err(ServiceError::field("password", "Use at most 1024 characters."));
    }
    Ok(())
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A fresh session: the token goes in the cookie, only its hash is stored.
pub struct NewSession {
    pub token: String,
    pub user: CurrentUser,
    pub max_age_seconds: i64,
}

/// The token is a credential: never print it.
impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession").field("token", &"<redacted>").field("user", &self.user).finish()
    }
}

/// A verified hash of a throwaway password, compared against when the e-mail is unknown so
/// that a wrong e-mail and a wrong password take the same time.
static CONCURRENT_HASHES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("pressrun-timing-equaliser").expect("hash"));

pub async fn sign_in(
    db: &Db,
    cfg: &AuthConfig,
    now: DateTime<Utc>,
    email: &str,
    password: &str,
    client_ip: &str,
) -> Result<NewSession, ServiceError> {
    let email = normalise_email(email);
    let mut problems = Vec::new();
    if email.is_empty() {
        problems.push(crate::domain::settings::FieldError::new("email", "Enter your e-mail address."));
    } else if !looks_like_email(&email) {
        problems.push(crate::domain::settings::FieldError::new("email", "Enter a valid e-mail address."));
    }
    if password.is_empty() {
        problems.push(crate::domain::settings::FieldError::new("password", "Enter your password."));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }

    let window_start = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let attempt = sign_in_failures::reserve(db, &email, client_ip, now).await?;
    let (by_email, by_ip) = sign_in_failures::count_since(db, &email, client_ip, window_start).await?;
    // The counts include this attempt's own reservation.
    if by_email > MAX_FAILURES_PER_EMAIL || by_ip > MAX_FAILURES_PER_IP {
        sign_in_failures::release(db, attempt).await?;
        let oldest =
            sign_in_failures::oldest_since(db, &email, client_ip, by_email > MAX_FAILURES_PER_EMAIL, window_start)
                .await?
                .unwrap_or(now);
        let wait = (oldest + Duration::minutes(FAILURE_WINDOW_MINUTES) - now).num_minutes().max(1);
        tracing::warn!(%email, client_ip, "sign-in refused: too many failed attempts");
        return Err(ServiceError::TooManyAttempts(format!(
            "Too many failed sign-ins. Try again in {wait} minute{}.",
            if wait == 1 { "" } else { "s" }
        )));
    }

    let user = users::find_by_email(db, &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    let pw = password.to_string();
    let ok = verify_password_bounded(pw, hash).await?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            // The reservation stays: it is this attempt's failure.
            tracing::warn!(%email, client_ip, "failed sign-in");
            return Err(ServiceError::BadCredentials);
        }
    };
    sign_in_failures::clear(db, &email).await?;
    users::record_sign_in(db, user.id, now).await?;
    let session = start_session(
        db,
        cfg,
        now,
        CurrentUser { id: user.id, role: user.role()?, email: user.email, name: user.name },
    )
    .await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(session)
}

/// Checks a password against a stored hash off the async workers, at most four at a time:
/// each hash holds 19 MiB for a moment, so a flood queues here instead of taking the memory.
pub(crate) async fn verify_password_bounded(password: String, hash: String) -> Result<bool, ServiceError> {
    let _permit = CONCURRENT_HASHES.acquire().await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A new session for a user who has just proved who they are.
pub(crate) async fn start_session(
    db: &Db,
    cfg: &AuthConfig,
    now: DateTime<Utc>,
    user: CurrentUser,
) -> Result<NewSession, ServiceError> {
    let token = new_token();
    let expires = now + Duration::hours(cfg.session_max_hours);
    sessions::create(db, &token_hash(&token), user.id, now, expires).await?;
    Ok(NewSession { token, max_age_seconds: cfg.session_max_hours * 3600, user })
}

/// Resolves a session cookie to its user, enforcing idle and absolute expiry.
pub async fn resolve_session(
    db: &Db,
    cfg: &AuthConfig,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<CurrentUser>, ServiceError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(s) = sessions::find(db, &hash).await? else { return Ok(None) };
    if s.expires_at <= now || s.last_seen_at + Duration::minutes(cfg.session_idle_minutes) <= now {
        sessions::delete(db, &hash).await?;
        return Ok(None);
    }
    // Writing on every request would serialise SQLite readers behind the write lock.
    if now - s.last_seen_at > Duration::minutes(1) {
        sessions::touch(db, &hash, now).await?;
    }
    let role = Role::parse(&s.role).ok_or_else(|| ServiceError::Internal(format!("unknown role {}", s.role)))?;
    Ok(Some(CurrentUser { id: s.user_id, email: s.email, name: s.name, role }))
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), ServiceError> {
    sessions::delete(db, &token_hash(token)).await?;
    Ok(())
}

/// Creates a staff user after validating the input; used by the CLI, the seed and Settings.
pub async fn create_user(
    db: &Db,
    now: DateTime<Utc>,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<UserId, ServiceError> {
    let email = normalise_email(email);
    let name = name.trim();
    let mut problems = Vec::new();
    if !looks_like_email(&email) {
        problems.push(crate::domain::settings::FieldError::new("email", "Enter a valid e-mail address."));
    }
    if name.is_empty() {
        problems.push(crate::domain::settings::FieldError::new("name", "Enter the person's name."));
    }
    if let Err(ServiceError::Invalid(mut e)) = validate_new_password(password) {
        problems.append(&mut e);
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let hash = hash_password_blocking(password.to_string()).await?;
    match users::create(db, &email, name, role, &hash, now).await {
        Ok(id) => Ok(id),
        Err(crate::backend::StoreError::Conflict(_)) => {
            Err(ServiceError::field("email", "A user with this e-mail already exists."))
        }
        Err(e) => Err(e.into()),
    }
}

/// Changes a user's role or active flag, keeping at least one active admin, and signs the
/// user out everywhere so the change takes effect at once. A user who is deactivated or stops
/// being an admin loses the API keys they created.
pub async fn update_access(
    db: &Db,
    actor: &CurrentUser,
    user_id: UserId,
    role: Role,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    match users::update_access(db, user_id, role, active, now).await? {
        users::AccessChange::Changed => {}
        users::AccessChange::LastAdmin => {
            return Err(ServiceError::Conflict("Pressrun needs at least one active admin.".into()));
        }
        users::AccessChange::NotFound => return Err(ServiceError::NotFound("user")),
    }
    tracing::info!(actor = %actor.id, %user_id, role = role.as_str(), active, "user access changed");
    Ok(())
}

/// Deletes sessions that have expired and sign-in failures older than a day (long past their
/// 15-minute window), so neither table grows without end. Run beside every real scheduler tick
/// (never one with a pretend date: that would sign everyone out).
pub async fn prune(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let failures_before = now - Duration::days(1);
    Ok(on_db!(db, p => {
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(p).await?.rows_affected();
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < $1")
            .bind(failures_before)
            .execute(p)
            .await?
            .rows_affected();
        sessions + failures
    }))
}
