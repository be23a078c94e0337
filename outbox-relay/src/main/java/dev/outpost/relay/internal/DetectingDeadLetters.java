package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.DeadLetters;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@link DeadLetters} that detects the database's dialect on first use (not at construction, so an
 * application that creates it while the database is still down starts). Thread-safe.
 */
public final class DetectingDeadLetters implements DeadLetters {

  private final DataSource dataSource;
  private final String schema;
  private final Clock clock;
  private volatile DeadLetterRepository repository;

  /** Dead letters of {@code schema} (a checked identifier) in {@code dataSource}. */
  public DetectingDeadLetters(DataSource dataSource, String schema, Clock clock) {
    OutpostSchema.named(schema); // checks the name now
    this.dataSource = dataSource;
    this.schema = schema;
    this.clock = clock;
  }

  private DeadLetterRepository repository() {
    DeadLetterRepository r = repository;
    if (r == null) {
      synchronized (this) {
        r = repository;
        if (r == null) {
          r =
              new DeadLetterRepository(
                  dataSource, OutpostSchema.of(Dialect.detect(dataSource), schema), clock);
          repository = r;
        }
      }
    }
    return r;
  }

  @Override
  public List<DeadLetter> list(DeadLetterFilter filter, long afterId, int limit) {
    return repository().list(filter, afterId, limit);
  }

  @Override
  public long count(DeadLetterFilter filter) {
    return repository().count(filter);
  }

  @Override
  public int replay(DeadLetterFilter filter) {
    return repository().replay(filter);
  }

  @Override
  public int replay(Collection<UUID> messageIds) {
    return repository().replay(messageIds);
  }

  @Override
  public int purge(DeadLetterFilter filter) {
    return repository().purge(filter);
  }

  @Override
  public int purge(Collection<UUID> messageIds) {
    return repository().purge(messageIds);
  }
}
