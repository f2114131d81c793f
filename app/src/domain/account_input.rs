//! What a person (or the REST API) may send to create or change an account or a contact, and
//! the rules it must follow. The field names are the ones `FieldError`s point at, so a form
//! and a JSON client see the same messages beside the same fields.

use crate::domain::ids::AccountId;
use serde::{Deserialize, Serialize};

use super::{
    settings::{FieldError, looks_like_email},
    terms::PaymentTerms,
};

pub const ACCOUNT_KINDS: [(&str, &str); 2] = [("advertiser", "Advertiser"), ("agency", "Agency")];
pub const INVOICE_ROLES: [(&str, &str); 3] = [("to", "To"), ("cc", "Cc"), ("none", "None")];

const NAME_MAX: usize = 200;
const CONTACT_NAME_MAX: usize = 120;
const PHONE_MAX: usize = 40;
const ADDRESS_MAX: usize = 500;
const NOTES_MAX: usize = 4000;
const EXTERNAL_REF_MAX: usize = 100;

fn advertiser() -> String {
    "advertiser".into()
}

fn no_role() -> String {
    "none".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInput {
    pub name: String,
    /// `advertiser` or `agency`.
    #[serde(default = "advertiser")]
    pub kind: String,
    /// The account that pays this one's invoices; `None` when it pays its own.
    #[serde(default)]
    pub bill_to_account_id: Option<AccountId>,
    /// Days after the issue date; `None` uses the organisation's default terms.
    #[serde(default)]
    pub payment_terms_days: Option<i64>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub notes: String,
    /// The key the REST API and CSV imports find the account by; unique when present.
    #[serde(default)]
    pub external_ref: Option<String>,
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(field, format!("Use at most {max} characters.")));
    }
}

impl AccountInput {
    /// Trims text, turns a blank reference into none, and returns every problem at once.
    /// Rules that need other accounts (bill-to chains, unique references) are checked by the
    /// service with [`bill_to_problem`] and the database.
    pub fn normalised(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        self.kind = self.kind.trim().to_lowercase();
        self.email = self.email.trim().to_string();
        self.phone = self.phone.trim().to_string();
        self.address = self.address.trim().to_string();
        self.notes = self.notes.trim().to_string();
        self.external_ref = self.external_ref.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());

        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "Enter the account's name."));
        }
        too_long(&mut errors, "name", &self.name, NAME_MAX);
        if !ACCOUNT_KINDS.iter().any(|(k, _)| *k == self.kind) {
            errors.push(FieldError::new("kind", "Choose Advertiser or Agency."));
        }
        if let Some(days) = self.payment_terms_days
            && let Err(e) = PaymentTerms::new(days)
        {
            errors.push(FieldError::new("payment_terms_days", e));
        }
        if !self.email.is_empty() && !looks_like_email(&self.email) {
            errors.push(FieldError::new("email", "Enter a valid e-mail address, like ap@example.com."));
        }
        too_long(&mut errors, "phone", &self.phone, PHONE_MAX);
        too_long(&mut errors, "address", &self.address, ADDRESS_MAX);
        too_long(&mut errors, "notes", &self.notes, NOTES_MAX);
        if let Some(r) = &self.external_ref {
            too_long(&mut errors, "external_ref", r, EXTERNAL_REF_MAX);
            if r.chars().any(|c| c.is_control()) {
                errors.push(FieldError::new("external_ref", "The reference cannot contain control characters."));
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

/// What the service knows about the account chosen as bill-to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillToTarget {
    pub id: AccountId,
    pub name: String,
    /// Where the target itself sends its invoices.
    pub bill_to_account_id: Option<AccountId>,
    pub archived: bool,
}

/// Why `account_id` (none while creating) may not bill to `requested`. Invoices go to exactly
/// one payer, so bill-to is one level deep: the payer pays its own invoices, and an account
/// that pays for others cannot hand its invoices on. `billed_for` counts accounts billing to
/// `account_id`.
pub fn bill_to_problem(
    account_id: Option<AccountId>,
    requested: Option<AccountId>,
    target: Option<&BillToTarget>,
    billed_for: i64,
) -> Option<FieldError> {
    let requested = requested?;
    let field = "bill_to_account_id";
    if Some(requested) == account_id {
        return Some(FieldError::new(field, "An account cannot bill to itself. Leave bill-to empty instead."));
    }
    let Some(target) = target else {
        return Some(FieldError::new(field, "That bill-to account does not exist."));
    };
    if target.archived {
        return Some(FieldError::new(field, format!("{} is archived; choose an active account.", target.name)));
    }
    if target.bill_to_account_id.is_some() {
        return Some(FieldError::new(
            field,
            format!(
                "{} sends its own invoices to another account, so it cannot pay for this one. Choose the account that pays.",
                target.name
            ),
        ));
    }
    if billed_for > 0 {
        let others =
            if billed_for == 1 { "1 account bills".to_string() } else { format!("{billed_for} accounts bill") };
        return Some(FieldError::new(
            field,
            format!("{others} to this account, so it must pay its own invoices. Move them first."),
        ));
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// `to`, `cc` or `none`: whether and how this contact receives invoices.
    #[serde(default = "no_role")]
    pub invoice_role: String,
}

impl ContactInput {
    pub fn normalised(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        self.email = self.email.trim().to_string();
        self.phone = self.phone.trim().to_string();
        self.invoice_role = self.invoice_role.trim().to_lowercase();

        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "Enter the contact's name."));
        }
        too_long(&mut errors, "name", &self.name, CONTACT_NAME_MAX);
        let receives_invoices = matches!(self.invoice_role.as_str(), "to" | "cc");
        if self.email.is_empty() {
            if receives_invoices {
                errors
                    .push(FieldError::new("email", "Enter an e-mail address: invoices are e-mailed to this contact."));
            }
        } else if !looks_like_email(&self.email) {
            errors.push(FieldError::new("email", "Enter a valid e-mail address, like ap@example.com."));
        }
        too_long(&mut errors, "phone", &self.phone, PHONE_MAX);
        if !INVOICE_ROLES.iter().any(|(r, _)| *r == self.invoice_role) {
            errors.push(FieldError::new("invoice_role", "Choose To, Cc or None."));
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> AccountInput {
        AccountInput {
            name: "  Harbor Dental ".into(),
            kind: "Advertiser".into(),
            bill_to_account_id: None,
            payment_terms_days: Some(30),
            email: " ap@harbor.example ".into(),
            phone: String::new(),
            address: String::new(),
            notes: String::new(),
            external_ref: Some("  ".into()),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn normalises_a_good_account() {
        let a = account().normalised().unwrap();
        assert_eq!(a.name, "Harbor Dental");
        assert_eq!(a.kind, "advertiser");
        assert_eq!(a.email, "ap@harbor.example");
        assert_eq!(a.external_ref, None, "a blank reference is no reference");
    }

    #[test]
    fn reports_every_bad_account_field() {
        let bad = AccountInput {
            name: " ".into(),
            kind: "reseller".into(),
            payment_terms_days: Some(366),
            email: "ap@".into(),
            phone: "1".repeat(41),
            external_ref: Some("x".repeat(101)),
            ..account()
        };
        assert_eq!(
            fields(bad.normalised().unwrap_err()),
            ["name", "kind", "payment_terms_days", "email", "phone", "external_ref"]
        );
        assert!(AccountInput { payment_terms_days: Some(-1), ..account() }.normalised().is_err());
        assert!(AccountInput { payment_terms_days: None, ..account() }.normalised().is_ok());
        assert!(AccountInput { payment_terms_days: Some(0), ..account() }.normalised().is_ok());
    }

    // serde_json is a server-build dependency.
    #[cfg(feature = "ssr")]
    #[test]
    fn json_uses_snake_case_and_defaults() {
        let a: AccountInput = serde_json::from_str(r#"{"name":"Acme"}"#).unwrap();
        assert_eq!(a.kind, "advertiser");
        assert_eq!(a.bill_to_account_id, None);
        let c: ContactInput = serde_json::from_str(r#"{"name":"Ann","email":"ann@acme.example"}"#).unwrap();
        assert_eq!(c.invoice_role, "none");
    }

    fn target(bill_to: Option<i64>, archived: bool) -> BillToTarget {
        BillToTarget {
            id: AccountId(2),
            name: "Summit Media".into(),
            bill_to_account_id: bill_to.map(AccountId),
            archived,
        }
    }

    #[test]
    fn bill_to_is_one_level_deep() {
        assert_eq!(bill_to_problem(Some(AccountId(1)), None, None, 3), None, "no bill-to is always fine");
        assert_eq!(bill_to_problem(Some(AccountId(1)), Some(AccountId(2)), Some(&target(None, false)), 0), None);
        assert_eq!(bill_to_problem(None, Some(AccountId(2)), Some(&target(None, false)), 0), None);
        let self_ref = bill_to_problem(Some(AccountId(2)), Some(AccountId(2)), Some(&target(None, false)), 0).unwrap();
        assert!(self_ref.message.contains("itself"));
        let chain = bill_to_problem(Some(AccountId(1)), Some(AccountId(2)), Some(&target(Some(3), false)), 0).unwrap();
        assert_eq!(chain.field, "bill_to_account_id");
        assert!(chain.message.contains("Summit Media sends its own invoices"), "{}", chain.message);
        let payer = bill_to_problem(Some(AccountId(1)), Some(AccountId(2)), Some(&target(None, false)), 2).unwrap();
        assert!(payer.message.starts_with("2 accounts bill to this account"), "{}", payer.message);
        assert!(
            bill_to_problem(Some(AccountId(1)), Some(AccountId(2)), Some(&target(None, true)), 0)
                .unwrap()
                .message
                .contains("archived")
        );
        assert!(
            bill_to_problem(Some(AccountId(1)), Some(AccountId(9)), None, 0)
                .unwrap()
                .message
                .contains("does not exist")
        );
    }

    #[test]
    fn contacts_need_an_address_to_receive_invoices() {
        let c = ContactInput { name: " Ann ".into(), email: "".into(), phone: "".into(), invoice_role: "none".into() };
        assert_eq!(c.clone().normalised().unwrap().name, "Ann");
        assert_eq!(
            fields(ContactInput { invoice_role: "To".into(), ..c.clone() }.normalised().unwrap_err()),
            ["email"]
        );
        assert_eq!(
            fields(
                ContactInput { name: "".into(), email: "nope".into(), invoice_role: "bcc".into(), ..c.clone() }
                    .normalised()
                    .unwrap_err()
            ),
            ["name", "email", "invoice_role"]
        );
        let to =
            ContactInput { email: "ann@acme.example".into(), invoice_role: "TO".into(), ..c }.normalised().unwrap();
        assert_eq!(to.invoice_role, "to");
    }
}
