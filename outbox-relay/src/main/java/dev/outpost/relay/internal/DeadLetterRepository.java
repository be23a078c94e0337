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

/**
 * {@link DeadLetters} over {@code outbox_dead_letter}: the one place with its DML (the replay,
 * which also writes {@code outbox_message}, is that table owner's statement for the dialect).
 * Filters are built with jOOQ for the dialect. Thread-safe.
 */
public final class DeadLetterRepository implements DeadLetters {

  private final DataSource dataSource;
  private final String schemaName;
  private final Dialect dialect;
  private final Clock clock;
  private volatile Bound bound;

  /** The statements once the dialect is known. */
  private record Bound(
      DSLContext dsl, OutpostSchema schema, DeadLetterTable table, OutboxMessageSql outbox) {}

  /** Dead letters of {@code schema}. */
  public DeadLetterRepository(DataSource dataSource, OutpostSchema schema, Clock clock) {
    this(dataSource, schema.name(), schema.dialect(), clock);
  }

  /**
   * Dead letters of {@code schema}; with a null {@code dialect}, it is detected from the data
   * source on the first call (creating this opens no connection).
   */
  public DeadLetterRepository(DataSource dataSource, String schema, Dialect dialect, Clock clock) {
    this.dataSource = dataSource;
    this.schemaName = schema;
    this.dialect = dialect;
    this.clock = clock;
  }

  private Bound bound() {
    Bound b = bound;
    if (b == null) {
      OutpostSchema schema =
          OutpostSchema.of(dialect != null ? dialect : Dialect.detect(dataSource), schemaName);
      b =
          new Bound(
              DSL.using(dataSource, schema.jooqDialect(), new Settings().withExecuteLogging(false)),
              schema,
              new DeadLetterTable(schema.dialect(), schema.name()),
              OutboxMessageSql.of(schema));
      bound = b;
    }
    return b;
  }

  @Override
  public List<DeadLetter> list(DeadLetterFilter filter, long afterId, int limit) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "limit is " + limit + "; allowed 1.." + MAX_PAGE_SIZE + " (page with afterId)");
    }
    Bound b = bound();
    Condition where = condition(b, filter).and(b.table().id.gt(afterId));
    return run(
        b,
        "list dead letters",
        () -> {
          List<DeadLetter> page = new ArrayList<>();
          for (Record r :
              b.dsl()
                  .select(
                      b.table().id,
                      b.table().outboxId,
                      b.table().messageId,
                      b.table().topic,
                      b.table().messageKey,
                      b.table().partitionNo,
                      b.table().payload,
                      b.table().headers,
                      b.table().createdAt,
                      b.table().failedAt,
                      b.table().attempts,
                      b.table().lastError)
                  .from(b.table().table)
                  .where(where)
                  .orderBy(b.table().id)
                  .limit(limit)
                  .fetch()) {
            page.add(toDeadLetter(b, r));
          }
          return page;
        });
  }

  @Override
  public long count(DeadLetterFilter filter) {
    Bound b = bound();
    Condition where = condition(b, filter);
    return run(b, "count dead letters", () -> (long) b.dsl().fetchCount(b.table().table, where));
  }

  @Override
  public int replay(DeadLetterFilter filter) {
    Bound b = bound();
    return replay(b, condition(b, filter));
  }

  @Override
  public int replay(Collection<UUID> messageIds) {
    Bound b = bound();
    return replay(b, byIds(b, messageIds));
  }

  @Override
  public int purge(DeadLetterFilter filter) {
    Bound b = bound();
    Condition where = condition(b, filter);
    return run(
        b, "purge dead letters", () -> b.dsl().deleteFrom(b.table().table).where(where).execute());
  }

  @Override
  public int purge(Collection<UUID> messageIds) {
    Bound b = bound();
    Condition where = byIds(b, messageIds);
    return run(
        b, "purge dead letters", () -> b.dsl().deleteFrom(b.table().table).where(where).execute());
  }

  private int replay(Bound b, Condition where) {
    return run(
        b,
        "replay dead letters",
        () -> b.outbox().replayDeadLetters(b.dsl(), where, clock.instant()));
  }

  private static Condition condition(Bound b, DeadLetterFilter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter must not be null; use DeadLetterFilter.all()");
    }
    Condition where = DSL.trueCondition();
    if (filter.topic() != null) {
      where = where.and(b.table().topic.eq(filter.topic()));
    }
    if (filter.key() != null) {
      where = where.and(b.table().messageKey.eq(filter.key()));
    }
    if (filter.failedFrom() != null) {
      where = where.and(b.table().failedAt.ge(filter.failedFrom().atOffset(ZoneOffset.UTC)));
    }
    if (filter.failedBefore() != null) {
      where = where.and(b.table().failedAt.lt(filter.failedBefore().atOffset(ZoneOffset.UTC)));
    }
    return where;
  }

  private static Condition byIds(Bound b, Collection<UUID> messageIds) {
    if (messageIds == null) {
      throw new IllegalArgumentException("messageIds must not be null");
    }
    return b.table().messageId.in(messageIds);
  }

  private static DeadLetter toDeadLetter(Bound b, Record r) {
    return new DeadLetter(
        r.get(b.table().id),
        r.get(b.table().outboxId),
        r.get(b.table().messageId),
        r.get(b.table().topic),
        r.get(b.table().messageKey),
        r.get(b.table().partitionNo),
        r.get(b.table().payload),
        HeadersJson.read(r.get(b.table().headers) == null ? null : r.get(b.table().headers).data()),
        r.get(b.table().createdAt).toInstant(),
        r.get(b.table().failedAt).toInstant(),
        r.get(b.table().attempts),
        r.get(b.table().lastError));
  }

  private static <T> T run(Bound b, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (DataAccessException e) {
      boolean missing =
          e.getCause() instanceof SQLException s && b.schema().dialect().isMissingTable(s);
      throw new OutpostException(
          "could not "
              + what
              + " in "
              + b.table().table.getQualifiedName()
              + ": "
              + e.getMessage()
              + (missing
                  ? ". The table does not exist: run OutpostMigrations for schema '"
                      + b.schema().name()
                      + "' first."
                  : ""),
          e);
    }
  }
}
