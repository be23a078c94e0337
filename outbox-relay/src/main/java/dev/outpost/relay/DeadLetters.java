package dev.outpost.relay;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.internal.DetectingDeadLetters;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The dead-letter table of one schema: messages that failed {@link RelayConfig#maxAttempts()} times
 * or that the publisher rejected. List and count them, replay them (move them back into the outbox
 * with their message id and original position, so a parked key resumes in order) or purge them.
 * Each call runs in its own transaction on a connection of the data source. Thread-safe.
 *
 * <p>Obtain one from {@link Relay#deadLetters()} or, without a relay, from {@link
 * #create(DataSource, String)}. Every method throws {@link OutpostException} when the database
 * fails (with a hint when the tables are missing).
 */
public interface DeadLetters {

  /** Most dead letters one {@link #list} call returns. */
  int MAX_PAGE_SIZE = 10_000;

  /**
   * Dead letters of {@code schema} in {@code dataSource}.
   *
   * @throws IllegalArgumentException if the schema name is not a plain identifier
   */
  static DeadLetters create(DataSource dataSource, String schema) {
    return create(dataSource, schema, Clock.systemUTC());
  }

  /**
   * Like {@link #create(DataSource, String)}, with the clock that stamps replayed rows. The
   * database's dialect is detected on first use, on one short-lived connection. On MySQL/MariaDB
   * only {@link #replay(Collection)} and {@link #purge(Collection)} are available so far; the other
   * methods throw {@link UnsupportedOperationException}.
   *
   * @throws IllegalArgumentException if the schema name is not a plain identifier
   */
  static DeadLetters create(DataSource dataSource, String schema, Clock clock) {
    if (dataSource == null || clock == null) {
      throw new IllegalArgumentException("dataSource and clock must not be null");
    }
    return new DetectingDeadLetters(dataSource, schema, clock);
  }

  /**
   * One page of the dead letters matching {@code filter}, oldest first (by dead-letter id).
   *
   * @param afterId return only dead letters with an id greater than this (0 for the first page; the
   *     last returned {@link DeadLetter#id()} for the next)
   * @param limit page size, 1..{@value #MAX_PAGE_SIZE}
   * @throws IllegalArgumentException if {@code limit} is out of range or the filter is null
   */
  List<DeadLetter> list(DeadLetterFilter filter, long afterId, int limit);

  /** How many dead letters match {@code filter}. */
  long count(DeadLetterFilter filter);

  /**
   * Moves the dead letters matching {@code filter} back into the outbox (attempts reset, due at
   * once, same message id, same outbox id so they keep their place in their key's order).
   *
   * @return how many were moved back
   */
  int replay(DeadLetterFilter filter);

  /** Like {@link #replay(DeadLetterFilter)}, for the dead letters with these message ids. */
  int replay(Collection<UUID> messageIds);

  /**
   * Deletes the dead letters matching {@code filter} for good (a parked key then resumes with its
   * next message).
   *
   * @return how many were deleted
   */
  int purge(DeadLetterFilter filter);

  /** Like {@link #purge(DeadLetterFilter)}, for the dead letters with these message ids. */
  int purge(Collection<UUID> messageIds);
}
