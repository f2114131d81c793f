//! What may be sent to create or change a product, and its rules. Field names match the
//! `FieldError`s, shared by the product form and the REST API.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{billing_rule::BillingRule, settings::FieldError};

const NAME_MAX: usize = 200;
const CODE_MAX: usize = 40;
const CATEGORY_MAX: usize = 80;
/// Stored amounts have four decimals; a larger scale would be silently rounded.
const MAX_SCALE: u32 = 4;

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInput {
    /// Unique across products.
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub category: String,
    /// The price a new line item starts from, in the organisation's currency.
    #[serde(default)]
    pub unit_price: Decimal,
    /// A percentage: 8.25 means 8.25 %.
    #[serde(default)]
    pub tax_rate: Decimal,
    #[serde(default = "yes")]
    pub active: bool,
    /// `do_not_invoice`, `immediately`, `days_before` or `days_after`.
    pub billing_rule: String,
    /// Used by `days_before` and `days_after`.
    #[serde(default)]
    pub rule_days: i64,
    #[serde(default)]
    pub auto_invoice: bool,
    /// Line items running before this date are never invoiced.
    #[serde(default)]
    pub ignore_before: Option<NaiveDate>,
}

impl ProductInput {
    pub fn normalised(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        self.code = self.code.trim().to_string();
        self.category = self.category.trim().to_string();
        self.billing_rule = self.billing_rule.trim().to_string();

        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "Enter the product's name."));
        } else if self.name.chars().count() > NAME_MAX {
            errors.push(FieldError::new("name", format!("Use at most {NAME_MAX} characters.")));
        }
        if self.code.chars().count() > CODE_MAX {
            errors.push(FieldError::new("code", format!("Use at most {CODE_MAX} characters.")));
        }
        if self.category.chars().count() > CATEGORY_MAX {
            errors.push(FieldError::new("category", format!("Use at most {CATEGORY_MAX} characters.")));
        }
        if self.unit_price.is_sign_negative() && !self.unit_price.is_zero() {
            errors.push(FieldError::new("unit_price", "The unit price cannot be negative."));
        } else if self.unit_price.normalize().scale() > MAX_SCALE {
            errors.push(FieldError::new("unit_price", "Use at most four decimal places."));
        } else if self.unit_price > Decimal::from(1_000_000_000_i64) {
            errors.push(FieldError::new("unit_price", "The unit price is too large."));
        }
        if self.tax_rate < Decimal::ZERO || self.tax_rate > Decimal::ONE_HUNDRED {
            errors.push(FieldError::new("tax_rate", "The tax rate is a percentage from 0 to 100."));
        } else if self.tax_rate.normalize().scale() > MAX_SCALE {
            errors.push(FieldError::new("tax_rate", "Use at most four decimal places."));
        }
        if let Err(e) = self.rule() {
            let field = if matches!(self.billing_rule.as_str(), "days_before" | "days_after") {
                "rule_days"
            } else {
                "billing_rule"
            };
            errors.push(FieldError::new(field, e));
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }

    /// The billing rule these fields describe.
    pub fn rule(&self) -> Result<BillingRule, String> {
        BillingRule::from_parts(&self.billing_rule, self.rule_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn product() -> ProductInput {
        ProductInput {
            name: " Full Page Color ".into(),
            code: "FPC".into(),
            category: "Print".into(),
            unit_price: dec("2400.00"),
            tax_rate: dec("8.25"),
            active: true,
            billing_rule: "days_before".into(),
            rule_days: 5,
            auto_invoice: true,
            ignore_before: None,
        }
    }

    fn fields(p: ProductInput) -> Vec<String> {
        p.normalised().unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn normalises_a_good_product() {
        let p = product().normalised().unwrap();
        assert_eq!(p.name, "Full Page Color");
        assert_eq!(p.rule(), Ok(BillingRule::DaysBeforeRun(5)));
        // Rules without days ignore whatever day count came along.
        let now = ProductInput { billing_rule: "immediately".into(), rule_days: 99, ..product() };
        assert_eq!(now.normalised().unwrap().rule(), Ok(BillingRule::Immediately));
    }

    #[test]
    fn reports_every_bad_product_field() {
        let bad = ProductInput {
            name: "".into(),
            code: "C".repeat(41),
            unit_price: dec("-1"),
            tax_rate: dec("100.01"),
            rule_days: 3651,
            ..product()
        };
        assert_eq!(fields(bad), ["name", "code", "unit_price", "tax_rate", "rule_days"]);
        assert_eq!(fields(ProductInput { billing_rule: "weekly".into(), ..product() }), ["billing_rule"]);
        assert_eq!(fields(ProductInput { unit_price: dec("1.00001"), ..product() }), ["unit_price"]);
        assert_eq!(fields(ProductInput { tax_rate: dec("-0.5"), ..product() }), ["tax_rate"]);
    }

    #[test]
    fn boundaries_are_allowed() {
        for (price, tax) in [("0", "0"), ("0.0001", "100"), ("1.50000", "7.125")] {
            let p = ProductInput { unit_price: dec(price), tax_rate: dec(tax), ..product() };
            assert!(p.normalised().is_ok(), "{price} {tax}");
        }
    }
}
