//! The plain-text part of an email, derived from its HTML part so the two never disagree.
//! Handles what email templates contain: paragraphs, line breaks, lists, links, entities.

/// Converts template HTML to readable plain text: block elements become line breaks, a link
/// becomes "text (url)", tags are dropped, the common entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut pending_href: Vec<Option<String>> = Vec::new();
    let mut skip_depth = 0usize;
    while let Some(lt) = rest.find('<') {
        if skip_depth == 0 {
            push_text(&mut out, &rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "style" | "script" | "head" | "title" => {
                if closing {
                    skip_depth = skip_depth.saturating_sub(1);
                } else if !tag.ends_with('/') {
                    skip_depth += 1;
                }
            }
            "br" => out.push('\n'),
            "p" | "div" | "table" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "blockquote" => {
                blank_line(&mut out);
            }
            "tr" => newline(&mut out),
            "td" | "th" if !closing && !out.ends_with('\n') && !out.is_empty() => out.push_str("  "),
            "li" if !closing => {
                newline(&mut out);
                out.push_str("- ");
            }
            "a" if !closing => pending_href.push(attribute(tag, "href")),
            "a" => {
                if let Some(Some(href)) = pending_href.pop()
                    && !href.is_empty()
                    && !href.starts_with('#')
                    && !out.ends_with(&href)
                {
                    out.push_str(&format!(" ({href})"));
                }
            }
            _ => {}
        }
    }
    if skip_depth == 0 {
        push_text(&mut out, rest);
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_string() + "\n"
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn blank_line(out: &mut String) {
    newline(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// Collapses runs of whitespace as a browser would, then decodes entities.
fn push_text(out: &mut String, text: &str) {
    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
    for c in decode_entities(text).chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))?;
    let value = &tag[at + name.len() + 1..];
    let (quote, value) = match value.chars().next()? {
        q @ ('"' | '\'') => (Some(q), &value[1..]),
        _ => (None, value),
    };
    let end = match quote {
        Some(q) => value.find(q)?,
        None => value.find(char::is_whitespace).unwrap_or(value.len()),
    };
    Some(decode_entities(&value[..end]))
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" | "#x27" => Some('\''),
            "nbsp" => Some(' '),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_links_and_entities() {
        let html = "<p>Dear Ann &amp; Bob,</p>\n<p>Invoice <strong>INV-1</strong> is due.<br>Thanks</p>\
                    <p><a href=\"https://pay.example/i/abc\">Pay Online</a></p>";
        assert_eq!(
            html_to_text(html),
            "Dear Ann & Bob,\n\nInvoice INV-1 is due.\nThanks\n\nPay Online (https://pay.example/i/abc)\n"
        );
    }

    #[test]
    fn escaped_markup_stays_text() {
        assert_eq!(html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"), "<script>alert(1)</script>\n");
    }

    #[test]
    fn styles_are_dropped_and_lists_bulleted() {
        let html = "<style>p{color:red}</style><ul><li>One</li><li>Two</li></ul>";
        assert_eq!(html_to_text(html), "- One\n- Two\n");
    }
}
