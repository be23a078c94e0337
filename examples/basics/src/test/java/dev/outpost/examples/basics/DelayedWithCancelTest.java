package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class DelayedWithCancelTest {

  @Test
  void a_paid_order_loses_its_timeout_an_unpaid_one_gets_it_when_due(TestDatabase db) {
    MutableClock clock = MutableClock.atSystemTime();
    UUID paid = UUID.randomUUID();
    UUID unpaid = UUID.randomUUID();
    try (DelayedWithCancel example = new DelayedWithCancel(db.dataSource(), db.schema(), clock)) {
      example.orderPlaced(paid, Duration.ofMinutes(15));
      example.orderPlaced(unpaid, Duration.ofMinutes(15));
      assertThat(example.orderPaid(paid)).isTrue();
      assertThat(example.orderPaid(paid)).as("cancelled already").isFalse();

      clock.advance(Duration.ofMinutes(14));
      assertThat(example.sweep()).as("not due yet").isZero();
      clock.advance(Duration.ofMinutes(2));
      assertThat(example.sweep()).isEqualTo(1);
    }
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM "
                    + db.schema()
                    + ".outbox_message WHERE message_key = '"
                    + unpaid
                    + "'"))
        .isEqualTo(1);
    assertThat(BasicsTables.outboxRows(db, DelayedWithCancel.TIMEOUT_TOPIC)).isEqualTo(1);
  }
}
