//! The merge fields and Special Links an email template may use, per template kind. One list
//! drives the editor's insert menus in the browser, the unknown-field check on save and the
//! sample values of a preview, so the three cannot drift apart.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    Invoice,
    Reminder,
    Statement,
    Receipt,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 4] =
        [TemplateKind::Invoice, TemplateKind::Reminder, TemplateKind::Statement, TemplateKind::Receipt];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Invoice => "invoice",
            TemplateKind::Reminder => "reminder",
            TemplateKind::Statement => "statement",
            TemplateKind::Receipt => "receipt",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            TemplateKind::Invoice => "Invoice",
            TemplateKind::Reminder => "Past-due reminder",
            TemplateKind::Statement => "Statement (unpaid invoices)",
            TemplateKind::Receipt => "Payment receipt",
        }
    }

    /// Whether the email is about one invoice (so `invoice.*` and the Invoice Payment link exist).
    pub fn has_invoice(self) -> bool {
        matches!(self, TemplateKind::Invoice | TemplateKind::Reminder)
    }
}

/// Which group a field is listed under in the insert menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldGroup {
    Organisation,
    Account,
    Contact,
    Invoice,
    Statement,
    Payment,
    Reminder,
}

impl FieldGroup {
    pub fn label(self) -> &'static str {
        match self {
            FieldGroup::Organisation => "Organisation",
            FieldGroup::Account => "Account",
            FieldGroup::Contact => "Contact",
            FieldGroup::Invoice => "Invoice",
            FieldGroup::Statement => "Unpaid invoices",
            FieldGroup::Payment => "Payment",
            FieldGroup::Reminder => "Reminder",
        }
    }

    fn available_in(self, kind: TemplateKind) -> bool {
        match self {
            FieldGroup::Organisation | FieldGroup::Account | FieldGroup::Contact => true,
            FieldGroup::Invoice => kind.has_invoice(),
            FieldGroup::Statement => true,
            FieldGroup::Payment => kind == TemplateKind::Receipt,
            FieldGroup::Reminder => kind == TemplateKind::Reminder,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeField {
    pub group: FieldGroup,
    /// The dotted path written in a template: `{{ invoice.number }}`.
    pub path: &'static str,
    pub label: &'static str,
    /// What the field looks like, for the menu and for previews without real data.
    pub sample: &'static str,
}

const fn f(group: FieldGroup, path: &'static str, label: &'static str, sample: &'static str) -> MergeField {
    MergeField { group, path, label, sample }
}

pub const MERGE_FIELDS: &[MergeField] = &[
    f(FieldGroup::Organisation, "organisation.name", "Organisation name", "Harbor City Herald"),
    f(FieldGroup::Organisation, "organisation.email", "Organisation email", "billing@herald.example"),
    f(FieldGroup::Organisation, "organisation.address", "Organisation address", "1 Press Row, Harbor City"),
    f(FieldGroup::Account, "account.name", "Account name", "Bayside Motors"),
    f(FieldGroup::Account, "account.total_due", "Account balance due", "$3,410.00"),
    f(FieldGroup::Account, "account.credit", "Account credit", "$0.00"),
    f(FieldGroup::Contact, "contact.name", "Contact name", "Dana Whitfield"),
    f(FieldGroup::Contact, "contact.email", "Contact email", "dana@bayside.example"),
    f(FieldGroup::Invoice, "invoice.number", "Invoice number", "INV-2026-00042"),
    f(FieldGroup::Invoice, "invoice.issue_date", "Issue date", "November 2, 2026"),
    f(FieldGroup::Invoice, "invoice.due_date", "Due date", "December 2, 2026"),
    f(FieldGroup::Invoice, "invoice.total", "Invoice total", "$1,250.00"),
    f(FieldGroup::Invoice, "invoice.amount_paid", "Amount paid", "$0.00"),
    f(FieldGroup::Invoice, "invoice.balance", "Balance due", "$1,250.00"),
    f(FieldGroup::Invoice, "invoice.days_past_due", "Days past due", "0"),
    f(FieldGroup::Invoice, "invoice.currency", "Currency", "USD"),
    f(FieldGroup::Statement, "statement.count", "Number of unpaid invoices", "3"),
    f(FieldGroup::Statement, "statement.total_due", "Total of unpaid invoices", "$3,410.00"),
    f(FieldGroup::Statement, "statement.past_due_total", "Total past due", "$1,250.00"),
    f(FieldGroup::Payment, "payment.amount", "Payment amount", "$1,250.00"),
    f(FieldGroup::Payment, "payment.date", "Payment date", "November 20, 2026"),
    f(FieldGroup::Payment, "payment.method", "Payment method", "Card"),
    f(FieldGroup::Payment, "payment.reference", "Payment reference", "ch_3QX…"),
    f(FieldGroup::Payment, "payment.invoices", "Invoices paid", "INV-2026-00042"),
    f(FieldGroup::Reminder, "reminder.days_past_due", "Reminder step (days past due)", "30"),
];

/// A Special Link: a portal page the client opens without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialLink {
    pub path: &'static str,
    pub menu: &'static str,
    /// Whether it needs an invoice (so it exists only in invoice and reminder emails).
    pub per_invoice: bool,
}

pub const SPECIAL_LINKS: &[SpecialLink] = &[
    SpecialLink { path: "links.invoice_payment", menu: "Invoice → Invoice Payment", per_invoice: true },
    SpecialLink { path: "links.unpaid_invoices", menu: "Account → Unpaid Invoices", per_invoice: false },
];

/// Loops over the unpaid invoices (statement and reminder emails): `{% for inv in statement.invoices %}`.
pub const STATEMENT_ROW_FIELDS: &[&str] = &["number", "issue_date", "due_date", "total", "balance", "days_past_due"];

pub fn fields_for(kind: TemplateKind) -> impl Iterator<Item = &'static MergeField> {
    MERGE_FIELDS.iter().filter(move |f| f.group.available_in(kind))
}

pub fn links_for(kind: TemplateKind) -> impl Iterator<Item = &'static SpecialLink> {
    SPECIAL_LINKS.iter().filter(move |l| !l.per_invoice || kind.has_invoice())
}

/// The text the editor inserts for a field.
pub fn placeholder(path: &str) -> String {
    format!("{{{{ {path} }}}}")
}

/// The Pay Online button block, inserted from the Special Links menu. Inline styles because
/// mail clients ignore style sheets.
pub fn pay_online_block(link_path: &str) -> String {
    format!(
        "{{% if {link_path} %}}<p><a href=\"{{{{ {link_path} }}}}\" style=\"display:inline-block;padding:10px 18px;\
         background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600\">Pay Online</a></p>{{% endif %}}"
    )
}

/// Whether `path` (as the template engine reports a variable it reads, e.g. `invoice.numbr` or
/// `statement.invoices`) is something a template of `kind` may use. Loop variables are the
/// engine's business and never reach here.
pub fn is_known(kind: TemplateKind, path: &str) -> bool {
    if fields_for(kind).any(|f| f.path == path) || links_for(kind).any(|l| l.path == path) {
        return true;
    }
    // Parents of known fields (`{% if invoice %}`) and the statement's invoice list.
    let parent_of_known = fields_for(kind)
        .map(|f| f.path)
        .chain(links_for(kind).map(|l| l.path))
        .any(|p| p.strip_prefix(path).is_some_and(|rest| rest.starts_with('.')));
    parent_of_known || path == "statement.invoices"
}

/// The closest known field to a misspelt one, for "did you mean …".
pub fn suggestion(kind: TemplateKind, path: &str) -> Option<&'static str> {
    fields_for(kind)
        .map(|f| f.path)
        .chain(links_for(kind).map(|l| l.path))
        .map(|p| (edit_distance(p, path), p))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, p)| p)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_fields_exist_only_where_there_is_an_invoice() {
        assert!(is_known(TemplateKind::Invoice, "invoice.number"));
        assert!(is_known(TemplateKind::Reminder, "links.invoice_payment"));
        assert!(!is_known(TemplateKind::Statement, "invoice.number"));
        assert!(!is_known(TemplateKind::Statement, "links.invoice_payment"));
        assert!(is_known(TemplateKind::Statement, "links.unpaid_invoices"));
        assert!(is_known(TemplateKind::Receipt, "payment.amount"));
        assert!(!is_known(TemplateKind::Invoice, "payment.amount"));
    }

    #[test]
    fn parents_are_known_so_conditions_work() {
        assert!(is_known(TemplateKind::Invoice, "invoice"));
        assert!(is_known(TemplateKind::Invoice, "links"));
        assert!(!is_known(TemplateKind::Invoice, "invo"));
    }

    #[test]
    fn misspellings_get_a_suggestion() {
        assert!(!is_known(TemplateKind::Invoice, "invoice.numbr"));
        assert_eq!(suggestion(TemplateKind::Invoice, "invoice.numbr"), Some("invoice.number"));
        assert_eq!(suggestion(TemplateKind::Invoice, "weather.today"), None);
    }

    #[test]
    fn pay_online_block_is_conditional_on_the_link() {
        let b = pay_online_block("links.invoice_payment");
        assert!(b.starts_with("{% if links.invoice_payment %}"));
        assert!(b.contains("href=\"{{ links.invoice_payment }}\""));
    }
}
