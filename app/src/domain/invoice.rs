//! Invoice arithmetic: line amounts, totals, balance and status. Every amount is rounded to
//! cents once, at the line, and totals are sums of rounded line amounts, so an invoice always
//! adds up to the cent however many lines it has.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::round_cents;

/// What a line bills: quantity × unit price, less a discount, plus tax at a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCharge {
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// An amount off this line, not a percentage.
    pub discount: Decimal,
    /// Percent, e.g. `8.25`.
    pub tax_rate: Decimal,
}

/// A line's amounts after rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAmounts {
    pub gross: Decimal,
    pub discount: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChargeError {
    #[error("Quantity must be more than zero.")]
    QuantityNotPositive,
    #[error("Unit price cannot be negative.")]
    NegativePrice,
    #[error("Discount cannot be negative.")]
    NegativeDiscount,
    #[error("Discount cannot be more than the line's amount ({0}).")]
    DiscountExceedsAmount(Decimal),
    #[error("Tax rate must be between 0 and 100 percent.")]
    TaxRateOutOfRange,
    #[error("The line's amount is too large; split it into smaller lines.")]
    AmountTooLarge,
}

impl LineCharge {
    pub fn validate(&self) -> Result<(), ChargeError> {
        if self.quantity <= Decimal::ZERO {
            return Err(ChargeError::QuantityNotPositive);
        }
        if self.unit_price < Decimal::ZERO {
            return Err(ChargeError::NegativePrice);
        }
        if self.discount < Decimal::ZERO {
            return Err(ChargeError::NegativeDiscount);
        }
        if self.tax_rate < Decimal::ZERO || self.tax_rate > Decimal::ONE_HUNDRED {
            return Err(ChargeError::TaxRateOutOfRange);
        }
        let gross = round_cents(self.quantity.checked_mul(self.unit_price).ok_or(ChargeError::AmountTooLarge)?);
        if round_cents(self.discount) > gross {
            return Err(ChargeError::DiscountExceedsAmount(gross));
        }
        Ok(())
    }

    /// Saturates rather than panics on a product beyond `Decimal`'s range; `validate` refuses such
    /// a line, so a saturated amount is never stored.
    pub fn amounts(&self) -> LineAmounts {
        let gross = round_cents(self.quantity.checked_mul(self.unit_price).unwrap_or(Decimal::MAX));
        let discount = round_cents(self.discount).min(gross);
        let net = gross - discount;
        let tax = round_cents(net * self.tax_rate / Decimal::ONE_HUNDRED);
        LineAmounts { gross, discount, net, tax, total: net + tax }
    }
}

/// What happens to a voided invoice's line items. Holding is the default: an auto-invoiced line
/// item that simply returned to billing would be invoiced again by the next scheduler tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterVoid {
    /// Out of Billable Line Items and the scheduler's reach until a person releases them.
    #[default]
    Hold,
    /// Back in Billable Line Items; the scheduler bills them again when they are due.
    BillAgain,
}

impl AfterVoid {
    pub fn parse(s: &str) -> Option<AfterVoid> {
        match s {
            "hold" => Some(AfterVoid::Hold),
            "bill_again" => Some(AfterVoid::BillAgain),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvoiceTotals {
    pub subtotal: Decimal,
    pub discount_total: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
}

impl InvoiceTotals {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> Self {
        lines.into_iter().fold(Self::default(), |t, l| InvoiceTotals {
            subtotal: t.subtotal + l.gross,
            discount_total: t.discount_total + l.discount,
            tax_total: t.tax_total + l.tax,
            total: t.total + l.total,
        })
    }
}

/// Stored invoice states. "Past due" is not stored: it follows from the due date, the
/// balance and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Open,
    Sent,
    PartiallyPaid,
    Paid,
    Void,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 6] = [
        InvoiceStatus::Draft,
        InvoiceStatus::Open,
        InvoiceStatus::Sent,
        InvoiceStatus::PartiallyPaid,
        InvoiceStatus::Paid,
        InvoiceStatus::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Open => "open",
            InvoiceStatus::Sent => "sent",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "Draft",
            InvoiceStatus::Open => "Unpaid",
            InvoiceStatus::Sent => "Sent",
            InvoiceStatus::PartiallyPaid => "Partially paid",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Void => "Void",
        }
    }

    /// Money is owed on it (a draft is not yet a claim; paid and void owe nothing).
    pub fn is_receivable(self) -> bool {
        matches!(self, InvoiceStatus::Open | InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid)
    }

    /// The status after payments bring the paid amount to `paid` of `total`.
    pub fn after_payment(self, total: Decimal, paid: Decimal) -> InvoiceStatus {
        if !self.is_receivable() {
            return self;
        }
        if paid >= total {
            InvoiceStatus::Paid
        } else if paid > Decimal::ZERO {
            InvoiceStatus::PartiallyPaid
        } else {
            self
        }
    }
}

/// Past due on `today` (a local date in the organisation's zone): owed, with a balance, and
/// the due date has passed.
pub fn is_past_due(
    status: InvoiceStatus,
    due_date: chrono::NaiveDate,
    balance: Decimal,
    today: chrono::NaiveDate,
) -> bool {
    status.is_receivable() && balance > Decimal::ZERO && today > due_date
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_each_line_once() {
        let c = LineCharge { quantity: d("3"), unit_price: d("33.3333"), discount: d("5"), tax_rate: d("8.25") };
        let a = c.amounts();
        assert_eq!(
            (a.gross, a.discount, a.net, a.tax, a.total),
            (d("100.00"), d("5.00"), d("95.00"), d("7.84"), d("102.84"))
        );
    }

    #[test]
    fn validation_names_the_problem() {
        let ok = LineCharge { quantity: d("1"), unit_price: d("10"), discount: d("0"), tax_rate: d("0") };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(LineCharge { quantity: d("0"), ..ok }.validate(), Err(ChargeError::QuantityNotPositive));
        assert_eq!(
            LineCharge { discount: d("10.01"), ..ok }.validate(),
            Err(ChargeError::DiscountExceedsAmount(d("10.00")))
        );
        assert_eq!(LineCharge { tax_rate: d("101"), ..ok }.validate(), Err(ChargeError::TaxRateOutOfRange));
    }

    #[test]
    fn payments_move_the_status() {
        let open = InvoiceStatus::Open;
        assert_eq!(open.after_payment(d("100"), d("0")), InvoiceStatus::Open);
        assert_eq!(open.after_payment(d("100"), d("40")), InvoiceStatus::PartiallyPaid);
        assert_eq!(open.after_payment(d("100"), d("100")), InvoiceStatus::Paid);
        assert_eq!(InvoiceStatus::Void.after_payment(d("100"), d("100")), InvoiceStatus::Void);
    }

    #[test]
    fn past_due_only_when_owed_after_the_due_date() {
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let next = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(!is_past_due(InvoiceStatus::Open, due, d("10"), due));
        assert!(is_past_due(InvoiceStatus::Sent, due, d("10"), next));
        assert!(!is_past_due(InvoiceStatus::Paid, due, d("0"), next));
        assert!(!is_past_due(InvoiceStatus::Draft, due, d("10"), next));
    }

    fn charge() -> impl Strategy<Value = LineCharge> {
        (1i64..100_000, 0i64..50_000_000, 0u32..=100, 0i64..=1_500_000).prop_map(|(q, p, disc_pct, rate)| {
            let quantity = Decimal::new(q, 2);
            let unit_price = Decimal::new(p, 4);
            let gross = round_cents(quantity * unit_price);
            let discount = round_cents(gross * Decimal::from(disc_pct) / Decimal::ONE_HUNDRED);
            LineCharge { quantity, unit_price, discount, tax_rate: Decimal::new(rate, 4) }
        })
    }

    proptest! {
        #[test]
        fn totals_reconcile_to_the_cent(lines in prop::collection::vec(charge(), 1..40), paid_pct in 0u32..=100) {
            let amounts: Vec<LineAmounts> = lines.iter().map(LineCharge::amounts).collect();
            let t = InvoiceTotals::of(&amounts);
            prop_assert_eq!(t.total, t.subtotal - t.discount_total + t.tax_total);
            prop_assert_eq!(t.total, amounts.iter().map(|a| a.total).sum::<Decimal>());
            for a in &amounts {
                prop_assert_eq!(a.total, round_cents(a.total), "cents only");
                prop_assert!(a.net >= Decimal::ZERO);
            }
            let paid = round_cents(t.total * Decimal::from(paid_pct) / Decimal::ONE_HUNDRED);
            let balance = t.total - paid;
            prop_assert_eq!(paid + balance, t.total);
            prop_assert!(balance >= Decimal::ZERO);
        }
    }
}
