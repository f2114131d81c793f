//! The invoice document's view model: every string either document shows, already formatted.

use crate::{
    backend::{Db, ServiceError, platform::fixed},
    domain::{format, ids::InvoiceId, invoice::InvoiceStatus, money::format_money, terms::PaymentTerms},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub position: String,
    pub product: String,
    /// Empty when it only repeats the product name.
    pub description: String,
    pub run_date: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub organisation: String,
    pub organisation_address: Vec<String>,
    pub organisation_email: String,
    /// Only `http(s)` URLs; the PDF shows the name instead (layout never fetches anything).
    pub logo_url: Option<String>,
    pub currency: String,
    /// "Invoice" or "Draft invoice".
    pub title: String,
    /// The invoice number, or "Draft" before it has one.
    pub number: String,
    pub is_draft: bool,
    pub is_void: bool,
    pub status: String,
    pub issue_date: String,
    pub due_date: String,
    pub terms: String,
    pub bill_to: String,
    pub bill_to_address: Vec<String>,
    pub lines: Vec<DocumentLine>,
    pub subtotal: String,
    pub discount_total: String,
    pub tax_total: String,
    pub total: String,
    pub paid: String,
    pub balance: String,
    /// Payment instructions and remarks, one paragraph each.
    pub notes: Vec<String>,
    file_stem: String,
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_string())
}

/// Keeps a number format's output safe as a file name (`INV/2026/7` → `INV-2026-7`).
fn file_stem(number: &str) -> String {
    number.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect()
}

impl InvoiceDocument {
    /// `INV-2026-00012.pdf`; `draft-invoice-17.pdf` before the invoice has a number.
    pub fn file_name(&self, extension: &str) -> String {
        format!("{}.{extension}", self.file_stem)
    }
}

/// Reads the invoice, its lines and the organisation. An unknown id is `NotFound("invoice")`.
pub async fn load(db: &Db, invoice_id: InvoiceId) -> Result<InvoiceDocument, ServiceError> {
    let (inv, lines, _) =
        crate::backend::invoicing::invoices::get(db, invoice_id).await?.ok_or(ServiceError::NotFound("invoice"))?;
    let org = match crate::backend::platform::organisation::get(db).await? {
        Some(org) => org,
        None => crate::backend::platform::organisation::default_settings(),
    };
    let status = inv.status()?;
    let currency = inv.currency.clone();
    let money = |raw: i64| format_money(fixed::from_db(raw), &currency);
    let is_draft = status == InvoiceStatus::Draft;
    let number = inv.number.clone().filter(|n| !n.is_empty());
    let file_stem = match &number {
        Some(n) => file_stem(n),
        None => format!("draft-invoice-{}", inv.id),
    };
    let mut notes = Vec::new();
    match status {
        InvoiceStatus::Draft => {
            notes.push("Draft: not yet issued. It has no number and is not a request for payment.".into())
        }
        InvoiceStatus::Void => notes.push(format!("This invoice is void: {}", inv.void_reason)),
        _ => {
            if let Some(n) = &number {
                notes.push(format!("Please quote invoice number {n} with your payment."));
            }
        }
    }
    if !org.email_from.trim().is_empty() {
        notes.push(format!("Questions about this invoice: {}", org.email_from.trim()));
    }
    let document_lines = lines
        .iter()
        .enumerate()
        .map(|(i, l)| DocumentLine {
            position: (i + 1).to_string(),
            product: l.product.clone(),
            description: if l.description.trim() == l.product.trim() { String::new() } else { l.description.clone() },
            run_date: l.run_date.map(format::date).unwrap_or_default(),
            quantity: l.quantity.normalize().to_string(),
            unit_price: format_money(l.unit_price, &currency),
            discount: format_money(l.discount, &currency),
            tax: format!("{}%", l.tax_rate.normalize()),
            amount: format_money(l.net, &currency),
        })
        .collect();
    Ok(InvoiceDocument {
        organisation: org.name.clone(),
        organisation_address: lines_of(&org.address),
        organisation_email: org.email_from.trim().to_string(),
        logo_url: web_url(&org.logo_url),
        title: if is_draft { "Draft invoice".into() } else { "Invoice".into() },
        number: number.unwrap_or_else(|| "Draft".into()),
        is_draft,
        is_void: status == InvoiceStatus::Void,
        status: status.label().to_string(),
        issue_date: format::date(inv.issue_date),
        due_date: format::date(inv.due_date),
        terms: PaymentTerms::new(i64::from(inv.terms_days)).map(|t| t.label()).unwrap_or_default(),
        bill_to: inv.account.clone(),
        bill_to_address: lines_of(&inv.account_address),
        lines: document_lines,
        subtotal: money(inv.subtotal),
        discount_total: money(inv.discount_total),
        tax_total: money(inv.tax_total),
        total: money(inv.total),
        paid: money(inv.amount_paid),
        balance: money(inv.total - inv.amount_paid),
        notes,
        currency,
        file_stem,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe() {
        assert_eq!(super::file_stem("INV-2026-00012"), "INV-2026-00012");
        assert_eq!(super::file_stem("INV/2026 7\""), "INV-2026-7-");
        assert_eq!(super::web_url(" javascript:alert(1)"), None);
        assert_eq!(super::web_url("https://x.example/logo.png").as_deref(), Some("https://x.example/logo.png"));
    }
}
