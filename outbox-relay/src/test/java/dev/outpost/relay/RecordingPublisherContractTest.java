package dev.outpost.relay;

import dev.outpost.relay.testing.PublisherContract;
import dev.outpost.relay.testing.RecordingPublisher;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

class RecordingPublisherContractTest extends PublisherContract {

  private RecordingPublisher publisher;

  @Override
  protected Publisher publisher() {
    publisher = new RecordingPublisher();
    return publisher;
  }

  @Override
  protected String topic() {
    return "t";
  }

  @Override
  protected RelayMessage failing(RelayMessage like) {
    publisher.alwaysFailKey(like.key());
    return like;
  }

  @Override
  protected List<UUID> received(int atLeast, Duration timeout) {
    return publisher.messageIds();
  }
}
