//! One email template: name, kind, subject and HTML body, merge fields and Special Links
//! inserted at the cursor of the field last used, a live preview (debounced, rendered in a
//! sandboxed frame) against sample values or a real invoice, Save and Send test.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use super::{
    common::{ErrorNotice, Loading},
    templates::editor_href,
};
use crate::{
    api::{
        AppError,
        templates::{PreviewTemplate, SaveTemplate, SendTestTemplate, get_template_editor},
    },
    domain::{
        ids::{InvoiceId, TemplateId},
        merge_fields::{self, FieldGroup, TemplateKind},
    },
    views::templates::{PreviewResult, TemplateEditorView},
};

const PREVIEW_DELAY: Duration = Duration::from_millis(400);

const GROUPS: [FieldGroup; 7] = [
    FieldGroup::Organisation,
    FieldGroup::Account,
    FieldGroup::Contact,
    FieldGroup::Invoice,
    FieldGroup::Statement,
    FieldGroup::Payment,
    FieldGroup::Reminder,
];

#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").map(|s| s.parse::<TemplateId>().unwrap_or_default()));
    let kind = Memo::new(move |_| query.read().get("kind"));
    let data = Resource::new(move || (id.get(), kind.get()), |(id, kind)| get_template_editor(id, kind));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Email template"/><ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <Editor view=v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Which field the menus insert into: the one used last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Subject,
    Body,
}

/// `text` with `snippet` put in place of the selection `start..end`, counted in UTF-16 code
/// units as the browser reports them; the cursor position after the snippet, also in UTF-16.
/// Without a selection (no browser) the snippet is appended.
pub fn insert_at(text: &str, selection: Option<(u32, u32)>, snippet: &str) -> (String, u32) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let len = units.len() as u32;
    let (start, end) = selection.map(|(s, e)| (s.min(len), e.min(len).max(s.min(len)))).unwrap_or((len, len));
    let mut out: Vec<u16> = units[..start as usize].to_vec();
    out.extend(snippet.encode_utf16());
    let cursor = out.len() as u32;
    out.extend_from_slice(&units[end as usize..]);
    (String::from_utf16_lossy(&out), cursor)
}

/// The HTML a Special Link menu item puts in a body; a subject gets the bare link.
fn link_markup(path: &str) -> String {
    let text = if path == "links.invoice_payment" {
        "Pay invoice {{ invoice.number }} online"
    } else {
        "See your unpaid invoices"
    };
    format!("<a href=\"{}\">{text}</a>", merge_fields::placeholder(path))
}

#[component]
fn Editor(view: TemplateEditorView) -> impl IntoView {
    let TemplateEditorView { template, kind: initial_kind, invoices, can_edit, user_email } = view;
    let is_new = template.is_none();
    let id_value = template.as_ref().map(|t| t.id.to_string()).unwrap_or_default();
    let title = template.as_ref().map(|t| t.name.clone()).unwrap_or_else(|| "New email template".into());
    let is_default = template.as_ref().is_some_and(|t| t.is_default);
    let uses = template.as_ref().map(|t| t.uses.clone()).unwrap_or_default();
    let text = |f: fn(&crate::views::templates::TemplateDetail) -> String| template.as_ref().map(f).unwrap_or_default();
    let name = RwSignal::new(text(|t| t.name.clone()));
    let subject = RwSignal::new(text(|t| t.subject.clone()));
    let body = RwSignal::new(text(|t| t.body_html.clone()));
    let kind = RwSignal::new(initial_kind);
    let invoice = RwSignal::new(None::<InvoiceId>);
    let target = RwSignal::new(Target::Body);
    let show_text = RwSignal::new(false);
    let subject_ref = NodeRef::<leptos::html::Input>::new();
    let body_ref = NodeRef::<leptos::html::Textarea>::new();

    let save = ServerAction::<SaveTemplate>::new();
    let preview = ServerAction::<PreviewTemplate>::new();
    let send_test = ServerAction::<SendTestTemplate>::new();

    // The preview follows the typing, once it pauses.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let args = PreviewTemplate {
            kind: kind.get().as_str().to_string(),
            subject: subject.get(),
            body_html: body.get(),
            invoice_id: invoice.get(),
        };
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(
            set_timeout_with_handle(
                move || {
                    preview.dispatch(args);
                },
                PREVIEW_DELAY,
            )
            .ok(),
        );
    });
    // The last good preview stays on screen while the template is mid-edit.
    let shown = RwSignal::new(None::<PreviewResult>);
    Effect::new(move |_| {
        if let Some(Ok(r)) = preview.value().get() {
            shown.set(Some(r));
        }
    });
    let preview_problem = move || match preview.value().get() {
        Some(Err(AppError::Invalid(fields))) => {
            Some(fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" "))
        }
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };

    let navigate = use_navigate();
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            if is_new {
                navigate(&editor_href(id), Default::default());
            } else {
                saved.set(true);
            }
        }
    });
    let error = move || match save.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let field_error = move |f: &'static str| move || error().and_then(|e| e.field(f));
    let general = move || match error() {
        Some(AppError::Invalid(_)) => Some("Please correct the highlighted fields; nothing was saved.".to_string()),
        Some(e) => Some(e.to_string()),
        None => None,
    };
    let id_for_save = id_value.clone();
    let on_save = move |_| {
        saved.set(false);
        save.dispatch(SaveTemplate {
            id: id_for_save.clone(),
            kind: kind.get_untracked().as_str().to_string(),
            name: name.get_untracked(),
            subject: subject.get_untracked(),
            body_html: body.get_untracked(),
        });
    };
    let on_send_test = move |_| {
        send_test.dispatch(SendTestTemplate {
            kind: kind.get_untracked().as_str().to_string(),
            subject: subject.get_untracked(),
            body_html: body.get_untracked(),
            invoice_id: invoice.get_untracked(),
        });
    };

    let insert = move |to: Target, snippet: String| {
        let field = if to == Target::Subject { subject } else { body };
        // Where the cursor is, in the browser; without one the snippet is appended.
        #[cfg(feature = "hydrate")]
        let selection = match to {
            Target::Subject => subject_ref
                .get_untracked()
                .and_then(|el| Some((el.selection_start().ok().flatten()?, el.selection_end().ok().flatten()?))),
            Target::Body => body_ref
                .get_untracked()
                .and_then(|el| Some((el.selection_start().ok().flatten()?, el.selection_end().ok().flatten()?))),
        };
        #[cfg(not(feature = "hydrate"))]
        let selection = None;
        let (value, cursor) = insert_at(&field.get_untracked(), selection, &snippet);
        field.set(value);
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || match to {
            Target::Subject => {
                if let Some(el) = subject_ref.get_untracked() {
                    let _ = el.focus();
                    let _ = el.set_selection_range(cursor, cursor);
                }
            }
            Target::Body => {
                if let Some(el) = body_ref.get_untracked() {
                    let _ = el.focus();
                    let _ = el.set_selection_range(cursor, cursor);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = cursor;
    };
    let field_menu_reset = RwSignal::new(0u32);
    let link_menu_reset = RwSignal::new(0u32);
    let on_field = move |ev: leptos::ev::Event| {
        let path = event_target_value(&ev);
        if !path.is_empty() {
            insert(target.get_untracked(), merge_fields::placeholder(&path));
        }
        field_menu_reset.update(|n| *n += 1);
    };
    let on_link = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        let k = kind.get_untracked();
        if choice == "button" {
            let path = if k.has_invoice() { "links.invoice_payment" } else { "links.unpaid_invoices" };
            insert(Target::Body, merge_fields::pay_online_block(path));
        } else if let Some(path) = choice.strip_prefix("link:") {
            match target.get_untracked() {
                Target::Subject => insert(Target::Subject, merge_fields::placeholder(path)),
                Target::Body => insert(Target::Body, link_markup(path)),
            }
        }
        link_menu_reset.update(|n| *n += 1);
    };
    let field_options = move || {
        let k = kind.get();
        GROUPS
            .into_iter()
            .filter_map(|g| {
                let fields: Vec<_> = merge_fields::fields_for(k).filter(|f| f.group == g).collect();
                (!fields.is_empty()).then(|| {
                    view! {
                        <optgroup label=g.label()>
                            {fields.into_iter().map(|f| view! { <option value=f.path>{f.label}</option> }).collect_view()}
                        </optgroup>
                    }
                })
            })
            .collect_view()
    };
    let link_options = move || {
        let k = kind.get();
        let links =
            merge_fields::links_for(k).map(|l| view! { <option value=format!("link:{}", l.path)>{l.menu}</option> });
        view! {
            {links.collect_view()}
            <option value="button">"Pay Online button"</option>
        }
    };
    let kind_choices = TemplateKind::ALL;
    let picker = invoices.clone();

    view! {
        <Title text=title.clone()/>
        <header class="page-header">
            <div>
                <p class="breadcrumb"><A href="/automation/campaigns">"Campaigns: Email Templates"</A></p>
                <h1>{title}</h1>
                {is_default.then(|| view! { <span class="badge badge-confirmed">"Default"</span> })}
            </div>
        </header>
        {(!uses.is_empty()).then(|| view! {
            <p class="notice notice-info" role="note">{format!("Used by: {}.", uses.join("; "))}</p>
        })}
        {(!can_edit).then(|| view! {
            <p class="notice notice-info" role="note">"Only admin and billing staff can change templates. You are seeing this one read-only."</p>
        })}
        {move || saved.get().then(|| view! { <div class="notice notice-success" role="status">"Template saved."</div> })}
        {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
        <div class="template-editor">
            <section class="card form" aria-labelledby="template-heading">
                <h2 id="template-heading">"Template"</h2>
                <div class="grid-2">
                    <div class="field">
                        <label for="name">"Name (required)"</label>
                        <input id="name" name="name" type="text" disabled=!can_edit prop:value=move || name.get()
                            value=name.get_untracked()
                            aria-invalid=move || field_error("name")().is_some().to_string() aria-describedby="name-error"
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                        <p class="field-error" id="name-error">{field_error("name")}</p>
                    </div>
                    <div class="field">
                        <label for="kind">"Kind"</label>
                        <select id="kind" name="kind" disabled=!can_edit
                            aria-invalid=move || field_error("kind")().is_some().to_string() aria-describedby="kind-error"
                            on:change=move |ev| if let Some(k) = TemplateKind::parse(&event_target_value(&ev)) { kind.set(k) }>
                            {kind_choices.into_iter().map(|k| view! {
                                <option value=k.as_str() selected={k == initial_kind}>{k.label()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" id="kind-error">{field_error("kind")}</p>
                    </div>
                </div>
                <div class="field">
                    <label for="subject">"Subject"</label>
                    <input id="subject" name="subject" type="text" class="mono" disabled=!can_edit node_ref=subject_ref
                        value=subject.get_untracked() prop:value=move || subject.get()
                        aria-invalid=move || field_error("subject")().is_some().to_string() aria-describedby="subject-error"
                        on:focus=move |_| target.set(Target::Subject)
                        on:input=move |ev| subject.set(event_target_value(&ev))/>
                    <p class="field-error" id="subject-error">{field_error("subject")}</p>
                </div>
                {can_edit.then(|| view! {
                    <div class="insert-menus">
                        <div class="field">
                            <label for="insert-field">"Insert merge field"</label>
                            <select id="insert-field" aria-describedby="insert-hint"
                                prop:value=move || { field_menu_reset.get(); "" } on:change=on_field>
                                <option value="">"Choose a field…"</option>
                                {field_options}
                            </select>
                        </div>
                        <div class="field">
                            <label for="insert-link">"Insert Special Link"</label>
                            <select id="insert-link" aria-describedby="insert-hint"
                                prop:value=move || { link_menu_reset.get(); "" } on:change=on_link>
                                <option value="">"Choose a link…"</option>
                                {link_options}
                            </select>
                        </div>
                        <p class="hint span-2" id="insert-hint">
                            {move || format!("Inserted at the cursor in the {}.", if target.get() == Target::Subject { "subject" } else { "body" })}
                        </p>
                    </div>
                })}
                <div class="field template-body">
                    <label for="body_html">"Body (HTML)"</label>
                    <textarea id="body_html" name="body_html" rows="18" spellcheck="false" disabled=!can_edit node_ref=body_ref
                        prop:value=move || body.get()
                        aria-invalid=move || field_error("body_html")().is_some().to_string() aria-describedby="body_html-error body-hint"
                        on:focus=move |_| target.set(Target::Body)
                        on:input=move |ev| body.set(event_target_value(&ev))>{body.get_untracked()}</textarea>
                    <p class="hint" id="body-hint">"Merge fields look like {{ invoice.number }}. The plain-text part of the email is made from this HTML."</p>
                    <p class="field-error" id="body_html-error">{field_error("body_html")}</p>
                </div>
                {can_edit.then(|| view! {
                    <div class="form-actions">
                        <button type="button" class="button button-primary" on:click=on_save disabled=move || save.pending().get()>
                            {move || if save.pending().get() { "Saving…" } else if is_new { "Create template" } else { "Save template" }}
                        </button>
                        <button type="button" class="button button-secondary" on:click=on_send_test disabled=move || send_test.pending().get()>
                            {move || if send_test.pending().get() { "Sending…".to_string() } else { format!("Send test to {user_email}") }}
                        </button>
                    </div>
                    {move || send_test.value().get().map(|r| match r {
                        Ok(r) => view! {
                            <p class=if r.sent { "notice notice-success" } else { "notice notice-warning" } role="status">{r.message}</p>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    })}
                })}
            </section>
            <section class="card template-preview" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Preview"</h2>
                <div class="field">
                    <label for="preview-invoice">"Preview with"</label>
                    <select id="preview-invoice"
                        on:change=move |ev| invoice.set(event_target_value(&ev).parse::<InvoiceId>().ok())>
                        <option value="">"Sample values"</option>
                        {picker.into_iter().map(|i| view! {
                            <option value=i.id.to_string()>{format!("{} · {}", i.number, i.account_name)}</option>
                        }).collect_view()}
                    </select>
                    {invoices.is_empty().then(|| view! { <p class="hint">"No numbered invoices yet: the preview uses sample values."</p> })}
                </div>
                {move || preview_problem().map(|m| view! { <p class="notice notice-error preview-problem" role="alert">{m}</p> })}
                {move || match shown.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(p) => view! {
                        <p class="preview-subject"><span class="muted">"Subject: "</span><strong>{p.subject.clone()}</strong></p>
                        <p class="hint">{format!("Values from: {}", p.source)}</p>
                        <div class="tabs" role="tablist" aria-label="Preview format">
                            <button type="button" role="tab" id="tab-html" class="tab button-ghost" class=("tab-current", move || !show_text.get())
                                aria-selected=move || (!show_text.get()).to_string() aria-controls="preview-html"
                                on:click=move |_| show_text.set(false)>"HTML"</button>
                            <button type="button" role="tab" id="tab-text" class="tab button-ghost" class=("tab-current", move || show_text.get())
                                aria-selected=move || show_text.get().to_string() aria-controls="preview-text"
                                on:click=move |_| show_text.set(true)>"Text"</button>
                        </div>
                        <div id="preview-html" role="tabpanel" aria-labelledby="tab-html" hidden=move || show_text.get()>
                            <iframe class="preview-frame" title="Email preview (HTML)" sandbox="" srcdoc=p.html.clone()></iframe>
                        </div>
                        <pre id="preview-text" role="tabpanel" aria-labelledby="tab-text" class="preview-text" hidden=move || !show_text.get()>{p.text.clone()}</pre>
                    }.into_any(),
                }}
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_at_the_cursor_in_utf16_units() {
        assert_eq!(insert_at("Hi !", Some((3, 3)), "{{ x }}"), ("Hi {{ x }}!".to_string(), 10));
        // "é" and "€" are one UTF-16 unit each, "😀" two.
        assert_eq!(insert_at("😀é|", Some((3, 4)), "X"), ("😀éX".to_string(), 4));
        assert_eq!(insert_at("ab", None, "Z"), ("abZ".to_string(), 3));
        assert_eq!(insert_at("ab", Some((9, 9)), "Z"), ("abZ".to_string(), 3));
    }

    #[test]
    fn link_markup_uses_the_link_field() {
        assert_eq!(
            link_markup("links.unpaid_invoices"),
            "<a href=\"{{ links.unpaid_invoices }}\">See your unpaid invoices</a>"
        );
    }
}
