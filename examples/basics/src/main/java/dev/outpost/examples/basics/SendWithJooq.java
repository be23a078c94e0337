package dev.outpost.examples.basics;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Send a message in the same jOOQ transaction as a business row: pass the transaction's {@code
 * DSLContext} to {@link Outbox#send(DSLContext, OutboxMessage)}.
 */
public final class SendWithJooq {

  private final DSLContext dsl;
  private final Outbox outbox;

  /**
   * @param dataSource the application's database, migrated with {@code OutpostMigrations}
   * @param schema the schema of Outpost's tables
   */
  public SendWithJooq(DataSource dataSource, String schema) {
    this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    this.outbox = Outbox.builder().schema(schema).build();
  }

  /**
   * Inserts an order and its {@code order.created} message in one transaction; when {@code
   * failAfterSend} is set the lambda throws, jOOQ rolls back, and no message exists.
   *
   * @return the order id
   */
  public UUID placeOrder(String item, boolean failAfterSend) {
    UUID orderId = UUID.randomUUID();
    dsl.transaction(
        tx -> {
          tx.dsl()
              .insertInto(table("example_order"), field("id"), field("item"))
              .values(orderId, item)
              .execute();
          outbox.send(
              tx.dsl(),
              OutboxMessage.to("order.created")
                  .key(orderId.toString())
                  .payload("{\"id\":\"" + orderId + "\",\"item\":\"" + item + "\"}")
                  .build());
          if (failAfterSend) {
            throw new IllegalStateException("payment service down");
          }
        });
    return orderId;
  }
}
