package dev.outpost.spring.boot;

import dev.outpost.relay.InProcessPublisher;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.kafka.KafkaPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import java.util.List;
import org.springframework.util.ClassUtils;

/**
 * Builds the publisher {@code outpost.publisher.type} names. Kafka's and RabbitMQ's types are
 * touched only when chosen, so their clients are needed only then.
 */
final class OutpostPublishers {

  private OutpostPublishers() {}

  static Publisher create(OutpostProperties.Publisher settings, List<OutpostHandler> handlers) {
    return switch (settings.getType()) {
      case IN_PROCESS -> inProcess(handlers);
      case KAFKA -> kafka(settings.getKafka());
      case RABBITMQ -> rabbitMq(settings.getRabbitmq());
    };
  }

  private static Publisher inProcess(List<OutpostHandler> handlers) {
    InProcessPublisher.Builder builder = InProcessPublisher.builder();
    for (OutpostHandler handler : handlers) {
      builder.handler(handler.topic(), handler);
    }
    return builder.build();
  }

  private static Publisher kafka(OutpostProperties.Kafka kafka) {
    require(
        "org.apache.kafka.clients.producer.KafkaProducer",
        "kafka",
        "org.apache.kafka:kafka-clients");
    return KafkaPublisher.builder()
        .bootstrapServers(kafka.getBootstrapServers())
        .producerProperties(kafka.getProperties())
        .build();
  }

  private static Publisher rabbitMq(OutpostProperties.RabbitMq rabbit) {
    require("com.rabbitmq.client.ConnectionFactory", "rabbitmq", "com.rabbitmq:amqp-client");
    RabbitMqPublisher.Builder builder =
        RabbitMqPublisher.builder().uri(rabbit.getUri()).exchange(rabbit.getExchange());
    if (rabbit.getChannels() != null) {
      builder.channels(rabbit.getChannels());
    }
    return builder.build();
  }

  private static void require(String className, String type, String artifact) {
    if (!ClassUtils.isPresent(className, OutpostPublishers.class.getClassLoader())) {
      throw new IllegalStateException(
          "outpost.publisher.type=" + type + " needs " + artifact + " on the class path");
    }
  }
}
