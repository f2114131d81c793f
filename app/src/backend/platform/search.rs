//! Search patterns shared by every list that has a search box.

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
