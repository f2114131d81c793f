//! API keys in Settings: admins list, create and revoke the keys other systems use to call
//! the REST API.

use crate::domain::ids::ApiKeyId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    /// "Read only" or "Read and write".
    pub scope: String,
    pub created_by: Option<String>,
    /// Times are local to the organisation and already formatted.
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// Sent once, right after creation; the server keeps only a hash.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub name: String,
    pub key: String,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey").field("name", &self.name).field("key", &"<redacted>").finish()
    }
}

#[server(endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, AppError> {
    use crate::{backend::platform::clock::parse_time_zone, domain::role::Role};
    let (state, _) = super::guard::require(Role::Admin)?;
    let tz = crate::backend::platform::organisation::get(&state.db)
        .await?
        .and_then(|o| parse_time_zone(&o.time_zone))
        .unwrap_or(chrono_tz::UTC);
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    Ok(crate::backend::auth::api_key_store::list(&state.db)
        .await?
        .into_iter()
        .map(|k| ApiKeySummary {
            id: k.id,
            name: k.name,
            prefix: k.key_prefix,
            scope: crate::domain::api_key::ApiKeyScope::parse(&k.scope)
                .map(|s| s.label())
                .unwrap_or("Read only")
                .to_string(),
            created_by: k.created_by,
            created: local(k.created_at),
            last_used: k.last_used_at.map(local),
            revoked: k.revoked_at.map(local),
        })
        .collect())
}

#[server(endpoint = "create_api_key")]
pub async fn create_api_key(name: String, #[server(default)] scope: Option<String>) -> Result<NewApiKey, AppError> {
    use crate::{
        backend::ServiceError,
        domain::{api_key::ApiKeyScope, role::Role},
    };
    let (state, user) = super::guard::require(Role::Admin)?;
    // Without a choice (an older form), a key can write, as keys always could.
    let scope = match scope.as_deref().map(str::trim) {
        None | Some("") => ApiKeyScope::Write,
        Some(s) => ApiKeyScope::parse(s)
            .ok_or_else(|| AppError::from(ServiceError::field("scope", "Choose read only or read and write.")))?,
    };
    let created = crate::backend::auth::api_keys::create(&state.db, state.clock.now(), user.id, &name, scope).await?;
    Ok(NewApiKey { name: created.name, key: created.key })
}

#[server(endpoint = "revoke_api_key")]
pub async fn revoke_api_key(key_id: ApiKeyId) -> Result<(), AppError> {
    use crate::domain::role::Role;
    let (state, user) = super::guard::require(Role::Admin)?;
    crate::backend::auth::api_keys::revoke(&state.db, state.clock.now(), user.id, key_id).await?;
    Ok(())
}
