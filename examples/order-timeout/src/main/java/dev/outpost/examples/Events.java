package dev.outpost.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/** The two messages of the app and the JSON mapper that reads them. */
final class Events {

  /** Topic (Kafka) / routing key (RabbitMQ) of {@link OrderCreated}. */
  static final String ORDER_CREATED = "order.created";

  /** Topic / routing key of {@link OrderTimeout}; also the delay scheduler's cancel scope. */
  static final String ORDER_TIMEOUT = "order.timeout";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Events() {}

  /** Published when an order was placed. */
  record OrderCreated(UUID orderId, String item, int quantity, Instant payBy) {}

  /** Delivered when an order's time to pay is up, unless the payment cancelled it first. */
  record OrderTimeout(UUID orderId, Instant payBy) {}

  static <T> T read(byte[] payload, Class<T> type) {
    try {
      return JSON.readValue(payload, type);
    } catch (IOException e) {
      throw new UncheckedIOException("not a " + type.getSimpleName() + " message", e);
    }
  }
}
