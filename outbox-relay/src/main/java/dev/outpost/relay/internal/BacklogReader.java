package dev.outpost.relay.internal;

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
  private final OutpostSchema schema;
  private final RelayOutboxRepository outbox;

  /** A reader of the outbox of {@code schema}. */
  public BacklogReader(DataSource dataSource, OutpostSchema schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.outbox = new RelayOutboxRepository(schema, false);
  }

  @Override
  public List<PartitionBacklog> byPartition() {
    try (Connection c = dataSource.getConnection()) {
      return outbox.backlogByPartition(c);
    } catch (SQLException e) {
      throw new OutpostException(
          "could not read the outbox backlog of schema '"
              + schema.name()
              + "'"
              + (schema.dialect().isMissingTable(e)
                  ? ": the tables are missing; run OutpostMigrations first"
                  : ""),
          e);
    }
  }
}
