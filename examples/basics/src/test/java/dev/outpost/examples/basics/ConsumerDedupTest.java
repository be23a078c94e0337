package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class ConsumerDedupTest {

  @Test
  void three_deliveries_of_one_message_reserve_once(TestDatabase db) throws Exception {
    BasicsTables.reset(db);
    ConsumerDedup consumer = new ConsumerDedup(db.dataSource(), db.schema());
    UUID message = UUID.randomUUID();
    UUID another = UUID.randomUUID();

    assertThat(consumer.onMessage(message, "apple", 2)).isTrue();
    assertThat(consumer.onMessage(message, "apple", 2)).isFalse();
    assertThat(consumer.onMessage(message, "apple", 2)).isFalse();
    assertThat(consumer.onMessage(another, "apple", 3)).isTrue();

    assertThat(db.queryLong("SELECT reserved FROM example_stock WHERE item = 'apple'"))
        .isEqualTo(5);
  }
}
