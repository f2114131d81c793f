-- "Is this line item already on a live invoice?" is asked for every row of Billable Line Items.
-- The partial unique index cannot always answer it (SQLite only uses a partial index when it can
-- prove the query's condition implies the index's), so give the lookup a plain index.
CREATE INDEX invoice_lines_line_item ON invoice_lines (line_item_id);
