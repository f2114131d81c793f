use std::sync::Arc;

use crate::backend::{
    Db, delivery::mail_settings::MailEnvironment, payments::checkout::Payments, platform::clock::Clock,
};

/// Everything a request or a background job needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub auth: AuthConfig,
    pub mail: Arc<MailEnvironment>,
    /// Wakes this instance's outbox worker when something was queued here.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// The online payment provider of the portal (none: Pay Online is not offered).
    pub payments: Payments,
}

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
