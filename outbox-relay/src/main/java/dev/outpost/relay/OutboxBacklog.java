package dev.outpost.relay;

import dev.outpost.common.Dialect;
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
   * The backlog of {@code schema} in {@code dataSource}; opens one connection to detect the
   * database (PostgreSQL, MySQL or MariaDB).
   *
   * @throws IllegalArgumentException if the data source is null or the schema name is not a plain
   *     identifier
   * @throws dev.outpost.common.UnsupportedDatabaseException if the database is not one Outpost
   *     supports
   */
  static OutboxBacklog create(DataSource dataSource, String schema) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    OutpostSchema.named(schema); // checks the name before connecting
    return new BacklogReader(dataSource, OutpostSchema.of(Dialect.detect(dataSource), schema));
  }

  /**
   * The waiting messages of every partition that has any, in partition order.
   *
   * @throws OutpostException if the database fails
   */
  List<PartitionBacklog> byPartition();
}
