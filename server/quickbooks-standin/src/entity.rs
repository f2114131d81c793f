//! The entity types the stand-in models and what QuickBooks allows on each.

use serde::{Deserialize, Serialize};

/// An Accounting API entity type. Vendor and Employee exist so the cross-type DisplayName rule
/// (6240) can be shown; they take the same name rules as Customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    Customer,
    Vendor,
    Employee,
    Item,
    Invoice,
    Payment,
    CreditMemo,
}

impl EntityKind {
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Customer,
        EntityKind::Vendor,
        EntityKind::Employee,
        EntityKind::Item,
        EntityKind::Invoice,
        EntityKind::Payment,
        EntityKind::CreditMemo,
    ];

    /// The name QuickBooks uses as the JSON key and in queries ("CreditMemo").
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Customer => "Customer",
            EntityKind::Vendor => "Vendor",
            EntityKind::Employee => "Employee",
            EntityKind::Item => "Item",
            EntityKind::Invoice => "Invoice",
            EntityKind::Payment => "Payment",
            EntityKind::CreditMemo => "CreditMemo",
        }
    }

    /// Parses a path segment (`creditmemo`) or a query entity (`CreditMemo`), case-insensitively
    /// like the real service.
    pub fn parse(s: &str) -> Option<Self> {
        EntityKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(s))
    }

    /// Name lists (customers, vendors, employees, items) are never deleted, only made inactive,
    /// and a query without an `Active` condition returns only the active ones.
    pub fn is_name_list(self) -> bool {
        matches!(self, EntityKind::Customer | EntityKind::Vendor | EntityKind::Employee | EntityKind::Item)
    }

    /// Whose DisplayName shares one namespace (QuickBooks: "Another customer, vendor or employee
    /// is already using this name").
    pub(crate) fn is_person(self) -> bool {
        matches!(self, EntityKind::Customer | EntityKind::Vendor | EntityKind::Employee)
    }

    /// `operation=delete` is allowed on transactions only.
    pub fn can_delete(self) -> bool {
        matches!(self, EntityKind::Invoice | EntityKind::Payment | EntityKind::CreditMemo)
    }

    /// `operation=void` exists for invoices and payments (the API reference lists no void for
    /// credit memos).
    pub fn can_void(self) -> bool {
        matches!(self, EntityKind::Invoice | EntityKind::Payment)
    }
}

impl std::fmt::Display for EntityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
