package dev.outpost.rocketmq.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.RelayMessage;
import dev.outpost.rocketmq.RocketMqPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.topic.TopicValidator;

/** Turns relay messages into RocketMQ messages; refuses what RocketMQ can never accept. */
final class RocketMqMessages {

  /** The broker stores the properties with a 2-byte length. */
  private static final int MAX_PROPERTIES_BYTES = Short.MAX_VALUE;

  /** Room for the properties the client adds itself (unique id, keys, wait flag, ...). */
  private static final int CLIENT_PROPERTIES_ALLOWANCE = 256;

  private final RocketMqPublisherConfig config;

  RocketMqMessages(RocketMqPublisherConfig config) {
    this.config = config;
  }

  /** The topic of {@code message}; throws {@link Unpublishable} if RocketMQ cannot take it. */
  String topic(RelayMessage message) {
    String topic = config.topicMapper().apply(message);
    if (topic == null) {
      throw new Unpublishable(
          "the topic mapper returned null for message "
              + message.messageId()
              + " (outbox topic '"
              + message.topic()
              + "'); it must return a RocketMQ topic name");
    }
    TopicValidator.ValidateResult valid = TopicValidator.validateTopic(topic);
    if (!valid.isValid()) {
      throw new Unpublishable(
          "topic '"
              + topic
              + "' of message "
              + message.messageId()
              + " is not a legal RocketMQ topic name ("
              + valid.getRemark()
              + "); use 1..127 characters of [a-zA-Z0-9_%|-]");
    }
    if (TopicValidator.isNotAllowedSendTopic(topic)) {
      throw new Unpublishable(
          "topic '"
              + topic
              + "' of message "
              + message.messageId()
              + " is a RocketMQ system topic");
    }
    return topic;
  }

  /**
   * The RocketMQ message for {@code message} on {@code topic}.
   *
   * @throws Unpublishable if the message can never be sent (too large, headers RocketMQ cannot
   *     carry)
   */
  Message toMessage(RelayMessage message, String topic) {
    Message out = new Message(topic, message.payload());
    String messageId = message.messageId().toString();
    List<String> keys = new ArrayList<>(2);
    keys.add(messageId);
    if (message.key() != null && !message.key().isBlank()) {
      keys.add(message.key());
    }
    out.setKeys(keys);
    int propertiesBytes = CLIENT_PROPERTIES_ALLOWANCE + utf8(String.join(" ", keys));
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      String name = header.getKey();
      if (name.equals(RelayMessage.MESSAGE_ID_HEADER)) {
        continue;
      }
      checkHeader(message, name, header.getValue());
      out.putUserProperty(name, header.getValue());
      propertiesBytes += utf8(name) + utf8(header.getValue()) + 2;
    }
    out.putUserProperty(RelayMessage.MESSAGE_ID_HEADER, messageId);
    propertiesBytes += utf8(RelayMessage.MESSAGE_ID_HEADER) + messageId.length() + 2;
    if (propertiesBytes > MAX_PROPERTIES_BYTES) {
      throw new Unpublishable(
          "the headers of message "
              + message.messageId()
              + " take about "
              + propertiesBytes
              + " bytes as RocketMQ properties, more than the broker's limit of "
              + MAX_PROPERTIES_BYTES
              + "; send fewer or shorter headers");
    }
    long size = (long) message.payload().length + propertiesBytes + utf8(topic);
    if (size > config.maxMessageBytes()) {
      throw new Unpublishable(
          "message "
              + message.messageId()
              + " is about "
              + size
              + " bytes as a RocketMQ message, more than maxMessageBytes = "
              + config.maxMessageBytes()
              + "; the broker would refuse it, so it is dead-lettered. Raise the broker's"
              + " maxMessageSize and maxMessageBytes together, or send smaller messages.");
    }
    return out;
  }

  private static void checkHeader(RelayMessage message, String name, String value) {
    String problem = null;
    if (MessageConst.STRING_HASH_SET.contains(name)) {
      problem = "is reserved by RocketMQ";
    } else if (name.isBlank() || value == null || value.isBlank()) {
      problem = "has a blank name or value, which RocketMQ properties cannot carry";
    } else if (hasSeparator(name) || hasSeparator(value)) {
      problem =
          "contains the control characters \\u0001 or \\u0002 that separate RocketMQ properties";
    }
    if (problem != null) {
      throw new Unpublishable(
          "header '"
              + name
              + "' of message "
              + message.messageId()
              + " "
              + problem
              + "; rename or drop it where the message is written");
    }
  }

  private static boolean hasSeparator(String text) {
    return text.indexOf(MessageDecoder.NAME_VALUE_SEPARATOR) >= 0
        || text.indexOf(MessageDecoder.PROPERTY_SEPARATOR) >= 0;
  }

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A message RocketMQ can never accept; the relay dead-letters it at once. */
  static final class Unpublishable extends OutpostException {
    private static final long serialVersionUID = 1L;

    Unpublishable(String message) {
      super(message);
    }

    Unpublishable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
