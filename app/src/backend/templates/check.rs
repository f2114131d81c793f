//! Checks a template before it is saved: required parts, template syntax (with the line), merge
//! fields the template's kind does not have (with a "did you mean"), and a trial render against
//! the kind's sample values for anything the static checks cannot see (a misspelt field of a
//! statement row inside a loop, a filter applied to the wrong type).
//!
//! Pure: no database. The name's uniqueness is the library's business.

use minijinja::{Environment, UndefinedBehavior};

use crate::{
    backend::templates::render::{TemplateError, render_email},
    domain::{
        merge_fields::{self, TemplateKind},
        settings::FieldError,
    },
};

pub const NAME_MAX: usize = 120;
pub const SUBJECT_MAX: usize = 300;
pub const BODY_MAX: usize = 100_000;

/// Names the engine reports as undeclared that are its own functions, not merge fields.
const ENGINE_GLOBALS: &[&str] = &["range", "dict", "namespace", "debug", "loop", "self", "true", "false", "none"];

/// A template as typed in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub kind: TemplateKind,
    pub name: String,
    pub subject: String,
    pub body_html: String,
}

impl TemplateInput {
    /// The input trimmed and checked; every problem at once, as field errors.
    pub fn normalised(self) -> Result<TemplateInput, Vec<FieldError>> {
        let input = TemplateInput {
            kind: self.kind,
            name: self.name.split_whitespace().collect::<Vec<_>>().join(" "),
            subject: self.subject.trim().to_string(),
            body_html: self.body_html.trim().to_string(),
        };
        let mut errors = Vec::new();
        if input.name.is_empty() {
            errors.push(FieldError::new("name", "Enter a name, like \"Invoice with Pay Online button\"."));
        } else if input.name.chars().count() > NAME_MAX {
            errors.push(FieldError::new("name", format!("Keep the name under {NAME_MAX} characters.")));
        }
        if let Some(e) = check_part(input.kind, "subject", &input.subject, SUBJECT_MAX) {
            errors.push(e);
        }
        if let Some(e) = check_part(input.kind, "body_html", &input.body_html, BODY_MAX) {
            errors.push(e);
        }
        if errors.iter().all(|e| e.field == "name")
            && let Err(e) =
                render_email(&input.subject, &input.body_html, &crate::backend::templates::context::sample(input.kind))
        {
            errors.push(render_error(e));
        }
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }
}

/// A render failure as the field error of the part that failed.
pub fn render_error(e: TemplateError) -> FieldError {
    let TemplateError::Render { part, message } = e;
    let field = if part == "subject" { "subject" } else { "body_html" };
    FieldError::new(field, format!("This {part} could not be rendered: {message}"))
}

fn check_part(kind: TemplateKind, field: &str, source: &str, max: usize) -> Option<FieldError> {
    let what = if field == "subject" { "subject" } else { "body" };
    if source.is_empty() {
        return Some(FieldError::new(field, format!("Enter the email's {what}.")));
    }
    if source.chars().count() > max {
        return Some(FieldError::new(field, format!("The {what} is too long (at most {max} characters).")));
    }
    let problems = problems(kind, source);
    (!problems.is_empty()).then(|| FieldError::new(field, problems.join(" ")))
}

/// What is wrong with one part: a syntax error, or each unknown merge field.
pub fn problems(kind: TemplateKind, source: &str) -> Vec<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let template = match env.template_from_str(source) {
        Ok(t) => t,
        Err(e) => return vec![syntax_message(&e)],
    };
    let mut used: Vec<String> = template.undeclared_variables(true).into_iter().collect();
    used.sort();
    used.into_iter()
        .filter(|path| !ENGINE_GLOBALS.contains(&path.split('.').next().unwrap_or_default()))
        .filter(|path| !merge_fields::is_known(kind, path))
        .map(|path| unknown_message(kind, &path))
        .collect()
}

fn syntax_message(e: &minijinja::Error) -> String {
    let detail = e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string());
    match e.line() {
        Some(line) => format!("Template syntax error on line {line}: {detail}."),
        None => format!("Template syntax error: {detail}."),
    }
}

fn unknown_message(kind: TemplateKind, path: &str) -> String {
    if let Some(other) = TemplateKind::ALL.into_iter().find(|k| merge_fields::is_known(*k, path)) {
        return format!(
            "`{path}` is not available in {} templates (it is in {} templates).",
            kind.label().to_lowercase(),
            other.label().to_lowercase()
        );
    }
    match merge_fields::suggestion(kind, path) {
        Some(s) => format!("Unknown merge field `{path}` — did you mean `{s}`?"),
        None => format!("Unknown merge field `{path}`."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{templates::context::sample, templates::render::render_email};

    fn input(kind: TemplateKind, subject: &str, body: &str) -> TemplateInput {
        TemplateInput { kind, name: "T".into(), subject: subject.into(), body_html: body.into() }
    }

    fn message(errors: &[FieldError], field: &str) -> String {
        errors.iter().find(|e| e.field == field).map(|e| e.message.clone()).unwrap_or_default()
    }

    #[test]
    fn unknown_fields_are_reported_with_a_suggestion() {
        let errors = input(TemplateKind::Invoice, "Invoice {{ invoice.numbr }}", "<p>{{ acount.name }}</p>")
            .normalised()
            .unwrap_err();
        assert_eq!(message(&errors, "subject"), "Unknown merge field `invoice.numbr` — did you mean `invoice.number`?");
        assert_eq!(message(&errors, "body_html"), "Unknown merge field `acount.name` — did you mean `account.name`?");
        let errors = input(TemplateKind::Invoice, "x", "{{ weather.today }}").normalised().unwrap_err();
        assert_eq!(message(&errors, "body_html"), "Unknown merge field `weather.today`.");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let errors =
            input(TemplateKind::Invoice, "x", "<p>Hi</p>\n<p>{{ invoice.number }</p>\n").normalised().unwrap_err();
        let m = message(&errors, "body_html");
        assert!(m.starts_with("Template syntax error on line 2:"), "{m}");
        let errors = input(TemplateKind::Invoice, "x", "{% if invoice %}open").normalised().unwrap_err();
        assert!(message(&errors, "body_html").contains("line 1"), "{errors:?}");
    }

    #[test]
    fn fields_follow_the_kind() {
        let errors =
            input(TemplateKind::Statement, "{{ invoice.number }}", "<a href=\"{{ links.invoice_payment }}\">Pay</a>")
                .normalised()
                .unwrap_err();
        assert!(message(&errors, "subject").contains("`invoice.number` is not available in statement"), "{errors:?}");
        assert!(message(&errors, "body_html").contains("`links.invoice_payment` is not available"), "{errors:?}");
        assert!(
            input(TemplateKind::Statement, "{{ account.name }}", "<a href=\"{{ links.unpaid_invoices }}\">x</a>")
                .normalised()
                .is_ok()
        );
        assert!(input(TemplateKind::Receipt, "{{ payment.amount }}", "x").normalised().is_ok());
        assert!(input(TemplateKind::Invoice, "{{ payment.amount }}", "x").normalised().is_err());
    }

    #[test]
    fn loops_conditions_and_engine_functions_are_not_merge_fields() {
        let body = "{% for inv in statement.invoices %}{{ loop.index }}. {{ inv.number }} {{ inv.balance }}{% endfor %}\
                    {% for i in range(2) %}{{ i }}{% endfor %}{% if links.invoice_payment %}pay{% endif %}";
        assert_eq!(input(TemplateKind::Reminder, "Hi", body).normalised().map(|_| ()), Ok(()));
    }

    #[test]
    fn a_misspelt_row_field_inside_a_loop_fails_the_trial_render() {
        let body = "{% for inv in statement.invoices %}{{ inv.numbr }}{% endfor %}";
        let errors = input(TemplateKind::Statement, "Hi", body).normalised().unwrap_err();
        assert!(message(&errors, "body_html").starts_with("This body could not be rendered"), "{errors:?}");
    }

    #[test]
    fn required_parts_and_name() {
        let errors =
            TemplateInput { kind: TemplateKind::Invoice, name: "  ".into(), subject: " ".into(), body_html: "".into() }
                .normalised()
                .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "subject", "body_html"]);
    }

    #[test]
    fn every_menu_item_is_accepted_in_its_kind() {
        for kind in TemplateKind::ALL {
            let mut body: String = merge_fields::fields_for(kind).map(|f| merge_fields::placeholder(f.path)).collect();
            for l in merge_fields::links_for(kind) {
                body.push_str(&merge_fields::placeholder(l.path));
                body.push_str(&merge_fields::pay_online_block(l.path));
            }
            assert!(input(kind, "x", &body).normalised().is_ok(), "{kind:?}");
        }
    }

    #[test]
    fn a_script_in_a_merge_value_is_text() {
        let mut ctx = sample(TemplateKind::Invoice);
        ctx.account.name = "<script>alert('x')</script>".into();
        let r = render_email("{{ account.name }}", "<p>{{ account.name }}</p>", &ctx).unwrap();
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(r.text.contains("<script>alert('x')</script>"));
    }
}
