package dev.outpost.rocketmq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.awaitility.Awaitility;

/** Reads a topic from its first offset with a lite-pull consumer, for assertions. */
final class RocketMqReader implements AutoCloseable {

  private final DefaultLitePullConsumer consumer;

  RocketMqReader(String namesrvAddress, String topic) throws Exception {
    consumer = new DefaultLitePullConsumer("outpost-test-reader-" + UUID.randomUUID());
    consumer.setNamesrvAddr(namesrvAddress);
    consumer.setInstanceName("outpost-test-reader-" + UUID.randomUUID());
    consumer.setAutoCommit(false);
    // A new group starting at the first offset reads every queue from 0. (Seeking after assign()
    // races with the pulls assign() starts, which can hand over later messages first.)
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.start();
    // Right after a broker restart the first admin calls can time out: retry for a while.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              consumer.assign(consumer.fetchMessageQueues(topic));
              return true;
            });
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
