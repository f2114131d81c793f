use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
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

pub async fn update_access(db: &Db, id: UserId, role: Role, active: bool) -> Result<(), StoreError> {
    let n = on_db!(db, p => sqlx::query("UPDATE staff_users SET role = $1, active = $2 WHERE id = $3")
        .bind(role.as_str()).bind(active).bind(id).execute(p).await?.rows_affected());
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
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

pub async fn set_password_hash(db: &Db, id: UserId, hash: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
        .bind(hash).bind(id).execute(p).await.map(|_| ())?);
    Ok(())
}
