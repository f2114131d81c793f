-- Why a payment was voided (a returned check, a mistaken entry). `voided_at` came with the
-- portal payments; a voided payment's allocations stay as the record of what it had paid.
ALTER TABLE payments ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
