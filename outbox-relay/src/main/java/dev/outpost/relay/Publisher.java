package dev.outpost.relay;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Sends relay batches to a broker (the SPI behind Kafka, RabbitMQ and in-process publishing).
 *
 * <p>{@link #publish(List)} is called with one partition's batch, in outbox order; the publisher
 * sends the whole batch pipelined and completes the returned stage once every message has an
 * outcome, with one {@link PublishResult} per message <b>in the same order</b>. Messages with the
 * same key must reach the broker in the order given, and once a message of a key fails, later
 * messages of that key in the batch should not be sent at all (report them failed): the relay
 * publishes them again after the failed one, so each key's first deliveries stay in outbox order.
 * (The relay never deletes a later message of a key whose earlier message was not confirmed, even
 * if the publisher confirmed it.) The stage should not complete exceptionally: an unexpected
 * exception counts as {@link PublishResult.Failed} for the whole batch. An outcome that is unknown
 * (timeout, connection lost before the confirm) must be reported as failed: the message is then
 * sent again (a possible duplicate, never a loss). The relay waits at most {@link
 * RelayConfig#publishTimeout()} for the stage; messages without an outcome by then count as failed.
 *
 * <p>Headers ({@link RelayMessage#headers()}, including W3C {@code traceparent}/{@code tracestate}
 * captured by the writer) must be sent along unchanged, together with the message id.
 *
 * <p>Implementations must be thread-safe: the relay calls {@code publish} from several partition
 * threads at once (never two batches of one partition at the same time). {@link #close()} releases
 * broker resources; the relay closes its publisher only with {@link
 * Relay.Builder#closePublisher(boolean)}.
 */
public interface Publisher extends AutoCloseable {

  /**
   * Publishes {@code batch}.
   *
   * @param batch messages of one partition in outbox order; not empty; must not be modified
   * @return a stage completing with one result per message, in batch order
   */
  CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch);

  /** Releases broker resources. Defaults to doing nothing. */
  @Override
  default void close() {}
}
