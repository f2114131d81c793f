//! askama's escaper for `.typ` templates. The templates put every value inside a Typst string
//! literal (`"{{ value }}"`), so escaping only has to keep the value inside the quotes:
//! backslash, quote and control characters become escape sequences, and nothing else in the
//! value (`#`, `*`, `$`, `<`, `]` …) means anything there.

use std::fmt::{self, Write};

#[derive(Debug, Clone, Copy, Default)]
pub struct Typst;

impl askama::filters::Escaper for Typst {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        for c in string.chars() {
            match c {
                '\\' => dest.write_str("\\\\")?,
                '"' => dest.write_str("\\\"")?,
                '\n' => dest.write_str("\\n")?,
                '\r' => dest.write_str("\\r")?,
                '\t' => dest.write_str("\\t")?,
                c if c.is_control() => write!(dest, "\\u{{{:x}}}", c as u32)?,
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use askama::filters::Escaper;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        super::Typst.write_escaped_str(&mut out, s).unwrap();
        out
    }

    #[test]
    fn values_stay_inside_the_string_literal() {
        assert_eq!(esc(r#"say "hi" \ #set page(width: 1pt)"#), r#"say \"hi\" \\ #set page(width: 1pt)"#);
        assert_eq!(esc("a\nb\u{7}"), "a\\nb\\u{7}");
        assert_eq!(esc("Café ₹ *bold* $x$"), "Café ₹ *bold* $x$");
    }
}
