package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.DeadLetters;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** {@link DeadLetters} over {@code outbox_dead_letter}: the one place with its DML. Thread-safe. */
public final class DeadLetterRepository implements DeadLetters {

  private final String replaySql;
  private final DSLContext dsl;
  private final OutpostSchema schema;
  private final DeadLetterTable table;
  private final Clock clock;
  private final MysqlDeadLetterSql mysql;

  /**
   * Dead letters of {@code schema}. On MySQL/MariaDB only {@link #replay(Collection)} and {@link
   * #purge(Collection)} (by message id) are available so far; the other methods throw {@link
   * UnsupportedOperationException}.
   */
  public DeadLetterRepository(DataSource dataSource, OutpostSchema schema, Clock clock) {
    this.dsl =
        DSL.using(dataSource, schema.jooqDialect(), new Settings().withExecuteLogging(false));
    this.schema = schema;
    this.table = new DeadLetterTable(schema.name());
    this.clock = clock;
    if (schema.dialect() == Dialect.MYSQL) {
      this.replaySql = null;
      this.mysql = new MysqlDeadLetterSql(dataSource, schema);
    } else {
      this.replaySql = OutboxMessageSql.of(schema).replayDeadLetters();
      this.mysql = null;
    }
  }

  @Override
  public List<DeadLetter> list(DeadLetterFilter filter, long afterId, int limit) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "limit is " + limit + "; allowed 1.." + MAX_PAGE_SIZE + " (page with afterId)");
    }
    Condition where = condition(filter).and(table.id.gt(afterId));
    return run(
        "list dead letters",
        () -> {
          List<DeadLetter> page = new ArrayList<>();
          for (Record r :
              dsl.select(
                      table.id,
                      table.outboxId,
                      table.messageId,
                      table.topic,
                      table.messageKey,
                      table.partitionNo,
                      table.payload,
                      table.headers,
                      table.createdAt,
                      table.failedAt,
                      table.attempts,
                      table.lastError)
                  .from(table.table)
                  .where(where)
                  .orderBy(table.id)
                  .limit(limit)
                  .fetch()) {
            page.add(toDeadLetter(r));
          }
          return page;
        });
  }

  @Override
  public long count(DeadLetterFilter filter) {
    Condition where = condition(filter);
    return run("count dead letters", () -> (long) dsl.fetchCount(table.table, where));
  }

  @Override
  public int replay(DeadLetterFilter filter) {
    return replay(condition(filter));
  }

  @Override
  public int replay(Collection<UUID> messageIds) {
    if (mysql != null) {
      List<UUID> ids = List.copyOf(checkIds(messageIds));
      return runJdbc("replay dead letters", () -> mysql.replay(ids, clock.instant()));
    }
    return replay(byIds(messageIds));
  }

  @Override
  public int purge(DeadLetterFilter filter) {
    Condition where = condition(filter);
    return run("purge dead letters", () -> dsl.deleteFrom(table.table).where(where).execute());
  }

  @Override
  public int purge(Collection<UUID> messageIds) {
    if (mysql != null) {
      List<UUID> ids = List.copyOf(checkIds(messageIds));
      return runJdbc("purge dead letters", () -> mysql.purge(ids));
    }
    Condition where = byIds(messageIds);
    return run("purge dead letters", () -> dsl.deleteFrom(table.table).where(where).execute());
  }

  private int replay(Condition where) {
    return run(
        "replay dead letters",
        () ->
            dsl.query(replaySql, where, DSL.val(clock.instant().atOffset(ZoneOffset.UTC)))
                .execute());
  }

  private Condition condition(DeadLetterFilter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter must not be null; use DeadLetterFilter.all()");
    }
    Condition where = DSL.trueCondition();
    if (filter.topic() != null) {
      where = where.and(table.topic.eq(filter.topic()));
    }
    if (filter.key() != null) {
      where = where.and(table.messageKey.eq(filter.key()));
    }
    if (filter.failedFrom() != null) {
      where = where.and(table.failedAt.ge(filter.failedFrom().atOffset(ZoneOffset.UTC)));
    }
    if (filter.failedBefore() != null) {
      where = where.and(table.failedAt.lt(filter.failedBefore().atOffset(ZoneOffset.UTC)));
    }
    return where;
  }

  private Condition byIds(Collection<UUID> messageIds) {
    return table.messageId.in(checkIds(messageIds));
  }

  private static Collection<UUID> checkIds(Collection<UUID> messageIds) {
    if (messageIds == null) {
      throw new IllegalArgumentException("messageIds must not be null");
    }
    return messageIds;
  }

  private DeadLetter toDeadLetter(Record r) {
    return new DeadLetter(
        r.get(table.id),
        r.get(table.outboxId),
        r.get(table.messageId),
        r.get(table.topic),
        r.get(table.messageKey),
        r.get(table.partitionNo),
        r.get(table.payload),
        HeadersJson.read(r.get(table.headers) == null ? null : r.get(table.headers).data()),
        r.get(table.createdAt).toInstant(),
        r.get(table.failedAt).toInstant(),
        r.get(table.attempts),
        r.get(table.lastError));
  }

  /** A JDBC step of the MySQL/MariaDB statements. */
  @FunctionalInterface
  private interface JdbcStep {
    int run() throws SQLException;
  }

  private int runJdbc(String what, JdbcStep step) {
    try {
      return step.run();
    } catch (SQLException e) {
      throw new OutpostException(
          "could not "
              + what
              + " in "
              + schema.table(dev.outpost.common.OutpostTableNames.OUTBOX_DEAD_LETTER)
              + ": "
              + e.getMessage()
              + (schema.dialect().isMissingTable(e)
                  ? ". The table does not exist: run OutpostMigrations for schema '"
                      + schema.name()
                      + "' first."
                  : ""),
          e);
    }
  }

  private <T> T run(String what, Supplier<T> action) {
    if (mysql != null) {
      throw new UnsupportedOperationException(
          "cannot "
              + what
              + " on MySQL/MariaDB yet: only replay and purge by message id are available there");
    }
    try {
      return action.get();
    } catch (DataAccessException e) {
      boolean missing =
          e.getCause() instanceof SQLException s && schema.dialect().isMissingTable(s);
      throw new OutpostException(
          "could not "
              + what
              + " in "
              + table.table.getQualifiedName()
              + ": "
              + e.getMessage()
              + (missing
                  ? ". The table does not exist: run OutpostMigrations for schema '"
                      + schema.name()
                      + "' first."
                  : ""),
          e);
    }
  }
}
