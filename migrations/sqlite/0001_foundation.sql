-- Pressrun schema, SQLite flavour. Keep in step with migrations/postgres.
-- Money, quantities and rates are BIGINT fixed-point with four decimal places
-- (12.5 is stored as 125000): exact in both engines, and SUM() never goes through floats.
-- Timestamps are UTC (RFC 3339 text here); business dates are local dates (YYYY-MM-DD).

CREATE TABLE organisation (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    name                  TEXT NOT NULL,
    address               TEXT NOT NULL DEFAULT '',
    logo_url              TEXT NOT NULL DEFAULT '',
    currency              TEXT NOT NULL DEFAULT 'USD',
    time_zone             TEXT NOT NULL DEFAULT 'America/New_York',
    invoice_number_format TEXT NOT NULL DEFAULT 'INV-{YYYY}-{SEQ:5}',
    default_terms_days    INTEGER NOT NULL DEFAULT 30 CHECK (default_terms_days BETWEEN 0 AND 365),
    email_from            TEXT NOT NULL DEFAULT '',
    updated_at            TEXT NOT NULL
);

CREATE TABLE staff_users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'billing', 'viewer')),
    password_hash    TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    last_sign_in_at  TEXT
);

-- Only a SHA-256 of the session token is stored: a copy of the database does not sign anyone in.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL,
    client_ip   TEXT NOT NULL DEFAULT '',
    failed_at   TEXT NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures(email, failed_at);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    key_prefix    TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    created_by    INTEGER REFERENCES staff_users(id),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('advertiser', 'agency')),
    bill_to_account_id   INTEGER REFERENCES accounts(id),
    payment_terms_days   INTEGER CHECK (payment_terms_days BETWEEN 0 AND 365),
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    reminders_paused     BOOLEAN NOT NULL DEFAULT 0,
    external_ref         TEXT UNIQUE,
    created_at           TEXT NOT NULL,
    archived_at          TEXT,
    CHECK (bill_to_account_id IS NULL OR bill_to_account_id <> id)
);
CREATE INDEX accounts_name ON accounts(name);
CREATE INDEX accounts_bill_to ON accounts(bill_to_account_id);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    invoice_role  TEXT NOT NULL DEFAULT 'none' CHECK (invoice_role IN ('to', 'cc', 'none')),
    created_at    TEXT NOT NULL
);
CREATE INDEX contacts_account ON contacts(account_id);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE,
    code            TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    billing_rule    TEXT NOT NULL CHECK (billing_rule IN ('do_not_invoice', 'immediately', 'days_before', 'days_after')),
    rule_days       INTEGER NOT NULL DEFAULT 0 CHECK (rule_days BETWEEN 0 AND 3650),
    auto_invoice    BOOLEAN NOT NULL DEFAULT 0,
    ignore_before   TEXT,
    unit_price      BIGINT NOT NULL DEFAULT 0,
    tax_rate        BIGINT NOT NULL DEFAULT 0 CHECK (tax_rate >= 0),
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number   TEXT NOT NULL UNIQUE,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'confirmed', 'cancelled')),
    ordered_on     TEXT NOT NULL,
    notes          TEXT NOT NULL DEFAULT '',
    external_ref   TEXT UNIQUE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX orders_account ON orders(account_id);

CREATE TABLE line_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id    INTEGER NOT NULL REFERENCES products(id),
    run_date      TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    quantity      BIGINT NOT NULL CHECK (quantity > 0),
    unit_price    BIGINT NOT NULL CHECK (unit_price >= 0),
    discount      BIGINT NOT NULL DEFAULT 0 CHECK (discount >= 0),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX line_items_order ON line_items(order_id);
CREATE INDEX line_items_product_run ON line_items(product_id, run_date);
CREATE INDEX line_items_run ON line_items(run_date);

-- One row per (format period): bumped with INSERT … ON CONFLICT … RETURNING inside the
-- transaction that numbers an invoice, so numbers are gapless and never repeat.
CREATE TABLE invoice_counters (
    period      TEXT PRIMARY KEY,
    last_value  BIGINT NOT NULL
);

CREATE TABLE invoices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    number           TEXT UNIQUE,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'open', 'sent', 'partially_paid', 'paid', 'void')),
    issue_date       TEXT NOT NULL,
    due_date         TEXT NOT NULL,
    terms_days       INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    subtotal         BIGINT NOT NULL DEFAULT 0,
    discount_total   BIGINT NOT NULL DEFAULT 0,
    tax_total        BIGINT NOT NULL DEFAULT 0,
    total            BIGINT NOT NULL DEFAULT 0,
    amount_paid      BIGINT NOT NULL DEFAULT 0,
    source           TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'auto')),
    created_by       INTEGER REFERENCES staff_users(id),
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    voided_at        TEXT,
    void_reason      TEXT NOT NULL DEFAULT '',
    reminders_paused BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX invoices_account ON invoices(account_id);
CREATE INDEX invoices_status_due ON invoices(status, due_date);

CREATE TABLE invoice_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    line_item_id  INTEGER REFERENCES line_items(id),
    position      INTEGER NOT NULL,
    product_name  TEXT NOT NULL,
    description   TEXT NOT NULL,
    run_date      TEXT,
    quantity      BIGINT NOT NULL,
    unit_price    BIGINT NOT NULL,
    discount      BIGINT NOT NULL DEFAULT 0,
    tax_rate      BIGINT NOT NULL DEFAULT 0,
    net_amount    BIGINT NOT NULL,
    tax_amount    BIGINT NOT NULL DEFAULT 0,
    -- Cleared when the invoice is voided, which returns the line item to Billable Line Items.
    live          BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);
-- A line item is billed by at most one live invoice line.
CREATE UNIQUE INDEX invoice_lines_billed_once ON invoice_lines(line_item_id) WHERE live = 1 AND line_item_id IS NOT NULL;

CREATE TABLE invoice_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX invoice_events_invoice ON invoice_events(invoice_id, at);

CREATE TABLE payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    method         TEXT NOT NULL CHECK (method IN ('card', 'check', 'ach', 'wire', 'cash', 'credit', 'other')),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    provider       TEXT NOT NULL DEFAULT '',
    provider_ref   TEXT UNIQUE,
    created_by     INTEGER REFERENCES staff_users(id),
    created_at     TEXT NOT NULL
);
CREATE INDEX payments_account ON payments(account_id);

-- What a payment paid; whatever is left unallocated is account credit.
CREATE TABLE payment_allocations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id  INTEGER NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    created_at  TEXT NOT NULL,
    UNIQUE (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice ON payment_allocations(invoice_id);

CREATE TABLE provider_events (
    event_id     TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

CREATE TABLE email_templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('invoice', 'reminder', 'statement', 'receipt')),
    name        TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE automation_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    auto_invoice_mode    TEXT NOT NULL DEFAULT 'generate_only' CHECK (auto_invoice_mode IN ('generate_only', 'generate_and_email')),
    delivery             TEXT NOT NULL DEFAULT 'manual' CHECK (delivery IN ('automatic', 'manual', 'batch')),
    batch_frequency      TEXT NOT NULL DEFAULT 'daily' CHECK (batch_frequency IN ('daily', 'weekly', 'monthly')),
    batch_weekday        INTEGER NOT NULL DEFAULT 1 CHECK (batch_weekday BETWEEN 1 AND 7),
    batch_month_day      INTEGER NOT NULL DEFAULT 1 CHECK (batch_month_day BETWEEN 1 AND 28),
    batch_local_time     TEXT NOT NULL DEFAULT '09:00',
    invoice_template_id  INTEGER REFERENCES email_templates(id),
    reminders_enabled    BOOLEAN NOT NULL DEFAULT 0,
    reminder_style       TEXT NOT NULL DEFAULT 'per_invoice' CHECK (reminder_style IN ('per_invoice', 'per_contact_daily')),
    updated_at           TEXT NOT NULL
);

CREATE TABLE reminder_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    days_past_due     INTEGER NOT NULL UNIQUE CHECK (days_past_due > 0),
    template_id       INTEGER REFERENCES email_templates(id),
    cc_other_contacts BOOLEAN NOT NULL DEFAULT 0,
    attach_statement  BOOLEAN NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);

-- Every effect that leaves the system (email, payment-provider call, accounting sync) is
-- written here in the transaction that causes it. effect_key makes each effect happen once.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    effect_key       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    invoice_id       INTEGER REFERENCES invoices(id),
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_flight', 'done', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    message_id       TEXT,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    completed_at     TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_invoice ON outbox(invoice_id);

CREATE TABLE outbox_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    worker       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    outcome      TEXT NOT NULL DEFAULT 'unknown' CHECK (outcome IN ('unknown', 'delivered', 'transient', 'permanent')),
    reply        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts(outbox_id);

-- A scheduled run (tick, batch) happens once per slot, whichever instance gets there first.
CREATE TABLE scheduler_runs (
    schedule       TEXT NOT NULL,
    scheduled_for  TEXT NOT NULL,
    claimed_by     TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    summary        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule, scheduled_for)
);

CREATE TABLE accounting_sync (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity        TEXT NOT NULL CHECK (entity IN ('customer', 'invoice', 'payment')),
    local_id      BIGINT NOT NULL,
    external_id   TEXT,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'synced', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    synced_at     TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (entity, local_id)
);

CREATE TABLE portal_links (
    token_hash   TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    invoice_id   INTEGER REFERENCES invoices(id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX portal_links_account ON portal_links(account_id);
