package dev.outpost.relay.brokers.internal;

import dev.outpost.relay.DestinationUnavailableException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher.Availability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Tells a broker-wide outage from a message's own failure where the error alone cannot: a timeout
 * or a lost send is the message's failure while the broker answers a cheap probe, and the
 * destination's unavailability while it does not (then the relay pauses instead of spending the
 * message's attempts). The probe's answer is reused for a second, so a batch with many such
 * failures, or many batches at once, probe once.
 *
 * <p>Thread-safe.
 */
public final class AvailabilityCheck {

  private static final long REUSE_NANOS = Duration.ofSeconds(1).toNanos();

  private final Function<Duration, Availability> probe;
  private final Duration timeout;
  private final String destination;
  private Availability lastAnswer;
  private long lastAnswerAt;

  /**
   * A check through {@code probe}, which may take up to {@code timeout}.
   *
   * @param destination the destination's name for error messages, e.g. {@code RabbitMQ at
   *     host:5672}
   */
  public AvailabilityCheck(
      Function<Duration, Availability> probe, Duration timeout, String destination) {
    this.probe = probe;
    this.timeout = timeout;
    this.destination = destination;
  }

  /** Whether the destination answers now (a recent answer is reused). */
  public synchronized Availability availability() {
    long now = System.nanoTime();
    if (lastAnswer != null && now - lastAnswerAt < REUSE_NANOS) {
      return lastAnswer;
    }
    Availability answer;
    try {
      answer = probe.apply(timeout);
    } catch (RuntimeException e) {
      answer = Availability.UNAVAILABLE;
    }
    lastAnswer = answer;
    lastAnswerAt = System.nanoTime();
    return answer;
  }

  /**
   * {@code results} with each {@link PublishResult.Failed} whose cause is {@code suspect} turned
   * into {@link PublishResult.Unavailable} when the destination does not answer; unchanged when
   * there is no such result or it answers.
   */
  public List<PublishResult> resolve(List<PublishResult> results, Predicate<Throwable> suspect) {
    boolean any = false;
    for (PublishResult result : results) {
      if (result instanceof PublishResult.Failed f && suspect.test(f.cause())) {
        any = true;
        break;
      }
    }
    if (!any || availability() != Availability.UNAVAILABLE) {
      return results;
    }
    List<PublishResult> resolved = new ArrayList<>(results.size());
    for (PublishResult result : results) {
      if (result instanceof PublishResult.Failed f && suspect.test(f.cause())) {
        resolved.add(
            PublishResult.unavailable(
                new DestinationUnavailableException(
                    destination + " does not answer: " + f.cause(), f.cause())));
      } else {
        resolved.add(result);
      }
    }
    return java.util.Collections.unmodifiableList(resolved);
  }
}
