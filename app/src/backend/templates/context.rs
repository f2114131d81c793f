//! The shape of the values a template is rendered with, and sample values for every kind.
//! Groups that do not apply to an email are left out entirely, so a receipt template that asks
//! for `invoice.number` fails loudly instead of printing a blank. `messages::context` loads the
//! real values at send time.

use serde::Serialize;

use crate::domain::merge_fields::{FieldGroup, MERGE_FIELDS, TemplateKind};

#[derive(Debug, Clone, Default, Serialize)]
pub struct EmailContext {
    pub organisation: OrgCtx,
    pub account: AccountCtx,
    pub contact: ContactCtx,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceCtx>,
    pub statement: StatementCtx,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder: Option<ReminderCtx>,
    pub links: LinksCtx,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OrgCtx {
    pub name: String,
    pub email: String,
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountCtx {
    pub name: String,
    pub total_due: String,
    pub credit: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactCtx {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InvoiceCtx {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub amount_paid: String,
    pub balance: String,
    pub days_past_due: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatementCtx {
    pub count: usize,
    pub total_due: String,
    pub past_due_total: String,
    pub invoices: Vec<InvoiceCtx>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentCtx {
    pub amount: String,
    pub date: String,
    pub method: String,
    pub reference: String,
    pub invoices: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReminderCtx {
    pub days_past_due: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LinksCtx {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_payment: Option<String>,
    pub unpaid_invoices: String,
}

/// A context made of the sample values, for previews before any invoice exists and for
/// checking a template on save.
pub fn sample(kind: TemplateKind) -> EmailContext {
    let s = |path: &str| MERGE_FIELDS.iter().find(|f| f.path == path).map(|f| f.sample.to_string()).unwrap_or_default();
    let invoice = InvoiceCtx {
        number: s("invoice.number"),
        issue_date: s("invoice.issue_date"),
        due_date: s("invoice.due_date"),
        total: s("invoice.total"),
        amount_paid: s("invoice.amount_paid"),
        balance: s("invoice.balance"),
        days_past_due: if kind == TemplateKind::Reminder { 30 } else { 0 },
        currency: s("invoice.currency"),
    };
    let has = |g: FieldGroup| crate::domain::merge_fields::fields_for(kind).any(|f| f.group == g);
    EmailContext {
        organisation: OrgCtx {
            name: s("organisation.name"),
            email: s("organisation.email"),
            address: s("organisation.address"),
        },
        account: AccountCtx { name: s("account.name"), total_due: s("account.total_due"), credit: s("account.credit") },
        contact: ContactCtx { name: s("contact.name"), email: s("contact.email") },
        invoice: has(FieldGroup::Invoice).then(|| invoice.clone()),
        statement: StatementCtx {
            count: 1,
            total_due: s("statement.total_due"),
            past_due_total: s("statement.past_due_total"),
            invoices: vec![invoice],
        },
        payment: has(FieldGroup::Payment).then(|| PaymentCtx {
            amount: s("payment.amount"),
            date: s("payment.date"),
            method: s("payment.method"),
            reference: s("payment.reference"),
            invoices: s("payment.invoices"),
        }),
        reminder: has(FieldGroup::Reminder).then_some(ReminderCtx { days_past_due: 30 }),
        links: LinksCtx {
            invoice_payment: kind.has_invoice().then(|| "https://billing.example/portal/invoice/sample".to_string()),
            unpaid_invoices: "https://billing.example/portal/account/sample".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::templates::render::render_email;

    #[test]
    fn samples_follow_the_kind() {
        let receipt = serde_json::to_value(sample(TemplateKind::Receipt)).unwrap();
        assert!(receipt.get("invoice").is_none());
        assert!(receipt.get("payment").is_some());
        assert!(receipt["links"].get("invoice_payment").is_none());
        let reminder = serde_json::to_value(sample(TemplateKind::Reminder)).unwrap();
        assert_eq!(reminder["reminder"]["days_past_due"], 30);
        assert!(render_email("{{ invoice.number }}", "x", &sample(TemplateKind::Receipt)).is_err());
        assert!(render_email("{{ invoice.number }}", "x", &sample(TemplateKind::Invoice)).is_ok());
    }
}
