//! Import orders from a CSV file: choose a file, see every problem (a dry run that writes
//! nothing), fix and choose it again, then import it in one go.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{common::PageHeader, format};
use crate::{
    api::{
        AppError,
        orders::{CheckOrderImport, ImportOrders},
    },
    views::orders::{IMPORT_COLUMNS, IMPORT_TEMPLATE, ImportReport},
};

/// Matches the server's limit (`backend::directory::order_import::MAX_FILE_BYTES`); checked here first so
/// a too-large file is refused before it is uploaded.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const MAX_FILE_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

/// A `data:` URL, so the template downloads without a server round trip.
fn template_href() -> String {
    let mut out = String::from("data:text/csv;charset=utf-8,");
    for b in IMPORT_TEMPLATE.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Clone, PartialEq)]
struct ChosenFile {
    name: String,
    text: String,
    rows: usize,
}

#[component]
pub fn ImportOrdersPage() -> impl IntoView {
    let chosen = RwSignal::new(None::<ChosenFile>);
    let file_error = RwSignal::new(None::<String>);
    let reading = RwSignal::new(false);
    let check = ServerAction::<CheckOrderImport>::new();
    let import = ServerAction::<ImportOrders>::new();
    let checked: Signal<Option<Result<ImportReport, AppError>>> = check.value().into();
    let imported: Signal<Option<Result<ImportReport, AppError>>> = import.value().into();

    let on_file = move |ev: leptos::ev::Event| {
        file_error.set(None);
        chosen.set(None);
        check.value().set(None);
        import.value().set(None);
        read_file(ev, reading, file_error, move |f: ChosenFile| {
            check.dispatch(CheckOrderImport { csv: f.text.clone() });
            chosen.set(Some(f));
        });
    };
    let do_import = move |_| {
        if let Some(f) = chosen.get_untracked() {
            import.dispatch(ImportOrders { csv: f.text });
        }
    };
    let file_problem = move || {
        file_error.get().or_else(|| match (checked.get(), imported.get()) {
            (_, Some(Err(e))) | (Some(Err(e)), _) => Some(e.field("file").unwrap_or_else(|| e.to_string())),
            _ => None,
        })
    };
    let rows = move || chosen.get().map(|f| f.rows).unwrap_or_default();
    let progress = move || {
        if reading.get() {
            Some("Reading the file…".to_string())
        } else if check.pending().get() {
            Some(format!("Checking {} rows…", format::count(rows() as i64)))
        } else if import.pending().get() {
            Some(format!("Importing {} rows…", format::count(rows() as i64)))
        } else {
            None
        }
    };
    // The import's own report, once there is one, replaces the dry run's.
    let report = move || match imported.get() {
        Some(Ok(r)) => Some(r),
        _ => match checked.get() {
            Some(Ok(r)) => Some(r),
            _ => None,
        },
    };

    view! {
        <PageHeader title="Import orders" subtitle="Create many orders at once from a CSV file.">
            <A href="/orders" attr:class="button button-ghost">"Back to orders"</A>
        </PageHeader>
        <section class="card" aria-labelledby="file-heading">
            <h2 id="file-heading">"1. Choose a file"</h2>
            <p>
                "One row per line item, with a header row. Rows with the same order_number form one order. "
                "The account is matched by its external reference or exact name; the product by its code or name. "
                "A blank unit_price uses the product's price; blank status means draft."
            </p>
            <p class="muted small">"Columns: " <code>{IMPORT_COLUMNS.join(", ")}</code></p>
            <p><a href=template_href() download="orders-template.csv" class="button button-secondary">"Download the template"</a></p>
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file
                    aria-describedby="import-file-hint import-file-error"
                    aria-invalid=move || file_problem().is_some().to_string()/>
                <p class="hint" id="import-file-hint">"Up to 5 MB (about 50,000 rows). Nothing is saved until you press Import."</p>
                <p class="field-error" id="import-file-error">{file_problem}</p>
            </div>
            <p class="loading import-progress" role="status" aria-live="polite">
                {move || progress().map(|p| view! { <span class="spinner" aria-hidden="true"></span>{p} })}
            </p>
        </section>
        {move || report().map(|r| view! {
            <ReportView report=r file=chosen.get().map(|f| f.name).unwrap_or_default()
                importing=import.pending().into() on_import=do_import/>
        })}
    }
}

#[component]
fn ReportView(
    report: ImportReport,
    file: String,
    importing: Signal<bool>,
    on_import: impl Fn(leptos::ev::MouseEvent) + Send + Sync + 'static,
) -> impl IntoView {
    let money = {
        let c = report.currency.clone();
        move |d| format::money(d, &c)
    };
    let seconds = format!("{:.1} s", report.elapsed_ms as f64 / 1000.0);
    let summary = format!(
        "{} rows → {} orders, {} line items, {} before tax",
        format::count(report.rows as i64),
        format::count(report.orders as i64),
        format::count(report.line_items as i64),
        money(report.total)
    );
    if report.imported {
        return view! {
            <section class="card" aria-labelledby="result-heading">
                <h2 id="result-heading">"Imported"</h2>
                <div class="notice notice-success" role="status">
                    {format!("Imported {file}: {summary}, in {seconds}.")}
                </div>
                <p><A href="/orders">"See the orders"</A> " · " <A href="/accounting/billable-line-items">"Billable Line Items"</A></p>
            </section>
        }
        .into_any();
    }
    if !report.is_clean() {
        let more = report.problem_count.saturating_sub(report.problems.len());
        return view! {
            <section class="card" aria-labelledby="result-heading">
                <h2 id="result-heading">"2. Fix the file"</h2>
                <div class="notice notice-error" role="alert">
                    {format!("{file}: {} problem{} found in {} rows. Nothing was imported; fix the file and choose it again.",
                        format::count(report.problem_count as i64), if report.problem_count == 1 { "" } else { "s" },
                        format::count(report.rows as i64))}
                </div>
                <ul class="import-problems">
                    {report.problems.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="muted">{format!("… and {} more.", format::count(more as i64))}</p> })}
            </section>
        }
        .into_any();
    }
    let preview_more = report.orders.saturating_sub(report.preview.len());
    view! {
        <section class="card" aria-labelledby="result-heading">
            <h2 id="result-heading">"2. Check and import"</h2>
            <div class="notice notice-info" role="status">{format!("{file} is ready: {summary}. Checked in {seconds}.")}</div>
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Orders the file will create"</caption>
                    <thead><tr>
                        <th scope="col">"Order"</th><th scope="col">"Account"</th><th scope="col">"Status"</th>
                        <th scope="col">"Ordered"</th><th scope="col" class="num">"Line items"</th><th scope="col" class="num">"Total"</th>
                    </tr></thead>
                    <tbody>
                        {report.preview.iter().map(|o| view! {
                            <tr>
                                <th scope="row">{o.order_number.clone()}</th>
                                <td>{o.account.clone()}</td>
                                <td><span class=format!("badge badge-{}", o.status.as_str())>{o.status.label()}</span></td>
                                <td>{format::date(o.ordered_on)}</td>
                                <td class="num">{o.line_items}</td>
                                <td class="num">{money(o.total)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(preview_more > 0).then(|| view! { <p class="muted">{format!("… and {} more orders.", format::count(preview_more as i64))}</p> })}
            <div class="form-actions">
                <button type="button" class="button button-primary" on:click=on_import disabled=move || importing.get()>
                    {format!("Import {} orders", format::count(report.orders as i64))}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// Reads the chosen file as text in the browser and hands it to `done`.
#[cfg(feature = "hydrate")]
fn read_file(
    ev: leptos::ev::Event,
    reading: RwSignal<bool>,
    file_error: RwSignal<Option<String>>,
    done: impl Fn(ChosenFile) + 'static,
) {
    use leptos::wasm_bindgen::JsCast;
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    if file.size() > MAX_FILE_BYTES {
        file_error.set(Some(format!(
            "{} is {:.1} MB; files up to 5 MB can be imported. Split it into smaller files.",
            file.name(),
            file.size() / 1_048_576.0
        )));
        return;
    }
    reading.set(true);
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        reading.set(false);
        match text.ok().and_then(|t| t.as_string()) {
            Some(text) => {
                let rows = text.lines().filter(|l| !l.trim().is_empty()).count().saturating_sub(1);
                done(ChosenFile { name: file.name(), text, rows });
            }
            None => file_error.set(Some("The file could not be read as text. Save it as CSV (UTF-8).".into())),
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn read_file(
    _ev: leptos::ev::Event,
    _reading: RwSignal<bool>,
    _file_error: RwSignal<Option<String>>,
    _done: impl Fn(ChosenFile) + 'static,
) {
}
