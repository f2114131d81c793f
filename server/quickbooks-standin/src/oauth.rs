//! Intuit OAuth 2.0 as the stand-in models it: authorization codes, refresh-token rotation, access
//! tokens and revocation, with every time rule computed from the injected clock.
//!
//! - A code is single-use, bound to its redirect_uri and good for 5 minutes.
//! - A connection (grant) has one current refresh-token value. A refresh may mint a new value
//!   (`RotationPolicy`); the previous value then dies at once or after 24 hours (`OldTokenMode`).
//! - A refresh-token value is good for `refresh_token_lifetime_secs` (8,726,400 s, Intuit's "100
//!   days") from when it was issued, so an unused connection dies then;
//!   `x_refresh_token_expires_in` counts down towards that. A connection
//!   made since Oct 2023 also dies 5 years after it was made.
//! - Access tokens live one hour; refreshing does not kill the earlier ones (they expire).
//! - Revoking any token of a connection kills the whole connection.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};

use crate::config::{Config, OldTokenMode, RotationPolicy};

pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
/// The documented `x_refresh_token_expires_in` of a new refresh token. Intuit's prose says "100
/// days", but 8,726,400 s is 101 days; the stand-in keeps the number a client can observe
/// (`Config::refresh_token_lifetime_secs` switches, e.g. to exactly 100 days).
pub const REFRESH_TOKEN_SECONDS: i64 = 8_726_400;
pub const AUTH_CODE_SECONDS: i64 = 300;
const GRACE_SECONDS: i64 = 24 * 3600;
const ROTATE_EVERY_SECONDS: i64 = 24 * 3600;
const CONNECTION_MAX_DAYS: i64 = 5 * 365;

/// The token endpoint's success body, exactly the fields Intuit sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token_type: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub x_refresh_token_expires_in: i64,
    pub access_token: String,
}

/// Why a grant was refused; every variant answers 400 `invalid_grant` (the description differs).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("The authorization code is unknown")]
    UnknownCode,
    #[error("The authorization code was already used")]
    CodeUsed,
    #[error("The authorization code has expired")]
    CodeExpired,
    #[error("redirect_uri does not match the one the code was issued for")]
    RedirectMismatch,
    #[error("Incorrect Token type or clientID")]
    UnknownRefreshToken,
    #[error("The refresh token was replaced by a newer one and can no longer be used")]
    Superseded,
    #[error("The refresh token has expired")]
    Expired,
    #[error("The refresh token was revoked")]
    Revoked,
    #[error("invalid_grant forced by the test")]
    Forced,
}

#[derive(Clone, Debug)]
struct AuthCode {
    redirect_uri: String,
    issued: DateTime<Utc>,
    used: bool,
}

/// One connection between the app and the company.
#[derive(Clone, Debug)]
struct Grant {
    created: DateTime<Utc>,
    current: String,
    current_issued: DateTime<Utc>,
    revoked: bool,
}

#[derive(Clone, Debug)]
struct RefreshToken {
    grant: u64,
    issued: DateTime<Utc>,
    /// When a newer value replaced this one.
    superseded: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
struct AccessToken {
    grant: u64,
    expires: DateTime<Utc>,
}

/// What an API call's bearer token turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessCheck {
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// A refresh-token value as a test can inspect it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefreshTokenInfo {
    pub value: String,
    pub connection: u64,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub superseded: Option<DateTime<Utc>>,
    /// Whether a refresh with it would succeed now.
    pub usable: bool,
}

#[derive(Default)]
pub(crate) struct OAuth {
    codes: HashMap<String, AuthCode>,
    grants: HashMap<u64, Grant>,
    refresh: HashMap<String, RefreshToken>,
    access: HashMap<String, AccessToken>,
    next_grant: u64,
    /// `force_invalid_grant`: this many coming refreshes fail.
    pub(crate) forced_invalid_grants: u32,
}

/// The configured refresh-token lifetime, kept between zero and ten years so adding it to a date
/// cannot overflow.
fn lifetime(cfg: &Config) -> Duration {
    Duration::seconds(cfg.refresh_token_lifetime_secs.clamp(0, 10 * 365 * 86_400))
}

fn random(prefix: &str, len: usize) -> String {
    let tail: String = rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect();
    format!("{prefix}{tail}")
}

impl OAuth {
    /// What the Connect button does.
    pub(crate) fn issue_code(&mut self, redirect_uri: &str, now: DateTime<Utc>) -> String {
        let code = random("AB11", 40);
        self.codes.insert(code.clone(), AuthCode { redirect_uri: redirect_uri.to_string(), issued: now, used: false });
        code
    }

    /// `grant_type=authorization_code`.
    pub(crate) fn exchange_code(
        &mut self,
        code: &str,
        redirect_uri: &str,
        cfg: &Config,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, GrantError> {
        let c = self.codes.get_mut(code).ok_or(GrantError::UnknownCode)?;
        if c.used {
            return Err(GrantError::CodeUsed);
        }
        if now - c.issued > Duration::seconds(AUTH_CODE_SECONDS) {
            return Err(GrantError::CodeExpired);
        }
        if c.redirect_uri != redirect_uri {
            return Err(GrantError::RedirectMismatch);
        }
        c.used = true;
        Ok(self.new_grant(cfg, now))
    }

    /// A connection as if the consent flow had just run.
    pub(crate) fn new_grant(&mut self, cfg: &Config, now: DateTime<Utc>) -> TokenResponse {
        self.next_grant += 1;
        let id = self.next_grant;
        let value = random("AB11", 46);
        self.refresh.insert(value.clone(), RefreshToken { grant: id, issued: now, superseded: None });
        self.grants.insert(id, Grant { created: now, current: value.clone(), current_issued: now, revoked: false });
        self.respond(id, cfg, now)
    }

    fn respond(&mut self, grant: u64, cfg: &Config, now: DateTime<Utc>) -> TokenResponse {
        let access = random("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..", 64);
        self.access
            .insert(access.clone(), AccessToken { grant, expires: now + Duration::seconds(ACCESS_TOKEN_SECONDS) });
        let (refresh_token, left) = match self.grants.get(&grant) {
            Some(g) => (g.current.clone(), self.refresh_left(g, cfg, now)),
            None => (String::new(), 0),
        };
        TokenResponse {
            token_type: "bearer".into(),
            expires_in: ACCESS_TOKEN_SECONDS,
            refresh_token,
            x_refresh_token_expires_in: left,
            access_token: access,
        }
    }

    fn refresh_left(&self, g: &Grant, cfg: &Config, now: DateTime<Utc>) -> i64 {
        let by_issue = g.current_issued + lifetime(cfg);
        let hard = g.created + Duration::days(CONNECTION_MAX_DAYS);
        (by_issue.min(hard) - now).num_seconds().max(0)
    }

    /// Whether this value may be used now, and for which connection.
    fn check_refresh(&self, value: &str, cfg: &Config, now: DateTime<Utc>) -> Result<u64, GrantError> {
        let t = self.refresh.get(value).ok_or(GrantError::UnknownRefreshToken)?;
        let g = self.grants.get(&t.grant).ok_or(GrantError::UnknownRefreshToken)?;
        if g.revoked {
            return Err(GrantError::Revoked);
        }
        if now >= t.issued + lifetime(cfg) || now >= g.created + Duration::days(CONNECTION_MAX_DAYS) {
            return Err(GrantError::Expired);
        }
        if let Some(when) = t.superseded {
            let grace = match cfg.old_refresh_token {
                OldTokenMode::Strict => Duration::zero(),
                OldTokenMode::Grace24h => Duration::seconds(GRACE_SECONDS),
            };
            if now >= when + grace {
                return Err(GrantError::Superseded);
            }
        }
        Ok(t.grant)
    }

    /// `grant_type=refresh_token`.
    pub(crate) fn refresh(
        &mut self,
        value: &str,
        cfg: &Config,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, GrantError> {
        let grant = self.check_refresh(value, cfg, now)?;
        if self.forced_invalid_grants > 0 {
            self.forced_invalid_grants -= 1;
            return Err(GrantError::Forced);
        }
        let rotate = match cfg.rotation {
            RotationPolicy::Always => true,
            RotationPolicy::Daily => self
                .grants
                .get(&grant)
                .is_some_and(|g| now - g.current_issued >= Duration::seconds(ROTATE_EVERY_SECONDS)),
        };
        if rotate {
            let new = random("AB11", 46);
            if let Some(g) = self.grants.get_mut(&grant) {
                if let Some(old) = self.refresh.get_mut(&g.current) {
                    old.superseded.get_or_insert(now);
                }
                g.current = new.clone();
                g.current_issued = now;
            }
            self.refresh.insert(new, RefreshToken { grant, issued: now, superseded: None });
        }
        Ok(self.respond(grant, cfg, now))
    }

    /// Revokes the connection `token` (refresh or access) belongs to. Unknown tokens are ignored,
    /// as RFC 7009 asks.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        let grant = self.refresh.get(token).map(|t| t.grant).or_else(|| self.access.get(token).map(|t| t.grant));
        match grant.and_then(|g| self.grants.get_mut(&g)) {
            Some(g) => {
                g.revoked = true;
                true
            }
            None => false,
        }
    }

    pub(crate) fn check_access(&self, token: &str, now: DateTime<Utc>) -> AccessCheck {
        match self.access.get(token) {
            None => AccessCheck::Unknown,
            Some(t) if self.grants.get(&t.grant).is_none_or(|g| g.revoked) => AccessCheck::Revoked,
            Some(t) if now >= t.expires => AccessCheck::Expired,
            Some(_) => AccessCheck::Valid,
        }
    }

    /// Every access token handed out so far expires now.
    pub(crate) fn expire_access_tokens(&mut self, now: DateTime<Utc>) {
        for t in self.access.values_mut() {
            t.expires = t.expires.min(now);
        }
    }

    pub(crate) fn revoke_all(&mut self) {
        for g in self.grants.values_mut() {
            g.revoked = true;
        }
    }

    pub(crate) fn refresh_tokens(&self, cfg: &Config, now: DateTime<Utc>) -> Vec<RefreshTokenInfo> {
        let mut out: Vec<RefreshTokenInfo> = self
            .refresh
            .iter()
            .map(|(value, t)| RefreshTokenInfo {
                value: value.clone(),
                connection: t.grant,
                issued: t.issued,
                expires: t.issued + lifetime(cfg),
                superseded: t.superseded,
                usable: self.check_refresh(value, cfg, now).is_ok(),
            })
            .collect();
        out.sort_by(|a, b| (a.connection, a.issued, &a.value).cmp(&(b.connection, b.issued, &b.value)));
        out
    }

    pub(crate) fn live_access_tokens(&self, now: DateTime<Utc>) -> usize {
        self.access.keys().filter(|k| self.check_access(k, now) == AccessCheck::Valid).count()
    }
}
