package dev.outpost.outbox.internal;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.Partitioner;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Configuration;
import org.jooq.DSLContext;

/** The {@link Outbox} writer. Immutable and thread-safe. */
public final class DefaultOutbox implements Outbox {

  private final OutboxConfig config;
  private final MessagePreparer preparer;
  private final WriterMeters meters;
  private volatile OutboxRepository repository;

  /** A writer for {@code config} on PostgreSQL. */
  public DefaultOutbox(OutboxConfig config) {
    this(config, Dialect.POSTGRESQL);
  }

  /**
   * A writer for {@code config} on {@code dialect}; with {@code null}, the dialect is detected from
   * the first transaction's connection (and an unsupported database refused before any write).
   */
  public DefaultOutbox(OutboxConfig config, Dialect dialect) {
    this(config, dialect, WriterMeters.NONE);
  }

  /** As {@link #DefaultOutbox(OutboxConfig, Dialect)}, counting writes in {@code meters}. */
  public DefaultOutbox(OutboxConfig config, Dialect dialect, WriterMeters meters) {
    this.config = config;
    this.meters = meters;
    this.preparer = new MessagePreparer(config);
    this.repository =
        dialect == null ? null : new OutboxRepository(OutpostSchema.of(dialect, config.schema()));
  }

  private OutboxRepository repository(Connection connection) {
    OutboxRepository known = repository;
    if (known != null) {
      return known;
    }
    Dialect detected;
    try {
      detected = Dialect.detect(connection);
    } catch (SQLException e) {
      throw new OutpostException("could not read the database's product name and version", e);
    }
    known = new OutboxRepository(OutpostSchema.of(detected, config.schema()));
    repository = known;
    return known;
  }

  @Override
  public UUID send(DSLContext tx, OutboxMessage message) {
    requireNonNull(tx);
    PreparedMessage prepared = preparer.prepare(message, config.clock().instant());
    tx.connection(connection -> sendPrepared(connection, prepared));
    return prepared.messageId();
  }

  @Override
  public UUID send(Configuration tx, OutboxMessage message) {
    requireNonNull(tx);
    return send(tx.dsl(), message);
  }

  @Override
  public UUID send(Connection tx, OutboxMessage message) {
    requireNonNull(tx);
    PreparedMessage prepared = preparer.prepare(message, config.clock().instant());
    sendPrepared(tx, prepared);
    return prepared.messageId();
  }

  @Override
  public List<UUID> sendAll(DSLContext tx, List<OutboxMessage> messages) {
    requireNonNull(tx);
    List<PreparedMessage> prepared = prepareAll(messages);
    if (prepared.isEmpty()) {
      return List.of();
    }
    tx.connection(
        connection -> {
          requireTransaction(connection);
          insertAll(connection, prepared);
        });
    return ids(prepared);
  }

  @Override
  public List<UUID> sendAll(Connection tx, List<OutboxMessage> messages) {
    requireNonNull(tx);
    List<PreparedMessage> prepared = prepareAll(messages);
    if (prepared.isEmpty()) {
      return List.of();
    }
    requireTransaction(tx);
    insertAll(tx, prepared);
    return ids(prepared);
  }

  @Override
  public OutboxConfig config() {
    return config;
  }

  @Override
  public Partitioner partitioner() {
    return preparer.partitioner();
  }

  private void sendPrepared(Connection connection, PreparedMessage prepared) {
    requireTransaction(connection);
    OutboxRepository target = repository(connection);
    try {
      target.insert(connection, prepared);
    } catch (RuntimeException e) {
      meters.failed();
      throw e;
    }
    meters.written(1);
    WakeUps.written(config.schema(), prepared.partitionNo());
  }

  private void insertAll(Connection connection, List<PreparedMessage> prepared) {
    OutboxRepository target = repository(connection);
    try {
      target.insertAll(connection, prepared);
    } catch (RuntimeException e) {
      meters.failed();
      throw e;
    }
    meters.written(prepared.size());
    int last = -1;
    for (PreparedMessage message : prepared) {
      if (message.partitionNo() != last) { // one signal per run of one partition
        last = message.partitionNo();
        WakeUps.written(config.schema(), last);
      }
    }
  }

  private List<PreparedMessage> prepareAll(List<OutboxMessage> messages) {
    if (messages == null) {
      throw new IllegalArgumentException("messages must not be null");
    }
    Instant now = config.clock().instant();
    List<PreparedMessage> prepared = new ArrayList<>(messages.size());
    for (OutboxMessage message : messages) {
      if (message == null) {
        throw new IllegalArgumentException(
            "messages[" + prepared.size() + "] is null; sendAll needs a list of messages");
      }
      prepared.add(preparer.prepare(message, now));
    }
    return prepared;
  }

  private static void requireNonNull(Object tx) {
    if (tx == null) {
      throw new IllegalArgumentException(
          "the transaction (DSLContext, Configuration or Connection) must not be null");
    }
  }

  private void requireTransaction(Connection connection) {
    if (!config.requireTransaction()) {
      return;
    }
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException(
            "Outbox.send was called on a connection in auto-commit mode: the message would commit"
                + " on its own, apart from the business change. Call it inside the transaction of"
                + " the business change (setAutoCommit(false), or dsl.transaction(...)), or build"
                + " the Outbox with requireTransaction(false) if that is really intended.");
      }
    } catch (SQLException e) {
      throw new OutpostException("could not read the connection's auto-commit mode", e);
    }
  }

  private static List<UUID> ids(List<PreparedMessage> prepared) {
    List<UUID> ids = new ArrayList<>(prepared.size());
    for (PreparedMessage message : prepared) {
      ids.add(message.messageId());
    }
    return ids;
  }
}
