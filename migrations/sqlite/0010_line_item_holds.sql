-- A voided invoice's line items are held by default: the scheduler and Invoice Selected skip a
-- held line item until a person releases it, so voiding an auto-invoice does not bring it back
-- on the next tick. NULL means not held; otherwise why ("Voided on invoice INV-2026-00001").
ALTER TABLE line_items ADD COLUMN hold_reason TEXT;
