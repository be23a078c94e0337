package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupConfig;
import java.time.Clock;

/**
 * A dedup store's configuration with its collaborators.
 *
 * @param config the public configuration
 * @param clock stamps {@code processed_at}
 * @param meters where counts go besides the plain counters
 */
public record DedupSettings(DedupConfig config, Clock clock, DedupMeters meters) {

  /** Schema of the {@code dedup_key} table. */
  public String schema() {
    return config.schema();
  }
}
