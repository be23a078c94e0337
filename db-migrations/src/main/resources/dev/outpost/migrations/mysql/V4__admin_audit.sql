-- One row per operator action of the admin CLI and console (replay, purge, cancel): who, when,
-- which filter and how many rows it touched. Dry runs write nothing. Never updated or deleted by
-- Outpost; keep or trim it by your own retention policy. MySQL/MariaDB twin of the PostgreSQL V4.
CREATE TABLE outpost_admin_audit (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    performed_at  DATETIME(6)  NOT NULL,
    operator      VARCHAR(255) NOT NULL,
    origin        VARCHAR(255) NOT NULL,
    action        VARCHAR(255) NOT NULL,
    filter        TEXT         NOT NULL,
    matched       BIGINT       NOT NULL,
    affected      BIGINT       NOT NULL,
    PRIMARY KEY (id),
    -- Operators read the latest actions first.
    INDEX outpost_admin_audit_performed_at_idx (performed_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
