-- A checkout's payment page, kept so a client who opens Pay again gets the same page instead of
-- a second session that could charge the card twice.
ALTER TABLE checkout_sessions ADD COLUMN provider_url TEXT;

-- Money the provider took that could not be applied as the client meant: the invoices were paid
-- or voided meanwhile (the payment became account credit), or the provider reported another
-- amount than the checkout asked (nothing was recorded). Staff settle each one by hand.
CREATE TABLE payment_exceptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    checkout_id  TEXT NOT NULL REFERENCES checkout_sessions(id),
    payment_id   INTEGER REFERENCES payments(id),
    kind         TEXT NOT NULL CHECK (kind IN ('became_credit', 'amount_mismatch')),
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    detail       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    resolved_at  TEXT,
    resolved_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (checkout_id, kind)
);
CREATE INDEX payment_exceptions_open ON payment_exceptions(created_at) WHERE resolved_at IS NULL;
