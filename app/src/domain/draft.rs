//! Editing a draft invoice: what a person may type into the draft's dates and lines, checked
//! the same way in the browser and on the server. Amounts are recomputed by `invoice.rs`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{invoice::LineCharge, money::parse_amount, settings::FieldError, terms::PaymentTerms};

pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A draft's issue and due dates after checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftDates {
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
}

fn parse_date(field: &str, input: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD."));
            None
        }
    }
}

/// An empty due date follows the invoice's payment terms from the (new) issue date.
pub fn parse_dates(issue: &str, due: &str, terms: PaymentTerms) -> Result<DraftDates, Vec<FieldError>> {
    let mut errors = Vec::new();
    let issue_date = parse_date("issue_date", issue, &mut errors);
    let due_date = if due.trim().is_empty() {
        issue_date.map(|d| terms.due_date(d))
    } else {
        parse_date("due_date", due, &mut errors)
    };
    match (issue_date, due_date) {
        (Some(issue_date), Some(due_date)) if due_date < issue_date => {
            Err(vec![FieldError::new("due_date", "The due date cannot be before the issue date.")])
        }
        (Some(issue_date), Some(due_date)) if errors.is_empty() => Ok(DraftDates { issue_date, due_date }),
        _ => Err(errors),
    }
}

/// One line of a draft as edited: the tax rate stays the product's, so it is not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEdit {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount: Decimal,
}

impl LineEdit {
    /// Field names match the draft line form: description, quantity, unit_price, discount.
    pub fn parse(description: &str, quantity: &str, unit_price: &str, discount: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let description = description.trim().to_string();
        if description.is_empty() {
            errors.push(FieldError::new("description", "Describe what this line bills."));
        } else if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new("description", format!("Use at most {MAX_DESCRIPTION_CHARS} characters.")));
        }
        let mut amount = |field: &str, input: &str, empty_is_zero: bool| {
            if empty_is_zero && input.trim().is_empty() {
                return Some(Decimal::ZERO);
            }
            parse_amount(input).map_err(|m| errors.push(FieldError::new(field, m))).ok()
        };
        let quantity = amount("quantity", quantity, false);
        let unit_price = amount("unit_price", unit_price, false);
        let discount = amount("discount", discount, true);
        match (quantity, unit_price, discount) {
            (Some(quantity), Some(unit_price), Some(discount)) if errors.is_empty() => {
                Ok(LineEdit { description, quantity, unit_price, discount })
            }
            _ => Err(errors),
        }
    }

    /// The line's charge at its product's tax rate, or the field the rules refuse.
    pub fn charge(&self, tax_rate: Decimal) -> Result<LineCharge, FieldError> {
        use super::invoice::ChargeError as E;
        let charge =
            LineCharge { quantity: self.quantity, unit_price: self.unit_price, discount: self.discount, tax_rate };
        charge.validate().map_err(|e| {
            let field = match e {
                E::QuantityNotPositive | E::AmountTooLarge => "quantity",
                E::NegativePrice => "unit_price",
                E::NegativeDiscount | E::DiscountExceedsAmount(_) => "discount",
                E::TaxRateOutOfRange => "tax_rate",
            };
            FieldError::new(field, e.to_string())
        })?;
        Ok(charge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn dates_follow_terms_unless_given() {
        let net30 = PaymentTerms::new(30).unwrap();
        let got = parse_dates("2026-12-01", "", net30).unwrap();
        assert_eq!(got.due_date, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let got = parse_dates("2026-12-01", "2026-12-05", net30).unwrap();
        assert_eq!(got.due_date, NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        let err = parse_dates("2026-12-01", "2026-11-30", net30).unwrap_err();
        assert_eq!(err[0].field, "due_date");
        let err = parse_dates("tomorrow", "soon", net30).unwrap_err();
        assert_eq!(err.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["issue_date", "due_date"]);
    }

    #[test]
    fn line_edits_name_each_bad_field() {
        let ok = LineEdit::parse(" Banner, week 2 ", "2", "$1,250.00", "").unwrap();
        assert_eq!(
            (ok.description.as_str(), ok.quantity, ok.unit_price, ok.discount),
            ("Banner, week 2", d("2"), d("1250.00"), d("0"))
        );
        let err = LineEdit::parse("", "x", "1", "-").unwrap_err();
        assert_eq!(err.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["description", "quantity", "discount"]);
        assert_eq!(ok.charge(d("8.25")).unwrap().amounts().total, d("2706.25"));
        let too_much = LineEdit { discount: d("2500.01"), ..ok.clone() };
        assert_eq!(too_much.charge(d("0")).unwrap_err().field, "discount");
        let zero = LineEdit { quantity: d("0"), ..ok };
        assert_eq!(zero.charge(d("0")).unwrap_err().field, "quantity");
    }
}
