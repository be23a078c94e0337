package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupPurgerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * A dedup purger's configuration with its collaborators; {@code batchListener} is told of each
 * committed batch, {@code failureListener} of each failed run (metrics).
 */
public record PurgerSettings(
    DataSource dataSource,
    DedupPurgerConfig config,
    Clock clock,
    IntConsumer batchListener,
    Runnable failureListener) {

  /** {@link DedupPurgerConfig#schema()}. */
  public String schema() {
    return config.schema();
  }

  /** {@link DedupPurgerConfig#retention()}. */
  public Duration retention() {
    return config.retention();
  }

  /** {@link DedupPurgerConfig#batchSize()}. */
  public int batchSize() {
    return config.batchSize();
  }

  /** {@link DedupPurgerConfig#interval()}. */
  public Duration interval() {
    return config.interval();
  }

  /** {@link DedupPurgerConfig#closeTimeout()}. */
  public Duration closeTimeout() {
    return config.closeTimeout();
  }
}
