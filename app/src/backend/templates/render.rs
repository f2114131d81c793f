//! Staff-written email templates rendered by minijinja: a maintained, sandboxed engine (no
//! file or network access, a fuel limit against runaway loops) with HTML auto-escaping, so a
//! merge value such as an account named `<script>` arrives as text.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::{
    backend::{Db, StoreError},
    domain::{email_text::html_to_text, ids::TemplateId, merge_fields::TemplateKind},
    on_db,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the {part} could not be rendered: {message}")]
    Render { part: &'static str, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// A stored template's subject and HTML body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredTemplate {
    pub subject: String,
    pub body_html: String,
}

/// The template `id`, or when `None` the default template of `kind` (the oldest of the kind if
/// none is marked default). `None` when it no longer exists.
pub async fn stored(db: &Db, id: Option<TemplateId>, kind: TemplateKind) -> Result<Option<StoredTemplate>, StoreError> {
    let row = on_db!(db, p => {
        match id {
            Some(id) => sqlx::query_as("SELECT subject, body_html FROM email_templates WHERE id = $1").bind(id).fetch_optional(p).await?,
            None => sqlx::query_as(
                "SELECT subject, body_html FROM email_templates WHERE kind = $1
                 ORDER BY CASE WHEN is_default THEN 0 ELSE 1 END, id LIMIT 1",
            )
            .bind(kind.as_str())
            .fetch_optional(p)
            .await?,
        }
    });
    Ok(row)
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelled merge field is an error, not a silent blank in a client's inbox.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.set_fuel(Some(100_000));
    env
}

/// No email part needs more. A template that would produce more (a loop of long repeated text,
/// say) is stopped at this size at preview, at save and at send, instead of taking the server's
/// memory with it; fuel alone bounds the steps, not what each step writes.
pub const MAX_RENDERED_BYTES: usize = 1_000_000;

/// Collects rendered output and refuses to grow past `MAX_RENDERED_BYTES`.
#[derive(Default)]
struct CappedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered output too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders a template's subject (plain text, one line) and HTML body against `context`, and
/// derives the plain-text part from the HTML.
pub fn render_email(subject: &str, body_html: &str, context: &impl Serialize) -> Result<RenderedEmail, TemplateError> {
    let env = environment();
    let ctx = minijinja::Value::from_serialize(context);
    let render = |part: &'static str, name: &str, src: &str| {
        let mut out = CappedOutput::default();
        let rendered =
            env.template_from_named_str(name, src).and_then(|t| t.render_captured_to(&ctx, &mut out).map(|_| ()));
        match rendered {
            Ok(_) => Ok(String::from_utf8_lossy(&out.bytes).into_owned()),
            Err(_) if out.overflowed => Err(TemplateError::Render {
                part,
                message: format!(
                    "it would be larger than {} KB; look for a loop or repeated text that grows without end",
                    MAX_RENDERED_BYTES / 1000
                ),
            }),
            Err(e) => Err(TemplateError::Render { part, message: describe(&e) }),
        }
    };
    let subject = render("subject", "subject.txt", subject)?;
    let html = render("body", "body.html", body_html)?;
    Ok(RenderedEmail {
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text: html_to_text(&html),
        html: frame(&html),
    })
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string());
    if let Some(line) = e.line() {
        msg.push_str(&format!(" (line {line})"));
    }
    msg
}

/// The fixed frame every email body sits in: readable width, system fonts, inline styles
/// because mail clients ignore style sheets.
fn frame(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"margin:0;padding:24px;background:#f4f5f7\">\
         <div style=\"max-width:600px;margin:0 auto;background:#ffffff;padding:28px;border-radius:8px;\
         font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933\">\
         {body}</div></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_are_escaped_in_html_and_plain_in_subject() {
        let ctx = json!({ "account": { "name": "<script>alert(1)</script>" } });
        let r = render_email("Hi {{ account.name }}", "<p>{{ account.name }}</p>", &ctx).unwrap();
        assert_eq!(r.subject, "Hi <script>alert(1)</script>");
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "{}", r.html);
        assert!(!r.html.contains("<script>"));
        assert_eq!(r.text, "<script>alert(1)</script>\n");
    }

    #[test]
    fn template_bombs_are_refused_not_rendered() {
        let ctx = json!({ "invoice": { "number": "1" } });
        for body in [
            r#"{% for i in range(100) %}{{ "x" * 100000000 }}{% endfor %}"#,
            r#"{% for i in range(10000) %}{{ "x" * 1000 }}{% endfor %}"#,
            r#"{% for i in range(100000) %}<p>{{ invoice.number }} and some more text</p>{% endfor %}"#,
        ] {
            let err = render_email("x", body, &ctx).unwrap_err();
            assert!(matches!(err, TemplateError::Render { part: "body", .. }), "{body}: {err:?}");
        }
        let fine = render_email("x", r#"{% for i in range(100) %}{{ "-" * 80 }}{% endfor %}"#, &ctx).unwrap();
        assert!(fine.html.len() > 8000);
    }

    #[test]
    fn unknown_fields_are_errors() {
        let err =
            render_email("x", "<p>{{ invoice.numbr }}</p>", &json!({ "invoice": { "number": "1" } })).unwrap_err();
        assert!(matches!(err, TemplateError::Render { part: "body", .. }), "{err:?}");
    }

    #[test]
    fn runaway_loops_run_out_of_fuel() {
        let err = render_email("x", "{% for i in range(1000000) %}{{ i }}{% endfor %}", &json!({})).unwrap_err();
        assert!(matches!(err, TemplateError::Render { .. }));
    }
}
