//! Orders as the editor, the import screen and the REST API see them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    ids::{AccountId, InvoiceId, LineItemId, OrderId, ProductId},
    order_input::{LineItemInput, OrderInput, OrderStatus},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub id: OrderId,
    pub order_number: String,
    pub account_id: AccountId,
    pub account: String,
    pub status: OrderStatus,
    pub ordered_on: NaiveDate,
    pub notes: String,
    pub external_ref: Option<String>,
    pub lines: Vec<OrderLine>,
    /// Sum of the line amounts, before tax.
    pub total: Decimal,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub id: LineItemId,
    pub product_id: ProductId,
    pub product: String,
    pub run_date: NaiveDate,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount: Decimal,
    /// Quantity × unit price less discount, rounded to cents once (as the invoice bills it).
    pub amount: Decimal,
    /// The live invoice that bills this line item; while there is one the line is locked.
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
}

impl OrderLine {
    pub fn is_locked(&self) -> bool {
        self.invoice_id.is_some()
    }

    pub fn to_input(&self) -> LineItemInput {
        LineItemInput {
            id: Some(self.id),
            product_id: self.product_id,
            run_date: self.run_date.to_string(),
            description: self.description.clone(),
            quantity: self.quantity.normalize().to_string(),
            unit_price: self.unit_price.normalize().to_string(),
            discount: self.discount.normalize().to_string(),
        }
    }
}

impl OrderDetail {
    /// The input that would save this order unchanged.
    pub fn to_input(&self) -> OrderInput {
        OrderInput {
            account_id: self.account_id,
            order_number: self.order_number.clone(),
            status: self.status.as_str().to_string(),
            ordered_on: self.ordered_on.to_string(),
            notes: self.notes.clone(),
            external_ref: self.external_ref.clone().unwrap_or_default(),
            lines: self.lines.iter().map(OrderLine::to_input).collect(),
        }
    }
}

/// A product as the line-item picker offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductChoice {
    pub id: ProductId,
    pub name: String,
    pub code: String,
    pub unit_price: Decimal,
    /// Inactive products are listed only so existing line items can show them.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: AccountId,
    pub name: String,
    pub external_ref: Option<String>,
}

/// Everything the order editor needs in one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEditorView {
    /// `None` on /orders/new.
    pub order: Option<OrderDetail>,
    pub products: Vec<ProductChoice>,
    pub currency: String,
    /// Today in the organisation's zone: the default order date.
    pub today: NaiveDate,
    pub can_edit: bool,
}

/// The columns of an order import file, in template order.
pub const IMPORT_COLUMNS: [&str; 10] = [
    "order_number",
    "account",
    "ordered_on",
    "status",
    "product",
    "run_date",
    "description",
    "quantity",
    "unit_price",
    "discount",
];
/// A file to start from: one order of two line items, for products of the demo catalogue.
pub const IMPORT_TEMPLATE: &str = "order_number,account,ordered_on,status,product,run_date,description,quantity,unit_price,discount
IO-2027-001,Riverside Dental,2026-11-24,confirmed,PR-FP,2026-12-06,\"Full page, Sunday edition\",1,,0
IO-2027-001,Riverside Dental,2026-11-24,confirmed,Leaderboard Banner (1k impressions),2026-12-01,December flight,40,12.00,25.00
";

/// One problem in an import file, by line number (1 is the header) and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.field, self.message)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedOrderPreview {
    pub order_number: String,
    pub account: String,
    pub status: OrderStatus,
    pub ordered_on: NaiveDate,
    pub line_items: usize,
    pub total: Decimal,
}

/// The outcome of checking (dry run) or importing a CSV file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header not counted).
    pub rows: usize,
    pub orders: usize,
    pub line_items: usize,
    pub total: Decimal,
    pub currency: String,
    /// The first problems found, in file order; `problem_count` has them all.
    pub problems: Vec<ImportProblem>,
    pub problem_count: usize,
    /// The first orders the file would create.
    pub preview: Vec<ImportedOrderPreview>,
    /// True only after a real import committed.
    pub imported: bool,
    pub elapsed_ms: u64,
}

impl ImportReport {
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }
}
