package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.relay.testing.PublisherContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class InProcessPublisherContractTest extends PublisherContract {

  private final List<UUID> delivered = new CopyOnWriteArrayList<>();

  @Override
  protected Publisher publisher() {
    return InProcessPublisher.builder().handler("t", m -> delivered.add(m.messageId())).build();
  }

  @Override
  protected String topic() {
    return "t";
  }

  @Override
  protected RelayMessage failing(RelayMessage like) {
    return new RelayMessage(
        like.id(),
        like.messageId(),
        "no-handler",
        like.key(),
        like.partitionNo(),
        like.payload(),
        like.headers(),
        like.createdAt(),
        like.attempts());
  }

  @Override
  protected List<UUID> received(int atLeast, Duration timeout) {
    return List.copyOf(delivered);
  }

  @Test
  void a_handler_returning_after_the_publish_timeout_does_not_confirm_and_stops_the_batch()
      throws Exception {
    // The handler under test is slow (it works for 300 ms); the test waits for nothing.
    InProcessPublisher slow =
        InProcessPublisher.builder()
            .handler("slow", m -> LockSupport.parkNanos(Duration.ofMillis(300).toNanos()))
            .build();
    List<RelayMessage> batch =
        List.of(
            new RelayMessage(
                1, UUID.randomUUID(), "slow", "a", 0, new byte[0], Map.of(), Instant.now(), 0),
            new RelayMessage(
                2, UUID.randomUUID(), "slow", "b", 0, new byte[0], Map.of(), Instant.now(), 0));

    List<PublishResult> results =
        slow.publish(batch, Duration.ofMillis(100)).toCompletableFuture().get();

    assertThat(results.get(0)).isInstanceOf(PublishResult.Failed.class);
    assertThat(((PublishResult.Failed) results.get(0)).cause())
        .hasMessageContaining("after publishTimeout");
    assertThat(results.get(1)).isInstanceOf(PublishResult.Failed.class);
    assertThat(((PublishResult.Failed) results.get(1)).cause())
        .hasMessageContaining("not handed over");
  }

  @Test
  void a_handler_throwing_destination_unavailable_reports_the_destination_unavailable()
      throws Exception {
    InProcessPublisher down =
        InProcessPublisher.builder()
            .handler(
                "t",
                m -> {
                  throw new DestinationUnavailableException("downstream service is down");
                })
            .build();
    RelayMessage m =
        new RelayMessage(
            1, UUID.randomUUID(), "t", "k", 0, new byte[0], Map.of(), Instant.now(), 0);

    List<PublishResult> results = down.publish(List.of(m)).toCompletableFuture().get();

    assertThat(results).singleElement().isInstanceOf(PublishResult.Unavailable.class);
  }

  @Test
  void fails_a_topic_without_handler_naming_it_and_rejects_on_request() throws Exception {
    InProcessPublisher publisher =
        InProcessPublisher.builder()
            .handler(
                "poison",
                m -> {
                  throw new MessageRejectedException("cannot parse");
                })
            .build();
    RelayMessage unknown =
        new RelayMessage(
            1,
            UUID.randomUUID(),
            "nobody",
            null,
            0,
            new byte[0],
            java.util.Map.of(),
            java.time.Instant.now(),
            0);
    RelayMessage poison =
        new RelayMessage(
            2,
            UUID.randomUUID(),
            "poison",
            null,
            0,
            new byte[0],
            java.util.Map.of(),
            java.time.Instant.now(),
            0);

    List<PublishResult> results =
        publisher.publish(List.of(unknown, poison)).toCompletableFuture().get();

    assertThat(((PublishResult.Failed) results.get(0)).cause())
        .hasMessageContaining("no in-process handler for topic 'nobody'");
    assertThat(results.get(1)).isInstanceOf(PublishResult.Rejected.class);
  }

  @Test
  void refuses_a_second_handler_for_a_topic() {
    assertThatThrownBy(
            () -> InProcessPublisher.builder().handler("t", m -> {}).handler("t", m -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic 't' already has a handler");
  }

  @Test
  void falls_back_for_topics_without_a_handler_of_their_own() throws Exception {
    List<String> topics = new CopyOnWriteArrayList<>();
    InProcessPublisher publisher =
        InProcessPublisher.builder().fallback(m -> topics.add(m.topic())).build();
    RelayMessage message =
        new RelayMessage(
            1,
            UUID.randomUUID(),
            "any",
            null,
            0,
            new byte[0],
            java.util.Map.of(),
            java.time.Instant.now(),
            0);

    assertThat(publisher.publish(List.of(message)).toCompletableFuture().get().get(0).isConfirmed())
        .isTrue();
    assertThat(topics).containsExactly("any");
  }
}
