//! Online payment from the portal. A checkout records which invoices a client chose and the
//! amount asked for, then a payment provider takes the card:
//! - **Stripe Checkout**: a hosted page; Stripe's signed webhook reports the payment.
//! - **Test provider**: Pressrun's own card form, for demos and tests; never charges anything.
//!
//! However the provider reports success (webhook, its own form, a replay of either), completion
//! goes through [`complete`], which checks the amount and records the payment at most once: the
//! provider's session id is the payment's unique provider reference.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::RngCore;
use rust_decimal::Decimal;

use crate::{
    backend::{
        Db, StoreError,
        invoicing::open_items::OpenInvoiceRow,
        payments::{
            exceptions::{self, ExceptionKind, NewException},
            record::{self as payments, NewPayment, PaymentError},
            stripe::{self, StripeConfig, StripeError},
        },
        platform::{db::BeginWrite, fixed},
    },
    domain::{
        ids::{AccountId, InvoiceId, PaymentId},
        money::format_money,
        payment::{OpenBalance, PaymentMethod, allocate_in_order, to_minor_units},
    },
    on_db,
};

/// What starting a provider session yields: its session id and the page to send the client to.
pub type SessionStart<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(String, String), CheckoutError>> + Send + 'a>>;

/// The payment-provider interface: how a checkout becomes a page the client pays on.
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;

    /// Starts the provider's side of a checkout and returns its session id and the URL to send
    /// the client's browser to.
    fn start_session<'a>(&'a self, req: &'a stripe::SessionRequest<'a>) -> SessionStart<'a>;
}

/// Pressrun's own card form at `/portal/test-checkout/<checkout id>`.
pub struct TestProvider {
    pub public_url: String,
}

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn start_session<'a>(&'a self, req: &'a stripe::SessionRequest<'a>) -> SessionStart<'a> {
        Box::pin(async move {
            Ok((
                format!("test_{}", req.checkout_id),
                format!("{}/portal/test-checkout/{}", self.public_url.trim_end_matches('/'), req.checkout_id),
            ))
        })
    }
}

pub struct StripeProvider {
    pub config: StripeConfig,
    pub http: reqwest::Client,
}

impl PaymentProvider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn start_session<'a>(&'a self, req: &'a stripe::SessionRequest<'a>) -> SessionStart<'a> {
        Box::pin(async move {
            let s = stripe::create_session(&self.http, &self.config, req).await.map_err(CheckoutError::Provider)?;
            Ok((s.id, s.url))
        })
    }
}

/// Which provider this deployment uses, if any.
#[derive(Clone, Default)]
pub struct Payments {
    pub provider: Option<Arc<dyn PaymentProvider>>,
    /// Set with Stripe: verifies its webhooks.
    pub stripe: Option<StripeConfig>,
    /// The test provider is on: only then do its checkout pages exist. A test checkout opened
    /// while it was on cannot be paid after a restart with it off.
    pub test: bool,
}

impl Payments {
    pub fn test(public_url: &str) -> Self {
        Payments {
            provider: Some(Arc::new(TestProvider { public_url: public_url.to_string() })),
            stripe: None,
            test: true,
        }
    }

    pub fn stripe(config: StripeConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("a TLS client with the bundled roots always builds");
        Payments {
            provider: Some(Arc::new(StripeProvider { config: config.clone(), http })),
            stripe: Some(config),
            test: false,
        }
    }

    pub fn online(&self) -> bool {
        self.provider.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("Online payment is not available. Please contact us to pay.")]
    NotOffered,
    #[error("Those invoices are already paid.")]
    NothingDue,
    #[error("Choose at least one invoice to pay.")]
    NothingChosen,
    #[error("{0}")]
    Provider(StripeError),
    /// The provider reported an amount or currency other than the one asked for.
    #[error("the amount paid ({paid}) does not match the checkout ({expected})")]
    AmountMismatch { expected: String, paid: String },
    #[error("unknown checkout")]
    Unknown,
    /// Another checkout for some of these invoices was started moments ago and may still be paid.
    #[error("{0}")]
    InProgress(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Payment(String),
}

impl From<PaymentError> for CheckoutError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::Store(s) => CheckoutError::Store(s),
            PaymentError::Invalid(p) => {
                CheckoutError::Payment(p.into_iter().map(|p| p.message).collect::<Vec<_>>().join(" "))
            }
        }
    }
}

fn new_checkout_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How long a checkout's payment page can be paid: Stripe sessions are created to expire then
/// (its shortest allowed), and the test provider's page refuses a card after it. Within it, a
/// second Pay for the same invoices gets the same page, never a second charge.
pub const CHECKOUT_MINUTES: i64 = 30;

/// What starting a checkout found among the account's recent ones.
enum Recent {
    None,
    /// The same invoices for the same amounts: send the client back to that page.
    Same(String),
    /// Some of these invoices are in a checkout that may still be paid.
    Overlapping {
        numbers: Vec<String>,
        until: DateTime<Utc>,
    },
}

pub fn well_formed_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Starts paying the chosen invoices of an account in one checkout and returns the URL to
/// send the client to. Only invoices of that account that still owe something are taken, each
/// for its current balance.
pub async fn start(
    db: &Db,
    payments_cfg: &Payments,
    account_id: AccountId,
    invoice_ids: &[InvoiceId],
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<String, CheckoutError> {
    let provider = payments_cfg.provider.as_ref().ok_or(CheckoutError::NotOffered)?;
    if invoice_ids.is_empty() {
        return Err(CheckoutError::NothingChosen);
    }
    let chosen: Vec<OpenInvoiceRow> = crate::backend::invoicing::open_items::unpaid_invoices(db, account_id)
        .await?
        .into_iter()
        .filter(|i| invoice_ids.contains(&i.id))
        .collect();
    if chosen.is_empty() {
        return Err(CheckoutError::NothingDue);
    }
    let currency = chosen[0].currency.clone();
    let chosen: Vec<OpenInvoiceRow> = chosen.into_iter().filter(|i| i.currency == currency).collect();
    let amount: Decimal = chosen.iter().map(OpenInvoiceRow::balance).sum();
    let amount_minor =
        to_minor_units(amount).ok_or_else(|| CheckoutError::Payment("The balance is not in whole cents.".into()))?;
    let checkout_id = new_checkout_id();
    let wanted: std::collections::BTreeSet<(InvoiceId, i64)> =
        chosen.iter().map(|i| Ok((i.id, fixed::to_db(i.balance())?))).collect::<Result<_, StoreError>>()?;
    let id_list = chosen.iter().map(|i| i.id.to_string()).collect::<Vec<_>>().join(",");
    let recent_sql = format!(
        "SELECT s.id, s.provider_url, s.created_at FROM checkout_sessions s
         WHERE s.account_id = $1 AND s.status = 'open' AND s.created_at > $2
           AND EXISTS (SELECT 1 FROM checkout_invoices c WHERE c.checkout_id = s.id AND c.invoice_id IN ({id_list}))
         ORDER BY s.created_at DESC LIMIT 1"
    );
    let recent = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Two Pay presses at once must not both pass the check below: on PostgreSQL the account
        // row serialises them (SQLite's write transactions already do).
        if db.is_postgres() {
            sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE")
                .bind(account_id).execute(&mut *tx).await.map_err(StoreError::from)?;
        }
        let found: Vec<(String, Option<String>, DateTime<Utc>)> = sqlx::query_as(&recent_sql)
            .bind(account_id)
            .bind(now - chrono::Duration::minutes(CHECKOUT_MINUTES))
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        // The newest checkout touching these invoices decides.
        let recent = match found.into_iter().next() {
            None => Recent::None,
            Some((id, url, created_at)) => {
                let theirs: Vec<(InvoiceId, i64, Option<String>)> = sqlx::query_as(
                    "SELECT c.invoice_id, c.amount, i.number FROM checkout_invoices c JOIN invoices i ON i.id = c.invoice_id WHERE c.checkout_id = $1")
                    .bind(&id).fetch_all(&mut *tx).await.map_err(StoreError::from)?;
                let same: std::collections::BTreeSet<(InvoiceId, i64)> = theirs.iter().map(|(i, a, _)| (*i, *a)).collect();
                match url {
                    Some(url) if same == wanted => Recent::Same(url),
                    _ => Recent::Overlapping {
                        numbers: theirs
                            .into_iter()
                            .filter(|(i, _, _)| wanted.iter().any(|(w, _)| w == i))
                            .filter_map(|(_, _, n)| n)
                            .collect(),
                        until: created_at + chrono::Duration::minutes(CHECKOUT_MINUTES),
                    },
                }
            }
        };
        if !matches!(recent, Recent::None) {
            return finish_recent(recent, now);
        }
        sqlx::query(
            "INSERT INTO checkout_sessions (id, provider, account_id, amount, currency, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
        )
        .bind(&checkout_id)
        .bind(provider.name())
        .bind(account_id)
        .bind(fixed::to_db(amount)?)
        .bind(&currency)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        for inv in &chosen {
            sqlx::query("INSERT INTO checkout_invoices (checkout_id, invoice_id, amount) VALUES ($1, $2, $3)")
                .bind(&checkout_id)
                .bind(inv.id)
                .bind(fixed::to_db(inv.balance())?)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        recent
    });
    debug_assert!(matches!(recent, Recent::None));
    let numbers: Vec<String> = chosen.iter().filter_map(|i| i.number.clone()).collect();
    let description =
        if numbers.len() == 1 { format!("Invoice {}", numbers[0]) } else { format!("Invoices {}", numbers.join(", ")) };
    let base = public_url.trim_end_matches('/');
    let return_url = format!("{base}/portal/paid/{checkout_id}");
    let req = stripe::SessionRequest {
        checkout_id: &checkout_id,
        amount_minor,
        currency: &currency,
        description: &description,
        customer_email: None,
        success_url: &return_url,
        cancel_url: &return_url,
        expires_at: (now + chrono::Duration::minutes(CHECKOUT_MINUTES)).timestamp(),
    };
    let (session_id, url) = provider.start_session(&req).await?;
    on_db!(db, p => {
        sqlx::query("UPDATE checkout_sessions SET provider_session_id = $1, provider_url = $2 WHERE id = $3")
            .bind(&session_id)
            .bind(&url)
            .bind(&checkout_id)
            .execute(p)
            .await
            .map_err(StoreError::from)?;
    });
    tracing::info!(checkout = %checkout_id, provider = provider.name(), %account_id, invoices = chosen.len(), "checkout started");
    Ok(url)
}

/// The answer to a Pay press that met a recent checkout.
fn finish_recent(recent: Recent, now: DateTime<Utc>) -> Result<String, CheckoutError> {
    match recent {
        Recent::Same(url) => Ok(url),
        Recent::Overlapping { numbers, until } => {
            let minutes = (until - now).num_minutes().max(1);
            let which = if numbers.is_empty() { "these invoices".to_string() } else { numbers.join(", ") };
            Err(CheckoutError::InProgress(format!(
                "A payment for {which} was started a moment ago. Finish it in the window it opened, or try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )))
        }
        Recent::None => Err(CheckoutError::Unknown),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckoutRow {
    pub id: String,
    pub provider: String,
    pub provider_session_id: Option<String>,
    pub account_id: AccountId,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub payment_id: Option<PaymentId>,
    pub created_at: DateTime<Utc>,
}

impl CheckoutRow {
    /// Past its payment window: an unpaid page can no longer take a card.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.payment_id.is_none() && now > self.created_at + chrono::Duration::minutes(CHECKOUT_MINUTES)
    }
}

pub async fn get(db: &Db, checkout_id: &str) -> Result<Option<CheckoutRow>, StoreError> {
    if !well_formed_id(checkout_id) {
        return Ok(None);
    }
    let row = on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, provider, provider_session_id, account_id, amount, currency, status, payment_id, created_at FROM checkout_sessions WHERE id = $1",
        )
        .bind(checkout_id)
        .fetch_optional(p)
        .await?
    });
    Ok(row)
}

/// The invoices of a checkout: (invoice id, number, amount asked).
pub async fn invoices(db: &Db, checkout_id: &str) -> Result<Vec<(InvoiceId, String, i64)>, StoreError> {
    let rows = on_db!(db, p => {
        sqlx::query_as(
            "SELECT c.invoice_id, COALESCE(i.number, ''), c.amount FROM checkout_invoices c JOIN invoices i ON i.id = c.invoice_id
             WHERE c.checkout_id = $1 ORDER BY i.due_date, i.id",
        )
        .bind(checkout_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows)
}

/// Records a checkout as paid. `amount_minor`/`currency` are what the provider says it took;
/// anything but the amount asked is refused. Safe to call again: the second call finds the
/// payment by its provider reference and changes nothing.
pub async fn complete(
    db: &Db,
    checkout_id: &str,
    provider_ref: &str,
    amount_minor: i64,
    currency: &str,
    now: DateTime<Utc>,
    reference: &str,
) -> Result<PaymentId, CheckoutError> {
    let row = get(db, checkout_id).await?.ok_or(CheckoutError::Unknown)?;
    let expected = fixed::from_db(row.amount);
    let expected_minor = to_minor_units(expected).unwrap_or(-1);
    if expected_minor != amount_minor || !row.currency.eq_ignore_ascii_case(currency) {
        let paid = Decimal::new(amount_minor, 2);
        let paid_text = format_money(paid, &currency.to_ascii_uppercase());
        exceptions::record(
            db,
            &NewException {
                account_id: row.account_id,
                checkout_id,
                payment_id: None,
                kind: ExceptionKind::AmountMismatch,
                amount: paid,
                currency: &currency.to_ascii_uppercase(),
                detail: format!(
                    "The {} payment reported {paid_text} for a checkout of {}; nothing was recorded. Check it with the provider, then refund it or record it by hand.",
                    row.provider,
                    format_money(expected, &row.currency)
                ),
            },
            now,
        )
        .await?;
        return Err(CheckoutError::AmountMismatch {
            expected: format!("{expected_minor} {}", row.currency),
            paid: format!("{amount_minor} {}", currency.to_ascii_uppercase()),
        });
    }
    if let Some(payment_id) = row.payment_id {
        return Ok(payment_id);
    }
    // Each invoice gets what the client agreed to pay on it, but never more than it still owes
    // (a check may have arrived meanwhile); the rest stays on the account as credit.
    // An invoice voided or paid meanwhile owes nothing: its share stays on the account.
    let asked = invoices(db, checkout_id).await?;
    let still_open = crate::backend::invoicing::open_items::unpaid_invoices(db, row.account_id).await?;
    let open: Vec<OpenBalance> = asked
        .iter()
        .map(|(invoice_id, _, amount)| {
            let owed = still_open.iter().find(|i| i.id == *invoice_id).map(|i| i.balance()).unwrap_or_default();
            OpenBalance { invoice_id: *invoice_id, balance: owed.max(Decimal::ZERO).min(fixed::from_db(*amount)) }
        })
        .collect();
    let (allocations, _credit) = allocate_in_order(expected, &open);
    let recorded = payments::record(
        db,
        &NewPayment {
            account_id: row.account_id,
            method: PaymentMethod::Card,
            amount: expected,
            currency: row.currency.clone(),
            received_on: crate::backend::platform::organisation::today(db, now).await?,
            reference: reference.to_string(),
            notes: String::new(),
            provider: row.provider.clone(),
            provider_ref: Some(provider_ref.to_string()),
            allocations,
            created_by: None,
            actor: "Online payment".into(),
            send_receipt: true,
        },
        now,
    )
    .await?;
    on_db!(db, p => {
        sqlx::query("UPDATE checkout_sessions SET status = 'paid', payment_id = $1, completed_at = $2 WHERE id = $3 AND status <> 'paid'")
            .bind(recorded.payment_id)
            .bind(now)
            .bind(checkout_id)
            .execute(p)
            .await
            .map_err(StoreError::from)?;
    });
    if !recorded.duplicate {
        tracing::info!(checkout = %checkout_id, payment_id = %recorded.payment_id, "checkout paid");
    }
    // What the payment could not go to (invoices paid or voided meanwhile) is account credit the
    // client did not mean to leave: staff refund or apply it. Computed from what was stored, so a
    // repeated completion finds the same answer and the unique key keeps one exception.
    let unapplied = fixed::from_db(row.amount) - payments::allocated(db, recorded.payment_id).await?;
    if unapplied > Decimal::ZERO {
        let numbers: Vec<String> = asked.iter().map(|(_, n, _)| n.clone()).filter(|n| !n.is_empty()).collect();
        exceptions::record(
            db,
            &NewException {
                account_id: row.account_id,
                checkout_id,
                payment_id: Some(recorded.payment_id),
                kind: ExceptionKind::BecameCredit,
                amount: unapplied,
                currency: &row.currency,
                detail: format!(
                    "Paid online for {} after {} already paid or voided: {} is account credit. Apply it to another invoice or refund it.",
                    numbers.join(", "),
                    if numbers.len() == 1 { "it was" } else { "some were" },
                    format_money(unapplied, &row.currency),
                ),
            },
            now,
        )
        .await?;
    }
    Ok(recorded.payment_id)
}

/// Whether a webhook event id was handled before; a replay is acknowledged and ignored.
pub async fn event_seen(db: &Db, event_id: &str) -> Result<bool, StoreError> {
    let seen: Option<String> = on_db!(db, p => {
        sqlx::query_scalar("SELECT event_id FROM provider_events WHERE event_id = $1").bind(event_id).fetch_optional(p).await?
    });
    Ok(seen.is_some())
}

/// Remembers a handled (or refused) event. Written after its effect, so a crash in between
/// means the provider's retry is processed again — which [`complete`] makes harmless.
pub async fn record_event(
    db: &Db,
    provider: &str,
    event_id: &str,
    kind: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_db!(db, p => {
        sqlx::query(
            "INSERT INTO provider_events (event_id, provider, received_at, kind, outcome) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(provider)
        .bind(now)
        .bind(kind)
        .bind(outcome)
        .execute(p)
        .await?;
    });
    Ok(())
}
