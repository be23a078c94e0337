package dev.outpost.rocketmq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.message.MessageExt;

/** Reads a topic from its first offset with a lite-pull consumer, for assertions. */
final class RocketMqReader implements AutoCloseable {

  private final DefaultLitePullConsumer consumer;

  RocketMqReader(String namesrvAddress, String topic) throws Exception {
    consumer = new DefaultLitePullConsumer("outpost-test-reader-" + UUID.randomUUID());
    consumer.setNamesrvAddr(namesrvAddress);
    consumer.setInstanceName("outpost-test-reader-" + UUID.randomUUID());
    consumer.setAutoCommit(false);
    consumer.start();
    consumer.assign(consumer.fetchMessageQueues(topic));
    for (var queue : consumer.assignment()) {
      consumer.seekToBegin(queue);
    }
  }

  /** Polls until {@code done} holds for everything read (at most 60 s); returns it all. */
  List<MessageExt> readUntil(Predicate<List<MessageExt>> done) {
    List<MessageExt> read = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.test(read)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("read " + read.size() + " messages, not what the test waits for");
      }
      read.addAll(consumer.poll(200));
    }
    return read;
  }

  /** Polls until {@code count} messages were read. */
  List<MessageExt> read(int count) {
    return readUntil(read -> read.size() >= count);
  }

  static UUID messageId(MessageExt message) {
    return UUID.fromString(message.getUserProperty(RocketMqDedupConsumer.MESSAGE_ID_PROPERTY));
  }

  @Override
  public void close() {
    consumer.shutdown();
  }
}
