//! Invoice number formats such as `INV-{YYYY}-{SEQ:5}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Part {
    Text(String),
    Year4,
    Year2,
    Month,
    Seq { width: usize },
}

/// A parsed invoice number format. Placeholders: `{YYYY}`, `{YY}`, `{MM}`, `{SEQ}` or
/// `{SEQ:n}` (zero-padded to n digits). The sequence restarts in each period the format
/// names (per year with `{YYYY}`, per month with `{MM}`), so the counter is keyed by period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceNumberFormat {
    parts: Vec<Part>,
}

impl InvoiceNumberFormat {
    pub fn parse(format: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = format;
        let mut text = String::new();
        let mut seq_count = 0;
        while let Some(c) = rest.chars().next() {
            if c == '{' {
                let end = rest.find('}').ok_or("A \"{\" has no closing \"}\".")?;
                let token = &rest[1..end];
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(match token {
                    "YYYY" => Part::Year4,
                    "YY" => Part::Year2,
                    "MM" => Part::Month,
                    "SEQ" => Part::Seq { width: 1 },
                    t if t.starts_with("SEQ:") => {
                        let width: usize = t[4..]
                            .parse()
                            .ok()
                            .filter(|w| (1..=12).contains(w))
                            .ok_or("{SEQ:n} needs a width from 1 to 12.")?;
                        Part::Seq { width }
                    }
                    other => {
                        return Err(format!(
                            "Unknown placeholder {{{other}}}. Use {{YYYY}}, {{YY}}, {{MM}} or {{SEQ:n}}."
                        ));
                    }
                });
                if matches!(parts.last(), Some(Part::Seq { .. })) {
                    seq_count += 1;
                }
                rest = &rest[end + 1..];
            } else if c == '}' {
                return Err("A \"}\" has no opening \"{\".".into());
            } else {
                if c.is_control() {
                    return Err("The format cannot contain control characters.".into());
                }
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        if seq_count != 1 {
            return Err("The format needs exactly one {SEQ} or {SEQ:n} placeholder.".into());
        }
        if format.len() > 40 {
            return Err("The format can be at most 40 characters long.".into());
        }
        Ok(Self { parts })
    }

    /// The counter key: numbers restart when it changes.
    pub fn period(&self, year: i32, month: u32) -> String {
        let has_year = self.parts.iter().any(|p| matches!(p, Part::Year4 | Part::Year2));
        let has_month = self.parts.iter().any(|p| matches!(p, Part::Month));
        match (has_year, has_month) {
            (_, true) => format!("{year:04}-{month:02}"),
            (true, false) => format!("{year:04}"),
            (false, false) => "all".to_string(),
        }
    }

    pub fn render(&self, year: i32, month: u32, seq: u64) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Year4 => out.push_str(&format!("{year:04}")),
                Part::Year2 => out.push_str(&format!("{:02}", year.rem_euclid(100))),
                Part::Month => out.push_str(&format!("{month:02}")),
                Part::Seq { width } => out.push_str(&format!("{seq:0width$}")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_default_format() {
        let f = InvoiceNumberFormat::parse("INV-{YYYY}-{SEQ:5}").unwrap();
        assert_eq!(f.render(2026, 11, 42), "INV-2026-00042");
        assert_eq!(f.period(2026, 11), "2026");
        let m = InvoiceNumberFormat::parse("{YY}{MM}/{SEQ}").unwrap();
        assert_eq!(m.render(2026, 3, 7), "2603/7");
        assert_eq!(m.period(2026, 3), "2026-03");
        assert_eq!(InvoiceNumberFormat::parse("P{SEQ:6}").unwrap().period(2026, 3), "all");
    }

    #[test]
    fn rejects_bad_formats_with_a_reason() {
        assert!(InvoiceNumberFormat::parse("INV-{YYYY}").unwrap_err().contains("exactly one"));
        assert!(InvoiceNumberFormat::parse("INV-{SEQ}{SEQ}").is_err());
        assert!(InvoiceNumberFormat::parse("INV-{DATE}-{SEQ}").unwrap_err().contains("Unknown placeholder"));
        assert!(InvoiceNumberFormat::parse("INV-{SEQ").is_err());
        assert!(InvoiceNumberFormat::parse("INV-{SEQ:0}").is_err());
    }
}
