//! What a person (order editor), a file (CSV import) or a program (REST API) submits to create
//! or change an order, and its validation. Dates and amounts arrive as text so that a bad value
//! becomes a message beside its field (`lines[2].run_date`) rather than a decoding failure.
//! JSON clients may send numbers for amounts; they are read as their decimal text.

use crate::domain::ids::{AccountId, LineItemId, ProductId};
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    invoice::{ChargeError, LineAmounts, LineCharge},
    money::round_cents,
    settings::FieldError,
};

pub const MAX_ORDER_NUMBER_CHARS: usize = 40;
pub const MAX_EXTERNAL_REF_CHARS: usize = 100;
pub const MAX_NOTES_CHARS: usize = 2_000;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
pub const MAX_LINES_PER_ORDER: usize = 10_000;
/// Keeps quantity × price well inside the stored fixed-point range, and sums of many lines too.
pub const MAX_LINE_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// Each factor is bounded on its own too, so their product cannot leave `Decimal`'s range (a
/// panic) and a huge quantity at price 0 cannot overflow the stored fixed-point column.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderInput {
    /// 0 (or missing) means no account was chosen.
    #[serde(default)]
    pub account_id: AccountId,
    /// Blank: a number like `ORD-000123` is given when the order is created.
    #[serde(default, deserialize_with = "text")]
    pub order_number: String,
    /// `draft`, `confirmed` or `cancelled`; blank means draft.
    #[serde(default, deserialize_with = "text")]
    pub status: String,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "text")]
    pub ordered_on: String,
    #[serde(default, deserialize_with = "text")]
    pub notes: String,
    /// The order's id in the system it came from; unique when given.
    #[serde(default, deserialize_with = "text")]
    pub external_ref: String,
    #[serde(default)]
    pub lines: Vec<LineItemInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineItemInput {
    /// The line item being changed; `None` adds a new one.
    #[serde(default)]
    pub id: Option<LineItemId>,
    /// 0 (or missing) means no product was chosen.
    #[serde(default)]
    pub product_id: ProductId,
    #[serde(default, deserialize_with = "text")]
    pub run_date: String,
    #[serde(default, deserialize_with = "text")]
    pub description: String,
    #[serde(default, deserialize_with = "text")]
    pub quantity: String,
    /// Blank: the product's default unit price.
    #[serde(default, deserialize_with = "text")]
    pub unit_price: String,
    /// An amount off the line; blank means none.
    #[serde(default, deserialize_with = "text")]
    pub discount: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 3] = [OrderStatus::Draft, OrderStatus::Confirmed, OrderStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Draft => "Draft",
            OrderStatus::Confirmed => "Confirmed",
            OrderStatus::Cancelled => "Cancelled",
        }
    }

    /// Case-insensitive; blank is a draft.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Some(OrderStatus::Draft);
        }
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// An order that passed validation, with typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrder {
    pub account_id: AccountId,
    pub order_number: Option<String>,
    pub status: OrderStatus,
    pub ordered_on: NaiveDate,
    pub notes: String,
    pub external_ref: Option<String>,
    pub lines: Vec<ValidLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLine {
    pub id: Option<LineItemId>,
    pub product_id: ProductId,
    pub run_date: NaiveDate,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Rounded to cents, as the invoice will bill it.
    pub discount: Decimal,
}

impl ValidLine {
    /// The charge an invoice would copy, before the product's tax.
    pub fn charge(&self) -> LineCharge {
        LineCharge {
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount: self.discount,
            tax_rate: Decimal::ZERO,
        }
    }

    pub fn amount(&self) -> Decimal {
        self.charge().amounts().net
    }
}

impl ValidOrder {
    pub fn total(&self) -> Decimal {
        self.lines.iter().map(ValidLine::amount).sum()
    }
}

/// Field name of line `index` (0-based), matching the JSON path of the input.
pub fn line_field(index: usize, field: &str) -> String {
    format!("lines[{index}].{field}")
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter a date (YYYY-MM-DD).".into());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date (YYYY-MM-DD)."))
}

/// A decimal as people type it (`1,250.50`, `$99`), at most four decimal places.
fn parse_decimal(s: &str, what: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let cleaned: String = t.chars().filter(|c| !matches!(c, ',' | ' ' | '$' | '€' | '£' | '₹')).collect();
    let value: Decimal = cleaned.parse().map_err(|_| format!("'{t}' is not {what}."))?;
    if value.scale() > 4 && value.normalize().scale() > 4 {
        return Err("Use at most four decimal places.".into());
    }
    Ok(value.normalize())
}

/// The line's amount as far as it can be worked out from what was typed so far (for the live
/// total in the editor): `None` until quantity and unit price are numbers.
pub fn preview_amount(line: &LineItemInput, default_price: Option<Decimal>) -> Option<Decimal> {
    let quantity = parse_decimal(&line.quantity, "").ok()?;
    let unit_price =
        if line.unit_price.trim().is_empty() { default_price? } else { parse_decimal(&line.unit_price, "").ok()? };
    let discount =
        if line.discount.trim().is_empty() { Decimal::ZERO } else { parse_decimal(&line.discount, "").ok()? };
    let charge = LineCharge { quantity, unit_price, discount, tax_rate: Decimal::ZERO };
    charge.validate().ok()?;
    Some(charge.amounts().net)
}

fn too_long(s: &str, max: usize) -> Option<String> {
    (s.chars().count() > max).then(|| format!("Use at most {max} characters."))
}

fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

impl OrderInput {
    /// Checks every field and returns all problems at once, named like the input's JSON paths.
    /// `default_price(product_id)` is the product's default unit price, or `None` when there is no
    /// such (active) product; it fills a blank unit price.
    pub fn validate(
        &self,
        default_price: impl Fn(ProductId) -> Option<Decimal>,
    ) -> Result<ValidOrder, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.account_id.0 <= 0 {
            errors.push(FieldError::new("account_id", "Choose the account that placed the order."));
        }
        let order_number = self.order_number.trim();
        if let Some(m) = too_long(order_number, MAX_ORDER_NUMBER_CHARS) {
            errors.push(FieldError::new("order_number", m));
        } else if has_control_chars(order_number) {
            errors.push(FieldError::new("order_number", "Use letters, digits and punctuation only."));
        }
        let status = OrderStatus::parse(&self.status);
        if status.is_none() {
            errors.push(FieldError::new(
                "status",
                format!("'{}' is not a status (draft, confirmed or cancelled).", self.status.trim()),
            ));
        }
        let ordered_on = parse_date(&self.ordered_on).map_err(|m| errors.push(FieldError::new("ordered_on", m))).ok();
        let notes = self.notes.trim();
        if let Some(m) = too_long(notes, MAX_NOTES_CHARS) {
            errors.push(FieldError::new("notes", m));
        }
        let external_ref = self.external_ref.trim();
        if let Some(m) = too_long(external_ref, MAX_EXTERNAL_REF_CHARS) {
            errors.push(FieldError::new("external_ref", m));
        } else if has_control_chars(external_ref) {
            errors.push(FieldError::new("external_ref", "Use letters, digits and punctuation only."));
        }
        if self.lines.len() > MAX_LINES_PER_ORDER {
            errors
                .push(FieldError::new("lines", format!("An order can have at most {MAX_LINES_PER_ORDER} line items.")));
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.iter().enumerate() {
            match line.validate(i, &default_price) {
                Ok(l) => lines.push(l),
                Err(mut e) => errors.append(&mut e),
            }
        }
        let mut seen_ids = std::collections::HashSet::new();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(id) = line.id
                && !seen_ids.insert(id)
            {
                errors.push(FieldError::new(&line_field(i, "id"), "This line item appears twice."));
            }
        }
        match (errors.is_empty(), status, ordered_on) {
            (true, Some(status), Some(ordered_on)) => Ok(ValidOrder {
                account_id: self.account_id,
                order_number: (!order_number.is_empty()).then(|| order_number.to_string()),
                status,
                ordered_on,
                notes: notes.to_string(),
                external_ref: (!external_ref.is_empty()).then(|| external_ref.to_string()),
                lines,
            }),
            _ => Err(errors),
        }
    }
}

impl LineItemInput {
    fn validate(
        &self,
        i: usize,
        default_price: &impl Fn(ProductId) -> Option<Decimal>,
    ) -> Result<ValidLine, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, m: String| errors.push(FieldError::new(&line_field(i, field), m));
        let product_price = if self.product_id.0 <= 0 {
            err("product_id", "Choose a product.".into());
            None
        } else {
            let p = default_price(self.product_id);
            if p.is_none() {
                err("product_id", "That product does not exist or is no longer sold.".into());
            }
            p
        };
        if let Some(id) = self.id
            && id.0 <= 0
        {
            err("id", format!("'{id}' is not a line item id."));
        }
        let run_date = parse_date(&self.run_date).map_err(|m| err("run_date", m)).ok();
        let description = self.description.trim();
        if let Some(m) = too_long(description, MAX_DESCRIPTION_CHARS) {
            err("description", m);
        }
        let quantity = if self.quantity.trim().is_empty() {
            err("quantity", "Enter a quantity.".into());
            None
        } else {
            match parse_decimal(&self.quantity, "a number") {
                Ok(q) if q <= Decimal::ZERO => {
                    err("quantity", ChargeError::QuantityNotPositive.to_string());
                    None
                }
                Ok(q) if q > MAX_QUANTITY => {
                    err("quantity", "Quantity can be at most 1,000,000,000.".into());
                    None
                }
                Ok(q) => Some(q),
                Err(m) => {
                    err("quantity", m);
                    None
                }
            }
        };
        let unit_price = if self.unit_price.trim().is_empty() {
            product_price
        } else {
            match parse_decimal(&self.unit_price, "an amount") {
                Ok(p) if p < Decimal::ZERO => {
                    err("unit_price", ChargeError::NegativePrice.to_string());
                    None
                }
                Ok(p) if p > MAX_LINE_AMOUNT => {
                    err("unit_price", "Unit price can be at most 1,000,000,000.".into());
                    None
                }
                Ok(p) => Some(p),
                Err(m) => {
                    err("unit_price", m);
                    None
                }
            }
        };
        let discount = if self.discount.trim().is_empty() {
            Some(Decimal::ZERO)
        } else {
            match parse_decimal(&self.discount, "an amount") {
                Ok(d) if d < Decimal::ZERO => {
                    err("discount", ChargeError::NegativeDiscount.to_string());
                    None
                }
                Ok(d) if d > MAX_LINE_AMOUNT => {
                    err("discount", "Discount can be at most 1,000,000,000.".into());
                    None
                }
                Ok(d) => Some(round_cents(d)),
                Err(m) => {
                    err("discount", m);
                    None
                }
            }
        };
        if let (Some(quantity), Some(unit_price), Some(discount)) = (quantity, unit_price, discount) {
            let charge = LineCharge { quantity, unit_price, discount, tax_rate: Decimal::ZERO };
            let LineAmounts { gross, .. } = charge.amounts();
            if gross > MAX_LINE_AMOUNT {
                err("quantity", format!("The line's amount ({gross}) is too large; split it into smaller lines."));
            } else if let Err(e) = charge.validate() {
                let message = match e {
                    ChargeError::DiscountExceedsAmount(g) => {
                        format!("Discount cannot be more than the line's amount ({:.2}).", g)
                    }
                    other => other.to_string(),
                };
                err("discount", message);
            }
        }
        match (errors.is_empty(), run_date, quantity, unit_price, discount) {
            (true, Some(run_date), Some(quantity), Some(unit_price), Some(discount)) => Ok(ValidLine {
                id: self.id,
                product_id: self.product_id,
                run_date,
                description: description.to_string(),
                quantity,
                unit_price,
                discount,
            }),
            _ => Err(errors),
        }
    }
}

/// Accepts a JSON string, number, boolean or null as text, so that `"quantity": 2` and
/// `"quantity": "2"` mean the same and nothing but a wrong shape fails to decode.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl<'de> serde::de::Visitor<'de> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            // The shortest text that reads back as the same float: 12.5 → "12.5", 0.1 → "0.1".
            Ok(v.to_string())
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(Text)
        }
    }
    d.deserialize_any(Text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn prices(id: ProductId) -> Option<Decimal> {
        match id.0 {
            1 => Some(d("125.00")),
            2 => Some(d("0")),
            _ => None,
        }
    }

    fn line(product_id: ProductId, run_date: &str, quantity: &str, unit_price: &str, discount: &str) -> LineItemInput {
        LineItemInput {
            id: None,
            product_id,
            run_date: run_date.into(),
            description: " Front page ".into(),
            quantity: quantity.into(),
            unit_price: unit_price.into(),
            discount: discount.into(),
        }
    }

    fn order() -> OrderInput {
        OrderInput {
            account_id: AccountId(7),
            order_number: " IO-1 ".into(),
            status: "Confirmed".into(),
            ordered_on: "2026-11-24".into(),
            notes: String::new(),
            external_ref: "  ".into(),
            lines: vec![
                line(ProductId(1), "2026-12-01", "2", "", "10"),
                line(ProductId(2), "2026-12-02", "1,000", "$1,250.505", ""),
            ],
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_order_is_normalised() {
        let v = order().validate(prices).unwrap();
        assert_eq!(v.order_number.as_deref(), Some("IO-1"));
        assert_eq!(v.status, OrderStatus::Confirmed);
        assert_eq!(v.external_ref, None);
        assert_eq!(v.lines[0].unit_price, d("125"), "blank price is the product's");
        assert_eq!(v.lines[0].description, "Front page");
        assert_eq!((v.lines[1].quantity, v.lines[1].unit_price), (d("1000"), d("1250.505")));
        // 2 × 125 − 10, and 1000 × 1250.505 rounded once at the line.
        assert_eq!(v.lines[0].amount(), d("240.00"));
        assert_eq!(v.lines[1].amount(), d("1250505.00"));
        assert_eq!(v.total(), d("1250745.00"));
    }

    #[test]
    fn absurd_numbers_are_field_errors_not_panics() {
        let huge = "79228162514264337593543950335";
        for (q, p, disc, field) in [
            (huge, huge, "", "lines[0].quantity"),
            ("1", huge, "", "lines[0].unit_price"),
            (huge, "0", "", "lines[0].quantity"),
            ("1", "1", huge, "lines[0].discount"),
            ("999999999", "999999999", "", "lines[0].quantity"),
        ] {
            let mut bad = order();
            bad.lines = vec![line(ProductId(1), "2026-12-01", q, p, disc)];
            let errors = bad.validate(prices).unwrap_err();
            assert!(fields(errors.clone()).contains(&field.to_string()), "{q} × {p} − {disc}: {errors:?}");
            assert!(preview_amount(&bad.lines[0], None).is_none_or(|a| a <= Decimal::MAX));
        }
    }

    #[test]
    fn every_problem_is_named_by_its_json_path() {
        let bad = OrderInput {
            account_id: AccountId(0),
            status: "shipped".into(),
            ordered_on: "2026-13-01".into(),
            lines: vec![
                line(ProductId(1), "2026-12-01", "2", "", ""),
                line(ProductId(9), "tomorrow", "0", "-1", "x"),
                line(ProductId(1), "2026-12-01", "1", "10", "10.01"),
            ],
            ..order()
        };
        let errors = bad.validate(prices).unwrap_err();
        assert_eq!(
            fields(errors.clone()),
            [
                "account_id",
                "status",
                "ordered_on",
                "lines[1].product_id",
                "lines[1].run_date",
                "lines[1].quantity",
                "lines[1].unit_price",
                "lines[1].discount",
                "lines[2].discount"
            ]
        );
        let msg = |f: &str| errors.iter().find(|e| e.field == f).unwrap().message.clone();
        assert_eq!(msg("ordered_on"), "'2026-13-01' is not a date (YYYY-MM-DD).");
        assert_eq!(msg("lines[1].run_date"), "'tomorrow' is not a date (YYYY-MM-DD).");
        assert_eq!(msg("lines[2].discount"), "Discount cannot be more than the line's amount (10.00).");
    }

    #[test]
    fn limits_and_duplicates() {
        let mut o = order();
        o.lines[1].id = Some(LineItemId(5));
        o.lines[0].id = Some(LineItemId(5));
        o.order_number = "x".repeat(41);
        o.lines[0].quantity = "1000000000".into();
        assert_eq!(fields(o.validate(prices).unwrap_err()), ["order_number", "lines[0].quantity", "lines[1].id"]);
        let mut blank = order();
        blank.status = String::new();
        blank.order_number = String::new();
        let v = blank.validate(prices).unwrap();
        assert_eq!((v.status, v.order_number), (OrderStatus::Draft, None));
    }

    #[test]
    fn json_numbers_and_nulls_are_text_and_bad_values_are_field_errors() {
        let json = r#"{"account_id": 7, "ordered_on": "2026-11-24", "external_ref": null,
            "lines": [{"product_id": 1, "run_date": "2026-02-30", "quantity": 2, "unit_price": 12.5, "discount": null}]}"#;
        let input: OrderInput = serde_json::from_str(json).unwrap();
        assert_eq!((input.lines[0].quantity.as_str(), input.lines[0].unit_price.as_str()), ("2", "12.5"));
        let errors = input.validate(prices).unwrap_err();
        assert_eq!(errors, [FieldError::new("lines[0].run_date", "'2026-02-30' is not a date (YYYY-MM-DD).")]);
    }

    #[test]
    fn preview_follows_what_is_typed() {
        assert_eq!(preview_amount(&line(ProductId(1), "", "3", "", "5"), Some(d("10"))), Some(d("25.00")));
        assert_eq!(preview_amount(&line(ProductId(1), "", "3", "abc", ""), Some(d("10"))), None);
        assert_eq!(preview_amount(&line(ProductId(1), "", "", "1", ""), None), None);
    }

    proptest! {
        /// The editor's live amount is exactly what the server stores and the invoice bills.
        #[test]
        fn preview_equals_the_validated_amount(q in 1i64..100_000, p in 0i64..10_000_000, disc in 0u32..=100) {
            let quantity = Decimal::new(q, 2);
            let unit_price = Decimal::new(p, 2);
            let discount = round_cents(round_cents(quantity * unit_price) * Decimal::from(disc) / Decimal::ONE_HUNDRED);
            let l = line(ProductId(1), "2026-12-01", &quantity.to_string(), &unit_price.to_string(), &discount.to_string());
            let v = OrderInput { lines: vec![l.clone()], ..order() }.validate(prices).unwrap();
            prop_assert_eq!(preview_amount(&l, None), Some(v.lines[0].amount()));
            prop_assert_eq!(v.lines[0].charge().amounts().net, v.total());
        }
    }
}
