package dev.outpost.relay.rabbitmq;

import com.rabbitmq.client.GetResponse;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.testing.PublisherContract;
import dev.outpost.testing.LocalRabbitMq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The public publisher contract, run against the RabbitMQ publisher and the local broker. */
class RabbitMqPublisherContractTest extends PublisherContract {

  private static final int MAX_MESSAGE_BYTES = 10_000;

  private RabbitFixture rabbit;
  private final List<UUID> received = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    rabbit = new RabbitFixture();
  }

  @AfterEach
  void cleanUp() throws Exception {
    rabbit.close();
  }

  @Override
  protected Publisher publisher() {
    return RabbitMqPublisher.builder()
        .uri(LocalRabbitMq.uri())
        .maxMessageBytes(MAX_MESSAGE_BYTES)
        .build();
  }

  @Override
  protected String topic() {
    try {
      return rabbit.queue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected RelayMessage failing(RelayMessage like) {
    return new RelayMessage(
        like.id(),
        like.messageId(),
        like.topic(),
        like.key(),
        like.partitionNo(),
        new byte[2 * MAX_MESSAGE_BYTES],
        like.headers(),
        like.createdAt(),
        like.attempts());
  }

  @Override
  protected List<UUID> received(int atLeast, Duration timeout) {
    try {
      List<GetResponse> taken = new ArrayList<>();
      if (received.size() < atLeast) {
        taken.addAll(rabbit.take(currentTopic(), atLeast - received.size()));
      }
      taken.addAll(rabbit.takeRest(currentTopic()));
      for (GetResponse response : taken) {
        received.add(UUID.fromString(response.getProps().getMessageId()));
      }
      return List.copyOf(received);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
