package dev.outpost.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.schema.OutboxMessageTable;
import dev.outpost.outbox.schema.OutpostSchema;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class OutboxMessageSqlTest {

  @Test
  void writer_insert_is_the_statement_jooq_renders_for_the_table_definition() {
    OutpostSchema schema = OutpostSchema.named("shop_outpost");
    OutboxMessageTable table = schema.outboxMessage;
    Field<?>[] values = {
      DSL.val(null, table.messageId),
      DSL.val(null, table.topic),
      DSL.val(null, table.messageKey),
      DSL.val(null, table.partitionNo),
      DSL.val(null, table.payload),
      DSL.val(null, table.headers),
      DSL.val(null, table.createdAt),
      DSL.val(null, table.availableAt)
    };
    String rendered =
        DSL.using(SQLDialect.POSTGRES, new Settings())
            .insertInto(table.table)
            .columns(
                new Field<?>[] {
                  table.messageId,
                  table.topic,
                  table.messageKey,
                  table.partitionNo,
                  table.payload,
                  table.headers,
                  table.createdAt,
                  table.availableAt
                })
            .values(values)
            .getSQL(ParamType.INDEXED);

    OutboxMessageSql sql = OutboxMessageSql.of(schema);

    assertThat(sql.insertPrefix() + sql.insertRow()).isEqualTo(rendered);
  }

  @Test
  void every_statement_names_the_tables_of_the_configured_schema() {
    OutboxMessageSql sql = OutboxMessageSql.of(OutpostSchema.named("shop_outpost"));

    assertThat(sql.claimWindowSql(true))
        .contains("\"shop_outpost\".\"outbox_message\"")
        .contains("\"shop_outpost\".\"outbox_dead_letter\"")
        .doesNotContain("{");
    assertThat(sql.moveDueFromDelayed(true))
        .contains("\"shop_outpost\".\"delayed_message\"")
        .contains("ON CONFLICT (message_id) DO NOTHING");
    assertThat(sql.moveDueFromDelayed(false)).doesNotContain("ON CONFLICT");
    assertThat(((PostgresOutboxMessageSql) sql).replayDeadLettersSql())
        .contains("{0}")
        .contains("{1}")
        .contains("\"shop_outpost\".\"outbox_dead_letter\"");
  }

  @Test
  void a_template_token_naming_no_table_is_refused() {
    OutpostSchema schema = OutpostSchema.named("public");

    assertThatThrownBy(() -> schema.render("SELECT 1 FROM {outbox}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{outbox}");
  }
}
