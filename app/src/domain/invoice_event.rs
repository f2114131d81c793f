//! What can happen to an invoice, as its timeline shows it.

use serde::{Deserialize, Serialize};

macro_rules! event_kinds {
    ($($variant:ident => $tag:literal, $label:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum InvoiceEventKind {
            $($variant,)*
        }

        impl InvoiceEventKind {
            pub const ALL: &[InvoiceEventKind] = &[$(InvoiceEventKind::$variant,)*];

            /// The tag stored in `invoice_events.kind`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(InvoiceEventKind::$variant => $tag,)*
                }
            }

            /// How the timeline names it.
            pub fn label(self) -> &'static str {
                match self {
                    $(InvoiceEventKind::$variant => $label,)*
                }
            }
        }
    };
}

event_kinds! {
    Created => "created", "Created";
    Edited => "edited", "Edited";
    LineRemoved => "line_removed", "Line removed";
    Finalised => "finalised", "Finalised";
    Voided => "voided", "Voided";
    LineItemsReleased => "line_items_released", "Line items released for billing";
    Sent => "sent", "Sent";
    EmailFailed => "email_failed", "Email failed";
    Payment => "payment", "Payment";
    CreditApplied => "credit_applied", "Credit applied";
    PaymentVoided => "payment_voided", "Payment voided";
    ReceiptSent => "receipt_sent", "Receipt sent";
    PortalView => "portal_view", "Viewed by client";
    ReminderSent => "reminder_sent", "Reminder sent";
    ReminderFailed => "reminder_failed", "Reminder failed";
}

impl InvoiceEventKind {
    pub fn parse(tag: &str) -> Option<InvoiceEventKind> {
        InvoiceEventKind::ALL.iter().copied().find(|k| k.as_str() == tag)
    }
}

/// The label for a stored tag; a tag this build does not know is shown as it is.
pub fn label(tag: &str) -> String {
    InvoiceEventKind::parse(tag).map(|k| k.label().to_string()).unwrap_or_else(|| tag.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_unique_and_round_trip() {
        for k in InvoiceEventKind::ALL {
            assert_eq!(InvoiceEventKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(label("something_new"), "something_new");
        assert_eq!(label("portal_view"), "Viewed by client");
    }
}
