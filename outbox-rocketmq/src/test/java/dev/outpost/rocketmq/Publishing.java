package dev.outpost.rocketmq;

import static dev.outpost.relay.brokers.TestMessages.await;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import java.util.ArrayList;
import java.util.List;

/** Publishing as the relay does: messages that failed are published again, in order. */
final class Publishing {

  private Publishing() {}

  /**
   * Publishes {@code batch} until every message is confirmed (at most 20 rounds). A broker that is
   * busy on a loaded test machine answers SYSTEM_BUSY; the relay would retry those messages too.
   *
   * @throws AssertionError when a message is rejected or still not confirmed
   */
  static void untilConfirmed(RocketMqPublisher publisher, List<RelayMessage> batch) {
    List<RelayMessage> pending = batch;
    for (int round = 0; round < 20 && !pending.isEmpty(); round++) {
      List<PublishResult> results = await(publisher.publish(pending));
      List<RelayMessage> failed = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        PublishResult result = results.get(i);
        if (result instanceof PublishResult.Rejected rejected) {
          throw new AssertionError("rejected " + pending.get(i), rejected.cause());
        }
        if (!result.isConfirmed()) {
          failed.add(pending.get(i));
        }
      }
      pending = failed;
    }
    if (!pending.isEmpty()) {
      throw new AssertionError(pending.size() + " messages were never confirmed");
    }
  }
}
