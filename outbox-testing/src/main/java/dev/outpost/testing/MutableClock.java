package dev.outpost.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A {@link Clock} that tests move by hand. Thread-safe. */
public final class MutableClock extends Clock {

  private volatile Instant now;

  /** A clock standing at {@code start}. */
  public MutableClock(Instant start) {
    this.now = start;
  }

  /**
   * A clock standing at the current system time (truncated to microseconds, as Postgres stores).
   */
  public static MutableClock atSystemTime() {
    return new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
  }

  /** Moves the clock forward (or back, with a negative amount). */
  public void advance(Duration amount) {
    synchronized (this) {
      now = now.plus(amount);
    }
  }

  /** Sets the clock to {@code instant}. */
  public void set(Instant instant) {
    now = instant;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
