package dev.outpost.examples;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Wraps the real publisher, sends a random share of the messages twice (the same message id, right
 * after the original, so per-key order holds), and counts what the broker confirmed. The duplicates
 * stand in for the redeliveries of real life: a relay crash between broker confirm and delete, a
 * consumer crash before its ack.
 */
final class DuplicatingPublisher implements Publisher {

  private final Publisher delegate;
  private final double duplicateShare;
  private final Stats stats;

  DuplicatingPublisher(Publisher delegate, double duplicateShare, Stats stats) {
    this.delegate = delegate;
    this.duplicateShare = duplicateShare;
    this.stats = stats;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    List<RelayMessage> sent = new ArrayList<>(batch.size() + 4);
    int[] originalAt = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      originalAt[i] = sent.size();
      sent.add(batch.get(i));
      if (duplicateShare > 0 && ThreadLocalRandom.current().nextDouble() < duplicateShare) {
        sent.add(batch.get(i));
      }
    }
    return delegate
        .publish(sent)
        .thenApply(
            results -> {
              List<PublishResult> perMessage = new ArrayList<>(batch.size());
              for (int i = 0; i < batch.size(); i++) {
                PublishResult result = results.get(originalAt[i]);
                perMessage.add(result);
                if (result.isConfirmed()) {
                  stats.published.increment();
                }
                boolean duplicated =
                    originalAt[i] + 1 < sent.size()
                        && (i + 1 == batch.size() || originalAt[i + 1] != originalAt[i] + 1);
                if (duplicated && results.get(originalAt[i] + 1).isConfirmed()) {
                  stats.duplicatesInjected.increment();
                }
              }
              return perMessage;
            });
  }

  @Override
  public void close() {
    delegate.close();
  }
}
