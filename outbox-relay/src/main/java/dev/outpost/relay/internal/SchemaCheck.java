package dev.outpost.relay.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.RelayConfig;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Checks at start that the database fits the configuration: it is the dialect the relay was built
 * for, Outpost's tables exist, the lease table was created for the same partition count (creating
 * its rows on first start), and no outbox message lies in a partition the relay would never serve.
 */
final class SchemaCheck {

  private final RelayConfig config;
  private final DataSource dataSource;
  private final OutpostSchema schema;
  private final RelayOutboxRepository outbox;
  private final LeaseRepository leases;

  SchemaCheck(
      RelayConfig config,
      DataSource dataSource,
      OutpostSchema schema,
      RelayOutboxRepository outbox,
      LeaseRepository leases) {
    this.config = config;
    this.dataSource = dataSource;
    this.schema = schema;
    this.outbox = outbox;
    this.leases = leases;
  }

  /**
   * @throws OutpostException saying what does not fit and what to do
   */
  void verify() {
    int partitions = config.partitions();
    try (Connection c = dataSource.getConnection()) {
      // Refuses an unsupported database or version, or one that is not the configured dialect,
      // before anything is written.
      dev.outpost.common.Dialect found = dev.outpost.common.Dialect.detect(c);
      if (found != schema.dialect()) {
        throw new dev.outpost.common.UnsupportedDatabaseException(
            c.getMetaData().getDatabaseProductName(),
            c.getMetaData().getDatabaseProductVersion(),
            "the relay was built for "
                + schema.dialect().productName()
                + "; remove Relay.builder().dialect(...) to detect the database, or set the"
                + " dialect of this database");
      }
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      LeaseRepository.Layout layout = leases.layout(c);
      if (layout.rows() == 0) {
        leases.insertMissing(c, partitions);
      } else if (layout.rows() != partitions
          || layout.minPartition() != 0
          || layout.maxPartition() != partitions - 1) {
        throw new OutpostException(
            "relay_lease in schema '"
                + schema.name()
                + "' holds "
                + layout.rows()
                + " partitions ("
                + layout.minPartition()
                + ".."
                + layout.maxPartition()
                + ") but this relay is configured with partitions("
                + partitions
                + "). Writers, relays and delay schedulers of one schema must use the same"
                + " partition count: configure partitions("
                + (layout.maxPartition() + 1)
                + "), or, to change the count, stop all relays, let the outbox drain and delete"
                + " the rows of relay_lease.");
      }
      int highest = outbox.highestPartitionAtOrAbove(c, partitions);
      if (highest >= 0) {
        throw new OutpostException(
            "outbox_message in schema '"
                + schema.name()
                + "' has messages in partition "
                + highest
                + " but this relay is configured with partitions("
                + partitions
                + ") and would never publish them. Configure the relay with the writer's partition"
                + " count (OutboxConfig.partitions(), at least "
                + (highest + 1)
                + ").");
      }
    } catch (SQLException e) {
      if (schema.dialect().isMissingTable(e)) {
        throw new OutpostException(
            "Outpost's tables are missing in schema '"
                + schema.name()
                + "' ("
                + e.getMessage()
                + "). Run OutpostMigrations.builder().dataSource(...).schema(\""
                + schema.name()
                + "\").build().migrate() first, or configure the relay with the schema the"
                + " tables are in.",
            e);
      }
      throw new OutpostException(
          "could not check the relay tables in schema '" + schema.name() + "': " + e.getMessage(),
          e);
    }
  }
}
