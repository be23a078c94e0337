package dev.outpost.examples;

import dev.outpost.relay.InProcessPublisher;
import dev.outpost.relay.Publisher;

/**
 * The default: the relay hands each message to the consumer for its topic in this JVM. The handler
 * returns once the consumer's transaction committed, which is the "broker confirm": a handler that
 * throws leaves the message in the outbox to be retried.
 */
final class InProcessTransport implements Transport {

  private final InProcessPublisher publisher;

  InProcessTransport(Consumers consumers) {
    InProcessPublisher.Builder builder = InProcessPublisher.builder();
    for (Consumers.Consumer consumer : consumers.all()) {
      builder.handler(
          consumer.topic(), m -> consumers.deliver(m.topic(), m.messageId(), m.payload()));
    }
    this.publisher = builder.build();
  }

  @Override
  public Publisher publisher() {
    return publisher;
  }

  @Override
  public void startConsumers() {}

  @Override
  public void close() {
    publisher.close();
  }
}
