//! Organisation settings and their validation (time zones are checked on the server,
//! which has the tz database).

use serde::{Deserialize, Serialize};

use super::{invoice_number::InvoiceNumberFormat, money::is_supported_currency, terms::PaymentTerms};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationSettings {
    pub name: String,
    pub address: String,
    pub logo_url: String,
    pub currency: String,
    pub time_zone: String,
    pub invoice_number_format: String,
    pub default_terms_days: i32,
    pub email_from: String,
}

/// A message tied to the form field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_string(), message: message.into() }
    }
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in the domain,
/// no spaces. Deliverability is the mail server's business.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 254
}

impl OrganisationSettings {
    /// Trims text fields and returns every problem at once, by field.
    pub fn normalised(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        self.address = self.address.trim().to_string();
        self.logo_url = self.logo_url.trim().to_string();
        self.currency = self.currency.trim().to_uppercase();
        self.time_zone = self.time_zone.trim().to_string();
        self.invoice_number_format = self.invoice_number_format.trim().to_string();
        self.email_from = self.email_from.trim().to_string();

        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "Enter the organisation's name."));
        } else if self.name.chars().count() > 120 {
            errors.push(FieldError::new("name", "Use at most 120 characters."));
        }
        if self.address.chars().count() > 500 {
            errors.push(FieldError::new("address", "Use at most 500 characters."));
        }
        let logo_is_ours_or_https = self.logo_url.starts_with("https://")
            || (self.logo_url.starts_with('/') && !self.logo_url.starts_with("//"));
        if !self.logo_url.is_empty() && !logo_is_ours_or_https {
            errors.push(FieldError::new("logo_url", "The logo must be an https:// address or a path on this site."));
        }
        if !is_supported_currency(&self.currency) {
            errors.push(FieldError::new("currency", format!("\"{}\" is not a supported currency.", self.currency)));
        }
        if self.time_zone.is_empty() {
            errors.push(FieldError::new("time_zone", "Choose a time zone."));
        }
        if let Err(e) = InvoiceNumberFormat::parse(&self.invoice_number_format) {
            errors.push(FieldError::new("invoice_number_format", e));
        }
        if let Err(e) = PaymentTerms::new(i64::from(self.default_terms_days)) {
            errors.push(FieldError::new("default_terms_days", e));
        }
        if !self.email_from.is_empty() && !looks_like_email(&self.email_from) {
            errors.push(FieldError::new("email_from", "Enter a valid e-mail address, like billing@example.com."));
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> OrganisationSettings {
        OrganisationSettings {
            name: " Valley Media ".into(),
            address: "1 Main St".into(),
            logo_url: String::new(),
            currency: "usd".into(),
            time_zone: "America/Chicago".into(),
            invoice_number_format: "INV-{YYYY}-{SEQ:5}".into(),
            default_terms_days: 30,
            email_from: "billing@valley.example".into(),
        }
    }

    #[test]
    fn normalises_good_settings() {
        let s = good().normalised().unwrap();
        assert_eq!(s.name, "Valley Media");
        assert_eq!(s.currency, "USD");
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = OrganisationSettings {
            name: "  ".into(),
            currency: "XXX".into(),
            invoice_number_format: "INV".into(),
            default_terms_days: 400,
            email_from: "nope".into(),
            logo_url: "javascript:alert(1)".into(),
            ..good()
        };
        let fields: Vec<String> = bad.normalised().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["name", "logo_url", "currency", "invoice_number_format", "default_terms_days", "email_from"]
        );
    }

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a@b.co"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("a b@c.de"));
        assert!(!looks_like_email("@c.de"));
    }
}
