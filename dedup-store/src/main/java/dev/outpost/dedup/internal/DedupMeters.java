package dev.outpost.dedup.internal;

/**
 * Where counts go besides the plain counters. Implemented for Micrometer by {@link
 * MicrometerDedupMeters}; this interface names no Micrometer type, so the store runs without
 * Micrometer on the class path.
 */
public interface DedupMeters {

  /** Counts nowhere. */
  DedupMeters NONE = consumer -> new Increments(() -> {}, () -> {});

  /** The increments of one consumer; called once per consumer name. */
  Increments forConsumer(String consumer);

  /** Increment actions of one consumer. */
  record Increments(Runnable processed, Runnable duplicate) {}
}
