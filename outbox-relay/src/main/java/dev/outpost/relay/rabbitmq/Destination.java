package dev.outpost.relay.rabbitmq;

import java.nio.charset.StandardCharsets;

/**
 * Where a message is published in RabbitMQ.
 *
 * @param exchange the exchange; {@code ""} is the default exchange, which routes to the queue named
 *     like the routing key
 * @param routingKey the routing key
 */
public record Destination(String exchange, String routingKey) {

  /** AMQP 0-9-1 short strings (exchange names, routing keys) hold at most 255 bytes. */
  public static final int MAX_NAME_BYTES = 255;

  /**
   * Checks the names.
   *
   * @throws IllegalArgumentException if a name is {@code null} or longer than 255 UTF-8 bytes
   */
  public Destination {
    check("exchange", exchange);
    check("routingKey", routingKey);
  }

  /** The default exchange, routing to the queue named {@code queue}. */
  public static Destination queue(String queue) {
    return new Destination("", queue);
  }

  private static void check(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null; use \"\" for none");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value.substring(0, Math.min(value.length(), 40))
              + "...' is "
              + bytes
              + " bytes; AMQP allows at most "
              + MAX_NAME_BYTES);
    }
  }
}
