-- Outpost tables. Flyway runs this with search_path set to the configured schema,
-- so nothing here names a schema. Released migrations are immutable: change by adding V<n+1>.

CREATE TABLE outbox_message (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    uuid        NOT NULL,
    topic         text        NOT NULL,
    message_key   text,
    partition_no  integer     NOT NULL,
    payload       bytea       NOT NULL,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL,
    available_at  timestamptz NOT NULL,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text,
    CONSTRAINT outbox_message_message_id_key UNIQUE (message_id),
    CONSTRAINT outbox_message_partition_no_check CHECK (partition_no >= 0)
);
-- The relay reads each partition's head window in insertion order.
CREATE INDEX outbox_message_claim_idx ON outbox_message (partition_no, id);
-- Keys whose head failed and is backing off; tiny because only retried rows are in it.
CREATE INDEX outbox_message_retrying_key_idx ON outbox_message (partition_no, message_key, id)
    WHERE attempts > 0;

CREATE TABLE outbox_dead_letter (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id     bigint      NOT NULL,
    message_id    uuid        NOT NULL,
    topic         text        NOT NULL,
    message_key   text,
    partition_no  integer     NOT NULL,
    payload       bytea       NOT NULL,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL,
    failed_at     timestamptz NOT NULL,
    attempts      integer     NOT NULL,
    last_error    text,
    CONSTRAINT outbox_dead_letter_message_id_key UNIQUE (message_id)
);
CREATE INDEX outbox_dead_letter_failed_at_idx ON outbox_dead_letter (failed_at, id);
CREATE INDEX outbox_dead_letter_topic_idx ON outbox_dead_letter (topic, failed_at);
-- "Park the key": the relay holds back later messages of a key that has a dead letter.
CREATE INDEX outbox_dead_letter_key_idx ON outbox_dead_letter (partition_no, message_key)
    WHERE message_key IS NOT NULL;

CREATE TABLE delayed_message (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    uuid        NOT NULL,
    topic         text        NOT NULL,
    message_key   text,
    partition_no  integer     NOT NULL,
    payload       bytea       NOT NULL,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL,
    deliver_at    timestamptz NOT NULL,
    cancel_key    text,
    CONSTRAINT delayed_message_message_id_key UNIQUE (message_id),
    CONSTRAINT delayed_message_cancel_key UNIQUE (topic, cancel_key)
);
-- The sweep takes due rows oldest first.
CREATE INDEX delayed_message_due_idx ON delayed_message (deliver_at, id);

CREATE TABLE dedup_key (
    consumer      text        NOT NULL,
    message_id    uuid        NOT NULL,
    processed_at  timestamptz NOT NULL,
    CONSTRAINT dedup_key_pkey PRIMARY KEY (consumer, message_id)
);
-- Retention purge walks keys oldest first in bounded batches.
CREATE INDEX dedup_key_processed_at_idx ON dedup_key (processed_at);

CREATE TABLE relay_lease (
    partition_no  integer     NOT NULL PRIMARY KEY,
    owner         text,
    expires_at    timestamptz,
    fencing_token bigint      NOT NULL DEFAULT 0
);

-- Live relay instances, so each can compute its fair share of partitions.
CREATE TABLE relay_instance (
    instance_id   text        NOT NULL PRIMARY KEY,
    heartbeat_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);

-- One notification per transaction that wrote outbox rows: PostgreSQL folds identical
-- notifications (same channel, same payload) raised in one transaction into one, and
-- delivers none for a rolled-back transaction. The payload names the schema so relays
-- of several schemas can share a database.
CREATE FUNCTION outpost_notify_outbox() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('outpost_outbox', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_message_notify
    AFTER INSERT ON outbox_message
    FOR EACH STATEMENT EXECUTE FUNCTION outpost_notify_outbox();
