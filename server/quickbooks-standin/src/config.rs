//! What a test or the demo can switch: identities, and every behaviour where the sources about the
//! real service disagree or where the real service is configurable per company.

use chrono::{FixedOffset, Offset, Utc};
use serde::{Deserialize, Serialize};

/// When a refresh answers with a NEW refresh-token value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotationPolicy {
    /// Every refresh returns a new value: the harshest case for a client that fails to persist it.
    Always,
    /// A new value at most once per 24 h; refreshes in between return the current value with a
    /// shorter `x_refresh_token_expires_in` (Intuit: "the refresh token value rotates roughly daily").
    Daily,
}

/// What happens to the previous refresh-token value once a new one was handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OldTokenMode {
    /// It dies at once ("the previous one expires", Intuit help article).
    Strict,
    /// It keeps working for 24 hours (intuit/oauth-jsclient README).
    Grace24h,
}

/// The body format of a 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleFormat {
    /// `{"Fault":{"Error":[{"code":"3001",…}],"type":"SERVICE"}}`.
    Json,
    /// `<IntuitResponse><Fault type="SERVICE"><Error code="3001">…`, which the real service sends even
    /// when JSON was asked for (reported in ej2/python-quickbooks and quickbooks-ruby).
    Xml,
}

/// Per-company request limits (Intuit: 500 requests per minute per realm, 10 per second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleLimits {
    pub per_minute: u32,
    pub per_second: u32,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self { per_minute: 500, per_second: 10 }
    }
}

/// The stand-in's configuration. Every field can be changed at run time (`StandIn::configure`,
/// `POST /__standin/config`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The OAuth client credentials the token endpoint accepts (HTTP Basic).
    pub client_id: String,
    pub client_secret: String,
    /// Shown on the consent page: "Connect <app_name> to <company_name>".
    pub app_name: String,
    pub company_name: String,
    /// The one company this stand-in hosts.
    pub realm_id: String,
    /// Redirect URIs registered for the app; empty accepts any absolute http(s) URI (the real
    /// service insists on registered HTTPS ones, which a local test cannot have).
    pub redirect_uris: Vec<String>,
    pub rotation: RotationPolicy,
    pub old_refresh_token: OldTokenMode,
    /// How long a refresh-token value lives after it was issued: 8,726,400 s (what the token
    /// endpoint reports; Intuit's prose rounds it to "100 days").
    pub refresh_token_lifetime_secs: i64,
    /// `None` (the default) does not throttle at all.
    pub throttle: Option<ThrottleLimits>,
    pub throttle_format: ThrottleFormat,
    /// Sent as `Retry-After` on a 429 when set (whether the real service sends it is undocumented).
    pub retry_after_secs: Option<u64>,
    /// Remember `requestid` and replay the first response for a repeat (documented, but reported
    /// unreliable, so a client must also cope with this being off).
    pub requestid_replay: bool,
    /// QuickBooks numbers invoices itself when `DocNumber` is omitted ("custom transaction numbers"
    /// off, the default for a new company); `false` leaves `DocNumber` empty instead.
    pub auto_doc_number: bool,
    /// The company's UTC offset, used for `time`, `MetaData` and default `TxnDate` (no DST).
    pub utc_offset_minutes: i32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: "standin-client-id".into(),
            client_secret: "standin-client-secret".into(),
            app_name: "Pressrun".into(),
            company_name: "Sandbox Company US".into(),
            realm_id: "9130357992223456".into(),
            redirect_uris: Vec::new(),
            rotation: RotationPolicy::Always,
            old_refresh_token: OldTokenMode::Strict,
            refresh_token_lifetime_secs: crate::oauth::REFRESH_TOKEN_SECONDS,
            throttle: None,
            throttle_format: ThrottleFormat::Json,
            retry_after_secs: None,
            requestid_replay: true,
            auto_doc_number: true,
            utc_offset_minutes: -8 * 60,
        }
    }
}

impl Config {
    pub(crate) fn offset(&self) -> FixedOffset {
        // An out-of-range offset (beyond ±24 h) falls back to UTC rather than failing.
        FixedOffset::east_opt(self.utc_offset_minutes.saturating_mul(60)).unwrap_or_else(|| Utc.fix())
    }
}

/// A partial configuration: what `POST /__standin/config` takes. Absent fields keep their value;
/// `throttle` and `retry_after_secs` can be turned off with an explicit `null`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub app_name: Option<String>,
    pub company_name: Option<String>,
    pub realm_id: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub rotation: Option<RotationPolicy>,
    pub old_refresh_token: Option<OldTokenMode>,
    pub refresh_token_lifetime_secs: Option<i64>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub throttle: Option<Option<ThrottleLimits>>,
    pub throttle_format: Option<ThrottleFormat>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub retry_after_secs: Option<Option<u64>>,
    pub requestid_replay: Option<bool>,
    pub auto_doc_number: Option<bool>,
    pub utc_offset_minutes: Option<i32>,
}

/// Tells "absent" (outer `None`, via `#[serde(default)]`) from "null" (`Some(None)`).
fn explicit_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl ConfigPatch {
    pub fn apply(self, c: &mut Config) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(
            client_id,
            client_secret,
            app_name,
            company_name,
            realm_id,
            redirect_uris,
            rotation,
            old_refresh_token,
            refresh_token_lifetime_secs,
            throttle,
            throttle_format,
            retry_after_secs,
            requestid_replay,
            auto_doc_number,
            utc_offset_minutes
        );
    }
}
