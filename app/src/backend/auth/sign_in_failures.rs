use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    on_db,
};

/// Writes an attempt as a failure *before* its password is checked and returns its row: counted
/// from then on, so concurrent attempts cannot all read the same low count and all get hashed.
/// A successful sign-in clears it with the rest; a refused one releases it.
pub async fn reserve(db: &Db, email: &str, client_ip: &str, at: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "INSERT INTO sign_in_failures (email, client_ip, failed_at) VALUES ($1, $2, $3) RETURNING CAST(id AS BIGINT)")
        .bind(email).bind(client_ip).bind(at).fetch_one(p).await?))
}

/// Drops a reservation whose attempt was refused before any password was checked, so refused
/// attempts do not extend the lock.
pub async fn release(db: &Db, id: i64) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM sign_in_failures WHERE id = $1").bind(id).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Failures since `since` for this e-mail from this client address, and from this address for
/// any e-mail.
pub async fn count_since(
    db: &Db,
    email: &str,
    client_ip: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    Ok(on_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT
           (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND client_ip = $2 AND failed_at > $3),
           (SELECT COUNT(*) FROM sign_in_failures WHERE client_ip = $2 AND client_ip <> '' AND failed_at > $3)")
        .bind(email).bind(client_ip).bind(since).fetch_one(p).await?))
}

/// The oldest failure still inside the window, of this e-mail from this address (`per_email`)
/// or of this address: the lock lifts when it ages out.
pub async fn oldest_since(
    db: &Db,
    email: &str,
    client_ip: &str,
    per_email: bool,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT failed_at FROM sign_in_failures
         WHERE client_ip = $2 AND ($4 = FALSE OR email = $1) AND failed_at > $3 ORDER BY failed_at LIMIT 1")
        .bind(email).bind(client_ip).bind(since).bind(per_email).fetch_optional(p).await?))
}

pub async fn clear(db: &Db, email: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(email).execute(p).await.map(|_| ())?);
    Ok(())
}
