package dev.outpost.examples;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.rocketmq.RocketMqDedupConsumer;
import dev.outpost.rocketmq.RocketMqPublisher;
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
 * <p>The topics must exist (create them with {@code mqadmin updateTopic}, 4 queues or more) or the
 * broker must create them ({@code autoCreateTopicEnable}). The RocketMQ client is not in the
 * default app jar (it would more than double its size): build the app with {@code -Procketmq}.
 */
final class RocketMqTransport implements Transport {

  private final String schema;
  private final Consumers consumers;
  private final String namesrv;
  private final RocketMqPublisher publisher;
  private final List<RocketMqDedupConsumer> running = new ArrayList<>();

  RocketMqTransport(String namesrv, String schema, Consumers consumers) {
    this.schema = schema;
    this.consumers = consumers;
    this.namesrv = namesrv;
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

  /** Whether the RocketMQ client is on the class path (the app was built with -Procketmq). */
  static boolean clientPresent() {
    try {
      Class.forName(
          "org.apache.rocketmq.client.producer.DefaultMQProducer",
          false,
          RocketMqTransport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
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
  }
}
