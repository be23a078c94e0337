package dev.outpost.dedup;

import dev.outpost.common.internal.Check;
import java.time.Duration;

/**
 * The configuration of a {@link DedupPurger}, as built by {@link DedupPurger.Builder}; see the
 * builder for defaults. Collaborators (data source, clock, listeners, meter registry) are builder
 * parameters, not part of it. Immutable.
 *
 * @param schema schema of the {@code dedup_key} table
 * @param retention keys processed longer ago than this are deleted
 * @param batchSize most keys deleted per transaction
 * @param interval time between background runs
 * @param closeTimeout how long {@link DedupPurger#close()} waits for a running purge
 */
public record DedupPurgerConfig(
    String schema, Duration retention, int batchSize, Duration interval, Duration closeTimeout) {

  /** Validates every field; the messages name the field, its value and what is allowed. */
  public DedupPurgerConfig {
    Check.identifier("schema", schema);
    Check.positive("retention", retention);
    Check.range("batchSize", batchSize, 1, DedupPurger.MAX_BATCH_SIZE);
    Check.positive("interval", interval);
    Check.notNegative("closeTimeout", closeTimeout);
  }
}
