package dev.outpost.rocketmq.internal;

import java.util.List;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Picks the queue of a message from its ordering key (the send's argument): every message of a key
 * goes to the same queue while the topic's write queues stay the same. The queues arrive sorted by
 * broker and queue id, so the choice is the same in every publisher.
 */
final class KeySelector implements MessageQueueSelector {

  static final KeySelector INSTANCE = new KeySelector();

  private KeySelector() {}

  @Override
  public MessageQueue select(List<MessageQueue> queues, Message message, Object key) {
    return queues.get(Math.floorMod(key.hashCode(), queues.size()));
  }
}
