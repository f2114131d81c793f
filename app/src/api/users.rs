use leptos::prelude::*;

use crate::{api::AppError, domain::ids::UserId, views::common::StaffUserSummary};

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<StaffUserSummary>, AppError> {
    use crate::{backend::platform::clock::parse_time_zone, domain::role::Role};
    let (state, _) = super::guard::require(Role::Viewer)?;
    let tz = crate::backend::platform::organisation::get(&state.db)
        .await?
        .and_then(|o| parse_time_zone(&o.time_zone))
        .unwrap_or(chrono_tz::UTC);
    let users = crate::backend::auth::users::list(&state.db).await?;
    users
        .into_iter()
        .map(|u| {
            Ok(StaffUserSummary {
                id: u.id,
                role: u.role()?,
                email: u.email,
                name: u.name,
                active: u.active,
                last_sign_in: u.last_sign_in_at.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()),
            })
        })
        .collect::<Result<_, crate::backend::StoreError>>()
        .map_err(Into::into)
}

#[server(endpoint = "create_user")]
pub async fn create_user(email: String, name: String, role: String, password: String) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, auth},
        domain::role::Role,
    };
    let (state, actor) = super::guard::require(Role::Admin)?;
    let role = Role::parse(&role).ok_or_else(|| AppError::from(ServiceError::field("role", "Choose a role.")))?;
    let id = auth::create_user(&state.db, state.clock.now(), &email, &name, role, &password).await?;
    tracing::info!(actor = %actor.id, user_id = %id, role = role.as_str(), "user created");
    Ok(())
}

#[server(endpoint = "update_user_access")]
pub async fn update_user_access(user_id: UserId, role: String, status: String) -> Result<(), AppError> {
    use crate::{
        backend::{ServiceError, auth},
        domain::role::Role,
    };
    let (state, actor) = super::guard::require(Role::Admin)?;
    let role = Role::parse(&role).ok_or_else(|| AppError::from(ServiceError::field("role", "Choose a role.")))?;
    let active = match status.as_str() {
        "active" => true,
        "inactive" => false,
        _ => return Err(ServiceError::field("status", "Choose active or inactive.").into()),
    };
    auth::update_access(&state.db, &actor, user_id, role, active, state.clock.now()).await?;
    Ok(())
}

/// The signed-in user (any role) changes their own password; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::{backend::auth::passwords, domain::role::Role};
    let (state, user) = super::guard::require(Role::Viewer)?;
    let session = passwords::change_own(
        &state.db,
        &state.auth,
        state.clock.now(),
        &user,
        &current_password,
        &new_password,
        &confirm_password,
    )
    .await?;
    super::session::set_session_cookie(&state.auth, &session)?;
    Ok(())
}

/// An admin sets a colleague's password (a forgotten one); the colleague is signed out.
#[server(endpoint = "reset_user_password")]
pub async fn reset_user_password(user_id: UserId, password: String) -> Result<(), AppError> {
    use crate::{backend::auth::passwords, domain::role::Role};
    let (state, actor) = super::guard::require(Role::Admin)?;
    passwords::reset(&state.db, user_id, &password).await?;
    tracing::info!(actor = %actor.id, %user_id, "password reset by an admin");
    Ok(())
}
