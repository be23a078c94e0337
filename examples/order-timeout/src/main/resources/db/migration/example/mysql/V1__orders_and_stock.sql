-- The order-timeout app's own tables on MySQL 8.0+ / MariaDB 10.6+ (the PostgreSQL form is
-- ../postgresql/V1__orders_and_stock.sql). Flyway runs this with its own history table
-- (example_schema_history) after Outpost's migrations, in the same database.
--
-- As in Outpost's own MySQL tables: ids are BINARY(16) (the app's order ids are UUIDv7, so the
-- clustered primary key grows at its right edge instead of splitting pages at random), times are
-- DATETIME(6) holding UTC written by the app, text compares byte for byte (utf8mb4_bin).

CREATE TABLE stock (
    item       VARCHAR(64) NOT NULL,
    initial    INT         NOT NULL,
    available  INT         NOT NULL,
    PRIMARY KEY (item),
    CONSTRAINT stock_initial_check CHECK (initial >= 0),
    CONSTRAINT stock_available_check CHECK (available >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- No foreign key to stock (PostgreSQL has one): InnoDB checks it with a shared lock on the stock
-- row, which the same transaction then upgrades to update the stock, so two orders of one item
-- would deadlock. The insert selects the item from stock, and items are never deleted.
-- No partial index either (MySQL has none): status first, so counts per status read the index.
CREATE TABLE orders (
    id            BINARY(16)  NOT NULL,
    item          VARCHAR(64) NOT NULL,
    quantity      INT         NOT NULL,
    status        VARCHAR(16) NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    pay_by        DATETIME(6) NOT NULL,
    paid_at       DATETIME(6),
    cancelled_at  DATETIME(6),
    PRIMARY KEY (id),
    CONSTRAINT orders_quantity_check CHECK (quantity > 0),
    CONSTRAINT orders_status_check CHECK (status IN ('UNPAID', 'PAID', 'CANCELLED')),
    INDEX orders_status_idx (status, pay_by)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per stock release. Deliberately without a unique key on order_id: "released exactly
-- once" must come from the dedup store and the conditional status update, and the simulation
-- counts these rows per order to prove it.
CREATE TABLE stock_release (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    order_id     BINARY(16)  NOT NULL,
    quantity     INT         NOT NULL,
    message_id   BINARY(16)  NOT NULL,
    released_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    INDEX stock_release_order_idx (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per "new order" notice the inventory consumer handled (same reasoning: no unique key).
CREATE TABLE order_notice (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    order_id     BINARY(16)  NOT NULL,
    message_id   BINARY(16)  NOT NULL,
    noticed_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    INDEX order_notice_order_idx (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
