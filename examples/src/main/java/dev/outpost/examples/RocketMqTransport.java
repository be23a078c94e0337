package dev.outpost.examples;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.rocketmq.RocketMqDedupConsumer;
import dev.outpost.rocketmq.RocketMqPublisher;
import dev.outpost.testing.EmbeddedRocketMq;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;

/**
 * RocketMQ: the relay publishes each message to the topic {@code example_<schema>_<topic>} (dots
 * become underscores: RocketMQ topic names allow {@code [a-zA-Z0-9_%|-]}), queue chosen by the
 * order id; each consumer reads its topic with Outpost's {@link RocketMqDedupConsumer}, orderly, in
 * a consumer group of its own, answering success only after the consumer's transaction (with its
 * dedup key) committed. Messages that keep failing go to {@code %DLQ%<group>}.
 *
 * <p>{@code --rocketmq-namesrv embedded} starts a name server and broker inside the app (loopback,
 * temporary store, deleted on exit) and creates the topics; with a real cluster the topics must
 * exist or the broker must create them ({@code autoCreateTopicEnable}).
 */
final class RocketMqTransport implements Transport {

  /** The {@code --rocketmq-namesrv} value that starts a broker inside the app. */
  static final String EMBEDDED = "embedded";

  private static final int QUEUES = 4;

  private final String schema;
  private final Consumers consumers;
  private final EmbeddedRocketMq embedded;
  private final String namesrv;
  private final RocketMqPublisher publisher;
  private final List<RocketMqDedupConsumer> running = new ArrayList<>();

  RocketMqTransport(String namesrv, String schema, Consumers consumers) {
    this.schema = schema;
    this.consumers = consumers;
    this.embedded = namesrv.equals(EMBEDDED) ? EmbeddedRocketMq.start() : null;
    this.namesrv = embedded != null ? embedded.namesrvAddress() : namesrv;
    this.publisher =
        RocketMqPublisher.builder()
            .namesrvAddress(this.namesrv)
            .producerGroup("outpost-example-" + schema)
            .topicMapper(message -> topic(message.topic()))
            .build();
  }

  private String topic(String appTopic) {
    return topic(schema, appTopic);
  }

  /** The RocketMQ topic of the app's topic {@code appTopic} for the tables in {@code schema}. */
  static String topic(String schema, String appTopic) {
    return "example_" + schema + "_" + appTopic.replace('.', '_');
  }

  @Override
  public Publisher publisher() {
    return publisher;
  }

  @Override
  public void startConsumers() {
    for (Consumers.Consumer consumer : consumers.all()) {
      if (embedded != null) {
        embedded.createTopic(topic(consumer.topic()), QUEUES);
      }
      RocketMqDedupConsumer rocketmq =
          RocketMqDedupConsumer.builder()
              .namesrvAddress(namesrv)
              .topic(topic(consumer.topic()))
              .consumerGroup("outpost-example-" + schema + "-" + consumer.name())
              .consumerName(consumer.name())
              .orderly(true)
              .consumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET)
              .dataSource(consumers.db().dataSource())
              .dedup(consumers.dedup())
              .jdbcHandler(
                  (tx, message) ->
                      consumer
                          .work()
                          .run(
                              tx,
                              UUID.fromString(
                                  message.getUserProperty(RelayMessage.MESSAGE_ID_HEADER)),
                              message.getBody()))
              .build();
      running.add(rocketmq);
      rocketmq.start();
    }
  }

  @Override
  public void close() {
    running.forEach(RocketMqDedupConsumer::close);
    publisher.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
