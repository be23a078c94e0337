package dev.outpost.rocketmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.TestMessages;
import dev.outpost.rocketmq.NotDurableException;
import org.apache.rocketmq.client.common.ClientErrorCode;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.junit.jupiter.api.Test;

/** The one place that decides what a RocketMQ answer means. */
class SendOutcomesTest {

  private final RelayMessage message = TestMessages.message("orders", "k", "x");
  private final SendOutcomes strict = new SendOutcomes(false);
  private final SendOutcomes lenient = new SendOutcomes(true);

  private static SendResult result(SendStatus status) {
    SendResult result = new SendResult();
    result.setSendStatus(status);
    return result;
  }

  @Test
  void only_send_ok_confirms_by_default() {
    assertThat(strict.classify(message, "orders", result(SendStatus.SEND_OK)).kind())
        .isEqualTo(SendOutcomes.Kind.CONFIRMED);
    for (SendStatus status :
        new SendStatus[] {
          SendStatus.FLUSH_DISK_TIMEOUT,
          SendStatus.FLUSH_SLAVE_TIMEOUT,
          SendStatus.SLAVE_NOT_AVAILABLE
        }) {
      SendOutcomes.Classified outcome = strict.classify(message, "orders", result(status));
      assertThat(outcome.kind()).isEqualTo(SendOutcomes.Kind.NOT_DURABLE);
      assertThat(outcome.cause())
          .isInstanceOf(NotDurableException.class)
          .hasMessageContaining(status.name());
      assertThat(SendOutcomes.toResult(outcome, () -> true))
          .isInstanceOf(PublishResult.Failed.class);
      assertThat(lenient.classify(message, "orders", result(status)).kind())
          .isEqualTo(SendOutcomes.Kind.CONFIRMED);
    }
  }

  @Test
  void an_unavailable_broker_is_told_apart_from_a_bad_message() {
    assertThat(kind(new RemotingConnectException("127.0.0.1:10911")))
        .isEqualTo(SendOutcomes.Kind.UNAVAILABLE);
    assertThat(kind(new RemotingTimeoutException("timeout")))
        .isEqualTo(SendOutcomes.Kind.UNAVAILABLE);
    assertThat(kind(new MQBrokerException(ResponseCode.SYSTEM_BUSY, "busy")))
        .isEqualTo(SendOutcomes.Kind.UNAVAILABLE);
    assertThat(kind(new MQClientException("No route info for this topic, orders", null)))
        .isEqualTo(SendOutcomes.Kind.NO_ROUTE);
    assertThat(kind(new MQClientException(ClientErrorCode.NO_NAME_SERVER_EXCEPTION, "none")))
        .isEqualTo(SendOutcomes.Kind.UNAVAILABLE);
    assertThat(kind(new MQBrokerException(ResponseCode.MESSAGE_ILLEGAL, "too large")))
        .isEqualTo(SendOutcomes.Kind.REJECTED);
    assertThat(kind(new MQClientException(ResponseCode.MESSAGE_ILLEGAL, "body too long")))
        .isEqualTo(SendOutcomes.Kind.REJECTED);
    assertThat(kind(new IllegalStateException("something else")))
        .isEqualTo(SendOutcomes.Kind.FAILED);
  }

  @Test
  void
      an_unavailable_broker_spends_no_attempts_and_a_missing_topic_does_when_the_name_server_answers() {
    SendOutcomes.Classified down =
        strict.classify(message, "orders", new RemotingConnectException("127.0.0.1:10911"));
    assertThat(SendOutcomes.toResult(down, () -> true))
        .isInstanceOf(PublishResult.Unavailable.class);
    SendOutcomes.Classified noRoute =
        strict.classify(
            message, "orders", new MQClientException("No route info for this topic, orders", null));
    assertThat(SendOutcomes.toResult(noRoute, () -> true)).isInstanceOf(PublishResult.Failed.class);
    assertThat(SendOutcomes.toResult(noRoute, () -> false))
        .isInstanceOf(PublishResult.Unavailable.class);
  }

  private SendOutcomes.Kind kind(Throwable error) {
    return strict.classify(message, "orders", error).kind();
  }
}
