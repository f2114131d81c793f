//! Configuration from environment variables, each with a default that works on a laptop.

use std::{net::SocketAddr, path::PathBuf};

use app::backend::state::AuthConfig;

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
        Ok(Config { data_dir, database_url, addr, site_root, load_demo: flag("PRESSRUN_DEMO")?, auth })
    }
}
