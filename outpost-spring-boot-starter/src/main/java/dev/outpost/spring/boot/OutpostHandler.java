package dev.outpost.spring.boot;

import dev.outpost.relay.MessageHandler;

/**
 * A handler of one topic for the in-process publisher ({@code outpost.publisher.type=in-process},
 * the default): declare beans of this type and the relay hands each committed message of the topic
 * to the bean's {@link #handle}. Returning confirms the message; throwing retries it with backoff.
 * Deliveries can repeat, so handle through {@link SpringDedup}.
 *
 * <pre>{@code
 * @Bean
 * OutpostHandler inventory(InventoryService service) {
 *   return OutpostHandler.of("order.created", service::onOrderCreated);
 * }
 * }</pre>
 */
public interface OutpostHandler extends MessageHandler {

  /** The topic this handler receives. */
  String topic();

  /** A handler of {@code topic} that calls {@code handler}. */
  static OutpostHandler of(String topic, MessageHandler handler) {
    if (topic == null || topic.isBlank() || handler == null) {
      throw new IllegalArgumentException("topic and handler are required");
    }
    return new OutpostHandler() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public void handle(dev.outpost.relay.RelayMessage message) throws Exception {
        handler.handle(message);
      }
    };
  }
}
