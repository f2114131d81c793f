//! Configuration from environment variables, each with a default that works on a laptop.

use std::{net::SocketAddr, path::PathBuf};

use app::backend::{
    auth::AuthConfig,
    delivery::{
        mail_settings::MailEnvironment,
        transport::{SmtpSettings, TlsMode},
    },
    payments::stripe::StripeConfig,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Never logged as is: it may hold a password.
    pub database_url: String,
    pub addr: SocketAddr,
    pub site_root: String,
    pub load_demo: bool,
    pub auth: AuthConfig,
    pub mail: MailEnvironment,
    pub jobs: JobsConfig,
    pub payments: PaymentsConfig,
    /// Portal requests allowed per client IP per minute.
    pub portal_rate_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`PRESSRUN_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::client_address::TrustedProxies,
}

/// Online payment on the portal.
#[derive(Clone, Debug)]
pub enum PaymentsConfig {
    /// Pay Online is not offered; clients are asked to contact the publisher.
    Off,
    /// The built-in test provider (demo data and tests only: it accepts test card numbers).
    Test,
    Stripe(StripeConfig),
}

/// The background scheduler and outbox worker.
#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// Seconds between scheduler ticks inside the server; 0 leaves ticking to `pressrun tick`.
    pub tick_seconds: u64,
    /// How often an idle outbox worker looks for due messages (it is also woken directly).
    pub outbox_poll_ms: u64,
    pub lease_seconds: i64,
    pub retry_base_seconds: i64,
    /// Names this instance in leases and batch records; defaults to host:pid.
    pub instance: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|e: T::Err| ConfigError::Invalid { name, reason: e.to_string() }),
    }
}

fn flag(name: &'static str) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => {
            Err(ConfigError::Invalid { name, reason: format!("\"{other}\" is not 1/0, true/false, yes/no or on/off") })
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let data_dir = PathBuf::from(var("PRESSRUN_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", data_dir.join("pressrun.db").display()));
        // cargo-leptos passes LEPTOS_SITE_ADDR / LEPTOS_SITE_ROOT when it runs the server.
        let addr = match var("PRESSRUN_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")) {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(a) => a.parse().map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                name: "PRESSRUN_ADDR",
                reason: e.to_string(),
            })?,
        };
        let site_root =
            var("PRESSRUN_SITE_ROOT").or_else(|| var("LEPTOS_SITE_ROOT")).unwrap_or_else(|| "target/site".into());
        let auth = AuthConfig {
            secure_cookies: flag("PRESSRUN_SECURE_COOKIES")?,
            session_idle_minutes: parse("PRESSRUN_SESSION_IDLE_MINUTES", AuthConfig::default().session_idle_minutes)?,
            session_max_hours: parse("PRESSRUN_SESSION_MAX_HOURS", AuthConfig::default().session_max_hours)?,
        };
        if auth.session_idle_minutes < 1 || auth.session_max_hours < 1 {
            return Err(ConfigError::Invalid {
                name: "PRESSRUN_SESSION_*",
                reason: "session lifetimes must be positive".into(),
            });
        }
        let mail = mail_from_env(&data_dir, addr)?;
        let jobs = JobsConfig {
            tick_seconds: parse("PRESSRUN_TICK_SECONDS", 60)?,
            outbox_poll_ms: parse("PRESSRUN_OUTBOX_POLL_MS", 2_000)?,
            lease_seconds: parse("PRESSRUN_OUTBOX_LEASE_SECONDS", 120)?,
            retry_base_seconds: parse("PRESSRUN_RETRY_BASE_SECONDS", 30)?,
            instance: var("PRESSRUN_INSTANCE").unwrap_or_else(default_instance),
        };
        if jobs.lease_seconds < 1 || jobs.retry_base_seconds < 1 || jobs.outbox_poll_ms < 10 {
            return Err(ConfigError::Invalid {
                name: "PRESSRUN_OUTBOX_*",
                reason: "lease and retry base must be at least 1 s, the poll interval at least 10 ms".into(),
            });
        }
        let load_demo = flag("PRESSRUN_DEMO")?;
        let payments = payments_from_env(load_demo)?;
        let trusted_proxies =
            crate::client_address::TrustedProxies::parse(&var("PRESSRUN_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| ConfigError::Invalid { name: "PRESSRUN_TRUSTED_PROXIES", reason })?;
        let portal_rate_per_minute = parse("PRESSRUN_PORTAL_RATE_PER_MINUTE", crate::routes::PORTAL_RATE_PER_MINUTE)?;
        if portal_rate_per_minute == 0 {
            return Err(ConfigError::Invalid {
                name: "PRESSRUN_PORTAL_RATE_PER_MINUTE",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Config {
            data_dir,
            database_url,
            addr,
            site_root,
            load_demo,
            auth,
            mail,
            jobs,
            payments,
            portal_rate_per_minute,
            trusted_proxies,
        })
    }
}

/// Stripe when its keys are set; else the test provider when asked for (or with demo data);
/// else no online payment.
fn payments_from_env(demo: bool) -> Result<PaymentsConfig, ConfigError> {
    match (var("PRESSRUN_STRIPE_SECRET_KEY"), var("PRESSRUN_STRIPE_WEBHOOK_SECRET")) {
        (Some(secret_key), Some(webhook_secret)) => Ok(PaymentsConfig::Stripe(StripeConfig {
            api_base: var("PRESSRUN_STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com".into()),
            secret_key,
            webhook_secret,
        })),
        (Some(_), None) | (None, Some(_)) => Err(ConfigError::Invalid {
            name: "PRESSRUN_STRIPE_SECRET_KEY",
            reason: "Stripe needs both PRESSRUN_STRIPE_SECRET_KEY and PRESSRUN_STRIPE_WEBHOOK_SECRET".into(),
        }),
        (None, None) => {
            let test = match var("PRESSRUN_TEST_PAYMENTS") {
                None => demo,
                Some(_) => flag("PRESSRUN_TEST_PAYMENTS")?,
            };
            Ok(if test { PaymentsConfig::Test } else { PaymentsConfig::Off })
        }
    }
}

fn default_instance() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    format!("{}:{}", if host.is_empty() { "pressrun" } else { &host }, std::process::id())
}

/// `PRESSRUN_SMTP_HOST` switches mail on; without it messages are written as `.eml` files to
/// `PRESSRUN_MAIL_DIR` (default `<data dir>/mail-outbox`) unless an admin saves SMTP settings.
fn mail_from_env(data_dir: &std::path::Path, addr: SocketAddr) -> Result<MailEnvironment, ConfigError> {
    let smtp = match var("PRESSRUN_SMTP_HOST") {
        None => None,
        Some(host) => {
            let tls = match var("PRESSRUN_SMTP_TLS") {
                None => TlsMode::StartTls,
                Some(t) => TlsMode::parse(&t).ok_or_else(|| ConfigError::Invalid {
                    name: "PRESSRUN_SMTP_TLS",
                    reason: format!("\"{t}\" is not starttls, tls or none"),
                })?,
            };
            let default_port = match tls {
                TlsMode::Tls => 465,
                TlsMode::StartTls => 587,
                TlsMode::None => 25,
            };
            Some(SmtpSettings {
                host,
                port: parse("PRESSRUN_SMTP_PORT", default_port)?,
                tls,
                username: var("PRESSRUN_SMTP_USER").unwrap_or_default(),
                password: std::env::var("PRESSRUN_SMTP_PASSWORD").unwrap_or_default(),
            })
        }
    };
    Ok(MailEnvironment {
        smtp,
        from: var("PRESSRUN_MAIL_FROM"),
        folder: var("PRESSRUN_MAIL_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("mail-outbox")),
        // Links in emails must reach this server from a client's browser: set
        // PRESSRUN_PUBLIC_URL to the address clients use (https://billing.example.com).
        public_url: var("PRESSRUN_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string(),
    })
}
