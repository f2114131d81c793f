//! API keys for the REST API: created by admins in Settings, shown once, stored as a SHA-256,
//! checked on every REST request, revocable.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngCore, rngs::OsRng};

use crate::{
    backend::{
        Db, ServiceError, StoreError,
        auth::{api_key_store as api_keys, token_hash},
    },
    domain::{
        api_key::{self, ApiKeyScope, PREFIX_LEN, SCHEME},
        ids::{ApiKeyId, UserId},
    },
};

/// How often a key's "last used" time is written. Writing on every request would put each
/// REST call behind SQLite's write lock.
pub const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// A key just created: the only time the whole key exists outside the client.
pub struct CreatedKey {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub key: String,
}

/// The key is a credential: never print it.
impl std::fmt::Debug for CreatedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Who is calling the REST API.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub key_id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub scope: ApiKeyScope,
}

fn new_key() -> (String, String) {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let prefix: String = (0..PREFIX_LEN).map(|_| ALPHABET[OsRng.gen_range(0..ALPHABET.len())] as char).collect();
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let key = format!("{SCHEME}_{prefix}_{}", URL_SAFE_NO_PAD.encode(secret));
    (prefix, key)
}

pub async fn create(
    db: &Db,
    now: DateTime<Utc>,
    created_by: UserId,
    name: &str,
    scope: ApiKeyScope,
) -> Result<CreatedKey, ServiceError> {
    let name = api_key::validate_name(name).map_err(|e| ServiceError::Invalid(vec![e]))?;
    // A prefix collision only makes two keys look alike in the list; a hash collision is
    // refused by the unique index, so one retry covers the astronomically unlikely case.
    for _ in 0..2 {
        let (prefix, key) = new_key();
        match api_keys::create(db, &name, &prefix, &token_hash(&key), scope.as_str(), created_by, now).await {
            Ok(id) => {
                tracing::info!(key_id = %id, prefix = %prefix, %created_by, scope = scope.as_str(), "API key created");
                return Ok(CreatedKey { id, name, prefix, key });
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Internal("could not create a unique API key".into()))
}

pub async fn revoke(db: &Db, now: DateTime<Utc>, revoked_by: UserId, id: ApiKeyId) -> Result<(), ServiceError> {
    match api_keys::revoke(db, id, now).await {
        Ok(()) => {
            tracing::info!(key_id = %id, %revoked_by, "API key revoked");
            Ok(())
        }
        Err(StoreError::NotFound) => Err(ServiceError::NotFound("API key")),
        Err(e) => Err(e.into()),
    }
}

/// The caller a presented key belongs to, or `None` for a malformed, unknown or revoked key.
pub async fn authenticate(db: &Db, now: DateTime<Utc>, presented: &str) -> Result<Option<KeyCaller>, StoreError> {
    if api_key::prefix_of(presented).is_none() {
        return Ok(None);
    }
    let Some(key) = api_keys::find_live(db, &token_hash(presented)).await? else { return Ok(None) };
    let stale_before = now - LAST_USED_RESOLUTION;
    if key.last_used_at.is_none_or(|t| t < stale_before) {
        api_keys::touch(db, key.id, now, stale_before).await?;
    }
    // An unknown scope (a newer release's) is treated as the narrowest.
    let scope = ApiKeyScope::parse(&key.scope).unwrap_or(ApiKeyScope::Read);
    Ok(Some(KeyCaller { key_id: key.id, name: key.name, prefix: key.key_prefix, scope }))
}
