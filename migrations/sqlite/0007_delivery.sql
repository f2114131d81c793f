-- Auto-invoicing delivery: the Ready to send queue, mail settings, the built-in invoice email.

-- Set while a generated invoice waits for staff (manual delivery) or the next batch; cleared
-- in the transaction that queues its email.
ALTER TABLE invoices ADD COLUMN ready_to_send_at TEXT;
CREATE INDEX invoices_ready ON invoices(ready_to_send_at) WHERE ready_to_send_at IS NOT NULL;

-- SMTP settings saved in Settings (environment variables, when set, take precedence).
-- The password is write-only in the UI: it is never sent back to a browser or logged.
CREATE TABLE mail_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    host          TEXT NOT NULL DEFAULT '',
    port          INTEGER NOT NULL DEFAULT 587 CHECK (port BETWEEN 1 AND 65535),
    tls           TEXT NOT NULL DEFAULT 'starttls' CHECK (tls IN ('none', 'starttls', 'tls')),
    username      TEXT NOT NULL DEFAULT '',
    password      TEXT NOT NULL DEFAULT '',
    from_address  TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);

-- Which recipients an attempt went to and what the worker claimed, for the deliveries list.
ALTER TABLE outbox ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_failed ON outbox(status) WHERE status = 'failed';

-- The built-in invoice email; the seed of the template system (Automation > Campaigns).
INSERT INTO email_templates (kind, name, subject, body_html, is_default, created_at, updated_at)
VALUES ('invoice', 'Invoice (default)', 'Invoice {{ invoice.number }} from {{ organisation.name }}',
'<p>Dear {{ contact.name }},</p>
<p>Please find attached invoice <strong>{{ invoice.number }}</strong> from {{ organisation.name }} for <strong>{{ invoice.total }}</strong>, due on {{ invoice.due_date }}.</p>
{% if links.pay_online %}<p><a href="{{ links.pay_online }}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Pay Online</a></p>{% endif %}
<p>If you have any questions about this invoice, reply to this email.</p>
<p>Thank you for your business,<br>{{ organisation.name }}</p>', TRUE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));
