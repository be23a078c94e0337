package dev.outpost.relay;

import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.internal.BacklogReader;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads what waits in the outbox of one schema, per partition, for health endpoints and dashboards
 * ({@link Relay#health()} gives the totals). Each call is one query on a connection of the data
 * source. Thread-safe.
 */
public interface OutboxBacklog {

  /**
   * The backlog of {@code schema} in {@code dataSource}. The database (PostgreSQL, MySQL or
   * MariaDB) is detected on the first call; creating this opens no connection.
   *
   * @throws IllegalArgumentException if the data source is null or the schema name is not a plain
   *     identifier
   */
  static OutboxBacklog create(DataSource dataSource, String schema) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    OutpostSchema.named(schema); // checks the name
    return new BacklogReader(dataSource, schema, null);
  }

  /**
   * The waiting messages of every partition that has any, in partition order.
   *
   * @throws OutpostException if the database fails
   */
  List<PartitionBacklog> byPartition();
}
