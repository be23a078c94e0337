package dev.outpost.relay.testing;

import dev.outpost.relay.DestinationUnavailableException;
import dev.outpost.relay.KeyOrderGuard;
import dev.outpost.relay.MessageRejectedException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Publisher} for tests: records every confirmed delivery in order and can be told to fail
 * or reject the messages of chosen keys.
 *
 * <pre>{@code
 * RecordingPublisher publisher = new RecordingPublisher().failKey("order-7", 3);
 * ... run a relay ...
 * assertThat(publisher.keys()).containsOnly("order-7");
 * }</pre>
 *
 * <p>Like a real broker client it keeps a key's order within a batch: once a message of a key fails
 * or is rejected, the later messages of that key in the same batch are reported failed without
 * being delivered. Thread-safe.
 */
public final class RecordingPublisher implements Publisher {

  /**
   * One confirmed delivery.
   *
   * @param message what was delivered
   * @param at when, by the publisher's clock
   */
  public record Delivery(RelayMessage message, Instant at) {}

  private final Clock clock;
  private final List<Delivery> deliveries = new ArrayList<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Set<String> rejectedKeys = ConcurrentHashMap.newKeySet();
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger probes = new AtomicInteger();
  private volatile boolean down;
  private volatile boolean probeSupported;

  /** A publisher that confirms everything, stamping deliveries with the system clock. */
  public RecordingPublisher() {
    this(Clock.systemUTC());
  }

  /** A publisher that stamps deliveries with {@code clock}. */
  public RecordingPublisher(Clock clock) {
    this.clock = clock;
  }

  /** Fails the next {@code times} publish attempts of messages with {@code key}. */
  public RecordingPublisher failKey(String key, int times) {
    failuresLeft.put(key, new AtomicInteger(times));
    return this;
  }

  /** Fails every publish attempt of messages with {@code key} (until {@link #heal}). */
  public RecordingPublisher alwaysFailKey(String key) {
    return failKey(key, Integer.MAX_VALUE);
  }

  /** Rejects messages with {@code key} (dead-lettered at once), until {@link #heal}. */
  public RecordingPublisher rejectKey(String key) {
    rejectedKeys.add(key);
    return this;
  }

  /**
   * Takes the destination "down": every message is reported {@link PublishResult.Unavailable} (and
   * {@link #probe} answers unavailable) until {@link #up()}.
   */
  public RecordingPublisher down() {
    down = true;
    return this;
  }

  /** Brings the destination back up after {@link #down()}. */
  public RecordingPublisher up() {
    down = false;
    return this;
  }

  /**
   * Whether {@link #probe} answers (available or unavailable) instead of {@link
   * Availability#UNKNOWN}, which makes the relay probe by publishing a head message. Defaults to
   * false.
   */
  public RecordingPublisher probeSupported(boolean supported) {
    probeSupported = supported;
    return this;
  }

  @Override
  public Availability probe(java.time.Duration timeout) {
    probes.incrementAndGet();
    if (!probeSupported) {
      return Availability.UNKNOWN;
    }
    return down ? Availability.UNAVAILABLE : Availability.AVAILABLE;
  }

  /** How many times the relay called {@link #probe}. */
  public int probes() {
    return probes.get();
  }

  /** Stops failing and rejecting {@code key}. */
  public RecordingPublisher heal(String key) {
    failuresLeft.remove(key);
    rejectedKeys.remove(key);
    return this;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    List<PublishResult> results = new ArrayList<>(batch.size());
    KeyOrderGuard guard = new KeyOrderGuard();
    for (RelayMessage message : batch) {
      if (guard.heldBack(message)) {
        results.add(guard.notSent(message));
        continue;
      }
      attempts.incrementAndGet();
      PublishResult result =
          down
              ? PublishResult.unavailable(
                  new DestinationUnavailableException("RecordingPublisher is down"))
              : outcome(message);
      if (result.isConfirmed()) {
        synchronized (deliveries) {
          deliveries.add(new Delivery(message, clock.instant()));
        }
      }
      guard.record(message, result);
      results.add(result);
    }
    return CompletableFuture.completedFuture(results);
  }

  private PublishResult outcome(RelayMessage message) {
    String key = message.key();
    if (key == null) {
      return PublishResult.confirmed();
    }
    if (rejectedKeys.contains(key)) {
      return PublishResult.rejected(
          new MessageRejectedException("RecordingPublisher rejects key '" + key + "'"));
    }
    AtomicInteger left = failuresLeft.get(key);
    if (left != null && left.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      return PublishResult.failed(
          new IllegalStateException("RecordingPublisher fails key '" + key + "'"));
    }
    return PublishResult.confirmed();
  }

  /** All confirmed deliveries, in the order they were made. */
  public List<Delivery> deliveries() {
    synchronized (deliveries) {
      return List.copyOf(deliveries);
    }
  }

  /** The delivered messages, in delivery order. */
  public List<RelayMessage> messages() {
    return deliveries().stream().map(Delivery::message).toList();
  }

  /** The delivered messages of {@code key}, in delivery order. */
  public List<RelayMessage> messagesOfKey(String key) {
    return messages().stream().filter(m -> key.equals(m.key())).toList();
  }

  /** The ids of the delivered messages, in delivery order (duplicates included). */
  public List<UUID> messageIds() {
    return messages().stream().map(RelayMessage::messageId).toList();
  }

  /** How many deliveries were confirmed (duplicates included). */
  public int count() {
    synchronized (deliveries) {
      return deliveries.size();
    }
  }

  /** How many messages were attempted (confirmed, failed or rejected; skipped ones not). */
  public int attempts() {
    return attempts.get();
  }

  /** Forgets the recorded deliveries and attempts (rules stay). */
  public void clear() {
    synchronized (deliveries) {
      deliveries.clear();
    }
    attempts.set(0);
  }
}
