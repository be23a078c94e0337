package dev.outpost.relay;

import dev.outpost.relay.brokers.internal.NotSentException;
import java.util.HashSet;
import java.util.Set;

/**
 * The per-key ordering rule of the {@link Publisher} contract, for one batch: once a message of a
 * key did not get through (failed, rejected or unavailable), the later messages of that key in the
 * batch are not sent but reported {@linkplain #notSent(RelayMessage) failed unsent}; the relay
 * publishes them again after the held-back one. Every bundled publisher uses it; use it in your
 * own.
 *
 * <pre>{@code
 * KeyOrderGuard guard = new KeyOrderGuard();
 * for (RelayMessage m : batch) {
 *   if (guard.heldBack(m)) { results.add(guard.notSent(m)); continue; }
 *   PublishResult r = send(m);
 *   guard.record(m, r);
 *   results.add(r);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one guard per batch. Keyless messages are never held back by it.
 */
public final class KeyOrderGuard {

  private final Set<String> heldBackKeys = new HashSet<>();

  /** A guard for one batch, holding nothing back yet. */
  public KeyOrderGuard() {}

  /** Whether {@code message} must not be sent because an earlier message of its key did not. */
  public boolean heldBack(RelayMessage message) {
    return message.key() != null && heldBackKeys.contains(message.key());
  }

  /** Holds back the later messages of {@code message}'s key. */
  public void holdBack(RelayMessage message) {
    if (message.key() != null) {
      heldBackKeys.add(message.key());
    }
  }

  /** Records the outcome of a sent message: anything but confirmed holds its key back. */
  public void record(RelayMessage message, PublishResult result) {
    if (!result.isConfirmed()) {
      holdBack(message);
    }
  }

  /** The result for a held-back message: failed, not sent (the relay counts no attempt for it). */
  public PublishResult notSent(RelayMessage message) {
    return PublishResult.failed(NotSentException.sameKey(message));
  }
}
