package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class WriterMetricsTest {

  @Test
  void counts_messages_written_and_inserts_that_failed(TestDatabase db) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Outbox outbox = Outbox.builder().schema(db.schema()).meterRegistry(registry).build();
    UUID id = UUID.randomUUID();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      outbox.send(tx, OutboxMessage.to("orders").messageId(id).payload("a").build());
      outbox.sendAll(
          tx,
          List.of(
              OutboxMessage.to("orders").payload("b").build(),
              OutboxMessage.to("orders").payload("c").build(),
              OutboxMessage.to("orders").payload("d").build()));
      // The same message id again: the unique key refuses it.
      assertThatThrownBy(
              () -> outbox.send(tx, OutboxMessage.to("orders").messageId(id).payload("e").build()))
          .isInstanceOf(OutpostException.class);
      tx.rollback();
    }

    assertThat(registry.get("outpost.outbox.written").counter().count()).isEqualTo(4.0);
    assertThat(registry.get("outpost.outbox.write.failures").counter().count()).isEqualTo(1.0);
  }
}
