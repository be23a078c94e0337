package dev.outpost.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Publisher} that hands messages to handlers registered per topic in the same JVM: for
 * modular monoliths, tests and examples. The outbox then gives in-process events the same
 * guarantees as broker messages (published only when the transaction committed, retried until a
 * handler succeeds, dead-lettered after too many failures).
 *
 * <pre>{@code
 * Publisher publisher = InProcessPublisher.builder()
 *     .handler("orders", message -> orderProjection.apply(message))
 *     .build();
 * }</pre>
 *
 * <p>Handlers run synchronously on the relay's worker thread, in batch order. After a message of a
 * key fails, the later messages of that key in the same batch are not handed over (they are
 * reported failed and come again after the failed one), so a handler sees each key's messages in
 * order. A handler that throws {@link DestinationUnavailableException} reports its destination
 * unavailable: the relay pauses without counting an attempt. A handler that returns after the
 * relay's {@code publishTimeout} does not confirm its message (it is handed over again), and the
 * rest of that batch is not handed over. A message whose topic has no handler (and no {@linkplain
 * Builder#fallback fallback}) fails with a message naming the topic, so it is retried and finally
 * dead-lettered, never dropped.
 *
 * <p>Thread-safe when the handlers are: the relay calls it from several partition threads at once,
 * never with two batches of one partition at the same time.
 */
public final class InProcessPublisher implements Publisher {

  private final Map<String, MessageHandler> handlers;
  private final MessageHandler fallback;

  private InProcessPublisher(Map<String, MessageHandler> handlers, MessageHandler fallback) {
    this.handlers = Map.copyOf(handlers);
    this.fallback = fallback;
  }

  /** Starts a publisher without handlers. */
  public static Builder builder() {
    return new Builder();
  }

  /** The topics with a handler. */
  public Set<String> topics() {
    return handlers.keySet();
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    return publish(batch, null);
  }

  /**
   * Hands the batch to the handlers; once {@code timeout} is over, a handler that returns late does
   * not confirm its message (the relay sends it again) and the rest of the batch is not handed
   * over.
   */
  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch, Duration timeout) {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    List<PublishResult> results = new ArrayList<>(batch.size());
    KeyOrderGuard guard = new KeyOrderGuard();
    boolean late = false;
    for (RelayMessage message : batch) {
      if (late) {
        results.add(
            PublishResult.failed(
                new TimeoutException(
                    "not handed over: the batch ran past publishTimeout " + timeout)));
        continue;
      }
      if (guard.heldBack(message)) {
        results.add(guard.notSent(message));
        continue;
      }
      long started = System.nanoTime();
      PublishResult result = dispatch(message);
      if (result.isConfirmed() && System.nanoTime() - deadline > 0) {
        result =
            PublishResult.failed(
                new TimeoutException(
                    "the handler of topic '"
                        + message.topic()
                        + "' took "
                        + Duration.ofNanos(System.nanoTime() - started).toMillis()
                        + " ms and returned after publishTimeout "
                        + timeout
                        + "; not confirmed, the relay hands the message over again"));
      }
      if (System.nanoTime() - deadline > 0) {
        late = true;
      }
      guard.record(message, result);
      results.add(result);
    }
    return CompletableFuture.completedFuture(results);
  }

  private PublishResult dispatch(RelayMessage message) {
    MessageHandler handler = handlers.getOrDefault(message.topic(), fallback);
    if (handler == null) {
      return PublishResult.failed(
          new IllegalStateException(
              "no in-process handler for topic '"
                  + message.topic()
                  + "'; register one with InProcessPublisher.builder().handler(\""
                  + message.topic()
                  + "\", ...) (handled topics: "
                  + handlers.keySet()
                  + ")"));
    }
    try {
      handler.handle(message);
      return PublishResult.confirmed();
    } catch (MessageRejectedException e) {
      return PublishResult.rejected(e);
    } catch (DestinationUnavailableException e) {
      return PublishResult.unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PublishResult.failed(e);
    } catch (Exception | LinkageError | AssertionError e) {
      return PublishResult.failed(e);
    }
  }

  /** Builds an {@link InProcessPublisher}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, MessageHandler> handlers = new LinkedHashMap<>();
    private MessageHandler fallback;

    private Builder() {}

    /**
     * Sends messages of {@code topic} to {@code handler}.
     *
     * @throws IllegalArgumentException if the topic already has a handler, or an argument is null
     */
    public Builder handler(String topic, MessageHandler handler) {
      Objects.requireNonNull(handler, "handler");
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic must not be null or blank");
      }
      if (handlers.putIfAbsent(topic, handler) != null) {
        throw new IllegalArgumentException(
            "topic '"
                + topic
                + "' already has a handler; register one handler per topic and"
                + " fan out inside it");
      }
      return this;
    }

    /** Handles messages of topics without a handler of their own. Defaults to none. */
    public Builder fallback(MessageHandler fallback) {
      this.fallback = fallback;
      return this;
    }

    /** The publisher. */
    public InProcessPublisher build() {
      return new InProcessPublisher(handlers, fallback);
    }
  }
}
