use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    on_db,
};

pub async fn record(db: &Db, email: &str, client_ip: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("INSERT INTO sign_in_failures (email, client_ip, failed_at) VALUES ($1, $2, $3)")
        .bind(email).bind(client_ip).bind(at).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Failures since `since` for this e-mail, and from this address for any e-mail.
pub async fn count_since(
    db: &Db,
    email: &str,
    client_ip: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT
           (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND failed_at > $3),
           (SELECT COUNT(*) FROM sign_in_failures WHERE client_ip = $2 AND client_ip <> '' AND failed_at > $3)")
        .bind(email).bind(client_ip).bind(since).fetch_one(p).await?))
}

/// The oldest failure still inside the window: the lock lifts when it ages out.
pub async fn oldest_since(db: &Db, email: &str, since: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT failed_at FROM sign_in_failures WHERE email = $1 AND failed_at > $2 ORDER BY failed_at LIMIT 1")
        .bind(email).bind(since).fetch_optional(p).await?))
}

pub async fn clear(db: &Db, email: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(email).execute(p).await.map(|_| ())?);
    Ok(())
}
