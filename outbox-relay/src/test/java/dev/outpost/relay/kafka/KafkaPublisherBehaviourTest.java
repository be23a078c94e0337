package dev.outpost.relay.kafka;

import static dev.outpost.relay.brokers.TestMessages.await;
import static dev.outpost.relay.brokers.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.NotSentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Publisher decisions that need no broker, against Kafka's MockProducer. */
class KafkaPublisherBehaviourTest {

  private static MockProducer<byte[], byte[]> autoCompleting() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaPublisher.Builder builder(MockProducer<byte[], byte[]> producer) {
    return KafkaPublisher.builder()
        .bootstrapServers("localhost:9092")
        .producerFactory(props -> producer);
  }

  @Test
  void fails_the_rest_of_the_batch_unsent_when_the_producer_refuses_a_send() {
    MockProducer<byte[], byte[]> producer = autoCompleting();
    try (KafkaPublisher publisher = builder(producer).build()) {
      assertThat(await(publisher.publish(List.of(message("t", "a", "1")))))
          .containsExactly(PublishResult.confirmed());
      producer.sendException = new KafkaException("producer is broken");

      List<PublishResult> results =
          await(publisher.publish(List.of(message("t", "a", "2"), message("t", "b", "3"))));

      assertThat(results)
          .allSatisfy(
              r ->
                  assertThat(((PublishResult.Failed) r).cause())
                      .hasMessageContaining("producer is broken"));
      assertThat(producer.history()).hasSize(1);
    }
  }

  @Test
  void replaces_a_producer_that_refused_a_send() {
    AtomicInteger created = new AtomicInteger();
    List<MockProducer<byte[], byte[]>> producers = new ArrayList<>();
    KafkaPublisher publisher =
        KafkaPublisher.builder()
            .bootstrapServers("localhost:9092")
            .producerFactory(
                props -> {
                  MockProducer<byte[], byte[]> producer = autoCompleting();
                  if (created.getAndIncrement() == 0) {
                    producer.sendException = new IllegalStateException("closed underneath");
                  }
                  producers.add(producer);
                  return producer;
                })
            .build();
    try (publisher) {
      assertThat(await(publisher.publish(List.of(message("t", "a", "1")))))
          .noneMatch(PublishResult::isConfirmed);

      assertThat(await(publisher.publish(List.of(message("t", "a", "1")))))
          .containsExactly(PublishResult.confirmed());
    }
    assertThat(created).hasValue(2);
    assertThat(producers.get(0).closed()).isTrue();
  }

  @Test
  void holds_back_later_messages_of_a_key_whose_topic_mapping_failed() {
    MockProducer<byte[], byte[]> producer = autoCompleting();
    RelayMessage poison = message("t", "k", "poison");
    try (KafkaPublisher publisher =
        builder(producer)
            .topicMapper(
                m -> {
                  if (m == poison) {
                    throw new IllegalStateException("no route for poison");
                  }
                  return m.topic();
                })
            .build()) {
      RelayMessage sameKey = message("t", "k", "after");
      RelayMessage otherKey = message("t", "other", "fine");

      List<PublishResult> results = await(publisher.publish(List.of(poison, sameKey, otherKey)));

      assertThat(((PublishResult.Failed) results.get(0)).cause())
          .hasMessageContaining("no route for poison");
      assertThat(((PublishResult.Failed) results.get(1)).cause())
          .isInstanceOf(NotSentException.class);
      assertThat(results.get(2)).isEqualTo(PublishResult.confirmed());
      assertThat(producer.history()).hasSize(1);
    }
  }

  @Test
  void rejects_a_message_whose_topic_mapper_returns_null() {
    try (KafkaPublisher publisher = builder(autoCompleting()).topicMapper(m -> null).build()) {
      PublishResult result = await(publisher.publish(List.of(message("t", "k", "x")))).get(0);

      assertThat(((PublishResult.Rejected) result).cause())
          .hasMessageContaining("topic mapper returned null");
    }
  }

  /** Nothing answers at the bootstrap address, so the probe calls the cluster unavailable. */
  @Test
  void reports_records_whose_ack_never_comes_unavailable_when_the_cluster_does_not_answer() {
    MockProducer<byte[], byte[]> silent =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (KafkaPublisher publisher =
        builder(silent)
            .sendTimeout(Duration.ofSeconds(1))
            .requestTimeout(Duration.ofMillis(500))
            .closeTimeout(Duration.ZERO)
            .build()) {
      List<PublishResult> results =
          await(publisher.publish(List.of(message("t", "k", "1"), message("t", "k", "2"))));

      assertThat(results)
          .allSatisfy(
              r ->
                  assertThat(((PublishResult.Unavailable) r).cause())
                      .hasMessageContaining("does not answer")
                      .hasCauseInstanceOf(TimeoutException.class)
                      .hasMessageContaining("outcome is unknown"));
    }
  }

  @Test
  void closes_once_under_concurrent_publishing_and_fails_later_batches() throws Exception {
    MockProducer<byte[], byte[]> producer = autoCompleting();
    KafkaPublisher publisher = builder(producer).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch started = new CountDownLatch(4);
    try {
      List<Future<List<CompletionStage<List<PublishResult>>>>> publishing = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        publishing.add(
            pool.submit(
                () -> {
                  List<CompletionStage<List<PublishResult>>> stages = new ArrayList<>();
                  started.countDown();
                  for (int i = 0; i < 200; i++) {
                    stages.add(publisher.publish(List.of(message("t", "k" + i, "x"))));
                  }
                  return stages;
                }));
      }
      started.await(10, TimeUnit.SECONDS);
      List<Future<?>> closing = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        closing.add(pool.submit(publisher::close));
      }
      for (Future<?> close : closing) {
        close.get(30, TimeUnit.SECONDS);
      }
      for (Future<List<CompletionStage<List<PublishResult>>>> stages : publishing) {
        for (CompletionStage<List<PublishResult>> stage : stages.get(30, TimeUnit.SECONDS)) {
          assertThat(await(stage)).hasSize(1);
        }
      }
    } finally {
      pool.shutdownNow();
    }

    PublishResult after = await(publisher.publish(List.of(message("t", "k", "late")))).get(0);
    assertThat(((PublishResult.Failed) after).cause()).hasMessageContaining("closed");
    assertThat(producer.closed()).isTrue();
  }
}
