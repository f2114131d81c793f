//! A local stand-in for QuickBooks Online: Intuit's OAuth 2.0 endpoints and a subset of the
//! Accounting API v3, in memory, for tests and for running Pressrun without the internet.
//!
//! Host it in-process ([`spawn`], or [`serve`] on your own listener, or mount [`router`]), point
//! the client's three base URLs at it (authorize `…/connect/oauth2`, token
//! `…/oauth2/v1/tokens/bearer`, revoke `…/v2/oauth2/tokens/revoke`, API `…/v3/company/{realm}`),
//! and steer it from Rust through [`StandIn`] or over HTTP under `/__standin/` (`GET /__standin`
//! lists the admin endpoints). `cargo run -p quickbooks-standin --example serve` runs it alone.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use quickbooks_standin::{EntityKind, FaultAction, FaultRule, Operation, StandIn, spawn};
//! let running = spawn(StandIn::default()).await?;
//! let tokens = running.standin.connect(); // or click through /connect/oauth2
//! running.standin.push_fault(
//!     FaultRule::new(FaultAction::CommitThenDrop).on_entity(EntityKind::Invoice).on_operation(Operation::Create),
//! );
//! // … run the sync against running.base_url() with tokens.access_token …
//! assert_eq!(running.standin.counters().invalid_grant, 0);
//! # Ok(()) }
//! ```
//!
//! # What is faithful
//! Sources: /work/shared/quickbooks.md (Intuit's docs, the official SDKs and community clients),
//! plus public issue threads where noted.
//! - **OAuth** — consent redirect carrying `code`, `state`, `realmId`; HTTP Basic client auth
//!   (`401 {"error":"invalid_client"}`); single-use codes bound to their redirect_uri, valid 5
//!   minutes; the token response's five fields; access tokens of 3600 s; refresh-token values that
//!   rotate (every refresh, or daily like the real service: [`RotationPolicy`]) and whose previous
//!   value dies at once or after 24 h — the sources disagree, so [`OldTokenMode`] switches; refresh
//!   tokens expiring when their `x_refresh_token_expires_in` (8726400 s from issue) runs out —
//!   Intuit calls that "100 days" though it is 101, so the lifetime is configurable — and
//!   connections after 5 years; `400 {"error":"invalid_grant"}` for anything reused,
//!   expired, revoked or unknown; revoke by JSON `{"token"}` (form accepted too) killing the
//!   connection and its access tokens; API 401s in the lowercase `fault` shape, code 3200.
//! - **Entities** — Customer, Item, Invoice, Payment, CreditMemo (plus Vendor and Employee for the
//!   cross-type name rule): string Ids, `SyncToken` bumped on every write and checked on update,
//!   void and delete (5010 when stale), `MetaData`, full and sparse update, the `{"Invoice":{…},
//!   "time":…}` wrapper, `domain`/`sparse`, a trailing SubTotalLine, `CustomerRef.name` filled in,
//!   `TotalAmt`/`Balance`/`UnappliedAmt`/`RemainingCredit` computed, a customer's `Balance`
//!   derived, and invoices that get new payment links gaining a SyncToken and appearing in the
//!   change feed.
//! - **Validation codes** — 2020 missing field, 2040 colon/tab/newline in a name, 2050 too long
//!   (limits listed in `rules`), 2500 unknown or inactive reference (with `element`), 6070
//!   `Amount ≠ Qty × UnitPrice` to the cent, 6140 duplicate invoice DocNumber naming the holder's
//!   TxnId (`include=allowduplicatedocnum` bypasses), 6240 DisplayName taken by any customer,
//!   vendor or employee (case-insensitive, naming the holder's Id), 610 not found, 4000/4001
//!   query errors, 500 "Unsupported Operation" (e.g. deleting a customer).
//! - **Query** — the documented subset (see [`query`]); empty results are `{"QueryResponse":{}}`.
//! - **Change feed** — the `CDCResponse` shape of Intuit's reference (see `cdc`), 30 days, 1,000
//!   objects, deleted records as `status:"Deleted"`.
//! - **requestid** — a repeated `requestid` on a write replays the first successful answer
//!   (switchable off: community clients report it unreliable).
//! - **Throttling** — 500/min and 10/s per company when switched on, answered in JSON or in the
//!   XML the real service sends even to JSON clients ([`ThrottleFormat`]).
//! - **CompanyInfo** — `GET /companyinfo/{realm}` and `select * from CompanyInfo`, read-only,
//!   named after `Config::company_name`.
//!
//! # What is simplified
//! - One company per stand-in and one OAuth client; any absolute http(s) redirect URI is accepted
//!   unless `redirect_uris` is set (real apps register HTTPS ones).
//! - Always JSON (the real API answers XML unless `Accept: application/json`); `minorversion` is
//!   accepted and ignored; unknown fields are stored and echoed rather than refused with 2010.
//! - No accounts, tax codes, terms, classes, currencies or batch; items default their income
//!   account; a line without ItemRef books to the "Services" item (Id 1) as QuickBooks does.
//! - Only SalesItemLineDetail, DescriptionOnly and SubTotalLineDetail lines; one LinkedTxn per
//!   payment line (Invoice or CreditMemo); an invoice or credit memo a payment uses cannot be
//!   deleted or voided (the QuickBooks UI would offer to unlink); applying more than an invoice's
//!   open balance is refused with 6000.
//! - DocNumber uniqueness is checked among invoices only; auto-numbering (on by default) takes
//!   one past the highest numeric invoice or credit-memo number, from 1001.
//! - Fault message texts are plausible, not verbatim, except where a public thread quoted them
//!   (6240, 3001, 610, 500, the cdc age limit); clients must branch on `code`.
//! - The 429 answer carries `Retry-After` only if configured (undocumented for the real service).
//! - The clock drives everything including the throttle windows, so a frozen clock makes
//!   throttling deterministic. Throttling covers the Accounting API, not the OAuth endpoints.
//! - `requestid` is honoured on writes only, and only successful answers are remembered (a
//!   refused write can be retried with the same id); the memory lasts until reset or
//!   [`StandIn::forget_request_ids`].
//! - Amounts, quantities and prices of 10^13 or more are refused as not numbers (2010), which
//!   keeps all money arithmetic exact and overflow-free.
//!
//! # Dropping connections
//! "Commit then drop" needs the connection: [`serve`] and [`spawn`] accept through a listener that
//! can cut a connection without an answer. When [`router`] is mounted on some other server the
//! stand-in falls back to unwinding the connection's task (without the panic hook), which ends
//! the connection just as abruptly but would be caught by a `CatchPanic` layer.

// A `Fault` (and an axum `Response`) is a few strings wide; one is returned per refused request
// of a test double, so boxing them would add noise without saving anything measurable.
#![allow(clippy::result_large_err, reason = "faults are returned once per request; see above")]

mod cdc;
mod clock;
mod config;
mod entity;
mod fault;
mod http;
mod inject;
mod ledger;
mod money;
mod oauth;
pub mod query;
mod rules;
mod store;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};

pub use clock::ClockFn;
pub use config::{Config, ConfigPatch, OldTokenMode, RotationPolicy, ThrottleFormat, ThrottleLimits};
pub use entity::EntityKind;
pub use fault::Fault;
pub use inject::{FaultAction, FaultRule, Operation};
pub use oauth::{
    ACCESS_TOKEN_SECONDS, AUTH_CODE_SECONDS, GrantError, REFRESH_TOKEN_SECONDS, RefreshTokenInfo, TokenResponse,
};

use clock::Clock;
use inject::{Rules, Throttle};
use oauth::OAuth;
use store::{Company, WriteCtx};

/// What the stand-in counted since the last reset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Requests per route, e.g. `"POST /v3/company/{realm}/{entity}"`.
    pub requests: BTreeMap<String, u64>,
    /// Successful API operations per entity and operation, e.g. `"Invoice create"`.
    pub operations: BTreeMap<String, u64>,
    /// Successful creates per entity (`"Invoice"`), including those whose answer was dropped.
    pub creates: BTreeMap<String, u64>,
    /// Faults answered per code (`"6240"`), injected ones included.
    pub faults: BTreeMap<String, u64>,
    pub code_exchanges: u64,
    /// Successful `grant_type=refresh_token` answers.
    pub refreshes: u64,
    /// `invalid_grant` answers (refresh and code exchange).
    pub invalid_grant: u64,
    pub invalid_client: u64,
    pub revocations: u64,
    /// API calls refused with 401.
    pub unauthorized: u64,
    /// 429 answers (limits and injected).
    pub throttled: u64,
    /// Requests a fault rule acted on.
    pub injected: u64,
    /// Answers replayed for a repeated `requestid`.
    pub replayed: u64,
    /// Connections closed without an answer.
    pub dropped_connections: u64,
}

/// One request as the stand-in saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// 0 when the connection was dropped without an answer.
    pub status: u16,
}

/// Everything at once, for assertions and `GET /__standin/snapshot`.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub now: DateTime<Utc>,
    pub clock_frozen: bool,
    pub config: Config,
    pub counters: Counters,
    /// Live entities per type.
    pub counts: BTreeMap<String, usize>,
    pub entities: BTreeMap<String, Vec<Value>>,
    pub refresh_tokens: Vec<RefreshTokenInfo>,
    pub live_access_tokens: usize,
    pub pending_faults: Vec<FaultRule>,
    pub forced_invalid_grants: u32,
    pub remembered_request_ids: usize,
}

const LOG_LIMIT: usize = 2000;

/// A remembered answer for a `requestid`.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(crate) oauth: OAuth,
    pub(crate) company: Company,
    pub(crate) rules: Rules,
    pub(crate) throttle: Throttle,
    pub(crate) replies: HashMap<String, Reply>,
    pub(crate) counters: Counters,
    pub(crate) log: VecDeque<RequestRecord>,
}

impl State {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The `time` of an answer: milliseconds and the company's offset, like the real service.
    pub(crate) fn time(&self) -> String {
        self.now().with_timezone(&self.config.offset()).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
    }

    pub(crate) fn write_ctx(&self, allow_duplicate_doc: bool) -> WriteCtx {
        WriteCtx {
            now: self.now(),
            offset: self.config.offset(),
            allow_duplicate_doc,
            auto_doc_number: self.config.auto_doc_number,
        }
    }

    /// The read-only `CompanyInfo` clients fetch after connecting to show which company it is.
    pub(crate) fn company_info(&self) -> Value {
        json!({
            "CompanyName": self.config.company_name,
            "LegalName": self.config.company_name,
            "Country": "US",
            "SupportedLanguages": "en",
            "Id": "1",
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": false,
            "MetaData": {"CreateTime": store::meta_time(self.now(), self.config.offset()),
                         "LastUpdatedTime": store::meta_time(self.now(), self.config.offset())}
        })
    }

    pub(crate) fn log(&mut self, method: &str, path: &str, query: Option<&str>, status: u16) {
        if self.log.len() >= LOG_LIMIT {
            self.log.pop_front();
        }
        let at = self.now();
        self.log.push_back(RequestRecord {
            at,
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            status,
        });
    }

    pub(crate) fn count_fault(&mut self, code: &str) {
        *self.counters.faults.entry(code.to_string()).or_default() += 1;
    }

    fn reset(&mut self) {
        self.clock.resume();
        let now = self.now();
        self.company = Company::seeded(now, self.config.offset());
        self.oauth = OAuth::default();
        self.rules = Rules::default();
        self.throttle = Throttle::default();
        self.replies.clear();
        self.counters = Counters::default();
        self.log.clear();
    }
}

/// The stand-in: cheap to clone, all clones share one state behind a mutex.
#[derive(Clone)]
pub struct StandIn {
    state: Arc<Mutex<State>>,
}

impl Default for StandIn {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("realm_id", &self.lock().config.realm_id).finish_non_exhaustive()
    }
}

impl StandIn {
    pub fn new(config: Config) -> Self {
        let clock = Clock::new(clock::system_clock());
        let now = clock.now();
        let company = Company::seeded(now, config.offset());
        Self {
            state: Arc::new(Mutex::new(State {
                config,
                clock,
                oauth: OAuth::default(),
                company,
                rules: Rules::default(),
                throttle: Throttle::default(),
                replies: HashMap::new(),
                counters: Counters::default(),
                log: VecDeque::new(),
            })),
        }
    }

    /// Replaces the time source. The function is called with the stand-in's lock held: it must not
    /// call back into the stand-in.
    pub fn with_clock(self, clock: ClockFn) -> Self {
        self.lock().clock.set_source(clock);
        self
    }

    /// A poisoned lock only means a panic elsewhere; the state itself is still consistent
    /// (every write validates before it mutates), so keep serving.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- configuration and clock ----

    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// Changes the configuration in place: `standin.configure(|c| c.old_refresh_token = OldTokenMode::Grace24h)`.
    pub fn configure(&self, f: impl FnOnce(&mut Config)) {
        f(&mut self.lock().config);
    }

    pub fn realm_id(&self) -> String {
        self.lock().config.realm_id.clone()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// Freezes the clock at `t`.
    pub fn set_now(&self, t: DateTime<Utc>) {
        self.lock().clock.set(t);
    }

    /// Moves the clock (frozen or flowing) by `d`.
    pub fn advance(&self, d: Duration) {
        self.lock().clock.advance(d);
    }

    /// Back to the time source.
    pub fn resume_clock(&self) {
        self.lock().clock.resume();
    }

    /// Back to a fresh company: seeds only, no tokens, rules, counters or remembered requestids;
    /// the clock follows its source again. The configuration is kept.
    pub fn reset(&self) {
        self.lock().reset();
    }

    // ---- OAuth ----

    /// What the consent page's Connect button does: an authorization code for `redirect_uri`.
    pub fn authorize(&self, redirect_uri: &str) -> String {
        let mut s = self.lock();
        let now = s.now();
        s.oauth.issue_code(redirect_uri, now)
    }

    /// A new connection without the consent dance: the tokens a code exchange would return.
    pub fn connect(&self) -> TokenResponse {
        let mut s = self.lock();
        let now = s.now();
        let config = s.config.clone();
        s.oauth.new_grant(&config, now)
    }

    /// The next `n` refreshes answer `invalid_grant` even with a good token.
    pub fn force_invalid_grant(&self, n: u32) {
        self.lock().oauth.forced_invalid_grants += n;
    }

    /// Every access token issued so far stops working now (refresh tokens are untouched).
    pub fn expire_access_tokens(&self) {
        let mut s = self.lock();
        let now = s.now();
        s.oauth.expire_access_tokens(now);
    }

    /// Disconnects every connection, as a user disconnecting the app in QuickBooks would.
    pub fn revoke_all(&self) {
        self.lock().oauth.revoke_all();
    }

    /// Every refresh-token value handed out, with whether it still works.
    pub fn refresh_tokens(&self) -> Vec<RefreshTokenInfo> {
        let s = self.lock();
        let now = s.now();
        s.oauth.refresh_tokens(&s.config, now)
    }

    // ---- data ----

    pub fn entities(&self, kind: EntityKind) -> Vec<Value> {
        self.lock().company.list(kind)
    }

    pub fn customers(&self) -> Vec<Value> {
        self.entities(EntityKind::Customer)
    }

    pub fn items(&self) -> Vec<Value> {
        self.entities(EntityKind::Item)
    }

    pub fn invoices(&self) -> Vec<Value> {
        self.entities(EntityKind::Invoice)
    }

    pub fn payments(&self) -> Vec<Value> {
        self.entities(EntityKind::Payment)
    }

    pub fn credit_memos(&self) -> Vec<Value> {
        self.entities(EntityKind::CreditMemo)
    }

    /// One live entity by Id.
    pub fn entity(&self, kind: EntityKind, id: &str) -> Option<Value> {
        self.lock().company.read(kind, id).ok()
    }

    /// Creates an entity as a QuickBooks user would (same rules as the API, no token needed).
    pub fn create(&self, kind: EntityKind, body: Value) -> Result<Value, Fault> {
        let mut s = self.lock();
        let ctx = s.write_ctx(false);
        // Not counted in `Counters::creates`, which counts what the API client created.
        s.company.create(kind, body, ctx)
    }

    /// Edits an entity as someone in the QuickBooks UI would: `patch`'s top-level fields replace
    /// the stored ones (a sparse update at the current SyncToken), so the API client's copy goes
    /// stale and its next update gets 5010.
    pub fn edit_as_user(&self, kind: EntityKind, id: &str, patch: Value) -> Result<Value, Fault> {
        let mut s = self.lock();
        let current = s.company.read(kind, id)?;
        let mut body = match patch {
            Value::Object(m) => m,
            _ => return Err(Fault::invalid_property("The patch must be a JSON object")),
        };
        body.insert("Id".into(), current["Id"].clone());
        body.insert("SyncToken".into(), current["SyncToken"].clone());
        body.insert("sparse".into(), Value::Bool(true));
        let ctx = s.write_ctx(false);
        s.company.update(kind, Value::Object(body), ctx)
    }

    /// Makes `doc_number` taken by QuickBooks' own numbering: an invoice with that number appears
    /// (for the first customer, created if there is none), as if someone had entered it in the
    /// QuickBooks UI. Returns its TxnId.
    pub fn take_doc_number(&self, doc_number: &str) -> Result<String, Fault> {
        let mut s = self.lock();
        let ctx = s.write_ctx(true);
        let first = s.company.live(EntityKind::Customer).find(|r| r.active()).map(|r| r.id);
        let customer = match first {
            Some(id) => id.to_string(),
            None => {
                let c = s.company.create(
                    EntityKind::Customer,
                    json!({"DisplayName": "QuickBooks Walk-in Customer"}),
                    ctx,
                )?;
                c["Id"].as_str().unwrap_or("1").to_string()
            }
        };
        let invoice = s.company.create(
            EntityKind::Invoice,
            json!({
                "DocNumber": doc_number,
                "CustomerRef": {"value": customer},
                "PrivateNote": "Entered in QuickBooks",
                "Line": [{"Amount": 0, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}]
            }),
            ctx,
        )?;
        Ok(invoice["Id"].as_str().unwrap_or_default().to_string())
    }

    // ---- faults ----

    pub fn push_fault(&self, rule: FaultRule) {
        self.lock().rules.pending.push(rule);
    }

    pub fn clear_faults(&self) {
        self.lock().rules.pending.clear();
    }

    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.lock().rules.pending.clone()
    }

    /// Forgets every remembered `requestid` (as the real service eventually does).
    pub fn forget_request_ids(&self) {
        self.lock().replies.clear();
    }

    // ---- inspection ----

    pub fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }

    /// The last requests (up to 2,000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().log.iter().cloned().collect()
    }

    pub fn counts(&self) -> BTreeMap<String, usize> {
        let s = self.lock();
        EntityKind::ALL.iter().map(|k| (k.name().to_string(), s.company.count(*k))).collect()
    }

    pub fn snapshot(&self) -> Snapshot {
        let s = self.lock();
        let now = s.now();
        Snapshot {
            now,
            clock_frozen: s.clock.is_frozen(),
            config: s.config.clone(),
            counters: s.counters.clone(),
            counts: EntityKind::ALL.iter().map(|k| (k.name().to_string(), s.company.count(*k))).collect(),
            entities: EntityKind::ALL.iter().map(|k| (k.name().to_string(), s.company.list(*k))).collect(),
            refresh_tokens: s.oauth.refresh_tokens(&s.config, now),
            live_access_tokens: s.oauth.live_access_tokens(now),
            pending_faults: s.rules.pending.clone(),
            forced_invalid_grants: s.oauth.forced_invalid_grants,
            remembered_request_ids: s.replies.len(),
        }
    }
}

/// The stand-in's routes: OAuth, the Accounting API and `/__standin/` administration.
pub fn router(standin: StandIn) -> axum::Router {
    http::router(standin)
}

/// Serves the stand-in on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, standin: StandIn) -> std::io::Result<()> {
    http::conn::serve(listener, router(standin)).await
}

/// A stand-in served on a random loopback port in the background; stops when dropped.
pub struct Running {
    pub addr: SocketAddr,
    pub standin: StandIn,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/v3/company/<realm>`.
    pub fn company_url(&self) -> String {
        format!("{}/v3/company/{}", self.base_url(), self.standin.realm_id())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1 on a free port and serves `standin` there.
pub async fn spawn(standin: StandIn) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(serve(listener, standin.clone()));
    Ok(Running { addr, standin, task })
}
