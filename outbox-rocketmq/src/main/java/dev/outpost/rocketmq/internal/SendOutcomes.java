package dev.outpost.rocketmq.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.rocketmq.NotDurableException;
import java.util.function.BooleanSupplier;
import org.apache.rocketmq.client.common.ClientErrorCode;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;

/**
 * What a broker answer or a send failure means for the relay. Every outcome is classified here
 * once, into a {@link Kind}, and then mapped to a {@link PublishResult} by {@link #toResult}.
 */
final class SendOutcomes {

  /** The kinds of outcome. */
  enum Kind {
    /** {@code SEND_OK}, or an accepted non-durable status. */
    CONFIRMED,
    /**
     * Stored but not flushed or replicated as a synchronous deployment promises. Says nothing bad
     * about the message: the broker's disk or slave is slow or gone.
     */
    NOT_DURABLE,
    /**
     * The destination does not answer or refuses every message: connection refused or lost, no
     * answer within the timeout, broker busy, no write permission, no route to the topic (topic
     * missing or no name server reachable). Says nothing about the message itself.
     */
    UNAVAILABLE,
    /**
     * No route to the topic: the topic does not exist, or no name server answers. RocketMQ gives
     * the same error for both; {@link #toResult} asks the name server to tell them apart.
     */
    NO_ROUTE,
    /** This message failed for a reason that may pass; retried. */
    FAILED,
    /** This message can never be published; dead-lettered at once. */
    REJECTED
  }

  /** A classified outcome with its cause ({@code null} when confirmed). */
  record Classified(Kind kind, Throwable cause) {}

  private final boolean acceptUnflushed;

  SendOutcomes(boolean acceptUnflushed) {
    this.acceptUnflushed = acceptUnflushed;
  }

  /** The outcome of a broker answer. */
  Classified classify(RelayMessage message, String topic, SendResult result) {
    SendStatus status = result.getSendStatus();
    if (status == SendStatus.SEND_OK || acceptUnflushed) {
      return new Classified(Kind.CONFIRMED, null);
    }
    return new Classified(
        Kind.NOT_DURABLE, new NotDurableException(message.messageId(), topic, status));
  }

  /** The outcome of a failed send. */
  Classified classify(RelayMessage message, String topic, Throwable error) {
    if (error instanceof RocketMqMessages.Unpublishable) {
      return new Classified(Kind.REJECTED, error);
    }
    if (error instanceof MQClientException client) {
      int code = client.getResponseCode();
      if (code == ResponseCode.MESSAGE_ILLEGAL) {
        return rejected(message, topic, error);
      }
      // Sends with a queue selector report a missing route without an error code.
      if (code == ClientErrorCode.NOT_FOUND_TOPIC_EXCEPTION
          || String.valueOf(client.getErrorMessage()).startsWith("No route info")) {
        return new Classified(
            Kind.NO_ROUTE,
            new OutpostException(
                "RocketMQ has no route to topic '"
                    + topic
                    + "' for message "
                    + message.messageId()
                    + ": the topic does not exist (create it, e.g. mqadmin updateTopic -t "
                    + topic
                    + ") or no name server answers; the message is retried",
                error));
      }
      if (error.getCause() instanceof RemotingException
          || error.getCause() instanceof MQBrokerException) {
        return classify(message, topic, error.getCause());
      }
      return isUnavailableCode(code)
          ? new Classified(Kind.UNAVAILABLE, error)
          : new Classified(Kind.FAILED, error);
    }
    if (error instanceof MQBrokerException broker) {
      int code = broker.getResponseCode();
      if (code == ResponseCode.MESSAGE_ILLEGAL) {
        return rejected(message, topic, error);
      }
      if (code == ResponseCode.TOPIC_NOT_EXIST) {
        return new Classified(Kind.NO_ROUTE, error);
      }
      return isUnavailableCode(code)
          ? new Classified(Kind.UNAVAILABLE, error)
          : new Classified(Kind.FAILED, error);
    }
    if (error instanceof RemotingException) {
      return new Classified(Kind.UNAVAILABLE, error);
    }
    return new Classified(Kind.FAILED, error);
  }

  /**
   * The relay's result for a classified outcome. An unavailable broker spends no attempts (the
   * relay pauses behind its circuit breaker); a missing route is unavailable only when {@code
   * nameServerAnswers} says no name server answers, else the topic is missing and the message is
   * retried, then dead-lettered, as the other publishers treat a missing topic. A non-durable
   * status is retried.
   */
  static PublishResult toResult(Classified outcome, BooleanSupplier nameServerAnswers) {
    return switch (outcome.kind()) {
      case CONFIRMED -> PublishResult.confirmed();
      case REJECTED -> PublishResult.rejected(outcome.cause());
      case UNAVAILABLE -> PublishResult.unavailable(outcome.cause());
      case NO_ROUTE ->
          nameServerAnswers.getAsBoolean()
              ? PublishResult.failed(outcome.cause())
              : PublishResult.unavailable(outcome.cause());
      case NOT_DURABLE, FAILED -> PublishResult.failed(outcome.cause());
    };
  }

  private static boolean isUnavailableCode(int code) {
    return code == ResponseCode.SYSTEM_BUSY
        || code == ResponseCode.SERVICE_NOT_AVAILABLE
        || code == ResponseCode.NO_PERMISSION
        || code == ResponseCode.SYSTEM_ERROR
        || code == ResponseCode.FLUSH_DISK_TIMEOUT
        || code == ResponseCode.SLAVE_NOT_AVAILABLE
        || code == ResponseCode.FLUSH_SLAVE_TIMEOUT
        || code == ClientErrorCode.CONNECT_BROKER_EXCEPTION
        || code == ClientErrorCode.ACCESS_BROKER_TIMEOUT
        || code == ClientErrorCode.BROKER_NOT_EXIST_EXCEPTION
        || code == ClientErrorCode.NO_NAME_SERVER_EXCEPTION;
  }

  private static Classified rejected(RelayMessage message, String topic, Throwable error) {
    return new Classified(
        Kind.REJECTED,
        new RocketMqMessages.Unpublishable(
            "RocketMQ refused message "
                + message.messageId()
                + " for topic '"
                + topic
                + "' as illegal (too large or malformed): "
                + error.getMessage(),
            error));
  }
}
