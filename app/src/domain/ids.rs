//! Typed ids of the main records, so an account id cannot be passed where an invoice id is
//! wanted. Each is an `i64` underneath: the same in the database (sqlx `transparent`), in JSON
//! (serde `transparent`) and in URLs (`Display`/`FromStr`).

use std::{fmt, num::ParseIntError, str::FromStr};

use serde::{Deserialize, Serialize};

macro_rules! record_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

record_ids! {
    /// An advertiser or agency.
    AccountId;
    /// A person at an account who receives invoices.
    ContactId;
    ProductId;
    OrderId;
    /// One ad on an order: what gets billed.
    LineItemId;
    InvoiceId;
    PaymentId;
    /// A message in the outbox.
    OutboxId;
    /// An email template.
    TemplateId;
    /// A staff member.
    UserId;
    ApiKeyId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_numbers() {
        assert_eq!("42".parse::<InvoiceId>(), Ok(InvoiceId(42)));
        assert!("x".parse::<InvoiceId>().is_err());
        assert_eq!(AccountId(7).to_string(), "7");
        assert_eq!(serde_json::to_string(&PaymentId(3)).unwrap(), "3");
        assert_eq!(serde_json::from_str::<OrderId>("9").unwrap(), OrderId(9));
    }
}
