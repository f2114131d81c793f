//! Accounts and contacts: the account page's read model and contact rows.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, StoreError},
    domain::{
        account_input::{BillToTarget, ContactInput},
        ids::{AccountId, ContactId},
    },
    on_db,
    views::accounts::{AccountDetail, AccountRef, ContactView},
};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: AccountId,
    name: String,
    kind: String,
    bill_to_account_id: Option<AccountId>,
    bill_to_name: Option<String>,
    payment_terms_days: Option<i32>,
    email: String,
    phone: String,
    address: String,
    notes: String,
    external_ref: Option<String>,
    archived: bool,
    invoice_recipients: i64,
    orders: i64,
    invoices: i64,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: ContactId,
    name: String,
    email: String,
    phone: String,
    invoice_role: String,
}

#[derive(sqlx::FromRow)]
struct RefRow {
    id: AccountId,
    name: String,
}

impl From<RefRow> for AccountRef {
    fn from(r: RefRow) -> Self {
        AccountRef { id: r.id, name: r.name }
    }
}

pub async fn detail(db: &Db, id: AccountId) -> Result<Option<AccountDetail>, StoreError> {
    let found = on_db!(db, p => {
        let row = sqlx::query_as::<_, AccountRow>(
            "SELECT a.id, a.name, a.kind, a.bill_to_account_id, b.name AS bill_to_name, a.payment_terms_days,
                    a.email, a.phone, a.address, a.notes, a.external_ref, a.archived_at IS NOT NULL AS archived,
                    (SELECT COUNT(*) FROM contacts c
                      WHERE c.account_id = COALESCE(a.bill_to_account_id, a.id) AND c.invoice_role = 'to') AS invoice_recipients,
                    (SELECT COUNT(*) FROM orders o WHERE o.account_id = a.id) AS orders,
                    (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id) AS invoices
             FROM accounts a LEFT JOIN accounts b ON b.id = a.bill_to_account_id
             WHERE a.id = $1")
            .bind(id).fetch_optional(p).await?;
        match row {
            None => None,
            Some(row) => {
                let contacts = sqlx::query_as::<_, ContactRow>(
                    "SELECT id, name, email, phone, invoice_role FROM contacts WHERE account_id = $1
                     ORDER BY CASE invoice_role WHEN 'to' THEN 0 WHEN 'cc' THEN 1 ELSE 2 END, name, id")
                    .bind(id).fetch_all(p).await?;
                let pays_for = sqlx::query_as::<_, RefRow>(
                    "SELECT id, name FROM accounts WHERE bill_to_account_id = $1 ORDER BY name, id")
                    .bind(id).fetch_all(p).await?;
                Some((row, contacts, pays_for))
            }
        }
    });
    Ok(found.map(|(r, contacts, pays_for)| {
        let bill_to = r.bill_to_account_id.zip(r.bill_to_name).map(|(id, name)| AccountRef { id, name });
        let invoice_recipient_account = bill_to.clone().unwrap_or(AccountRef { id: r.id, name: r.name.clone() });
        AccountDetail {
            id: r.id,
            name: r.name,
            kind: r.kind,
            bill_to,
            payment_terms_days: r.payment_terms_days,
            email: r.email,
            phone: r.phone,
            address: r.address,
            notes: r.notes,
            external_ref: r.external_ref,
            archived: r.archived,
            contacts: contacts
                .into_iter()
                .map(|c| ContactView {
                    id: c.id,
                    name: c.name,
                    email: c.email,
                    phone: c.phone,
                    invoice_role: c.invoice_role,
                })
                .collect(),
            pays_for: pays_for.into_iter().map(AccountRef::from).collect(),
            invoice_recipient_account,
            invoice_recipients: r.invoice_recipients,
            missing_invoice_recipient: r.invoice_recipients == 0,
            orders: r.orders,
            invoices: r.invoices,
        }
    }))
}

/// Accounts that can pay for others: active and paying their own invoices.
pub async fn bill_to_options(db: &Db, except: Option<AccountId>) -> Result<Vec<AccountRef>, StoreError> {
    let rows = on_db!(db, p => sqlx::query_as::<_, RefRow>(
        "SELECT id, name FROM accounts
         WHERE archived_at IS NULL AND bill_to_account_id IS NULL AND id <> $1
         ORDER BY CASE kind WHEN 'agency' THEN 0 ELSE 1 END, name, id")
        .bind(except.unwrap_or_default()).fetch_all(p).await?);
    Ok(rows.into_iter().map(AccountRef::from).collect())
}

#[derive(sqlx::FromRow)]
pub(crate) struct TargetRow {
    pub id: AccountId,
    pub name: String,
    pub bill_to_account_id: Option<AccountId>,
    pub archived: bool,
}

impl From<TargetRow> for BillToTarget {
    fn from(r: TargetRow) -> Self {
        BillToTarget { id: r.id, name: r.name, bill_to_account_id: r.bill_to_account_id, archived: r.archived }
    }
}

pub(crate) const TARGET_COLUMNS: &str = "id, name, bill_to_account_id, archived_at IS NOT NULL AS archived";

pub async fn set_archived(db: &Db, id: AccountId, archived: bool, now: DateTime<Utc>) -> Result<(), StoreError> {
    let at = archived.then_some(now);
    let changed = on_db!(db, p => sqlx::query("UPDATE accounts SET archived_at = $1 WHERE id = $2")
        .bind(at).bind(id).execute(p).await?.rows_affected());
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Inserts a contact for an existing account; `None` when the account does not exist.
pub async fn insert_contact(
    db: &Db,
    account_id: AccountId,
    c: &ContactInput,
    now: DateTime<Utc>,
) -> Result<Option<ContactId>, StoreError> {
    let id = on_db!(db, p => sqlx::query_scalar::<_, ContactId>(
        "INSERT INTO contacts (account_id, name, email, phone, invoice_role, created_at)
         SELECT id, $2, $3, $4, $5, $6 FROM accounts WHERE id = $1 RETURNING id")
        .bind(account_id).bind(&c.name).bind(&c.email).bind(&c.phone).bind(&c.invoice_role).bind(now)
        .fetch_optional(p).await?);
    Ok(id)
}

/// Changes a contact of `account_id`; false when there is no such contact on that account.
pub async fn update_contact(
    db: &Db,
    account_id: AccountId,
    contact_id: ContactId,
    c: &ContactInput,
) -> Result<bool, StoreError> {
    let changed = on_db!(db, p => sqlx::query(
        "UPDATE contacts SET name = $1, email = $2, phone = $3, invoice_role = $4 WHERE id = $5 AND account_id = $6")
        .bind(&c.name).bind(&c.email).bind(&c.phone).bind(&c.invoice_role).bind(contact_id).bind(account_id)
        .execute(p).await?.rows_affected());
    Ok(changed > 0)
}

pub async fn delete_contact(db: &Db, account_id: AccountId, contact_id: ContactId) -> Result<bool, StoreError> {
    let changed = on_db!(db, p => sqlx::query("DELETE FROM contacts WHERE id = $1 AND account_id = $2")
        .bind(contact_id).bind(account_id).execute(p).await?.rows_affected());
    Ok(changed > 0)
}

/// Which of `account_ids` have no "To" contact: invoices addressed to them cannot be e-mailed.
pub async fn without_invoice_recipient(
    db: &Db,
    account_ids: &[AccountId],
) -> Result<std::collections::HashSet<AccountId>, StoreError> {
    if account_ids.is_empty() {
        return Ok(Default::default());
    }
    // Ids are integers, so inlining them is safe and avoids engine limits on bound parameters.
    let list = account_ids.iter().map(AccountId::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT a.id FROM accounts a WHERE a.id IN ({list})
           AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id AND c.invoice_role = 'to')"
    );
    let ids = on_db!(db, p => sqlx::query_scalar::<_, AccountId>(&sql).fetch_all(p).await?);
    Ok(ids.into_iter().collect())
}
