package dev.outpost.relay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Publisher} contract as a JUnit 5 test kit: extend it for your own publisher (against a
 * real destination) and it checks what the relay relies on: one result per message in batch order,
 * never an exceptional stage, per-key order with later messages of a key held back after one did
 * not get through, concurrent batches from several partitions, and a probe that does not call a
 * live destination unavailable. Outpost runs it against its in-process, Kafka and RabbitMQ
 * publishers.
 *
 * <pre>{@code
 * class MyPublisherContractTest extends PublisherContract {
 *   protected Publisher publisher() { return new MyPublisher(...); }
 *   protected String topic() { return "contract-" + UUID.randomUUID(); }  // exists at the destination
 *   protected RelayMessage failing(RelayMessage like) { ... a copy that this publisher fails ... }
 *   protected List<UUID> received(int atLeast, Duration timeout) { ... read the destination ... }
 * }
 * }</pre>
 *
 * <p>Needs {@code org.junit.jupiter:junit-jupiter-api} on the test classpath (outbox-relay declares
 * it optional). Each test calls {@link #publisher()} and {@link #topic()} once and closes the
 * publisher afterwards.
 */
public abstract class PublisherContract {

  /** How long a publish stage may take in these tests. */
  protected static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(60);

  private static final AtomicLong ids = new AtomicLong(1);

  private Publisher publisher;
  private String topic;

  /** A publisher to a working destination; closed by the kit after each test. */
  protected abstract Publisher publisher();

  /** A topic (destination) that exists and is empty; called once per test, after publisher(). */
  protected abstract String topic();

  /**
   * A copy of {@code like} (same id, message id, key and partition) that this publisher reports as
   * not published ({@code Failed} or {@code Rejected}): too large, unroutable, or a topic with no
   * handler.
   */
  protected abstract RelayMessage failing(RelayMessage like);

  /**
   * The message ids that arrived at {@link #topic()} so far, in arrival order per key, after
   * waiting until at least {@code atLeast} arrived or {@code timeout} passed.
   */
  protected abstract List<UUID> received(int atLeast, Duration timeout);

  /** The topic of the running test (what {@link #topic()} returned). */
  protected final String currentTopic() {
    subject();
    return topic;
  }

  /** A message of {@link #topic()} with {@code key} (may be null) in {@code partition}. */
  protected final RelayMessage message(String key, int partition) {
    subject();
    long id = ids.getAndIncrement();
    return new RelayMessage(
        id,
        UUID.randomUUID(),
        topic,
        key,
        partition,
        ("payload-" + id).getBytes(StandardCharsets.UTF_8),
        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        Instant.now(),
        0);
  }

  private Publisher subject() {
    if (publisher == null) {
      publisher = publisher();
      assertNotNull(publisher, "publisher() returned null");
      topic = topic();
    }
    return publisher;
  }

  /** Closes the publisher of the test. */
  @AfterEach
  void closePublisher() {
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
  }

  /** Publishes and waits for the outcome; fails the test on an exceptional or late stage. */
  protected final List<PublishResult> publish(List<RelayMessage> batch) {
    CompletableFuture<List<PublishResult>> stage =
        subject().publish(batch, OUTCOME_TIMEOUT).toCompletableFuture();
    try {
      List<PublishResult> results =
          stage.get(OUTCOME_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      assertNotNull(results, "the stage completed with null");
      assertEquals(batch.size(), results.size(), "one result per message");
      for (int i = 0; i < results.size(); i++) {
        assertNotNull(results.get(i), "result " + i + " is null");
      }
      return results;
    } catch (ExecutionException e) {
      return fail("the publish stage completed exceptionally; report failures as results", e);
    } catch (TimeoutException e) {
      return fail("no outcome within " + OUTCOME_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted", e);
    }
  }

  @Test
  void confirms_a_batch_with_one_result_per_message_in_batch_order_and_delivers_it() {
    subject();
    List<RelayMessage> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(message(i % 3 == 0 ? null : "key-" + (i % 4), 0));
    }
    List<PublishResult> results = publish(batch);
    for (int i = 0; i < results.size(); i++) {
      assertTrue(results.get(i).isConfirmed(), "message " + i + ": " + results.get(i));
    }
    List<UUID> arrived = received(batch.size(), OUTCOME_TIMEOUT);
    assertTrue(
        arrived.containsAll(batch.stream().map(RelayMessage::messageId).toList()),
        "every confirmed message arrived");
    assertKeyOrder(batch, arrived);
  }

  @Test
  void holds_back_later_messages_of_a_key_after_one_did_not_get_through() {
    subject();
    RelayMessage bad = failing(message("held", 0));
    RelayMessage laterOfSameKey = message("held", 0);
    RelayMessage otherKey = message("free", 0);
    List<PublishResult> results = publish(List.of(bad, laterOfSameKey, otherKey));

    assertFalse(results.get(0).isConfirmed(), "the failing message: " + results.get(0));
    assertFalse(
        results.get(1).isConfirmed(),
        "a later message of the same key must not be sent: " + results.get(1));
    assertTrue(results.get(2).isConfirmed(), "other keys go on: " + results.get(2));
    List<UUID> arrived = received(1, OUTCOME_TIMEOUT);
    assertTrue(arrived.contains(otherKey.messageId()), "the other key's message arrived");
    assertFalse(arrived.contains(laterOfSameKey.messageId()), "the held-back message was not sent");
  }

  @Test
  void publishes_batches_of_several_partitions_at_once() throws Exception {
    subject();
    List<List<RelayMessage>> batches = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      List<RelayMessage> batch = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        batch.add(message("p" + p + "-k" + (i % 5), p));
      }
      batches.add(batch);
    }
    List<CompletableFuture<List<PublishResult>>> outcomes = new ArrayList<>();
    for (List<RelayMessage> batch : batches) {
      outcomes.add(CompletableFuture.supplyAsync(() -> publish(batch)));
    }
    List<RelayMessage> all = new ArrayList<>();
    for (int p = 0; p < batches.size(); p++) {
      List<PublishResult> results =
          outcomes.get(p).get(2 * OUTCOME_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      for (PublishResult result : results) {
        assertTrue(result.isConfirmed(), "partition " + p + ": " + result);
      }
      all.addAll(batches.get(p));
    }
    List<UUID> arrived = received(all.size(), OUTCOME_TIMEOUT);
    assertTrue(
        arrived.containsAll(all.stream().map(RelayMessage::messageId).toList()),
        "every confirmed message arrived");
    assertKeyOrder(all, arrived);
  }

  @Test
  void a_probe_of_a_live_destination_does_not_report_it_unavailable() {
    Publisher.Availability answer = subject().probe(Duration.ofSeconds(10));
    assertNotNull(answer, "probe() returned null; return UNKNOWN when you cannot tell");
    assertNotEquals(Publisher.Availability.UNAVAILABLE, answer);
  }

  /** Each key's messages arrived in the order they were published (first arrivals). */
  private static void assertKeyOrder(List<RelayMessage> published, List<UUID> arrived) {
    Map<UUID, String> keyOf = new HashMap<>();
    Map<String, List<UUID>> expected = new LinkedHashMap<>();
    for (RelayMessage m : published) {
      if (m.key() != null) {
        keyOf.put(m.messageId(), m.key());
        expected.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.messageId());
      }
    }
    Map<String, List<UUID>> actual = new LinkedHashMap<>();
    for (UUID id : arrived) {
      String key = keyOf.get(id);
      if (key != null && !actual.computeIfAbsent(key, k -> new ArrayList<>()).contains(id)) {
        actual.get(key).add(id);
      }
    }
    for (Map.Entry<String, List<UUID>> e : expected.entrySet()) {
      assertEquals(e.getValue(), actual.get(e.getKey()), "order of key " + e.getKey());
    }
  }
}
