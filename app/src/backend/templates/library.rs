//! The email template library: list, create, edit, duplicate, delete and the default per kind.
//! A template that something still sends with — the automation settings, a reminder rung, an
//! invoice email waiting in the outbox — or that is its kind's default cannot be deleted, and
//! the refusal says where it is used.

use chrono::{DateTime, Utc};

use crate::{
    backend::{Db, ServiceError, StoreError, platform::db::BeginWrite, templates::check::TemplateInput},
    domain::{
        email_kind::{EmailKind, InvoiceEmailPayload},
        ids::TemplateId,
        merge_fields::TemplateKind,
    },
    on_db,
    views::templates::{TemplateDetail, TemplateSummary},
};

const DUPLICATE_NAME: &str = "Another template already has this name.";

#[derive(sqlx::FromRow)]
struct Row {
    id: TemplateId,
    kind: String,
    name: String,
    subject: String,
    body_html: String,
    is_default: bool,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn kind(&self) -> Result<TemplateKind, StoreError> {
        TemplateKind::parse(&self.kind).ok_or_else(|| StoreError::Invalid(format!("template kind {:?}", self.kind)))
    }
}

const COLUMNS: &str = "id, kind, name, subject, body_html, is_default, updated_at";

/// Every template, by kind then name, with where each is used.
pub async fn list(db: &Db) -> Result<Vec<TemplateSummary>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM email_templates ORDER BY kind, name");
    let rows: Vec<Row> = on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await?);
    let uses = all_uses(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(TemplateSummary {
            id: r.id,
            kind: r.kind()?,
            uses: uses_of(&uses, r.id),
            updated: r.updated_at.format("%b %-d, %Y").to_string(),
            name: r.name,
            subject: r.subject,
            is_default: r.is_default,
        });
    }
    out.sort_by_key(|t| TemplateKind::ALL.iter().position(|k| *k == t.kind));
    Ok(out)
}

pub async fn get(db: &Db, id: TemplateId) -> Result<TemplateDetail, ServiceError> {
    let sql = format!("SELECT {COLUMNS} FROM email_templates WHERE id = $1");
    let row: Option<Row> =
        on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await.map_err(StoreError::from)?);
    let r = row.ok_or(ServiceError::NotFound("template"))?;
    let uses = uses_of(&all_uses(db).await?, r.id);
    Ok(TemplateDetail {
        id: r.id,
        kind: r.kind()?,
        name: r.name,
        subject: r.subject,
        body_html: r.body_html,
        is_default: r.is_default,
        uses,
    })
}

pub async fn create(db: &Db, now: DateTime<Utc>, input: TemplateInput) -> Result<TemplateId, ServiceError> {
    let t = input.normalised().map_err(ServiceError::Invalid)?;
    if name_taken(db, &t.name, None).await? {
        return Err(ServiceError::field("name", DUPLICATE_NAME));
    }
    let id = insert(db, now, &t).await.map_err(ServiceError::from)?;
    tracing::info!(template_id = %id, kind = t.kind.as_str(), "email template created");
    Ok(id)
}

/// A new template of the same kind and content named "Copy of …" (numbered if that is taken).
pub async fn duplicate(db: &Db, now: DateTime<Utc>, id: TemplateId) -> Result<TemplateId, ServiceError> {
    let original = get(db, id).await?;
    let base = format!("Copy of {}", original.name);
    let mut name = base.clone();
    let mut n = 2;
    while name_taken(db, &name, None).await? {
        name = format!("{base} ({n})");
        n += 1;
    }
    let t = TemplateInput { kind: original.kind, name, subject: original.subject, body_html: original.body_html };
    // The copy is saved as it is: it renders exactly as the original, even if that predates a check.
    let new_id = insert(db, now, &t).await.map_err(ServiceError::from)?;
    tracing::info!(template_id = %new_id, copy_of = %id, "email template duplicated");
    Ok(new_id)
}

pub async fn update(db: &Db, now: DateTime<Utc>, id: TemplateId, input: TemplateInput) -> Result<(), ServiceError> {
    let t = input.normalised().map_err(ServiceError::Invalid)?;
    let current = get(db, id).await?;
    if current.kind != t.kind {
        // Whatever sends it expects fields of its kind; a default must stay in its kind.
        let why = if current.is_default {
            Some(format!("it is the default {} template", current.kind.label().to_lowercase()))
        } else if !current.uses.is_empty() {
            Some(format!("it is used by {}", current.uses.join("; ")))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(ServiceError::field("kind", format!("The kind cannot change while {why}.")));
        }
    }
    if name_taken(db, &t.name, Some(id)).await? {
        return Err(ServiceError::field("name", DUPLICATE_NAME));
    }
    let changed = on_db!(db, p => sqlx::query(
        "UPDATE email_templates SET kind = $1, name = $2, subject = $3, body_html = $4, updated_at = $5 WHERE id = $6")
        .bind(t.kind.as_str()).bind(&t.name).bind(&t.subject).bind(&t.body_html).bind(now).bind(id)
        .execute(p).await.map_err(StoreError::from)?.rows_affected());
    if changed == 0 {
        return Err(ServiceError::NotFound("template"));
    }
    tracing::info!(template_id = %id, "email template updated");
    Ok(())
}

/// Deletes a template nothing uses. The check and the delete share one write transaction, so a
/// rung or setting added in between is seen (PostgreSQL's foreign keys back this up).
pub async fn delete(db: &Db, id: TemplateId) -> Result<(), ServiceError> {
    let current = get(db, id).await?;
    if current.is_default {
        return Err(ServiceError::Conflict(format!(
            "“{}” is the default {} template and cannot be deleted. Make another template the default first.",
            current.name,
            current.kind.label().to_lowercase()
        )));
    }
    let result: Result<Vec<String>, StoreError> = on_db!(db, p => {
        async {
            let mut tx = p.begin_write().await?;
            let settings = sqlx::query_scalar::<_, TemplateId>(SETTINGS_USE_SQL).fetch_all(&mut *tx).await?;
            let rules = sqlx::query_as::<_, (TemplateId, i32)>(RULES_USE_SQL).fetch_all(&mut *tx).await?;
            let payloads = sqlx::query_scalar::<_, String>(OUTBOX_USE_SQL).bind(EmailKind::Invoice.as_str()).fetch_all(&mut *tx).await?;
            let uses = uses_of(&describe_uses(settings, rules, payloads), id);
            if uses.is_empty() {
                sqlx::query("DELETE FROM email_templates WHERE id = $1 AND NOT is_default").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
            }
            Ok::<_, StoreError>(uses)
        }
        .await
    });
    let uses = match result {
        // A reference committed by someone else after our check: the foreign key refused.
        Err(StoreError::Conflict(_)) => uses_of(&all_uses(db).await?, id),
        other => other?,
    };
    if !uses.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "“{}” is in use and cannot be deleted. It is used by: {}. Choose another template there first.",
            current.name,
            uses.join("; ")
        )));
    }
    tracing::info!(template_id = %id, "email template deleted");
    Ok(())
}

/// Makes `id` the one default of its kind.
pub async fn set_default(db: &Db, now: DateTime<Utc>, id: TemplateId) -> Result<(), ServiceError> {
    let current = get(db, id).await?;
    on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE email_templates SET is_default = (id = $1), updated_at = CASE WHEN id = $1 THEN $2 ELSE updated_at END WHERE kind = $3")
            .bind(id).bind(now).bind(current.kind.as_str())
            .execute(&mut *tx).await.map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
    });
    tracing::info!(template_id = %id, kind = current.kind.as_str(), "default email template set");
    Ok(())
}

async fn insert(db: &Db, now: DateTime<Utc>, t: &TemplateInput) -> Result<TemplateId, StoreError> {
    // The first template of a kind is its default, so every kind that has templates has one.
    Ok(on_db!(db, p => sqlx::query_scalar::<_, TemplateId>(
        "INSERT INTO email_templates (kind, name, subject, body_html, is_default, created_at, updated_at)
         VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM email_templates WHERE kind = $1 AND is_default), $5, $5)
         RETURNING id")
        .bind(t.kind.as_str()).bind(&t.name).bind(&t.subject).bind(&t.body_html).bind(now)
        .fetch_one(p).await?))
}

/// Another template with this name, ignoring case.
async fn name_taken(db: &Db, name: &str, except: Option<TemplateId>) -> Result<bool, StoreError> {
    let found = on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM email_templates WHERE LOWER(name) = LOWER($1) AND id <> $2")
        .bind(name).bind(except.unwrap_or_default()).fetch_optional(p).await?);
    Ok(found.is_some())
}

/// One place a template is used: the template and a description.
type Use = (TemplateId, String);

const SETTINGS_USE_SQL: &str =
    "SELECT invoice_template_id FROM automation_settings WHERE invoice_template_id IS NOT NULL";
const RULES_USE_SQL: &str =
    "SELECT template_id, days_past_due FROM reminder_rules WHERE template_id IS NOT NULL ORDER BY days_past_due";
const OUTBOX_USE_SQL: &str = "SELECT payload FROM outbox WHERE kind = $1 AND status IN ('pending', 'in_flight')";

fn describe_uses(settings: Vec<TemplateId>, rules: Vec<(TemplateId, i32)>, payloads: Vec<String>) -> Vec<Use> {
    let mut uses: Vec<Use> =
        settings.into_iter().map(|id| (id, "Automation > Accounting: invoice emails".to_string())).collect();
    uses.extend(rules.into_iter().map(|(id, days)| (id, format!("Past-due reminder at {days} days past due"))));
    // Waiting invoice emails carry the template chosen when they were queued.
    let mut waiting: Vec<(TemplateId, usize)> = Vec::new();
    for id in payloads.iter().filter_map(|p| serde_json::from_str::<InvoiceEmailPayload>(p).ok()?.template_id) {
        match waiting.iter_mut().find(|(t, _)| *t == id) {
            Some((_, n)) => *n += 1,
            None => waiting.push((id, 1)),
        }
    }
    uses.extend(waiting.into_iter().map(|(id, n)| {
        (
            id,
            if n == 1 {
                "1 invoice email waiting to be sent".to_string()
            } else {
                format!("{n} invoice emails waiting to be sent")
            },
        )
    }));
    uses
}

async fn all_uses(db: &Db) -> Result<Vec<Use>, StoreError> {
    let (settings, rules, payloads) = on_db!(db, p => (
        sqlx::query_scalar::<_, TemplateId>(SETTINGS_USE_SQL).fetch_all(p).await?,
        sqlx::query_as::<_, (TemplateId, i32)>(RULES_USE_SQL).fetch_all(p).await?,
        sqlx::query_scalar::<_, String>(OUTBOX_USE_SQL).bind(EmailKind::Invoice.as_str()).fetch_all(p).await?,
    ));
    Ok(describe_uses(settings, rules, payloads))
}

fn uses_of(uses: &[Use], id: TemplateId) -> Vec<String> {
    uses.iter().filter(|(t, _)| *t == id).map(|(_, d)| d.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_are_described_per_template() {
        let uses = describe_uses(
            vec![TemplateId(1)],
            vec![(TemplateId(2), 7), (TemplateId(3), 30), (TemplateId(2), 90)],
            vec![
                r#"{"template_id":1}"#.into(),
                r#"{"template_id":1}"#.into(),
                r#"{"template_id":null}"#.into(),
                "{}".into(),
            ],
        );
        assert_eq!(
            uses_of(&uses, TemplateId(1)),
            ["Automation > Accounting: invoice emails", "2 invoice emails waiting to be sent"]
        );
        assert_eq!(
            uses_of(&uses, TemplateId(2)),
            ["Past-due reminder at 7 days past due", "Past-due reminder at 90 days past due"]
        );
        assert!(uses_of(&uses, TemplateId(4)).is_empty());
    }
}
