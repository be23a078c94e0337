-- One row per operator action of the admin CLI and console (replay, purge, cancel): who, when,
-- which filter and how many rows it touched. Dry runs write nothing. Never updated or deleted by
-- Outpost; keep or trim it by your own retention policy.
CREATE TABLE outpost_admin_audit (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    performed_at  timestamptz NOT NULL,
    operator      text        NOT NULL,
    origin        text        NOT NULL,
    action        text        NOT NULL,
    filter        text        NOT NULL,
    matched       bigint      NOT NULL,
    affected      bigint      NOT NULL
);
-- Operators read the latest actions first.
CREATE INDEX outpost_admin_audit_performed_at_idx ON outpost_admin_audit (performed_at, id);
