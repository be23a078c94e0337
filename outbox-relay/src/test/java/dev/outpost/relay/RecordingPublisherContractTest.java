package dev.outpost.relay;

import dev.outpost.relay.testing.RecordingPublisher;
import java.util.List;
import java.util.UUID;

class RecordingPublisherContractTest extends PublisherContractTest {

  private RecordingPublisher publisher;

  @Override
  Publisher publisherFailing(String failingKey) {
    publisher = new RecordingPublisher().alwaysFailKey(failingKey);
    return publisher;
  }

  @Override
  List<UUID> delivered() {
    return publisher.messageIds();
  }
}
