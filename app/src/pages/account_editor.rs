//! One account: its details and payment terms, who pays its invoices, and its contacts.
//! `/accounts/new` starts an empty form; saving leads to the account's own page.

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    common::{ErrorNotice, Loading},
    form_fields::{SelectField, TextArea, TextField, last_error},
    format,
};
use crate::{
    api::accounts::{
        AccountEditorView, AddContact, RemoveContact, SaveAccount, SetAccountArchived, UpdateContact,
        get_account_editor,
    },
    domain::{
        account_input::{ACCOUNT_KINDS, INVOICE_ROLES},
        ids::{AccountId, ContactId},
        terms::PaymentTerms,
    },
    views::accounts::{AccountDetail, ContactView},
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect()
}

#[component]
pub fn AccountEditorPage() -> impl IntoView {
    let params = use_params_map();
    // `/accounts/new` has no id; an id that is not a number is an account that does not exist.
    let id = Memo::new(move |_| params.read().get("id").map(|s| s.parse::<AccountId>().unwrap_or_default()));
    let changed = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let data = Resource::new(move || (id.get(), changed.get()), |(id, _)| get_account_editor(id));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Account"/><ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <AccountScreen view=v changed=changed notice=notice/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountScreen(view: AccountEditorView, changed: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let title = view.account.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "New account".into());
    let account = view.account.clone();
    let can_edit = view.can_edit;
    view! {
        <Title text=title.clone()/>
        <header class="page-header">
            <div>
                <p class="breadcrumb"><A href="/accounts">"Accounts"</A></p>
                <h1>{title}</h1>
                {account.as_ref().filter(|a| a.archived).map(|_| view! { <span class="badge badge-muted">"Archived"</span> })}
            </div>
            <div class="page-actions">
                {account.as_ref().filter(|_| can_edit).map(|a| view! { <super::reminders::AccountRemindersToggle account_id=a.id/> })}
                {account.clone().filter(|_| can_edit).map(|a| view! { <ArchiveButton account=a changed=changed notice=notice/> })}
            </div>
        </header>
        {(!can_edit).then(|| view! {
            <p class="notice notice-info" role="note">"Only billing staff and admins can change accounts. You are seeing this one read-only."</p>
        })}
        {move || notice.get().map(|m| view! { <div class="notice notice-success" role="status">{m}</div> })}
        {account.clone().map(|a| view! { <AccountSummaryPanel account=a/> })}
        <AccountForm view=view.clone() changed=changed notice=notice/>
        {account.map(|a| view! { <Contacts account=a can_edit=can_edit changed=changed notice=notice/> })}
    }
}

/// A link to an account's page.
fn account_link(id: AccountId, name: String) -> AnyView {
    view! { <A href=format!("/accounts/{id}")>{name}</A> }.into_any()
}

/// The recipient flag, and where this account's orders and invoices are.
#[component]
fn AccountSummaryPanel(account: AccountDetail) -> impl IntoView {
    let q = format::query_value(&account.name);
    let payer = account.invoice_recipient_account.clone();
    let payer_is_self = payer.id == account.id;
    let flag = account.missing_invoice_recipient.then(|| {
        let reason = if payer_is_self {
            view! { "Invoices for this account cannot be emailed until it has a To contact. " <a href="#contacts">"Add one below"</a>"." }.into_any()
        } else {
            view! {
                {format!("Invoices for this account go to {} and cannot be emailed until ", payer.name)}
                {account_link(payer.id, payer.name.clone())} " has a To contact."
            }
            .into_any()
        };
        view! {
            <div class="notice notice-warning" role="alert" id="recipient-flag">
                <strong>"No invoice recipient. "</strong>
                {reason}
            </div>
        }
    });
    let goes_to = if payer_is_self {
        view! { <span>"This account"</span> }.into_any()
    } else {
        account_link(payer.id, payer.name.clone())
    };
    let recipients = account.invoice_recipients;
    let recipients_text = format!(" · {recipients} To contact{}", if recipients == 1 { "" } else { "s" });
    let pays_for = (!account.pays_for.is_empty()).then(|| {
        let links = account
            .pays_for
            .into_iter()
            .enumerate()
            .map(|(i, r)| view! { {(i > 0).then_some(", ")} {account_link(r.id, r.name)} })
            .collect_view();
        view! { <div><dt>"Pays invoices for"</dt><dd>{links}</dd></div> }
    });
    let orders = format::count(account.orders);
    let invoices = format::count(account.invoices);
    view! {
        {flag}
        <section class="card account-facts" aria-label="Activity">
            <dl class="facts">
                <div><dt>"Orders"</dt><dd><A href=format!("/orders?q={q}")>{orders}</A></dd></div>
                <div><dt>"Invoices"</dt><dd><A href=format!("/accounting/invoices?q={q}")>{invoices}</A></dd></div>
                <div><dt>"Invoices go to"</dt><dd>{goes_to}{recipients_text}</dd></div>
                {pays_for}
            </dl>
        </section>
    }
}

fn terms_choices(default_days: i32) -> Vec<(String, String)> {
    let default_label = PaymentTerms::new(i64::from(default_days)).map(|t| t.label()).unwrap_or_default();
    let mut out = vec![("default".to_string(), format!("Organisation default ({default_label})"))];
    // Net terms first, then "Due on receipt", as billing teams read them.
    for d in PaymentTerms::PRESETS.iter().filter(|d| **d > 0).chain(std::iter::once(&0)) {
        let t = PaymentTerms::new(i64::from(*d)).expect("presets are valid");
        out.push((d.to_string(), t.label()));
    }
    out.push(("custom".to_string(), "Custom…".to_string()));
    out
}

#[component]
fn AccountForm(view: AccountEditorView, changed: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let AccountEditorView { account, bill_to_options, default_terms_days, can_edit } = view;
    let save = ServerAction::<SaveAccount>::new();
    let error = last_error(save.value().into());
    let is_new = account.is_none();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            notice.set(Some(if is_new { "Account created.".into() } else { "Account saved.".into() }));
            changed.update(|n| *n += 1);
        }
    });
    let a = account.clone();
    let terms = a.as_ref().and_then(|a| a.payment_terms_days);
    let preset = |d: i32| PaymentTerms::PRESETS.iter().any(|p| i32::from(*p) == d);
    let terms_selected = match terms {
        None => "default".to_string(),
        Some(d) if preset(d) => d.to_string(),
        Some(_) => "custom".to_string(),
    };
    let custom = RwSignal::new(terms_selected == "custom");
    let custom_days = terms.filter(|d| !preset(*d)).map(|d| d.to_string()).unwrap_or_default();
    let mut bill_to_choices = vec![(String::new(), "— Pays its own invoices —".to_string())];
    bill_to_choices.extend(bill_to_options.iter().map(|r| (r.id.to_string(), r.name.clone())));
    if let Some(current) = a.as_ref().and_then(|a| a.bill_to.clone())
        && !bill_to_options.iter().any(|r| r.id == current.id)
    {
        bill_to_choices.push((current.id.to_string(), current.name));
    }
    let text = |f: fn(&AccountDetail) -> String| a.as_ref().map(f).unwrap_or_default();
    let (name, email, phone, address, notes, external_ref) = (
        text(|a| a.name.clone()),
        text(|a| a.email.clone()),
        text(|a| a.phone.clone()),
        text(|a| a.address.clone()),
        text(|a| a.notes.clone()),
        text(|a| a.external_ref.clone().unwrap_or_default()),
    );
    let id_value = a.as_ref().map(|a| a.id.to_string()).unwrap_or_default();
    let kind = a.as_ref().map(|a| a.kind.clone()).unwrap_or_else(|| "advertiser".into());
    let bill_to = a.as_ref().and_then(|a| a.bill_to.as_ref()).map(|b| b.id.to_string()).unwrap_or_default();
    let general = move || match error.get() {
        Some(crate::api::AppError::Invalid(_)) => {
            Some("Please correct the highlighted fields; nothing was saved.".to_string())
        }
        Some(e) => Some(e.to_string()),
        None => None,
    };
    view! {
        <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            {move || general().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            <ActionForm action=save attr:class="form grid-2" attr:novalidate=true attr:aria-label="Account details">
                <input type="hidden" name="id" value=id_value/>
                <TextField name="name" label="Name" value=name error=error required=true disabled=!can_edit/>
                <SelectField name="kind" label="Type" choices=pairs(&ACCOUNT_KINDS)
                    selected=kind error=error disabled=!can_edit/>
                <SelectField name="bill_to_account_id" label="Bill to" choices=bill_to_choices
                    selected=bill_to
                    hint="The agency or account that pays this account's invoices. It must pay its own invoices."
                    error=error disabled=!can_edit/>
                <div class="field-pair">
                    <SelectField name="terms" label="Payment terms" choices=terms_choices(default_terms_days) selected=terms_selected.clone()
                        error=Signal::derive(|| None) disabled=!can_edit
                        on_change=Callback::new(move |v: String| custom.set(v == "custom"))/>
                    <div class="field" class:hidden=move || !custom.get()>
                        <label for="custom_terms_days">"Days after issue"</label>
                        <input id="custom_terms_days" name="custom_terms_days" type="number" min="0" max="365" step="1" inputmode="numeric"
                            value=custom_days disabled=!can_edit
                            aria-invalid=move || error.get().and_then(|e| e.field("payment_terms_days")).is_some().to_string()
                            aria-describedby="payment_terms_days-error"/>
                    </div>
                    <p class="field-error" id="payment_terms_days-error">{move || error.get().and_then(|e| e.field("payment_terms_days"))}</p>
                </div>
                <TextField name="email" label="Accounts payable email" kind="email" value=email error=error disabled=!can_edit
                    hint="For statements; invoices go to the To contacts below."/>
                <TextField name="phone" label="Phone" kind="tel" value=phone error=error disabled=!can_edit/>
                <TextArea name="address" label="Billing address" value=address error=error disabled=!can_edit/>
                <TextArea name="notes" label="Notes" value=notes error=error disabled=!can_edit/>
                <TextField name="external_ref" label="External reference" value=external_ref
                    hint="Your CRM or ad system's id for this account; the REST API and CSV imports find accounts by it."
                    error=error disabled=!can_edit/>
                {can_edit.then(|| view! {
                    <div class="form-actions span-2">
                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                            {move || if save.pending().get() { "Saving…" } else if is_new { "Create account" } else { "Save account" }}
                        </button>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}

#[component]
fn ArchiveButton(account: AccountDetail, changed: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let archive = ServerAction::<SetAccountArchived>::new();
    let archived = account.archived;
    Effect::new(move |_| match archive.value().get() {
        Some(Ok(())) => {
            notice.set(Some(if archived { "Account restored." } else { "Account archived." }.into()));
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => notice.set(Some(e.to_string())),
        None => {}
    });
    view! {
        <ActionForm action=archive>
            <input type="hidden" name="account_id" value=account.id.to_string()/>
            <input type="hidden" name="archived" value=(!archived).to_string()/>
            <button type="submit" class="button button-secondary">{if archived { "Restore account" } else { "Archive account" }}</button>
        </ActionForm>
    }
}

#[component]
fn Contacts(
    account: AccountDetail,
    can_edit: bool,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let account_id = account.id;
    let contacts = account.contacts.clone();
    let empty = contacts.is_empty();
    view! {
        <section class="card" id="contacts" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">"Contacts"</h2>
            <p class="muted">"Invoices are emailed to every To contact, with Cc contacts copied."</p>
            {empty.then(|| view! { <p class="muted">"No contacts yet."</p> })}
            {if can_edit {
                view! {
                    <ul class="contact-list">
                        {contacts.into_iter().map(|c| view! { <li><ContactEditor account_id=account_id contact=c changed=changed notice=notice/></li> }).collect_view()}
                    </ul>
                    <h3>"Add a contact"</h3>
                    <NewContact account_id=account_id changed=changed notice=notice/>
                }.into_any()
            } else {
                view! { <ContactTable contacts=contacts/> }.into_any()
            }}
        </section>
    }
}

fn role_label(role: &str) -> &'static str {
    INVOICE_ROLES.iter().find(|(r, _)| *r == role).map(|(_, l)| *l).unwrap_or("None")
}

#[component]
fn ContactTable(contacts: Vec<ContactView>) -> impl IntoView {
    (!contacts.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Contacts"</caption>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Phone"</th><th scope="col">"Invoices"</th></tr></thead>
                    <tbody>
                        {contacts.into_iter().map(|c| view! {
                            <tr><th scope="row">{c.name}</th><td>{c.email}</td><td>{c.phone}</td><td>{role_label(&c.invoice_role)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

/// The four contact fields, ids prefixed so several contact forms can share the page.
#[component]
fn ContactFields(
    prefix: String,
    contact: Option<ContactView>,
    error: Signal<Option<crate::api::AppError>>,
) -> impl IntoView {
    let c = contact.unwrap_or(ContactView {
        id: ContactId(0),
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        invoice_role: "to".into(),
    });
    view! {
        <TextField name="name" id_prefix=prefix.clone() label="Name" value=c.name error=error required=true/>
        <TextField name="email" id_prefix=prefix.clone() label="Email" kind="email" value=c.email error=error/>
        <TextField name="phone" id_prefix=prefix.clone() label="Phone" kind="tel" value=c.phone error=error/>
        <SelectField name="invoice_role" id_prefix=prefix label="Receives invoices" choices=pairs(&INVOICE_ROLES)
            selected=c.invoice_role error=error/>
    }
}

#[component]
fn ContactEditor(
    account_id: AccountId,
    contact: ContactView,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let update = ServerAction::<UpdateContact>::new();
    let remove = ServerAction::<RemoveContact>::new();
    let error = last_error(update.value().into());
    let name = contact.name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            notice.set(Some("Contact saved.".into()));
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            notice.set(Some("Contact removed.".into()));
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => notice.set(Some(e.to_string())),
        None => {}
    });
    let id = contact.id;
    view! {
        <div class="contact-row">
            <ActionForm action=update attr:class="form contact-form" attr:novalidate=true attr:aria-label=format!("Contact {name}")>
                <input type="hidden" name="account_id" value=account_id.to_string()/>
                <input type="hidden" name="contact_id" value=id.to_string()/>
                <ContactFields prefix=format!("contact-{id}-") contact=Some(contact) error=error/>
                <div class="form-actions">
                    <button type="submit" class="button button-secondary" disabled=move || update.pending().get()>"Save contact"</button>
                </div>
            </ActionForm>
            <ActionForm action=remove attr:class="contact-remove">
                <input type="hidden" name="account_id" value=account_id.to_string()/>
                <input type="hidden" name="contact_id" value=id.to_string()/>
                <button type="submit" class="button button-danger" aria-label=format!("Remove {name}")>"Remove"</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn NewContact(account_id: AccountId, changed: RwSignal<u32>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let add = ServerAction::<AddContact>::new();
    let error = last_error(add.value().into());
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            // The browser keeps what was typed when the list refreshes; start the next contact empty.
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
            notice.set(Some("Contact added.".into()));
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <ActionForm action=add node_ref=form attr:class="form contact-form" attr:novalidate=true attr:aria-label="New contact">
            <input type="hidden" name="account_id" value=account_id.to_string()/>
            <ContactFields prefix="new-contact-".to_string() contact=None error=error/>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || add.pending().get()>"Add contact"</button>
            </div>
        </ActionForm>
    }
}
