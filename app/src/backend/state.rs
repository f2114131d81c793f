use std::sync::Arc;

use crate::backend::{
    Db, auth::AuthConfig, delivery::mail_settings::MailEnvironment, payments::checkout::Payments,
    platform::clock::Clock,
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
