package dev.outpost.examples;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupPurger;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.Relay;
import java.time.Clock;
import java.time.Duration;

/**
 * Outpost's parts, wired for the app: the outbox writer and delay scheduler the order service
 * writes with, the relay that publishes committed messages, and the consumers (through the dedup
 * store) that receive them via the chosen {@link Transport}.
 */
final class Messaging implements AutoCloseable {

  private final Outbox outbox;
  private final DelayScheduler scheduler;
  private final Transport transport;
  private final Relay relay;
  private final Consumers consumers;
  private final DedupPurger purger;

  private Messaging(
      Outbox outbox,
      DelayScheduler scheduler,
      Transport transport,
      Relay relay,
      Consumers consumers,
      DedupPurger purger) {
    this.consumers = consumers;
    this.purger = purger;
    this.outbox = outbox;
    this.scheduler = scheduler;
    this.transport = transport;
    this.relay = relay;
  }

  static Messaging start(AppConfig config, AppDatabase db, Stats stats, Clock clock) {
    String schema = config.schema();
    Outbox outbox = Outbox.builder().schema(schema).clock(clock).build();
    Dedup dedup = Dedup.builder().schema(schema).clock(clock).build();
    Consumers consumers =
        new Consumers(
            db,
            dedup,
            new TimeoutConsumer(db, stats, clock),
            new InventoryConsumer(db, stats, clock));
    Transport transport = Transport.create(config, consumers);
    DelayScheduler scheduler =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .outboxConfig(outbox.config()) // same schema, partitions and limits as the outbox
            .clock(clock)
            .build();
    Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .schema(schema)
            .publisher(
                new DuplicatingPublisher(transport.publisher(), config.duplicateShare(), stats))
            .build();
    // Dedup keys only need to outlive any redelivery; a week is plenty for this app.
    DedupPurger purger =
        DedupPurger.builder()
            .dataSource(db.dataSource())
            .schema(schema)
            .clock(clock)
            .retention(Duration.ofDays(7))
            .build();
    Messaging messaging = new Messaging(outbox, scheduler, transport, relay, consumers, purger);
    try {
      transport.startConsumers();
      scheduler.start();
      relay.start();
      purger.start();
    } catch (RuntimeException e) {
      messaging.close();
      throw e;
    }
    return messaging;
  }

  Outbox outbox() {
    return outbox;
  }

  DelayScheduler scheduler() {
    return scheduler;
  }

  Relay relay() {
    return relay;
  }

  /** Deliveries the dedup store skipped as duplicates, all consumers. */
  long duplicatesSkipped() {
    return consumers.duplicatesSkipped();
  }

  @Override
  public void close() {
    relay.close();
    scheduler.close();
    transport.close();
    purger.close();
  }
}
