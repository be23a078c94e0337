package dev.outpost.examples.basics;

import dev.outpost.relay.Relay;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import javax.sql.DataSource;

/**
 * Publish committed outbox messages to RabbitMQ. The relay deletes a row only after the broker
 * confirmed the message (publisher confirms, persistent, {@code mandatory}: an unroutable message
 * is a failure and is retried, then dead-lettered).
 */
public final class RelayToRabbitMq {

  private RelayToRabbitMq() {}

  /**
   * Starts a relay publishing to {@code exchange} with the message topic as routing key ({@code
   * ""}, the default exchange, routes a topic to the queue of the same name).
   *
   * @param dataSource the database holding the outbox
   * @param schema the schema of Outpost's tables
   * @param uri the broker, e.g. {@code amqp://guest:guest@127.0.0.1:5672}
   * @param exchange the exchange to publish to
   * @return the running relay; close it to stop (it closes the publisher too)
   */
  public static Relay start(DataSource dataSource, String schema, String uri, String exchange) {
    Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .schema(schema)
            .publisher(RabbitMqPublisher.builder().uri(uri).exchange(exchange).build())
            .build();
    relay.start(); // named threads; LISTEN/NOTIFY wakes them on commit
    return relay;
  }
}
