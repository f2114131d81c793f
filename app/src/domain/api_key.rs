//! API keys as people and clients see them: `prk_<prefix>_<secret>`. The prefix (8 lowercase
//! letters and digits) names the key in Settings; the secret is 256 random bits in base64url
//! (43 characters). Only a hash of the whole key is stored.

use super::settings::FieldError;

pub const SCHEME: &str = "prk";
pub const PREFIX_LEN: usize = 8;
pub const SECRET_LEN: usize = 43;
pub const MAX_NAME_CHARS: usize = 80;

/// What a key may do with the REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ApiKeyScope {
    /// GET only: for reporting and syncing systems that only look.
    Read,
    /// Also create and change accounts and orders.
    Write,
}

impl ApiKeyScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyScope::Read => "read",
            ApiKeyScope::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "read" => Some(ApiKeyScope::Read),
            "write" => Some(ApiKeyScope::Write),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApiKeyScope::Read => "Read only",
            ApiKeyScope::Write => "Read and write",
        }
    }
}

/// The trimmed name, or what is wrong with it.
pub fn validate_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "Name the key after the system that will use it."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new("name", format!("Use at most {MAX_NAME_CHARS} characters.")));
    }
    Ok(name.to_string())
}

/// The prefix of a well-formed key. Anything else is refused before the database is asked.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(SCHEME)?.strip_prefix('_')?;
    let (prefix, secret) = rest.split_at_checked(PREFIX_LEN)?;
    let secret = secret.strip_prefix('_')?;
    let prefix_ok = prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let secret_ok =
        secret.len() == SECRET_LEN && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (prefix_ok && secret_ok).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "prk_ab12cd34_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-";

    #[test]
    fn recognises_the_key_shape() {
        assert_eq!(GOOD.len(), 4 + PREFIX_LEN + 1 + SECRET_LEN);
        assert_eq!(prefix_of(GOOD), Some("ab12cd34"));
        assert_eq!(prefix_of(&GOOD.replace("prk_", "pk_")), None);
        assert_eq!(prefix_of(&GOOD.replace("ab12cd34", "AB12CD34")), None);
        assert_eq!(prefix_of(&GOOD[..GOOD.len() - 1]), None, "secret too short");
        assert_eq!(prefix_of(&format!("{GOOD}x")), None, "secret too long");
        assert_eq!(prefix_of(&GOOD.replace('-', "+")), None, "not base64url");
        assert_eq!(prefix_of("prk_ab12"), None);
        assert_eq!(prefix_of("prk_ab12cd3é_x"), None, "multi-byte characters do not panic");
        assert_eq!(prefix_of(""), None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Ad orders  ").unwrap(), "Ad orders");
        assert_eq!(validate_name("   ").unwrap_err().field, "name");
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
