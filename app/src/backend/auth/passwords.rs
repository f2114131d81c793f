//! Changing a password: by its owner, who proves the current one; by an admin for someone who
//! forgot theirs; or from the command line when the only admin is locked out. Every change ends
//! the user's other sessions (`users::set_password_hash`).

use chrono::{DateTime, Utc};

use crate::{
    backend::{
        Db, ServiceError,
        auth::{AuthConfig, NewSession, hash_password_blocking, start_session, users, validate_new_password},
    },
    domain::{ids::UserId, settings::FieldError},
    views::common::CurrentUser,
};

/// The new password under `field`, checked like any new password.
fn check_new(new: &str, field: &str) -> Result<(), ServiceError> {
    validate_new_password(new).map_err(|e| match e {
        ServiceError::Invalid(fields) => {
            ServiceError::Invalid(fields.into_iter().map(|f| FieldError::new(field, f.message)).collect())
        }
        other => other,
    })
}

/// The signed-in user changes their own password. Every session of theirs ends, this one too,
/// and a fresh session comes back so the person who just changed it stays signed in.
pub async fn change_own(
    db: &Db,
    cfg: &AuthConfig,
    now: DateTime<Utc>,
    user: &CurrentUser,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<NewSession, ServiceError> {
    let mut problems = Vec::new();
    if current.is_empty() {
        problems.push(FieldError::new("current_password", "Enter your current password."));
    }
    if let Err(ServiceError::Invalid(mut e)) = check_new(new, "new_password") {
        problems.append(&mut e);
    } else if new != confirm {
        problems.push(FieldError::new("confirm_password", "The two new passwords differ."));
    } else if new == current {
        problems.push(FieldError::new("new_password", "Choose a password different from the current one."));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let record = users::find(db, user.id).await?.filter(|u| u.active).ok_or(ServiceError::Unauthenticated)?;
    if !super::verify_password_bounded(current.to_string(), record.password_hash).await? {
        tracing::warn!(user_id = %user.id, "password change refused: wrong current password");
        return Err(ServiceError::field("current_password", "That is not your current password."));
    }
    let hash = hash_password_blocking(new.to_string()).await?;
    users::set_password_hash(db, user.id, &hash).await?;
    tracing::info!(user_id = %user.id, "password changed by its owner");
    start_session(db, cfg, now, user.clone()).await
}

/// Sets another user's password (an admin for a colleague, or `pressrun reset-password`); they
/// are signed out everywhere and sign in with the new one.
pub async fn reset(db: &Db, user_id: UserId, new: &str) -> Result<(), ServiceError> {
    check_new(new, "password")?;
    let hash = hash_password_blocking(new.to_string()).await?;
    if !users::set_password_hash(db, user_id, &hash).await? {
        return Err(ServiceError::NotFound("user"));
    }
    tracing::info!(%user_id, "password reset");
    Ok(())
}
