//! Every server function starts here: who is calling, and may they?

use leptos::prelude::use_context;

use crate::{
    api::AppError,
    backend::{AppState, ServiceError},
    domain::role::Role,
    views::common::CurrentUser,
};

/// Put in request extensions by the server's session middleware.
#[derive(Clone, Debug)]
pub struct SessionUser(pub CurrentUser);

/// The client address, for throttling and logs.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

pub fn current_user() -> Option<CurrentUser> {
    parts().and_then(|p| p.extensions.get::<SessionUser>().map(|s| s.0.clone()))
}

pub fn client_ip() -> String {
    parts().and_then(|p| p.extensions.get::<ClientIp>().map(|c| c.0.clone())).unwrap_or_default()
}

/// The signed-in user if their role allows `needed`; the right 401/403 otherwise.
pub fn require(needed: Role) -> Result<(AppState, CurrentUser), AppError> {
    let state = state()?;
    let user = current_user().ok_or_else(|| AppError::from(ServiceError::Unauthenticated))?;
    if !user.can(needed) {
        tracing::warn!(user_id = %user.id, role = user.role.as_str(), needed = needed.as_str(), "forbidden");
        return Err(ServiceError::Forbidden.into());
    }
    Ok((state, user))
}
