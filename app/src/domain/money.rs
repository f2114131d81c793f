//! Money is `rust_decimal::Decimal`, never a float. These helpers parse what people type
//! and format amounts for display in the organisation's currency.

use rust_decimal::{Decimal, RoundingStrategy};

/// Currencies offered in Settings, with the symbol used on screen and on invoices.
pub const CURRENCIES: &[(&str, &str)] = &[
    ("USD", "$"),
    ("CAD", "CA$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("AUD", "A$"),
    ("NZD", "NZ$"),
    ("CHF", "CHF "),
    ("SEK", "SEK "),
    ("NOK", "NOK "),
    ("DKK", "DKK "),
    ("ZAR", "R"),
    ("INR", "₹"),
];

pub fn is_supported_currency(code: &str) -> bool {
    CURRENCIES.iter().any(|(c, _)| *c == code)
}

fn symbol(currency: &str) -> &str {
    CURRENCIES.iter().find(|(c, _)| *c == currency).map(|(_, s)| *s).unwrap_or("")
}

/// Rounds to cents, half away from zero (the usual rule on invoices).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `1234.5` in USD → `$1,234.50`; negatives as `-$12.00`.
pub fn format_money(amount: Decimal, currency: &str) -> String {
    let rounded = round_cents(amount);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let s = format!("{:.2}", rounded.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sym = symbol(currency);
    let sign = if negative { "-" } else { "" };
    if sym.is_empty() { format!("{sign}{grouped}.{frac} {currency}") } else { format!("{sign}{sym}{grouped}.{frac}") }
}

/// The largest amount anyone may type (a trillion): far above any real invoice, far below what
/// the four-decimal BIGINT columns hold, so a typed amount is always storable.
pub const MAX_TYPED_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// Parses an amount as people type it: `1,234.50`, `$99`, ` 12 `. At most four decimals, and
/// less than [`MAX_TYPED_AMOUNT`] either way.
pub fn parse_amount(input: &str) -> Result<Decimal, String> {
    let cleaned: String = input.trim().chars().filter(|c| !matches!(c, ',' | ' ' | '$' | '€' | '£' | '₹')).collect();
    if cleaned.is_empty() {
        return Err("Enter an amount.".into());
    }
    let value: Decimal = cleaned.parse().map_err(|_| format!("\"{}\" is not an amount.", input.trim()))?;
    if value.scale() > 4 {
        return Err("Use at most four decimal places.".into());
    }
    if value.abs() >= MAX_TYPED_AMOUNT {
        return Err("Enter an amount under 1,000,000,000,000.".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn formats_with_grouping_and_symbol() {
        assert_eq!(format_money(dec("1234.5"), "USD"), "$1,234.50");
        assert_eq!(format_money(dec("1234567.005"), "EUR"), "€1,234,567.01");
        assert_eq!(format_money(dec("-12"), "GBP"), "-£12.00");
        assert_eq!(format_money(dec("0"), "USD"), "$0.00");
        assert_eq!(format_money(dec("999"), "XYZ"), "999.00 XYZ");
    }

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(parse_amount("$1,234.50"), Ok(dec("1234.50")));
        assert_eq!(parse_amount(" 12 "), Ok(dec("12")));
        assert!(parse_amount("abc").is_err());
        assert!(parse_amount("").is_err());
        assert!(parse_amount("1.23456").is_err());
        assert_eq!(MAX_TYPED_AMOUNT, dec("1000000000000"));
        assert!(parse_amount("999999999999.99").is_ok());
        assert!(parse_amount("1,000,000,000,000").is_err());
        assert!(parse_amount("792300000000000000000000000").is_err());
    }
}
