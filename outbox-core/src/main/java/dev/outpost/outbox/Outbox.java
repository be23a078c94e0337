package dev.outpost.outbox;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.internal.DefaultOutbox;
import dev.outpost.outbox.internal.MicrometerWriterMeters;
import dev.outpost.outbox.internal.WriterMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.Configuration;
import org.jooq.DSLContext;

/**
 * Writes outgoing messages into the outbox table inside the <b>caller's</b> transaction: the
 * message exists exactly when the caller's business change commits. The writer never opens, commits
 * or rolls back a transaction itself.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder().schema("public").build();
 * dsl.transaction(tx -> {
 *   tx.dsl().insertInto(ORDERS)...execute();
 *   outbox.send(tx, OutboxMessage.to("orders").key(orderId).payloadJson(created).build());
 * });
 * }</pre>
 *
 * <p>After commit, PostgreSQL delivers one {@code NOTIFY outpost_outbox} per transaction that wrote
 * messages (none for a rolled-back one), which wakes listening relays at once.
 *
 * <p>Statements run on the JDBC connection of the given transaction as plain prepared statements
 * (rendered by jOOQ once, when the writer is built), so jOOQ {@code ExecuteListener}s of the
 * caller's {@code DSLContext} do not see them.
 *
 * <p>Implementations are immutable and thread-safe; share one per application.
 */
public interface Outbox {

  /** Starts a configuration with the defaults of {@link OutboxConfig}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Writes {@code message} in the transaction of {@code tx}.
   *
   * @return the message id
   * @throws IllegalArgumentException if the message is null or breaks a configured limit
   * @throws IllegalStateException if {@code tx} is in auto-commit mode (no transaction) and {@link
   *     OutboxConfig#requireTransaction()} is set
   * @throws OutpostException if the database rejects the insert
   */
  UUID send(DSLContext tx, OutboxMessage message);

  /** Like {@link #send(DSLContext, OutboxMessage)}, in the transaction of a jOOQ configuration. */
  UUID send(Configuration tx, OutboxMessage message);

  /**
   * Writes {@code message} on the caller's JDBC connection, in its current transaction.
   *
   * @see #send(DSLContext, OutboxMessage)
   */
  UUID send(Connection tx, OutboxMessage message);

  /**
   * Writes all {@code messages} in list order with one multi-row insert (one round trip; lists
   * longer than 4000 messages take one statement per 4000). All messages are validated before
   * anything is written; an empty list writes nothing.
   *
   * @return the message ids, in list order
   * @throws IllegalArgumentException if the list or one of its messages is null, or a message
   *     breaks a configured limit
   * @throws IllegalStateException if {@code tx} is in auto-commit mode and {@link
   *     OutboxConfig#requireTransaction()} is set
   * @throws OutpostException if the database rejects the insert
   */
  List<UUID> sendAll(DSLContext tx, List<OutboxMessage> messages);

  /** Like {@link #sendAll(DSLContext, List)}, in the transaction of a jOOQ configuration. */
  default List<UUID> sendAll(Configuration tx, List<OutboxMessage> messages) {
    if (tx == null) {
      throw new IllegalArgumentException(
          "the transaction (DSLContext, Configuration or Connection) must not be null");
    }
    return sendAll(tx.dsl(), messages);
  }

  /** Like {@link #sendAll(DSLContext, List)}, on the caller's JDBC connection. */
  List<UUID> sendAll(Connection tx, List<OutboxMessage> messages);

  /** The configuration. */
  OutboxConfig config();

  /** The partitioner the writer uses (same key, same partition). */
  Partitioner partitioner();

  /** Builds an {@link Outbox}. Not thread-safe. */
  final class Builder {
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private int partitions = OutboxConfig.DEFAULT_PARTITIONS;
    private int maxPayloadBytes = OutboxConfig.DEFAULT_MAX_PAYLOAD_BYTES;
    private int maxKeyLength = OutboxConfig.DEFAULT_MAX_KEY_LENGTH;
    private int maxHeaders = OutboxConfig.DEFAULT_MAX_HEADERS;
    private int maxHeaderNameLength = OutboxConfig.DEFAULT_MAX_HEADER_NAME_LENGTH;
    private int maxHeaderValueLength = OutboxConfig.DEFAULT_MAX_HEADER_VALUE_LENGTH;
    private boolean requireTransaction = true;
    private boolean captureTraceContext = true;
    private Clock clock = Clock.systemUTC();
    private Dialect dialect;
    private DataSource dataSource;
    private MeterRegistry meterRegistry;

    Builder() {}

    /**
     * The database's dialect. By default it is detected: from {@link #dataSource(DataSource)} at
     * {@link #build()} when one is given, else from the first transaction's connection.
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * The application's data source, used only to detect the dialect at {@link #build()} (so an
     * unsupported database or version fails there, naming the version found and needed). Optional:
     * the writer always writes on the caller's transaction.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Micrometer registry for the writer's counters: {@code outpost.outbox.written} (messages
     * inserted in callers' transactions, committed or not) and {@code
     * outpost.outbox.write.failures}. Optional; Micrometer is an optional dependency. Defaults to
     * none.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /** Schema of Outpost's tables. Defaults to {@code public}. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /**
     * Logical partitions (1..1024); must equal the relay's and the delay scheduler's. Defaults to
     * 16.
     */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /** Largest payload in bytes (1..64 MiB). Defaults to 1 MiB. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /** Longest key in characters (1..65536). Defaults to 1024. */
    public Builder maxKeyLength(int maxKeyLength) {
      this.maxKeyLength = maxKeyLength;
      return this;
    }

    /** Most headers per message (0..10000). Defaults to 64. */
    public Builder maxHeaders(int maxHeaders) {
      this.maxHeaders = maxHeaders;
      return this;
    }

    /** Longest header name (1..65536). Defaults to 256. */
    public Builder maxHeaderNameLength(int maxHeaderNameLength) {
      this.maxHeaderNameLength = maxHeaderNameLength;
      return this;
    }

    /** Longest header value (1..1 Mi). Defaults to 8192. */
    public Builder maxHeaderValueLength(int maxHeaderValueLength) {
      this.maxHeaderValueLength = maxHeaderValueLength;
      return this;
    }

    /**
     * Whether a send on an auto-commit connection is refused (it would commit the message apart
     * from the business change, breaking the guarantee). Defaults to {@code true}.
     */
    public Builder requireTransaction(boolean requireTransaction) {
      this.requireTransaction = requireTransaction;
      return this;
    }

    /**
     * Whether the calling thread's W3C trace context (OpenTelemetry API on the classpath) is stored
     * as {@code traceparent}/{@code tracestate} headers. Defaults to {@code true}.
     */
    public Builder captureTraceContext(boolean captureTraceContext) {
      this.captureTraceContext = captureTraceContext;
      return this;
    }

    /** Clock stamping {@code created_at}. Defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The configuration these settings make, validated. */
    public OutboxConfig config() {
      return new OutboxConfig(
          schema,
          partitions,
          maxPayloadBytes,
          maxKeyLength,
          maxHeaders,
          maxHeaderNameLength,
          maxHeaderValueLength,
          requireTransaction,
          captureTraceContext,
          clock);
    }

    /**
     * The writer.
     *
     * @throws IllegalArgumentException naming the field when a value is out of range
     * @throws dev.outpost.common.UnsupportedDatabaseException if the data source given for
     *     detection is an unsupported database or version
     */
    public Outbox build() {
      OutboxConfig config = config();
      Dialect chosen =
          dialect != null ? dialect : dataSource != null ? Dialect.detect(dataSource) : null;
      return new DefaultOutbox(
          config,
          chosen,
          meterRegistry == null ? WriterMeters.NONE : new MicrometerWriterMeters(meterRegistry));
    }
  }
}
