package dev.outpost.relay;

import java.util.Objects;

/**
 * What became of one message a {@link Publisher} was given.
 *
 * <ul>
 *   <li>{@link Confirmed}: the broker took responsibility (Kafka ack with {@code acks=all},
 *       RabbitMQ publisher confirm without a return); the relay deletes the row.
 *   <li>{@link Failed}: not confirmed (error, timeout, nack, unroutable return, unknown outcome);
 *       the relay retries with backoff and dead-letters after the configured attempts.
 *   <li>{@link Rejected}: can never succeed (e.g. larger than the broker accepts); the relay
 *       dead-letters it at once instead of retrying.
 *   <li>{@link Unavailable}: not the message's fault, the destination itself is unavailable
 *       (connection refused or lost, the whole batch timed out, Kafka not enough replicas / leader
 *       not available, a RabbitMQ resource alarm). The relay leaves the row as it was (no attempt
 *       counted, never dead-lettered), pauses publishing and probes the destination until it
 *       answers, then resumes every key at once.
 * </ul>
 *
 * <p>Classify by cause, not by exception type alone: a timeout of one message while the broker
 * answers others is {@link Failed}; the same timeout while nothing answers is {@link Unavailable}.
 * Reporting {@link Unavailable} for a message the broker refuses would retry it forever without
 * dead-lettering it.
 */
public sealed interface PublishResult {

  /** The broker confirmed the message. */
  static PublishResult confirmed() {
    return Confirmed.INSTANCE;
  }

  /** The message was not confirmed; retry. */
  static PublishResult failed(Throwable cause) {
    return new Failed(cause);
  }

  /** The message can never be published; dead-letter it without retrying. */
  static PublishResult rejected(Throwable cause) {
    return new Rejected(cause);
  }

  /** The destination is unavailable; pause without counting an attempt. */
  static PublishResult unavailable(Throwable cause) {
    return new Unavailable(cause);
  }

  /** Whether the broker confirmed the message. */
  default boolean isConfirmed() {
    return this instanceof Confirmed;
  }

  /** The broker confirmed the message. */
  final class Confirmed implements PublishResult {
    static final Confirmed INSTANCE = new Confirmed();

    private Confirmed() {}

    @Override
    public String toString() {
      return "Confirmed";
    }
  }

  /**
   * Not confirmed; the relay retries.
   *
   * @param cause why, for the row's {@code last_error}
   */
  record Failed(Throwable cause) implements PublishResult {
    /** Requires a cause. */
    public Failed {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * Permanently refused; the relay dead-letters the message.
   *
   * @param cause why, for the dead letter's {@code last_error}
   */
  record Rejected(Throwable cause) implements PublishResult {
    /** Requires a cause. */
    public Rejected {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The destination is unavailable (not this message's fault); the relay pauses, counts no attempt
   * and probes the destination until it answers.
   *
   * @param cause why, for the logs and the relay's health
   */
  record Unavailable(Throwable cause) implements PublishResult {
    /** Requires a cause. */
    public Unavailable {
      Objects.requireNonNull(cause, "cause");
    }
  }
}
