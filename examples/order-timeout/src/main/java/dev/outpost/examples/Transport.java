package dev.outpost.examples;

import dev.outpost.relay.Publisher;

/**
 * How published messages reach the app's {@link Consumers}: in-process handlers (default), RabbitMQ
 * ({@code --rabbitmq-uri}), Kafka ({@code --kafka-bootstrap}) or RocketMQ ({@code
 * --rocketmq-namesrv}).
 */
interface Transport extends AutoCloseable {

  /** The publisher the relay hands committed messages to. */
  Publisher publisher();

  /** Starts delivering to the consumers (declares queues/topics where the broker needs them). */
  void startConsumers();

  /** Stops the consumers and the publisher. */
  @Override
  void close();

  static Transport create(AppConfig config, Consumers consumers) {
    if (config.rabbitmqUri() != null) {
      return new RabbitMqTransport(config.rabbitmqUri(), config.schema(), consumers);
    }
    if (config.kafkaBootstrap() != null) {
      return new KafkaTransport(config.kafkaBootstrap(), config.schema(), consumers);
    }
    if (config.rocketmqNamesrv() != null) {
      return new RocketMqTransport(config.rocketmqNamesrv(), config.schema(), consumers);
    }
    return new InProcessTransport(consumers);
  }
}
