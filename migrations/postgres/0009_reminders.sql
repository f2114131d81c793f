-- Past-due reminders: each ladder step decided for an invoice, once. The unique key is the
-- once-only guarantee; the row is written in the same transaction as its outbox row.
CREATE TABLE invoice_reminders (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id     BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    days_past_due  BIGINT NOT NULL CHECK (days_past_due > 0),
    outbox_id      BIGINT REFERENCES outbox(id),
    status         TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'cancelled', 'failed')),
    manual         BOOLEAN NOT NULL DEFAULT FALSE,
    -- Who asked for a manual reminder, or 'Scheduler'.
    actor          TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    sent_at        TIMESTAMPTZ,
    UNIQUE (invoice_id, days_past_due)
);
CREATE INDEX invoice_reminders_outbox ON invoice_reminders(outbox_id);
CREATE INDEX invoice_reminders_status ON invoice_reminders(status, created_at);
