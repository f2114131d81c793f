//! Payments as billing staff enter them, and how a payment is spread over invoices. Pure, so
//! the payment form shows the same allocation and credit the server will record.

use crate::domain::ids::{AccountId, InvoiceId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{parse_amount, round_cents};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    Check,
    Ach,
    Wire,
    Cash,
    Credit,
    Other,
}

impl PaymentMethod {
    /// What staff may pick when recording a payment by hand (cards arrive through checkout,
    /// credit through Apply credit).
    pub const MANUAL: [PaymentMethod; 5] =
        [PaymentMethod::Check, PaymentMethod::Ach, PaymentMethod::Wire, PaymentMethod::Cash, PaymentMethod::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Check => "check",
            PaymentMethod::Ach => "ach",
            PaymentMethod::Wire => "wire",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Credit => "credit",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        [
            PaymentMethod::Card,
            PaymentMethod::Check,
            PaymentMethod::Ach,
            PaymentMethod::Wire,
            PaymentMethod::Cash,
            PaymentMethod::Credit,
            PaymentMethod::Other,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Card => "Card",
            PaymentMethod::Check => "Check",
            PaymentMethod::Ach => "ACH",
            PaymentMethod::Wire => "Wire",
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Credit => "Account credit",
            PaymentMethod::Other => "Other",
        }
    }
}

/// An invoice a payment may go to, with what it still owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenBalance {
    pub invoice_id: InvoiceId,
    pub balance: Decimal,
}

/// Spreads `amount` over invoices in the order given (oldest due first), each up to its
/// balance. Whatever is left over is returned as credit.
pub fn allocate_in_order(amount: Decimal, open: &[OpenBalance]) -> (Vec<(InvoiceId, Decimal)>, Decimal) {
    let mut left = amount;
    let mut out = Vec::new();
    for inv in open {
        if left <= Decimal::ZERO {
            break;
        }
        let take = left.min(inv.balance);
        if take > Decimal::ZERO {
            out.push((inv.invoice_id, take));
            left -= take;
        }
    }
    (out, left)
}

pub use super::settings::FieldError;

fn problem(field: impl AsRef<str>, message: impl Into<String>) -> FieldError {
    FieldError::new(field.as_ref(), message)
}

/// A payment entered by hand, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualPaymentForm {
    pub account_id: String,
    pub method: String,
    pub amount: String,
    pub received_on: String,
    pub reference: String,
    pub notes: String,
    /// (invoice id, amount typed) for each invoice the payment goes to; blank amounts are skipped.
    pub allocations: Vec<(InvoiceId, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualPayment {
    pub account_id: AccountId,
    pub method: PaymentMethod,
    pub amount: Decimal,
    pub received_on: chrono::NaiveDate,
    pub reference: String,
    pub notes: String,
    pub allocations: Vec<(InvoiceId, Decimal)>,
}

impl ManualPayment {
    /// What is not allocated stays on the account as credit.
    pub fn credit(&self) -> Decimal {
        self.amount - self.allocations.iter().map(|(_, a)| *a).sum::<Decimal>()
    }
}

/// Checks the form against the invoices' current balances. Every problem is reported at once,
/// each on its field (`allocation-<invoice id>` for an allocation row).
pub fn validate_manual(
    form: &ManualPaymentForm,
    open: &[OpenBalance],
    today: chrono::NaiveDate,
) -> Result<ManualPayment, Vec<FieldError>> {
    let mut problems = Vec::new();
    let account_id = form.account_id.trim().parse::<AccountId>().ok().filter(|id| id.0 > 0);
    if account_id.is_none() {
        problems.push(problem("account_id", "Choose the account that paid."));
    }
    let method = PaymentMethod::parse(form.method.trim()).filter(|m| PaymentMethod::MANUAL.contains(m));
    if method.is_none() {
        problems.push(problem("method", "Choose check, ACH, wire, cash or other."));
    }
    let amount = match parse_amount(&form.amount) {
        Ok(a) if a <= Decimal::ZERO => {
            problems.push(problem("amount", "A payment must be more than zero."));
            None
        }
        Ok(a) if a.scale() > 2 && round_cents(a) != a => {
            problems.push(problem("amount", "Enter the amount in whole cents."));
            None
        }
        Ok(a) => Some(a),
        Err(m) => {
            problems.push(problem("amount", m));
            None
        }
    };
    let received_on = match chrono::NaiveDate::parse_from_str(form.received_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            problems.push(problem("received_on", "The date received cannot be in the future."));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(problem("received_on", "Enter the date the payment was received (YYYY-MM-DD)."));
            None
        }
    };
    if form.reference.chars().count() > 120 {
        problems.push(problem("reference", "Keep the reference under 120 characters."));
    }
    let mut allocations = Vec::new();
    for (invoice_id, typed) in &form.allocations {
        if typed.trim().is_empty() {
            continue;
        }
        let field = format!("allocation-{invoice_id}");
        let Some(inv) = open.iter().find(|o| o.invoice_id == *invoice_id) else {
            problems.push(problem(field, "This invoice is no longer open for this account."));
            continue;
        };
        match parse_amount(typed) {
            Ok(a) if a < Decimal::ZERO => problems.push(problem(field, "Allocate a positive amount.")),
            Ok(a) if a.is_zero() => {}
            Ok(a) if a > inv.balance => {
                problems.push(problem(field, format!("More than the balance due ({}).", inv.balance.round_dp(2))))
            }
            Ok(a) => allocations.push((*invoice_id, a)),
            Err(m) => problems.push(problem(field, m)),
        }
    }
    if let Some(amount) = amount {
        let allocated: Decimal = allocations.iter().map(|(_, a)| *a).sum();
        if allocated > amount {
            problems.push(problem(
                "amount",
                format!("The allocations add up to {}, more than the payment.", allocated.round_dp(2)),
            ));
        }
    }
    match (account_id, method, amount, received_on) {
        (Some(account_id), Some(method), Some(amount), Some(received_on)) if problems.is_empty() => Ok(ManualPayment {
            account_id,
            method,
            amount,
            received_on,
            reference: form.reference.trim().to_string(),
            notes: form.notes.trim().to_string(),
            allocations,
        }),
        _ => Err(problems),
    }
}

/// Minor units (cents) of an amount, as payment providers want them. Every supported currency
/// has two decimals; an amount with fractions of a cent is refused rather than rounded.
pub fn to_minor_units(amount: Decimal) -> Option<i64> {
    let cents = amount.checked_mul(Decimal::from(100))?;
    if cents.fract() != Decimal::ZERO {
        return None;
    }
    rust_decimal::prelude::ToPrimitive::to_i64(&cents)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros_shim::d;

    use super::*;

    mod rust_decimal_macros_shim {
        pub fn d(s: &str) -> rust_decimal::Decimal {
            s.parse().unwrap()
        }
    }

    fn open() -> Vec<OpenBalance> {
        vec![
            OpenBalance { invoice_id: InvoiceId(1), balance: d("100") },
            OpenBalance { invoice_id: InvoiceId(2), balance: d("50.50") },
        ]
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    #[test]
    fn allocation_fills_oldest_first_and_leaves_credit() {
        let (alloc, credit) = allocate_in_order(d("180"), &open());
        assert_eq!(alloc, vec![(InvoiceId(1), d("100")), (InvoiceId(2), d("50.50"))]);
        assert_eq!(credit, d("29.50"));
        let (alloc, credit) = allocate_in_order(d("30"), &open());
        assert_eq!(alloc, vec![(InvoiceId(1), d("30"))]);
        assert_eq!(credit, Decimal::ZERO);
    }

    #[test]
    fn a_valid_partial_payment_with_credit() {
        let form = ManualPaymentForm {
            account_id: "7".into(),
            method: "check".into(),
            amount: "$1,200.00".into(),
            received_on: "2026-11-19".into(),
            reference: " 10452 ".into(),
            notes: String::new(),
            allocations: vec![(InvoiceId(1), "100".into()), (InvoiceId(2), "".into())],
        };
        let p = validate_manual(&form, &open(), today()).unwrap();
        assert_eq!(p.allocations, vec![(InvoiceId(1), d("100"))]);
        assert_eq!(p.credit(), d("1100"));
        assert_eq!(p.reference, "10452");
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let form = ManualPaymentForm {
            account_id: "".into(),
            method: "card".into(),
            amount: "0".into(),
            received_on: "2027-01-01".into(),
            reference: String::new(),
            notes: String::new(),
            allocations: vec![(InvoiceId(1), "150".into()), (InvoiceId(9), "1".into())],
        };
        let fields: Vec<String> =
            validate_manual(&form, &open(), today()).unwrap_err().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["account_id", "method", "amount", "received_on", "allocation-1", "allocation-9"]);
    }

    #[test]
    fn allocations_cannot_exceed_the_payment() {
        let form = ManualPaymentForm {
            account_id: "1".into(),
            method: "wire".into(),
            amount: "120".into(),
            received_on: "2026-11-20".into(),
            allocations: vec![(InvoiceId(1), "100".into()), (InvoiceId(2), "50".into())],
            ..Default::default()
        };
        let err = validate_manual(&form, &open(), today()).unwrap_err();
        assert_eq!(err[0].field, "amount");
        assert!(err[0].message.contains("150"), "{}", err[0].message);
    }

    #[test]
    fn minor_units_are_exact() {
        assert_eq!(to_minor_units(d("1250.00")), Some(125_000));
        assert_eq!(to_minor_units(d("0.5")), Some(50));
        assert_eq!(to_minor_units(d("19.999")), None);
    }
}
