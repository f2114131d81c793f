//! The database's unique constraints in the words of the form that hit them. A change that a
//! constraint refuses (two clerks saving the same order number at once, say) becomes a field
//! error on the right field instead of "That change conflicts with existing data".
//!
//! PostgreSQL names the constraint (`orders_order_number_key`); SQLite names the columns
//! (`UNIQUE constraint failed: orders.order_number`). Both are listed.

use crate::domain::settings::FieldError;

struct Known {
    postgres: &'static str,
    sqlite: &'static str,
    field: &'static str,
    message: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        postgres: "accounts_external_ref_key",
        sqlite: "accounts.external_ref",
        field: "external_ref",
        message: "Another account already uses this external reference.",
    },
    Known {
        postgres: "products_name_key",
        sqlite: "products.name",
        field: "name",
        message: "Another product already has this name.",
    },
    Known {
        postgres: "orders_order_number_key",
        sqlite: "orders.order_number",
        field: "order_number",
        message: "Another order already has this number.",
    },
    Known {
        postgres: "orders_external_ref_key",
        sqlite: "orders.external_ref",
        field: "external_ref",
        message: "Another order already uses this external reference.",
    },
    Known {
        postgres: "staff_users_email_key",
        sqlite: "staff_users.email",
        field: "email",
        message: "A staff member with this email already exists.",
    },
    Known {
        postgres: "email_templates_name_key",
        sqlite: "email_templates.name",
        field: "name",
        message: "Another template already has this name.",
    },
    Known {
        postgres: "reminder_rules_days_past_due_key",
        sqlite: "reminder_rules.days_past_due",
        field: "days",
        message: "There is already a reminder at that many days past due.",
    },
];

/// The constraint's name as stored in `StoreError::Conflict`, from either engine's error.
pub fn name_of(error: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(name) = error.constraint() {
        return name.to_string();
    }
    // SQLite: "UNIQUE constraint failed: orders.order_number" (several columns: comma-separated).
    error
        .message()
        .split_once("constraint failed: ")
        .map(|(_, columns)| columns.trim().to_string())
        .unwrap_or_else(|| "unique".to_string())
}

/// The field error a known constraint stands for.
pub fn field_error(constraint: &str) -> Option<FieldError> {
    KNOWN
        .iter()
        .find(|k| k.postgres == constraint || k.sqlite == constraint)
        .map(|k| FieldError::new(k.field, k.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_name_the_same_field() {
        for k in KNOWN {
            assert_eq!(field_error(k.postgres), field_error(k.sqlite));
            assert_eq!(field_error(k.postgres).map(|f| f.field), Some(k.field.to_string()));
        }
        assert_eq!(field_error("outbox_effect_key_key"), None);
    }
}
