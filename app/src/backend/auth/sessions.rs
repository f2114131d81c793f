use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::ids::UserId,
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)")
        .bind(token_hash).bind(user_id).bind(now).bind(expires_at).execute(p).await.map(|_| ())?);
    Ok(())
}

/// The session and its (active) user.
pub async fn find(db: &Db, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, SessionRecord>(
        "SELECT s.user_id, u.email, u.name, u.role, s.expires_at, s.last_seen_at
         FROM sessions s JOIN staff_users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND u.active = TRUE")
        .bind(token_hash).fetch_optional(p).await?))
}

pub async fn touch(db: &Db, token_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now).bind(token_hash).execute(p).await.map(|_| ())?);
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Signs a user out everywhere (on deactivation or a role change).
pub async fn delete_for_user(db: &Db, user_id: UserId) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(p).await.map(|_| ())?);
    Ok(())
}

pub async fn delete_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(
        on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await?.rows_affected()),
    )
}
