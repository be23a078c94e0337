package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  @Test
  void starts_a_broker_that_creates_topics() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    kafka.createTopic("outpost-fixture-check", 3);
    try (Admin admin = kafka.admin()) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains("outpost-fixture-check");
    }
  }

  @Test
  void local_rabbitmq_answers() {
    LocalRabbitMq.requireAvailable();
  }
}
