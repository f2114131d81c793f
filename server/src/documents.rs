//! Staff downloads of an invoice as a document: `GET /accounting/invoices/{id}/pdf` and
//! `…/html`. The request guard has already sent signed-out visitors to the sign-in page; these
//! handlers check the role, and answer a missing invoice with a 404 page rather than an error.

use app::{
    api::guard::SessionUser,
    backend::{AppState, ServiceError, invoicing::document as invoice_document},
    domain::{ids::InvoiceId, role::Role},
};
use axum::{
    Extension,
    extract::{Path, State},
    response::{Html, IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Pressrun</title></head>\
         <body style=\"font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 40rem\">\
         <h1>{title}</h1><p>{message}</p><p><a href=\"/accounting/invoices\">Back to Invoices</a></p></body></html>"
    );
    (status, Html(body)).into_response()
}

fn not_found() -> Response {
    page(StatusCode::NOT_FOUND, "Invoice not found", "There is no invoice at this address.")
}

fn failed(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound(_) => not_found(),
        other => {
            tracing::error!(error = %other, "invoice document failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The invoice could not be rendered. It has been logged; please try again.",
            )
        }
    }
}

/// Everyone signed in may read invoices; the guard normally guarantees there is a user.
/// Returns the refusal, if any.
fn refused(user: Option<Extension<SessionUser>>) -> Option<Response> {
    match user {
        Some(Extension(SessionUser(u))) if u.can(Role::Viewer) => None,
        Some(_) => Some(page(StatusCode::FORBIDDEN, "Not allowed", "Your role does not allow this.")),
        None => Some(page(StatusCode::UNAUTHORIZED, "Sign in", "Sign in to see invoices.")),
    }
}

pub async fn pdf(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(user) {
        return r;
    }
    let Ok(id) = id.parse::<InvoiceId>() else { return not_found() };
    let doc = match invoice_document::load(&state.db, id).await {
        Ok(d) => d,
        Err(e) => return failed(e),
    };
    let file_name = doc.file_name("pdf");
    match doc.to_pdf_off_runtime().await {
        Ok(bytes) => {
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"invoice.pdf\""));
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => failed(e),
    }
}

pub async fn html(
    State(state): State<AppState>,
    user: Option<Extension<SessionUser>>,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(user) {
        return r;
    }
    let Ok(id) = id.parse::<InvoiceId>() else { return not_found() };
    match invoice_document::render_html(&state.db, id).await {
        Ok(body) => {
            ([(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"))], Html(body)).into_response()
        }
        Err(e) => failed(e),
    }
}
