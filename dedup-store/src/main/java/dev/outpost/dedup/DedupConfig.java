package dev.outpost.dedup;

import dev.outpost.common.internal.Check;

/**
 * The configuration of a {@link Dedup}, as built by {@link Dedup.Builder}. Collaborators (clock,
 * meter registry) are builder parameters, not part of it. Immutable.
 *
 * @param schema schema of the {@code dedup_key} table
 */
public record DedupConfig(String schema) {

  /** Validates the schema name. */
  public DedupConfig {
    Check.identifier("schema", schema);
  }
}
