-- The order-timeout app's own tables. Flyway runs this with its own history table
-- (example_schema_history) after Outpost's migrations, in the same schema.

CREATE TABLE stock (
    item       text    PRIMARY KEY,
    initial    integer NOT NULL CHECK (initial >= 0),
    available  integer NOT NULL CHECK (available >= 0)
);

CREATE TABLE orders (
    id            uuid        PRIMARY KEY,
    item          text        NOT NULL REFERENCES stock (item),
    quantity      integer     NOT NULL CHECK (quantity > 0),
    status        text        NOT NULL CHECK (status IN ('UNPAID', 'PAID', 'CANCELLED')),
    created_at    timestamptz NOT NULL,
    pay_by        timestamptz NOT NULL,
    paid_at       timestamptz,
    cancelled_at  timestamptz
);
CREATE INDEX orders_unpaid_idx ON orders (pay_by) WHERE status = 'UNPAID';

-- One row per stock release. Deliberately without a unique key on order_id: "released exactly
-- once" must come from the dedup store and the conditional status update, and the simulation
-- counts these rows per order to prove it.
CREATE TABLE stock_release (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     uuid        NOT NULL,
    quantity     integer     NOT NULL,
    message_id   uuid        NOT NULL,
    released_at  timestamptz NOT NULL
);
CREATE INDEX stock_release_order_idx ON stock_release (order_id);

-- One row per "new order" notice the inventory consumer handled (same reasoning: no unique key).
CREATE TABLE order_notice (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     uuid        NOT NULL,
    message_id   uuid        NOT NULL,
    noticed_at   timestamptz NOT NULL
);
CREATE INDEX order_notice_order_idx ON order_notice (order_id);
