//! API keys for the REST API. Only the SHA-256 of a key is stored; the prefix is kept in
//! clear so people can tell their keys apart in Settings.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::ids::{ApiKeyId, UserId},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub name: String,
    pub key_prefix: String,
    pub scope: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The live key a hash belongs to, with when it was last used.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveKey {
    pub id: ApiKeyId,
    pub name: String,
    pub key_prefix: String,
    pub scope: String,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub async fn create(
    db: &Db,
    name: &str,
    key_prefix: &str,
    key_hash: &str,
    scope: &str,
    created_by: UserId,
    now: DateTime<Utc>,
) -> Result<ApiKeyId, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, ApiKeyId>(
        "INSERT INTO api_keys (name, key_prefix, key_hash, scope, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(name).bind(key_prefix).bind(key_hash).bind(scope).bind(created_by).bind(now).fetch_one(p).await?))
}

/// Newest first; revoked keys stay listed so their use can still be traced.
pub async fn list(db: &Db) -> Result<Vec<ApiKeyRecord>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, ApiKeyRecord>(
        "SELECT k.id, k.name, k.key_prefix, k.scope, u.name AS created_by, k.created_at, k.last_used_at, k.revoked_at
         FROM api_keys k LEFT JOIN staff_users u ON u.id = k.created_by
         ORDER BY k.created_at DESC, k.id DESC").fetch_all(p).await?))
}

pub async fn find_live(db: &Db, key_hash: &str) -> Result<Option<LiveKey>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, LiveKey>(
        "SELECT id, name, key_prefix, scope, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(key_hash).fetch_optional(p).await?))
}

/// Records a use unless one was recorded since `stale_before`; the condition keeps
/// concurrent requests from writing the same minute twice.
pub async fn touch(db: &Db, id: ApiKeyId, now: DateTime<Utc>, stale_before: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now).bind(id).bind(stale_before).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Revokes a key; revoking it again keeps the first revocation time. `NotFound` for an unknown id.
pub async fn revoke(db: &Db, id: ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError> {
    let n = on_db!(db, p => sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
        .bind(now).bind(id).execute(p).await?.rows_affected());
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
