//! The invoice as a document a customer reads: a self-contained HTML page (for the browser,
//! e-mails and the client portal) and a PDF (for downloads and e-mail attachments).
//!
//! Both come from one view model, [`InvoiceDocument`], rendered by two askama templates:
//! `templates/invoice.html` and `templates/invoice.typ`. The second is Typst source that
//! `typst` lays out and paginates into the PDF. We chose this over one template producing both
//! because the two media lay out differently where it matters (a PDF repeats the table header
//! and the invoice number on every page and needs page numbers; HTML scrolls and styles with
//! inline CSS for mail clients), so a single file would be a branch on every element. What
//! must never differ between them lives in the view model, not the templates: which values
//! appear, every formatted amount and date, the line order and the notes; the templates hold
//! only fixed captions and placement, and a test checks that both documents show the same
//! values. Escaping is by construction on both sides: askama's HTML escaper for the page, and
//! [`typst_escape::Typst`] for the PDF source, where every value is written inside a Typst
//! string literal (`"…"`) so no character in an account name or line description can become
//! markup or code.
//!
//! typst (with the fonts bundled in `typst-assets`) rather than krilla: invoices with hundreds
//! of lines need real pagination and a repeated table header, which krilla would leave to us.

mod model;
mod pdf;
pub mod typst_escape;

use askama::Template;

pub use model::{DocumentLine, InvoiceDocument};

use crate::{
    backend::{Db, ServiceError},
    domain::ids::InvoiceId,
};

#[derive(Template)]
#[template(path = "invoice.html")]
struct HtmlTemplate<'a> {
    doc: &'a InvoiceDocument,
}

#[derive(Template)]
#[template(path = "invoice.typ")]
struct TypstTemplate<'a> {
    doc: &'a InvoiceDocument,
}

impl InvoiceDocument {
    /// A complete HTML page with inline CSS and no external resources but the logo.
    pub fn to_html(&self) -> Result<String, ServiceError> {
        HtmlTemplate { doc: self }.render().map_err(|e| ServiceError::Internal(format!("invoice HTML template: {e}")))
    }

    /// The Typst source the PDF is compiled from.
    pub fn to_typst(&self) -> Result<String, ServiceError> {
        TypstTemplate { doc: self }.render().map_err(|e| ServiceError::Internal(format!("invoice Typst template: {e}")))
    }

    /// Lays the document out and writes the PDF. CPU-bound: call it off the async runtime.
    pub fn to_pdf(&self) -> Result<Vec<u8>, ServiceError> {
        pdf::compile(&self.to_typst()?).map_err(ServiceError::Internal)
    }
}

/// Reads everything the document shows: the invoice, its lines and the organisation.
pub use model::load;

/// The invoice as a self-contained HTML page.
pub async fn render_html(db: &Db, invoice_id: InvoiceId) -> Result<String, ServiceError> {
    load(db, invoice_id).await?.to_html()
}

/// The invoice as a PDF. Layout runs on the blocking pool so it never stalls other requests.
pub async fn render_pdf(db: &Db, invoice_id: InvoiceId) -> Result<Vec<u8>, ServiceError> {
    load(db, invoice_id).await?.to_pdf_off_runtime().await
}

impl InvoiceDocument {
    /// [`InvoiceDocument::to_pdf`] on tokio's blocking pool.
    pub async fn to_pdf_off_runtime(self) -> Result<Vec<u8>, ServiceError> {
        tokio::task::spawn_blocking(move || self.to_pdf())
            .await
            .map_err(|e| ServiceError::Internal(format!("PDF rendering stopped: {e}")))?
    }
}
