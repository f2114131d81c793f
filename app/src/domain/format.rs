//! Display formatting shared by the pages, the documents and the emails.

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub fn money(amount: Decimal, currency: &str) -> String {
    crate::domain::money::format_money(amount, currency)
}

pub fn date(d: NaiveDate) -> String {
    d.format("%b %-d, %Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "—".into())
}

pub fn count(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Percent-encodes a query-string value.
pub fn query_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::count(1234567), "1,234,567");
        assert_eq!(super::query_value("a b&c"), "a+b%26c");
        assert_eq!(super::date(chrono::NaiveDate::from_ymd_opt(2026, 11, 4).unwrap()), "Nov 4, 2026");
    }
}
