package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class DedupBuilderTest {

  private final Dedup dedup = Dedup.builder().build();
  private final UUID id = UUID.randomUUID();
  private final DSLContext detached = DSL.using(SQLDialect.POSTGRES);
  private final Connection noConnection = null;

  @Test
  void defaults_to_the_public_schema() {
    assertThat(dedup.schema()).isEqualTo("public");
    assertThat(dedup.config()).isEqualTo(new DedupConfig("public"));
    assertThat(dedup.counts("anyone")).isEqualTo(DedupCounts.ZERO);
    assertThat(dedup.counts()).isEmpty();
  }

  @Test
  void rejects_a_schema_that_is_not_a_plain_identifier() {
    assertThatThrownBy(() -> Dedup.builder().schema("Outpost Schema").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema is 'Outpost Schema'")
        .hasMessageContaining("[a-z0-9_]");
    assertThatThrownBy(() -> Dedup.builder().schema(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema is 'null'");
  }

  @Test
  void the_purger_reports_its_configuration_without_collaborators() {
    DedupPurger purger =
        DedupPurger.builder()
            .dialect(dev.outpost.common.Dialect.POSTGRESQL)
            .dataSource(new PGSimpleDataSource())
            .schema("shop")
            .retention(Duration.ofDays(3))
            .batchSize(500)
            .build();
    assertThat(purger.config())
        .isEqualTo(
            new DedupPurgerConfig(
                "shop",
                Duration.ofDays(3),
                500,
                DedupPurger.DEFAULT_INTERVAL,
                DedupPurger.DEFAULT_CLOSE_TIMEOUT));
    assertThatThrownBy(
            () ->
                new DedupPurgerConfig(
                    "shop", Duration.ZERO, 1, Duration.ofSeconds(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("retention is PT0S");
  }

  @Test
  void rejects_a_null_clock() {
    assertThatThrownBy(() -> Dedup.builder().clock(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clock");
  }

  @Test
  void rejects_a_null_blank_or_oversized_consumer_before_touching_the_database() {
    assertThatThrownBy(() -> dedup.processOnce(detached, null, id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer must not be null");
    assertThatThrownBy(() -> dedup.processOnce(detached, "  ", id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is blank");
    String tooLong = "c".repeat(Dedup.MAX_CONSUMER_LENGTH + 1);
    assertThatThrownBy(() -> dedup.processOnce(detached, tooLong, id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("201 characters long; use at most 200");
  }

  @Test
  void rejects_a_null_message_id_work_or_transaction() {
    assertThatThrownBy(() -> dedup.processOnce(detached, "inventory", null, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messageId must not be null");
    assertThatThrownBy(() -> dedup.processOnce(detached, "inventory", id, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("work must not be null");
    assertThatThrownBy(() -> dedup.processOnce(noConnection, "inventory", id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tx must not be null");
    assertThatThrownBy(
            () -> dedup.processOnce((org.jooq.Configuration) null, "inventory", id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tx must not be null");
  }

  @Test
  void purger_requires_a_data_source() {
    assertThatThrownBy(() -> DedupPurger.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource is required");
  }

  @Test
  void purger_rejects_out_of_range_values_naming_field_and_range() {
    DataSource dataSource = new PGSimpleDataSource();
    assertThatThrownBy(() -> DedupPurger.builder().dataSource(dataSource).batchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize is 0; allowed 1..1000000");
    assertThatThrownBy(
            () -> DedupPurger.builder().dataSource(dataSource).retention(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention is PT0S; allowed: a positive duration");
    assertThatThrownBy(
            () ->
                DedupPurger.builder()
                    .dataSource(dataSource)
                    .interval(Duration.ofSeconds(-1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval is PT-1S");
    assertThatThrownBy(() -> DedupPurger.builder().dataSource(dataSource).schema("1x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema is '1x'");
    DedupPurger purger = DedupPurger.builder().dataSource(dataSource).build();
    assertThatThrownBy(() -> purger.purgeOlderThan(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window is null");
  }
}
