package dev.outpost.dedup.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.common.internal.SqlTemplate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** The SQL of the {@code dedup_key} table. Immutable and thread-safe. */
public final class DedupRepository {

  static {
    QuietJooq.apply(); // before the first statement is rendered
  }

  /*
   * Deletes one batch of the oldest keys. ctid = ANY(ARRAY(...)) makes PostgreSQL fetch the batch
   * through the processed_at index and delete by tuple id, without a join plan that might scan the
   * whole table; SKIP LOCKED lets two purgers run side by side without waiting on each other.
   */
  /**
   * MySQL/MariaDB: INSERT IGNORE reports 0 rows for a key that is already there (a no-op ON
   * DUPLICATE KEY UPDATE would report 1 under the drivers' default found-rows mode). The consumer
   * name is checked against the column's length before, so IGNORE never hides a truncation.
   */
  private static final String MYSQL_INSERT =
      "INSERT IGNORE INTO {dedup_key} (consumer, message_id, processed_at) VALUES (?, ?, ?)";

  /**
   * MySQL/MariaDB: one bounded batch of the oldest keys, by the processed_at index. No SKIP LOCKED
   * on DELETE; two purgers serialise on the rows instead.
   */
  private static final String MYSQL_DELETE_BATCH =
      "DELETE FROM {dedup_key} WHERE processed_at < {0} ORDER BY processed_at LIMIT {1}";

  private static final String DELETE_BATCH =
      """
      delete from {dedup_key} where ctid = any(array(
        select ctid from {dedup_key} where processed_at < {0} order by processed_at limit {1}
        for update skip locked))""";

  private final Table<Record> table;
  private final Field<String> consumer;
  private final Field<UUID> messageId;
  private final Field<OffsetDateTime> processedAt;
  private final Settings settings;
  private final SQLDialect dialect;
  private final Dialect outpostDialect;
  private final String insertSql;
  private final String deleteBatchSql;

  /** The table in {@code schema} of a PostgreSQL database. */
  public DedupRepository(String schema) {
    this(Dialect.POSTGRESQL, schema);
  }

  /** The table in {@code schema} of a {@code dialect} database. */
  public DedupRepository(Dialect dialect, String schema) {
    this.outpostDialect = dialect;
    this.dialect =
        switch (dialect) {
          case POSTGRESQL -> SQLDialect.POSTGRES;
          case MYSQL -> SQLDialect.MYSQL;
        };
    SqlTemplate template = new SqlTemplate(dialect, schema);
    this.deleteBatchSql =
        template.render(dialect == Dialect.MYSQL ? MYSQL_DELETE_BATCH : DELETE_BATCH);
    this.table = DSL.table(DSL.name(schema, OutpostTableNames.DEDUP_KEY));
    this.consumer = DSL.field(DSL.name("consumer"), SQLDataType.CLOB);
    this.messageId = DSL.field(DSL.name("message_id"), SQLDataType.UUID);
    this.processedAt = DSL.field(DSL.name("processed_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.settings = new Settings().withRenderSchema(true).withExecuteLogging(false);
    // Rendered once: processOnce is on every consumer's hot path, so it binds a ready string.
    this.insertSql =
        dialect == Dialect.MYSQL
            ? template.render(MYSQL_INSERT)
            : dsl()
                .insertInto(table, consumer, messageId, processedAt)
                .values((String) null, (UUID) null, (OffsetDateTime) null)
                .onConflictDoNothing()
                .getSQL();
  }

  /**
   * Inserts the key on the caller's transaction.
   *
   * @return {@code true} when the key is new, {@code false} when it was already there
   */
  public boolean insert(Connection connection, String consumerName, UUID id, Instant now)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      statement.setString(1, consumerName);
      JdbcValues.setUuid(statement, 2, outpostDialect, id);
      JdbcValues.setTime(statement, 3, outpostDialect, now);
      return statement.executeUpdate() == 1;
    }
  }

  /**
   * Deletes at most {@code limit} keys processed before {@code cutoff}, oldest first, as one
   * statement on {@code connection} (auto-commit: the batch commits on its own).
   *
   * @return the number of keys deleted
   */
  public int deleteOlderThan(Connection connection, Instant cutoff, int limit) {
    Query query =
        DSL.query(
            deleteBatchSql,
            outpostDialect == Dialect.MYSQL
                ? DSL.val(
                    java.time.LocalDateTime.ofInstant(cutoff, ZoneOffset.UTC),
                    SQLDataType.LOCALDATETIME)
                : DSL.val(OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC), processedAt),
            DSL.inline(limit));
    return DSL.using(connection, dialect, settings).execute(query);
  }

  /** The dialect the statements are written for. */
  public Dialect dialect() {
    return outpostDialect;
  }

  /** The insert statement, for diagnostics and tests. */
  public String insertSql() {
    return insertSql;
  }

  private DSLContext dsl() {
    return DSL.using(dialect, settings);
  }
}
