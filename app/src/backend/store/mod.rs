//! Storage: one module per aggregate, each function running the same SQL on either engine.

pub mod accounts;
pub mod api_keys;
pub mod automation;
pub mod billable;
pub mod dashboard;
pub mod deliveries;
pub mod directory;
pub mod invoices;
pub mod orders;
pub mod organisation;
pub mod products;
pub mod reminders;
pub mod rest;
pub mod sessions;
pub mod sign_in_failures;
pub mod users;

/// A case-insensitive `LIKE … ESCAPE '\\'` pattern matching `search` anywhere, with the
/// wildcards a person might type (`%`, `_`) taken literally.
pub fn contains_pattern(search: &str) -> String {
    let mut out = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_literal() {
        assert_eq!(super::contains_pattern(" 50%_Off\\ "), "%50\\%\\_off\\\\%");
    }
}
