package dev.outpost.dedup.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * Validated configuration of a dedup purger; see {@code DedupPurger.Builder} for each field. {@code
 * failureListener} is told of each failed run (metrics).
 */
public record PurgerSettings(
    DataSource dataSource,
    String schema,
    Clock clock,
    Duration retention,
    int batchSize,
    Duration interval,
    Duration closeTimeout,
    IntConsumer batchListener,
    Runnable failureListener) {}
