-- Outpost tables for MySQL 8.0+ and MariaDB 10.6+. Flyway runs this with the configured database
-- (MySQL's "schema") as the default, so nothing here names a database. Released migrations are
-- immutable: change by adding V<n+1>.
--
-- Choices, once for every table:
-- * InnoDB, utf8mb4 with the binary collation: topics, keys and cancel keys compare byte for byte,
--   as they do on PostgreSQL (a case-insensitive collation would merge "A1" and "a1").
-- * message_id is BINARY(16): a UUIDv7 stored big-endian sorts by creation time, so inserts land at
--   the right edge of the unique index (index locality), at 16 bytes instead of CHAR(36)'s 36.
-- * Times are DATETIME(6) holding UTC, written by Outpost from its Clock: no session time zone
--   conversion (TIMESTAMP converts and ends in 2038).
-- * Keys, topics and cancel keys are VARCHAR(255) so they fit InnoDB's 3072-byte index limit.
-- * MySQL has no partial indexes; the indexes that are partial on PostgreSQL are full here.

CREATE TABLE outbox_message (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    message_id    BINARY(16)   NOT NULL,
    topic         VARCHAR(255) NOT NULL,
    message_key   VARCHAR(255),
    partition_no  INT          NOT NULL,
    payload       LONGBLOB     NOT NULL,
    headers       LONGTEXT     NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    available_at  DATETIME(6)  NOT NULL,
    attempts      INT          NOT NULL DEFAULT 0,
    last_error    TEXT,
    PRIMARY KEY (id),
    CONSTRAINT outbox_message_message_id_key UNIQUE (message_id),
    CONSTRAINT outbox_message_partition_no_check CHECK (partition_no >= 0),
    -- The relay reads each partition's head window in insertion order.
    INDEX outbox_message_claim_idx (partition_no, id),
    -- Keys whose head failed and is backing off.
    INDEX outbox_message_retrying_key_idx (partition_no, message_key, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE outbox_dead_letter (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    outbox_id     BIGINT       NOT NULL,
    message_id    BINARY(16)   NOT NULL,
    topic         VARCHAR(255) NOT NULL,
    message_key   VARCHAR(255),
    partition_no  INT          NOT NULL,
    payload       LONGBLOB     NOT NULL,
    headers       LONGTEXT     NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    failed_at     DATETIME(6)  NOT NULL,
    attempts      INT          NOT NULL,
    last_error    TEXT,
    PRIMARY KEY (id),
    CONSTRAINT outbox_dead_letter_message_id_key UNIQUE (message_id),
    INDEX outbox_dead_letter_failed_at_idx (failed_at, id),
    INDEX outbox_dead_letter_topic_idx (topic, failed_at),
    -- "Park the key": the relay holds back later messages of a key that has a dead letter.
    INDEX outbox_dead_letter_key_idx (partition_no, message_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE delayed_message (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    message_id    BINARY(16)   NOT NULL,
    topic         VARCHAR(255) NOT NULL,
    message_key   VARCHAR(255),
    partition_no  INT          NOT NULL,
    payload       LONGBLOB     NOT NULL,
    headers       LONGTEXT     NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    deliver_at    DATETIME(6)  NOT NULL,
    cancel_key    VARCHAR(255),
    PRIMARY KEY (id),
    CONSTRAINT delayed_message_message_id_key UNIQUE (message_id),
    -- Several NULL cancel keys are allowed, as on PostgreSQL.
    CONSTRAINT delayed_message_cancel_key UNIQUE (topic, cancel_key),
    -- The sweep takes due rows oldest first.
    INDEX delayed_message_due_idx (deliver_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE dedup_key (
    consumer      VARCHAR(255) NOT NULL,
    message_id    BINARY(16)   NOT NULL,
    processed_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (consumer, message_id),
    -- Retention purge walks keys oldest first in bounded batches.
    INDEX dedup_key_processed_at_idx (processed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE relay_lease (
    partition_no  INT          NOT NULL,
    owner         VARCHAR(255),
    expires_at    DATETIME(6),
    fencing_token BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (partition_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Live relay instances, so each can compute its fair share of partitions.
CREATE TABLE relay_instance (
    instance_id   VARCHAR(255) NOT NULL,
    heartbeat_at  DATETIME(6)  NOT NULL,
    expires_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
