//! Portal links: the only way into the client pages. A link carries 256 random bits; only their
//! SHA-256 is stored, so a copy of the database opens nothing, and a link can never be shown
//! again — a new one is issued for every email (all stay valid until revoked).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    backend::{Db, StoreError},
    domain::ids::{AccountId, InvoiceId},
    on_db,
};

/// What a valid link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalScope {
    /// One invoice's payment page (its account is implied).
    Invoice { account_id: AccountId, invoice_id: InvoiceId },
    /// The account's Unpaid Invoices page.
    Account { account_id: AccountId },
}

impl PortalScope {
    pub fn account_id(self) -> AccountId {
        match self {
            PortalScope::Invoice { account_id, .. } | PortalScope::Account { account_id } => account_id,
        }
    }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are 43 URL-safe characters; anything else is rejected before touching the database.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The path of a portal page for a token; prefix it with the public URL.
pub fn path(scope: PortalScope, token: &str) -> String {
    match scope {
        PortalScope::Invoice { .. } => format!("/portal/invoice/{token}"),
        PortalScope::Account { .. } => format!("/portal/account/{token}"),
    }
}

pub fn url(public_url: &str, scope: PortalScope, token: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), path(scope, token))
}

/// Issues a new link and returns its token (the only time it exists in clear).
pub async fn issue(db: &Db, scope: PortalScope, now: DateTime<Utc>, issued_by: &str) -> Result<String, StoreError> {
    let token = new_token();
    let invoice_id = match scope {
        PortalScope::Invoice { invoice_id, .. } => Some(invoice_id),
        PortalScope::Account { .. } => None,
    };
    on_db!(db, p => {
        sqlx::query("INSERT INTO portal_links (token_hash, account_id, invoice_id, created_at, issued_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(hash_token(&token))
            .bind(scope.account_id())
            .bind(invoice_id)
            .bind(now)
            .bind(issued_by)
            .execute(p)
            .await?;
    });
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    account_id: AccountId,
    invoice_id: Option<InvoiceId>,
    revoked_at: Option<DateTime<Utc>>,
    account_archived: bool,
}

/// The scope of a live link, or `None` for a wrong, tampered or revoked one — callers show the
/// same page for all three.
pub async fn resolve(db: &Db, token: &str) -> Result<Option<PortalScope>, StoreError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let row: Option<LinkRow> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT l.account_id, l.invoice_id, l.revoked_at, (a.archived_at IS NOT NULL) AS account_archived
             FROM portal_links l JOIN accounts a ON a.id = l.account_id WHERE l.token_hash = $1",
        )
        .bind(hash_token(token))
        .fetch_optional(p)
        .await?
    });
    Ok(row.filter(|r| r.revoked_at.is_none() && !r.account_archived).map(|r| match r.invoice_id {
        Some(invoice_id) => PortalScope::Invoice { account_id: r.account_id, invoice_id },
        None => PortalScope::Account { account_id: r.account_id },
    }))
}

/// Revokes every live link to an invoice's payment page. Returns how many were revoked.
pub async fn revoke_invoice_links(db: &Db, invoice_id: InvoiceId, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on_db!(db, p => {
        sqlx::query("UPDATE portal_links SET revoked_at = $1 WHERE invoice_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(invoice_id)
            .execute(p)
            .await?
            .rows_affected()
    });
    Ok(n)
}

/// Revokes every live link of an account: its statement links and all its invoices' links.
pub async fn revoke_account_links(db: &Db, account_id: AccountId, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on_db!(db, p => {
        sqlx::query("UPDATE portal_links SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(account_id)
            .execute(p)
            .await?
            .rows_affected()
    });
    Ok(n)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkCounts {
    pub live: i64,
    pub revoked: i64,
}

pub async fn invoice_link_counts(db: &Db, invoice_id: InvoiceId) -> Result<LinkCounts, StoreError> {
    let (live, revoked): (i64, i64) = on_db!(db, p => {
        sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT)
             FROM portal_links WHERE invoice_id = $1",
        )
        .bind(invoice_id)
        .fetch_one(p)
        .await?
    });
    Ok(LinkCounts { live, revoked })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_are_url_safe() {
        let a = new_token();
        assert!(well_formed(&a), "{a}");
        assert_ne!(a, new_token());
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn malformed_tokens_are_refused_without_a_lookup() {
        assert!(!well_formed(""));
        assert!(!well_formed("../../etc/passwd"));
        assert!(!well_formed(&"a".repeat(44)));
        assert!(!well_formed(&format!("{}%", "a".repeat(42))));
    }

    #[test]
    fn only_the_hash_is_kept() {
        let t = new_token();
        let h = hash_token(&t);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&t));
    }
}
