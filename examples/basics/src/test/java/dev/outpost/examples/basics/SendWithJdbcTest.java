package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class SendWithJdbcTest {

  @Test
  void the_message_commits_and_rolls_back_with_the_business_row(TestDatabase db) throws Exception {
    BasicsTables.reset(db);
    SendWithJdbc example = new SendWithJdbc(db.dataSource(), db.schema());

    example.placeOrder("apple", false);
    assertThatThrownBy(() -> example.placeOrder("kiwi", true)).isInstanceOf(SQLException.class);

    assertThat(db.queryLong("SELECT count(*) FROM example_order")).isEqualTo(1);
    assertThat(BasicsTables.outboxRows(db, "order.created")).isEqualTo(1);
  }
}
