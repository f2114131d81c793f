-- Client portal, payments and the template library (Automation > Campaigns > Email Templates).

-- Who or what issued a link (an email, a staff member), and when a client last opened it.
ALTER TABLE portal_links ADD COLUMN issued_by TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_links ADD COLUMN last_viewed_at TEXT;
CREATE INDEX portal_links_invoice ON portal_links(invoice_id);

-- A payment entered by mistake is voided, never deleted: its allocations stop counting.
ALTER TABLE payments ADD COLUMN voided_at TEXT;
ALTER TABLE payments ADD COLUMN notes TEXT NOT NULL DEFAULT '';

-- One online checkout: the invoices a client chose to pay and the amount asked for. The id is
-- random (128 bits) because the "Paid — thank you" page is addressed by it.
CREATE TABLE checkout_sessions (
    id                   TEXT PRIMARY KEY,
    provider             TEXT NOT NULL CHECK (provider IN ('stripe', 'test')),
    provider_session_id  TEXT UNIQUE,
    account_id           INTEGER NOT NULL REFERENCES accounts(id),
    amount               BIGINT NOT NULL CHECK (amount > 0),
    currency             TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'failed')),
    payment_id           INTEGER REFERENCES payments(id),
    created_at           TEXT NOT NULL,
    completed_at         TEXT
);
CREATE INDEX checkout_sessions_account ON checkout_sessions(account_id);

CREATE TABLE checkout_invoices (
    checkout_id  TEXT NOT NULL REFERENCES checkout_sessions(id) ON DELETE CASCADE,
    invoice_id   INTEGER NOT NULL REFERENCES invoices(id),
    amount       BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (checkout_id, invoice_id)
);

-- Every webhook event that passed its signature check, processed or refused, so a replay is a no-op.
ALTER TABLE provider_events ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_events ADD COLUMN outcome TEXT NOT NULL DEFAULT '';

-- The Special Link is called invoice_payment, after the page it opens.
UPDATE email_templates SET body_html = REPLACE(body_html, 'links.pay_online', 'links.invoice_payment')
WHERE name = 'Invoice (default)';

INSERT INTO email_templates (kind, name, subject, body_html, is_default, created_at, updated_at) VALUES
('reminder', 'Friendly reminder (7 days)', 'Reminder: invoice {{ invoice.number }} is past due',
'<p>Hi {{ contact.name }},</p>
<p>This is a friendly reminder that invoice <strong>{{ invoice.number }}</strong> for {{ invoice.total }} was due on {{ invoice.due_date }}. The balance of <strong>{{ invoice.balance }}</strong> is now {{ invoice.days_past_due }} days past due.</p>
{% if links.invoice_payment %}<p><a href="{{ links.invoice_payment }}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Pay Online</a></p>{% endif %}
<p>If you have already sent payment, thank you, and please disregard this note.</p>
<p>{{ organisation.name }}</p>', TRUE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
('reminder', 'Firm follow-up (30 days)', 'Second notice: invoice {{ invoice.number }} is {{ invoice.days_past_due }} days past due',
'<p>Dear {{ contact.name }},</p>
<p>Our records show that invoice <strong>{{ invoice.number }}</strong>, due on {{ invoice.due_date }}, still has a balance of <strong>{{ invoice.balance }}</strong>. Please arrange payment this week.</p>
{% if links.invoice_payment %}<p><a href="{{ links.invoice_payment }}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Pay Online</a></p>{% endif %}
<p>You can also see every open invoice of {{ account.name }} on your <a href="{{ links.unpaid_invoices }}">Unpaid Invoices</a> page.</p>
<p>If there is a problem with this invoice, reply to this email and we will sort it out.</p>
<p>{{ organisation.name }}</p>', FALSE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
('reminder', 'Collections notice (90 days)', 'Final notice: invoice {{ invoice.number }} — {{ invoice.balance }} overdue',
'<p>Dear {{ contact.name }},</p>
<p>Invoice <strong>{{ invoice.number }}</strong> is now {{ invoice.days_past_due }} days past due with <strong>{{ invoice.balance }}</strong> outstanding. Unless it is paid within 10 days, the account of {{ account.name }} will be placed on credit hold and referred to collections.</p>
{% if links.invoice_payment %}<p><a href="{{ links.invoice_payment }}" style="display:inline-block;padding:10px 18px;background:#b91c1c;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Pay Online</a></p>{% endif %}
<p>To discuss this balance, reply to this email or write to {{ organisation.email }}.</p>
<p>{{ organisation.name }}</p>', FALSE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
('statement', 'Unpaid invoices statement', '{{ account.name }}: {{ statement.count }} unpaid invoices ({{ statement.total_due }})',
'<p>Hi {{ contact.name }},</p>
<p>Here are the invoices of <strong>{{ account.name }}</strong> that are still open with {{ organisation.name }}:</p>
<table style="border-collapse:collapse;width:100%">
<tr><th align="left" style="border-bottom:1px solid #cbd2d9;padding:4px">Invoice</th><th align="left" style="border-bottom:1px solid #cbd2d9;padding:4px">Due</th><th align="right" style="border-bottom:1px solid #cbd2d9;padding:4px">Balance</th></tr>
{% for inv in statement.invoices %}<tr><td style="padding:4px">{{ inv.number }}</td><td style="padding:4px">{{ inv.due_date }}{% if inv.days_past_due > 0 %} ({{ inv.days_past_due }} days past due){% endif %}</td><td align="right" style="padding:4px">{{ inv.balance }}</td></tr>
{% endfor %}</table>
<p>Total due: <strong>{{ statement.total_due }}</strong>, of which {{ statement.past_due_total }} is past due.</p>
<p><a href="{{ links.unpaid_invoices }}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Pay Online</a></p>
<p>{{ organisation.name }}</p>', TRUE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
('receipt', 'Payment receipt', 'Receipt: {{ payment.amount }} received by {{ organisation.name }}',
'<p>Hi {{ contact.name }},</p>
<p>Thank you. We received your payment of <strong>{{ payment.amount }}</strong> on {{ payment.date }} ({{ payment.method }}{% if payment.reference %}, reference {{ payment.reference }}{% endif %}).</p>
<p>It was applied to: {{ payment.invoices }}.</p>
{% if statement.count > 0 %}<p>{{ account.name }} still has {{ statement.count }} open invoices totalling {{ statement.total_due }}: <a href="{{ links.unpaid_invoices }}">see them here</a>.</p>{% else %}<p>{{ account.name }} has no open invoices with us.</p>{% endif %}
<p>{{ organisation.name }}</p>', TRUE, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));

-- The common ladder, off until an admin switches reminders on.
INSERT INTO reminder_rules (days_past_due, template_id, cc_other_contacts, attach_statement, created_at)
SELECT 7, id, FALSE, FALSE, strftime('%Y-%m-%dT%H:%M:%SZ','now') FROM email_templates WHERE name = 'Friendly reminder (7 days)';
INSERT INTO reminder_rules (days_past_due, template_id, cc_other_contacts, attach_statement, created_at)
SELECT 30, id, TRUE, FALSE, strftime('%Y-%m-%dT%H:%M:%SZ','now') FROM email_templates WHERE name = 'Firm follow-up (30 days)';
INSERT INTO reminder_rules (days_past_due, template_id, cc_other_contacts, attach_statement, created_at)
SELECT 90, id, TRUE, TRUE, strftime('%Y-%m-%dT%H:%M:%SZ','now') FROM email_templates WHERE name = 'Collections notice (90 days)';
