package dev.outpost.migrations;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.Check;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades Outpost's tables (outbox, dead letters, delayed messages, dedup keys, relay
 * leases and Quartz's {@code qrtz_*} tables) with Flyway.
 *
 * <p>Outpost keeps its own Flyway history table ({@value #DEFAULT_HISTORY_TABLE} by default), so it
 * never collides with the application's own Flyway history, even in the same schema. Users who
 * prefer a single Flyway run can instead add {@value #LOCATION} to their own Flyway locations.
 *
 * <pre>{@code
 * OutpostMigrations.builder().dataSource(dataSource).schema("outpost").build().migrate();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; {@link #migrate()} may be called from several nodes
 * at once (Flyway serialises concurrent migrations with a database lock).
 */
public final class OutpostMigrations {

  /** The Flyway location of Outpost's PostgreSQL migrations (SQL only). */
  public static final String LOCATION = "classpath:dev/outpost/migrations/postgresql";

  /**
   * The Flyway location of Outpost's MySQL/MariaDB migrations (SQL only). A sibling of {@link
   * #LOCATION}, not below it, so neither tree is ever scanned with the other.
   */
  public static final String MYSQL_LOCATION = "classpath:dev/outpost/migrations/mysql";

  /** The schema used when none is configured. */
  public static final String DEFAULT_SCHEMA = OutpostTableNames.DEFAULT_SCHEMA;

  /** Outpost's own Flyway history table. */
  public static final String DEFAULT_HISTORY_TABLE = "outpost_schema_history";

  private static final Logger log = LoggerFactory.getLogger(OutpostMigrations.class);

  private final DataSource dataSource;
  private final String schema;
  private final String historyTable;
  private final boolean createSchema;
  private final Dialect dialectOverride;

  private OutpostMigrations(Builder builder) {
    this.dialectOverride = builder.dialect;
    this.dataSource = builder.dataSource;
    this.schema = builder.schema;
    this.historyTable = builder.historyTable;
    this.createSchema = builder.createSchema;
  }

  /** Starts a configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Migrates {@code dataSource} into the {@value #DEFAULT_SCHEMA} schema.
   *
   * @return the schema version after the run
   * @throws MigrationException if the database cannot be reached or migrated
   */
  public static String migrate(DataSource dataSource) {
    return builder().dataSource(dataSource).build().migrate();
  }

  /** The schema Outpost's tables live in. */
  public String schema() {
    return schema;
  }

  /**
   * Applies every pending migration; a no-op on an up-to-date schema.
   *
   * @return the schema version after the run, e.g. {@code "2"}
   * @throws MigrationException naming the schema and the cause when the database cannot be reached,
   *     the user lacks rights, or a migration fails
   */
  public String migrate() {
    Dialect dialect = checkConnection();
    try {
      Flyway flyway = flyway(dialect);
      if (dialect == Dialect.POSTGRESQL) {
        realignLegacyQuartzMigration(flyway);
      }
      MigrateResult result = flyway.migrate();
      log.info(
          "Outpost schema '{}' at version {} ({} migration(s) applied)",
          schema,
          result.targetSchemaVersion,
          result.migrationsExecuted);
      return result.targetSchemaVersion == null
          ? flyway.info().current().getVersion().getVersion()
          : result.targetSchemaVersion;
    } catch (FlywayException e) {
      throw new MigrationException(
          "could not migrate Outpost schema '"
              + schema
              + "': "
              + describe(e)
              + ". Check that the user may create tables in schema '"
              + schema
              + "'"
              + (createSchema ? " (and create the schema itself)" : "")
              + ".",
          e);
    }
  }

  /**
   * The Flyway instance Outpost uses, for callers that want {@code info()} or {@code validate()}.
   */
  public Flyway flyway() {
    return flyway(dialect());
  }

  /**
   * The dialect the migrations are for: the builder's, else detected from the data source.
   *
   * @throws dev.outpost.common.UnsupportedDatabaseException naming the version found and needed
   */
  public Dialect dialect() {
    return dialectOverride != null ? dialectOverride : Dialect.detect(dataSource);
  }

  /** The Flyway location of the migrations for {@code dialect}. */
  public static String location(Dialect dialect) {
    return switch (dialect) {
      case POSTGRESQL -> LOCATION;
      case MYSQL -> MYSQL_LOCATION;
    };
  }

  private Flyway flyway(Dialect dialect) {
    var configuration =
        Flyway.configure(OutpostMigrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations(location(dialect));
    // On MySQL the schema is a database; the default schema means the connection's own database.
    if (dialect == Dialect.POSTGRESQL || !DEFAULT_SCHEMA.equals(schema)) {
      configuration = configuration.schemas(schema).defaultSchema(schema);
    }
    return configuration
        .createSchemas(createSchema)
        .table(historyTable)
        // A schema that already holds the application's tables (and maybe its own Flyway
        // history) has no Outpost history yet: start Outpost's at version 0 so V1.. still run.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .validateMigrationNaming(true)
        .load();
  }

  /**
   * Version 2 (Quartz's tables) was released as a Java migration that read the DDL from the Quartz
   * jar at migration time; it is now the committed {@code V2__quartz_tables.sql} with the same
   * statements. A schema migrated by the Java version has a history row of type JDBC without a
   * checksum, which Flyway's validation would reject against the SQL migration. The row is marked
   * as the SQL script, then Flyway's repair stores the script's checksum (the tables themselves are
   * the same). Runs once, only when such a row exists.
   */
  private void realignLegacyQuartzMigration(Flyway flyway) {
    for (MigrationInfo applied : flyway.info().applied()) {
      if (applied.getVersion() != null
          && "2".equals(applied.getVersion().getVersion())
          && "JDBC".equals(applied.getType().name())) {
        log.info(
            "Outpost schema '{}': realigning the history of the Quartz tables migration (V2, once a"
                + " Java migration, now SQL)",
            schema);
        markAsSql(flyway);
        flyway.repair();
        return;
      }
    }
  }

  private void markAsSql(Flyway flyway) {
    String sql =
        "UPDATE \""
            + schema
            + "\".\""
            + historyTable
            + "\" SET type = 'SQL', script = 'V2__quartz_tables.sql'"
            + " WHERE version = '2' AND type = 'JDBC'";
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    } catch (SQLException e) {
      throw new MigrationException(
          "could not update the Flyway history of Outpost schema '"
              + schema
              + "' for the Quartz tables migration: "
              + e.getMessage(),
          e);
    }
  }

  private Dialect checkConnection() {
    try (Connection connection = dataSource.getConnection()) {
      connection.isValid(5);
      return dialectOverride != null ? dialectOverride : Dialect.detect(connection);
    } catch (SQLException e) {
      throw new MigrationException(
          "could not connect to the database to migrate Outpost schema '"
              + schema
              + "': "
              + describe(e)
              + ". Check the JDBC URL, user and password, and that the database is running.",
          e);
    }
  }

  /** Configuration of {@link OutpostMigrations}. Not thread-safe. */
  public static final class Builder {
    private DataSource dataSource;
    private String schema = DEFAULT_SCHEMA;
    private String historyTable = DEFAULT_HISTORY_TABLE;
    private boolean createSchema = true;
    private Dialect dialect;

    private Builder() {}

    /**
     * The database's dialect. Defaults to the one detected from the data source's metadata (which
     * also refuses unsupported versions).
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** The database to migrate. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * The schema for Outpost's tables: a lower-case identifier (on MySQL/MariaDB, a database).
     * Defaults to {@value OutpostMigrations#DEFAULT_SCHEMA}, which on MySQL/MariaDB means the
     * connection's own database.
     */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /**
     * The name of Outpost's own Flyway history table. Defaults to {@value
     * OutpostMigrations#DEFAULT_HISTORY_TABLE}.
     */
    public Builder historyTable(String historyTable) {
      this.historyTable = historyTable;
      return this;
    }

    /** Whether to create the schema when it does not exist. Defaults to {@code true}. */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the bad field
     */
    public OutpostMigrations build() {
      if (dataSource == null) {
        throw new IllegalArgumentException(
            "dataSource is required: pass the application's DataSource");
      }
      Check.identifier("schema", schema);
      Check.identifier("historyTable", historyTable);
      Objects.requireNonNull(schema);
      return new OutpostMigrations(this);
    }
  }

  /** The message and, when it hides it (HikariCP's timeout does), the root cause. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(e.getMessage());
    return root == e || message.contains(String.valueOf(root.getMessage()))
        ? message
        : message + " (cause: " + root + ")";
  }
}
