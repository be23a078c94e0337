package dev.outpost.relay;

import java.time.Duration;
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
 * <p><b>Message failure or unavailable destination.</b> Report {@link PublishResult.Failed} (or
 * {@link PublishResult.Rejected}) when <em>this message</em> failed: refused, too large,
 * unroutable, not serializable, nacked alone. Report {@link PublishResult.Unavailable} when the
 * destination as a whole does not answer: connection refused or lost, the whole batch timed out
 * while the broker does not answer, no leader / not enough replicas, a resource alarm blocking
 * publishers. On {@code Unavailable} the relay opens its circuit breaker: it stops publishing,
 * counts no attempt and dead-letters nothing however long the outage lasts, and calls {@link
 * #probe(Duration)} every {@link RelayConfig.CircuitBreakerConfig#probeInterval()} (or, when the
 * publisher cannot probe, publishes one head message) until the destination answers; then every
 * partition resumes at once. When in doubt, {@code Failed} is the safe answer: it keeps retrying
 * and finally dead-letters, while {@code Unavailable} for a message the broker refuses would hold
 * its key forever.
 *
 * <p>Per-key order: {@link KeyOrderGuard} is the hold-back bookkeeping every bundled publisher
 * uses; the public contract test kit {@code dev.outpost.relay.testing.PublisherContract} checks a
 * publisher against these rules.
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

  /**
   * Publishes {@code batch}, knowing how long the relay will wait for the outcome. Publishers that
   * run work on the caller's thread (such as {@link InProcessPublisher}) use it to stop and report
   * messages not confirmed once the time is up. Defaults to {@link #publish(List)}.
   *
   * @param batch messages of one partition in outbox order; not empty; must not be modified
   * @param timeout the relay's {@link RelayConfig#publishTimeout()}
   * @return a stage completing with one result per message, in batch order
   */
  default CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch, Duration timeout) {
    return publish(batch);
  }

  /**
   * Asks cheaply whether the destination answers, without publishing anything; called by the relay
   * while its circuit breaker is open. Must return within about {@code timeout}. Defaults to {@link
   * Availability#UNKNOWN}: the relay then probes by publishing one head message.
   *
   * @param timeout how long the probe may take
   * @return whether the destination answers
   */
  default Availability probe(Duration timeout) {
    return Availability.UNKNOWN;
  }

  /** The answer of {@link #probe(Duration)}. */
  enum Availability {
    /** The destination answers; the relay resumes publishing. */
    AVAILABLE,
    /** The destination does not answer; the relay stays paused. */
    UNAVAILABLE,
    /** This publisher cannot tell without publishing; the relay publishes one head message. */
    UNKNOWN
  }

  /** Releases broker resources. Defaults to doing nothing. */
  @Override
  default void close() {}
}
