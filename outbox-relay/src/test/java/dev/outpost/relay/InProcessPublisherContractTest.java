package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class InProcessPublisherContractTest extends PublisherContractTest {

  private final List<UUID> delivered = new CopyOnWriteArrayList<>();

  @Override
  Publisher publisherFailing(String failingKey) {
    return InProcessPublisher.builder()
        .handler(
            "t",
            m -> {
              if (failingKey.equals(m.key())) {
                throw new IllegalStateException("handler failed");
              }
              delivered.add(m.messageId());
            })
        .build();
  }

  @Override
  List<UUID> delivered() {
    return delivered;
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
