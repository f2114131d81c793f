-- Past-due reminders: each ladder step decided for an invoice, once. The unique key is the
-- once-only guarantee; the row is written in the same transaction as its outbox row.
CREATE TABLE invoice_reminders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id     INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    days_past_due  INTEGER NOT NULL CHECK (days_past_due > 0),
    outbox_id      INTEGER REFERENCES outbox(id),
    status         TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'cancelled', 'failed')),
    manual         BOOLEAN NOT NULL DEFAULT 0,
    -- Who asked for a manual reminder, or 'Scheduler'.
    actor          TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    sent_at        TEXT,
    UNIQUE (invoice_id, days_past_due)
);
CREATE INDEX invoice_reminders_outbox ON invoice_reminders(outbox_id);
CREATE INDEX invoice_reminders_status ON invoice_reminders(status, created_at);
