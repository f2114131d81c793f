//! Automation > Campaigns: the email template library, grouped by kind, with Edit, Duplicate,
//! Make default and Delete (asked twice, refused with the places a template is used).

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};

use super::common::{ErrorNotice, Loading, PageHeader};
use crate::{
    api::templates::{DeleteTemplate, DuplicateTemplate, SetDefaultTemplate, get_template_list},
    domain::{ids::TemplateId, merge_fields::TemplateKind},
    views::templates::{TemplateListView, TemplateSummary},
};

pub fn editor_href(id: TemplateId) -> String {
    format!("/automation/campaigns/templates/{id}")
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let duplicate = ServerAction::<DuplicateTemplate>::new();
    let delete = ServerAction::<DeleteTemplate>::new();
    let make_default = ServerAction::<SetDefaultTemplate>::new();
    let data = Resource::new(
        move || (duplicate.version().get(), delete.version().get(), make_default.version().get()),
        |_| get_template_list(),
    );
    // A copy opens in the editor, where it is renamed and changed.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = duplicate.value().get() {
            navigate(&editor_href(id), Default::default());
        }
    });
    let problem = move || {
        [delete.value().get(), make_default.value().get()]
            .into_iter()
            .find_map(|r| r.and_then(Result::err))
            .or_else(|| duplicate.value().get().and_then(Result::err))
    };
    let deleted = move || matches!(delete.value().get(), Some(Ok(())));
    view! {
        <PageHeader title="Campaigns: Email Templates" subtitle="The emails Pressrun sends for you: invoices, reminders, statements and receipts."/>
        {move || problem().map(|e| view! { <ErrorNotice error=e/> })}
        {move || deleted().then(|| view! { <div class="notice notice-success" role="status">"Template deleted."</div> })}
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(v) => view! { <Library view=v duplicate=duplicate delete=delete make_default=make_default/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Library(
    view: TemplateListView,
    duplicate: ServerAction<DuplicateTemplate>,
    delete: ServerAction<DeleteTemplate>,
    make_default: ServerAction<SetDefaultTemplate>,
) -> impl IntoView {
    let can_edit = view.can_edit;
    // The row whose Delete was pressed once and now asks to confirm.
    let confirming = RwSignal::new(None::<TemplateId>);
    let groups = TemplateKind::ALL.map(|kind| {
        let rows: Vec<TemplateSummary> = view.templates.iter().filter(|t| t.kind == kind).cloned().collect();
        let heading = format!("{}-heading", kind.as_str());
        let heading_id = heading.clone();
        view! {
            <section class="card template-group" aria-labelledby=heading.clone()>
                <div class="template-group-head">
                    <h2 id=heading_id>{kind.label()}</h2>
                    {can_edit.then(|| view! {
                        <A href=format!("/automation/campaigns/templates/new?kind={}", kind.as_str())
                            attr:class="button button-secondary button-small"
                            attr:aria-label=format!("New {} template", kind.label().to_lowercase())>"New template"</A>
                    })}
                </div>
                {if rows.is_empty() {
                    view! { <p class="muted">"No templates of this kind yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Subject"</th>
                                    <th scope="col">"Used by"</th>
                                    <th scope="col">"Updated"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| view! {
                                        <Row t=t can_edit=can_edit confirming=confirming duplicate=duplicate delete=delete make_default=make_default/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
        }
    });
    view! { <div class="template-library">{groups.into_iter().collect_view()}</div> }
}

#[component]
fn Row(
    t: TemplateSummary,
    can_edit: bool,
    confirming: RwSignal<Option<TemplateId>>,
    duplicate: ServerAction<DuplicateTemplate>,
    delete: ServerAction<DeleteTemplate>,
    make_default: ServerAction<SetDefaultTemplate>,
) -> impl IntoView {
    let id = t.id;
    let name = t.name.clone();
    let uses = if t.uses.is_empty() { "—".to_string() } else { t.uses.join("; ") };
    let is_default = t.is_default;
    let asking = move || confirming.get() == Some(id);
    let actions = can_edit.then(|| {
        let (n1, n2, n3, n4) = (name.clone(), name.clone(), name.clone(), name.clone());
        view! {
            <div class="row-actions">
                <Show when=move || !asking() fallback=move || {
                    let n = n4.clone();
                    view! {
                        <span class="confirm" role="group" aria-label=format!("Confirm deleting {n}")>
                            {format!("Delete “{n}”? ")}
                            <button type="button" class="button button-danger button-small"
                                on:click=move |_| { confirming.set(None); delete.dispatch(DeleteTemplate { id }); }>"Yes, delete"</button>
                            <button type="button" class="button button-ghost button-small" on:click=move |_| confirming.set(None)>"Cancel"</button>
                        </span>
                    }
                }>
                    <A href=editor_href(id) attr:class="button button-secondary button-small" attr:aria-label=format!("Edit {n1}")>"Edit"</A>
                    <button type="button" class="button button-secondary button-small" aria-label=format!("Duplicate {n2}")
                        disabled=move || duplicate.pending().get()
                        on:click=move |_| { duplicate.dispatch(DuplicateTemplate { id }); }>"Duplicate"</button>
                    {(!is_default).then(|| {
                        let n = n3.clone();
                        view! {
                            <button type="button" class="button button-ghost button-small" aria-label=format!("Make {n} the default")
                                on:click=move |_| { make_default.dispatch(SetDefaultTemplate { id }); }>"Make default"</button>
                        }
                    })}
                    <button type="button" class="button button-danger button-small" aria-label=format!("Delete {}", n3.clone())
                        on:click=move |_| confirming.set(Some(id))>"Delete"</button>
                </Show>
            </div>
        }
    });
    view! {
        <tr>
            <th scope="row">
                <A href=editor_href(id)>{name.clone()}</A>
                {is_default.then(|| view! { " " <span class="badge badge-confirmed">"Default"</span> })}
            </th>
            <td class="template-subject">{t.subject}</td>
            <td class="small">{uses}</td>
            <td class="small">{t.updated}</td>
            <td>{actions}</td>
        </tr>
    }
}
