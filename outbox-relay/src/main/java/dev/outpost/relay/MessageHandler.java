package dev.outpost.relay;

/**
 * Receives messages of one topic from an {@link InProcessPublisher}.
 *
 * <p>Returning normally confirms the message (the relay deletes its row). Throwing fails it: the
 * relay retries with backoff and dead-letters it after the configured attempts; throw {@link
 * MessageRejectedException} for a message that can never succeed, to dead-letter it at once, and
 * {@link DestinationUnavailableException} when the destination as a whole is down (the relay then
 * pauses and probes by handing over the head message again, counting no attempt). Because a message
 * can be delivered again (a relay crash between handling and deleting), handlers should be
 * idempotent, e.g. by processing through the dedup store keyed on {@link RelayMessage#messageId()}.
 */
@FunctionalInterface
public interface MessageHandler {

  /**
   * Handles {@code message} on the relay's worker thread.
   *
   * @throws Exception to fail the message (retried)
   */
  void handle(RelayMessage message) throws Exception;
}
