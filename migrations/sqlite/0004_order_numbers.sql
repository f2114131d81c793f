-- Orders entered without a number get ORD-000123 style numbers from this counter, bumped with
-- INSERT … ON CONFLICT … RETURNING in the transaction that creates the order (so concurrent
-- creations queue on the row instead of picking the same number).
CREATE TABLE order_number_counter (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_value  BIGINT NOT NULL
);
