//! The kinds of email Pressrun sends. The outbox stores a kind as an opaque tag; this is the one
//! place that names them, for the composers, the follow-ups and the lists that label them.

use crate::domain::ids::{InvoiceId, TemplateId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmailKind {
    /// An invoice with its PDF.
    Invoice,
    /// A past-due reminder about one invoice (one ladder step).
    Reminder,
    /// The per-contact daily reminder listing an account's past-due invoices.
    ReminderDigest,
    /// The receipt for a payment.
    Receipt,
}

impl EmailKind {
    pub const ALL: [EmailKind; 4] =
        [EmailKind::Invoice, EmailKind::Reminder, EmailKind::ReminderDigest, EmailKind::Receipt];

    /// The tag stored in `outbox.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Invoice => "invoice_email",
            EmailKind::Reminder => "reminder_email",
            EmailKind::ReminderDigest => "reminder_digest",
            EmailKind::Receipt => "receipt_email",
        }
    }

    pub fn parse(tag: &str) -> Option<EmailKind> {
        EmailKind::ALL.into_iter().find(|k| k.as_str() == tag)
    }

    /// How staff lists name it.
    pub fn label(self) -> &'static str {
        match self {
            EmailKind::Invoice => "Invoice",
            EmailKind::Reminder => "Reminder",
            EmailKind::ReminderDigest => "Past-due summary",
            EmailKind::Receipt => "Receipt",
        }
    }
}

/// What an invoice email's outbox row carries besides the invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceEmailPayload {
    /// The template chosen when the email was queued; the organisation default when absent.
    pub template_id: Option<TemplateId>,
}

/// The effect key of the `n`-th email of an invoice: the automatic first send is always 1,
/// so however many ticks or instances decide to send it, it is sent once.
pub fn invoice_email_key(invoice_id: InvoiceId, n: i64) -> String {
    format!("invoice-email:{invoice_id}:{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for k in EmailKind::ALL {
            assert_eq!(EmailKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EmailKind::parse("nope"), None);
    }
}
