use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError, platform::db::BeginWrite},
    domain::{ids::UserId, role::Role},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffUserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl StaffUserRecord {
    pub fn role(&self) -> Result<Role, StoreError> {
        Role::parse(&self.role).ok_or_else(|| StoreError::Invalid(format!("unknown role {}", self.role)))
    }
}

const COLUMNS: &str = "id, email, name, role, password_hash, active, last_sign_in_at";

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<StaffUserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM staff_users WHERE email = $1");
    Ok(on_db!(db, p => sqlx::query_as::<_, StaffUserRecord>(&sql).bind(email).fetch_optional(p).await?))
}

pub async fn list(db: &Db) -> Result<Vec<StaffUserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM staff_users ORDER BY name, id");
    Ok(on_db!(db, p => sqlx::query_as::<_, StaffUserRecord>(&sql).fetch_all(p).await?))
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff_users").fetch_one(p).await?))
}

/// Creates a user; `Conflict` when the e-mail is taken.
pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<UserId, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, UserId>(
        "INSERT INTO staff_users (email, name, role, password_hash, active, created_at)
         VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id")
        .bind(email).bind(name).bind(role.as_str()).bind(password_hash).bind(now)
        .fetch_one(p).await?))
}

/// What became of an access change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    /// Changed, and the user signed out everywhere.
    Changed,
    /// Refused: it would leave no active admin.
    LastAdmin,
    NotFound,
}

/// Changes a user's role and active flag and ends their sessions, in one write transaction
/// that first locks the active admins (on PostgreSQL; SQLite's writers are serialised anyway):
/// two admins demoting each other at the same moment cannot leave Pressrun without one.
pub async fn update_access(
    db: &Db,
    id: UserId,
    role: Role,
    active: bool,
    now: DateTime<Utc>,
) -> Result<AccessChange, StoreError> {
    Ok(on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        if db.is_postgres() {
            sqlx::query("SELECT id FROM staff_users WHERE role = 'admin' AND active = TRUE ORDER BY id FOR UPDATE")
                .execute(&mut *tx)
                .await?;
        }
        let target: Option<(String, bool)> =
            sqlx::query_as("SELECT role, active FROM staff_users WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some((was_role, was_active)) = target else { return Ok(AccessChange::NotFound) };
        if was_active && was_role == Role::Admin.as_str() && !(active && role == Role::Admin) {
            let others: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM staff_users WHERE role = 'admin' AND active = TRUE AND id <> $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if others == 0 {
                return Ok(AccessChange::LastAdmin);
            }
        }
        sqlx::query("UPDATE staff_users SET role = $1, active = $2 WHERE id = $3")
            .bind(role.as_str()).bind(active).bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        // Someone who leaves, or is no longer an admin, takes the API keys they made with them.
        if !(active && role == Role::Admin) {
            sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE created_by = $2")
                .bind(now).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        AccessChange::Changed
    }))
}

pub async fn count_active_admins(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM staff_users WHERE role = 'admin' AND active = TRUE").fetch_one(p).await?))
}

pub async fn record_sign_in(db: &Db, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("UPDATE staff_users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Replaces a user's password hash and, in the same transaction, ends every session of theirs
/// and forgets their failed sign-ins: whoever held the old password (or a session opened with
/// it) is out. False when there is no such user.
pub async fn set_password_hash(db: &Db, id: UserId, hash: &str) -> Result<bool, StoreError> {
    Ok(on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let email: Option<String> = sqlx::query_scalar("UPDATE staff_users SET password_hash = $1 WHERE id = $2 RETURNING email")
            .bind(hash).bind(id).fetch_optional(&mut *tx).await?;
        let Some(email) = email else { return Ok(false) };
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(&email).execute(&mut *tx).await?;
        tx.commit().await?;
        true
    }))
}

pub async fn find(db: &Db, id: UserId) -> Result<Option<StaffUserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as::<_, StaffUserRecord>(&sql).bind(id).fetch_optional(p).await?))
}
