package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class SendWithJooqTest {

  @Test
  void the_message_commits_and_rolls_back_with_the_business_row(TestDatabase db) {
    BasicsTables.reset(db);
    SendWithJooq example = new SendWithJooq(db.dataSource(), db.schema());

    UUID committed = example.placeOrder("apple", false);
    assertThatThrownBy(() -> example.placeOrder("kiwi", true))
        .hasMessageContaining("payment service down");

    assertThat(db.queryLong("SELECT count(*) FROM example_order")).isEqualTo(1);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM "
                    + db.schema()
                    + ".outbox_message WHERE message_key = '"
                    + committed
                    + "'"))
        .isEqualTo(1);
    assertThat(BasicsTables.outboxRows(db, "order.created")).isEqualTo(1);
  }
}
