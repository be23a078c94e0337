package dev.outpost.relay.rabbitmq.internal;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.rabbitmq.Destination;
import dev.outpost.relay.rabbitmq.UnroutableMessageException;

/** A published message waiting for its confirm. */
final class Pending {
  final BatchOutcome outcome;
  final int index;
  final RelayMessage message;
  final Destination destination;
  final String correlationId;
  volatile ConfirmChannel channel;
  volatile long deliveryTag;

  /** Set by a basic.return, which RabbitMQ sends before the ack of the same message. */
  volatile UnroutableMessageException returned;

  Pending(BatchOutcome outcome, int index, RelayMessage message, Destination destination) {
    this.outcome = outcome;
    this.index = index;
    this.message = message;
    this.destination = destination;
    this.correlationId = message.messageId().toString();
  }

  void complete(PublishResult result) {
    outcome.complete(index, result);
  }
}
