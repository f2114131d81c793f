//! What the template library pages receive. Plain data, shared by both builds.

use serde::{Deserialize, Serialize};

use crate::domain::{
    ids::{InvoiceId, TemplateId},
    merge_fields::TemplateKind,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: TemplateId,
    pub kind: TemplateKind,
    pub name: String,
    pub subject: String,
    pub is_default: bool,
    /// Date of the last change, already formatted.
    pub updated: String,
    /// Where the template is used, in words ("Automation > Accounting: invoice emails").
    pub uses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateListView {
    pub templates: Vec<TemplateSummary>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDetail {
    pub id: TemplateId,
    pub kind: TemplateKind,
    pub name: String,
    pub subject: String,
    pub body_html: String,
    pub is_default: bool,
    pub uses: Vec<String>,
}

/// A numbered invoice a preview can be rendered against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub account_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateEditorView {
    /// `None` on the new-template page.
    pub template: Option<TemplateDetail>,
    /// The kind a new template starts as.
    pub kind: TemplateKind,
    pub invoices: Vec<PreviewInvoice>,
    pub can_edit: bool,
    /// Where Send test goes: the signed-in user.
    pub user_email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewResult {
    pub subject: String,
    pub html: String,
    pub text: String,
    /// What the values come from: "INV-2026-00042 · Bayside Motors" or "Sample values".
    pub source: String,
}

/// What Send test did, for the editor: "Sent to x@y", or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendResult {
    /// Handed to a mail server that accepted it.
    pub sent: bool,
    pub message: String,
}
