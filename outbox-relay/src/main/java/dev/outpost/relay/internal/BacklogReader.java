package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.OutboxBacklog;
import dev.outpost.relay.PartitionBacklog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** Reads the outbox backlog per partition through {@link RelayOutboxRepository}. */
public final class BacklogReader implements OutboxBacklog {

  private final DataSource dataSource;
  private final String schemaName;
  private final Dialect dialect;
  private volatile RelayOutboxRepository outbox;

  /** A reader of the outbox of {@code schema}. */
  public BacklogReader(DataSource dataSource, OutpostSchema schema) {
    this(dataSource, schema.name(), schema.dialect());
  }

  /**
   * A reader of the outbox of {@code schema}; with a null {@code dialect}, it is detected from the
   * data source on the first call (creating this opens no connection).
   */
  public BacklogReader(DataSource dataSource, String schema, Dialect dialect) {
    this.dataSource = dataSource;
    this.schemaName = schema;
    this.dialect = dialect;
  }

  private RelayOutboxRepository outbox() {
    RelayOutboxRepository known = outbox;
    if (known == null) {
      Dialect d = dialect != null ? dialect : Dialect.detect(dataSource);
      known = new RelayOutboxRepository(OutpostSchema.of(d, schemaName), false);
      outbox = known;
    }
    return known;
  }

  @Override
  public List<PartitionBacklog> byPartition() {
    RelayOutboxRepository outbox = outbox();
    try (Connection c = dataSource.getConnection()) {
      return outbox.backlogByPartition(c);
    } catch (SQLException e) {
      throw new OutpostException(
          "could not read the outbox backlog of schema '"
              + schemaName
              + "'"
              + (outbox.dialect().isMissingTable(e)
                  ? ": the tables are missing; run OutpostMigrations first"
                  : ""),
          e);
    }
  }
}
