package dev.outpost.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.quartz.Scheduler;

class DelaySchedulerConfigTest {

  private static final DataSource NOWHERE = new PGSimpleDataSource();

  @Test
  void defaults_are_the_documented_constants() {
    DelaySchedulerConfig config = DelayScheduler.builder().config();

    assertThat(config.schema()).isEqualTo("public");
    assertThat(config.outbox().partitions()).isEqualTo(OutboxConfig.DEFAULT_PARTITIONS);
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.batchSize()).isEqualTo(5_000);
    assertThat(config.duplicateCancelKey()).isEqualTo(DuplicateCancelKey.REPLACE);
    assertThat(config.maxDelay()).isEqualTo(Duration.ofDays(365));
    assertThat(config.clock()).isEqualTo(Clock.systemUTC());
    assertThat(config.quartzSchedulerName()).isEqualTo("outpost-public");
    assertThat(config.quartzThreadCount()).isEqualTo(2);
    assertThat(config.quartzProperties()).isEmpty();
  }

  @Test
  void schema_and_partitions_shape_the_outbox_configuration() {
    DelaySchedulerConfig config = DelayScheduler.builder().schema("shop").partitions(32).config();

    assertThat(config.schema()).isEqualTo("shop");
    assertThat(config.outbox().partitions()).isEqualTo(32);
    assertThat(config.quartzSchedulerName()).isEqualTo("outpost-shop");
  }

  @Test
  void takes_schema_partitions_and_limits_from_the_writers_configuration() {
    OutboxConfig writer =
        Outbox.builder().schema("shop").partitions(8).maxPayloadBytes(1000).config();

    DelaySchedulerConfig config = DelayScheduler.builder().outboxConfig(writer).config();

    assertThat(config.outbox()).isEqualTo(writer);
    assertThat(config.schema()).isEqualTo("shop");
  }

  @Test
  void rejects_an_outbox_configuration_together_with_schema_or_partitions() {
    OutboxConfig writer = Outbox.builder().schema("shop").config();

    assertThatThrownBy(() -> DelayScheduler.builder().outboxConfig(writer).schema("other").config())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("either outboxConfig");
    assertThatThrownBy(() -> DelayScheduler.builder().outboxConfig(writer).partitions(4).config())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejects_out_of_range_values_naming_field_value_and_range() {
    assertRejected(
        DelayScheduler.builder().sweepInterval(Duration.ofMillis(5)), "sweepInterval", "PT0.005S");
    assertRejected(
        DelayScheduler.builder().sweepInterval(Duration.ofHours(2)), "sweepInterval", "PT1H");
    assertRejected(DelayScheduler.builder().sweepInterval(null), "sweepInterval", "null");
    assertRejected(DelayScheduler.builder().batchSize(0), "batchSize is 0", "1..100000");
    assertRejected(DelayScheduler.builder().batchSize(100_001), "batchSize", "100001");
    assertRejected(DelayScheduler.builder().maxDelay(Duration.ofMillis(10)), "maxDelay", "PT1S");
    assertRejected(
        DelayScheduler.builder().maxDelay(Duration.ofDays(40_000)), "maxDelay", "PT876000H");
    assertRejected(DelayScheduler.builder().duplicateCancelKey(null), "duplicateCancelKey");
    assertRejected(DelayScheduler.builder().clock(null), "clock");
    assertRejected(DelayScheduler.builder().quartzThreadCount(0), "quartzThreadCount is 0");
    assertRejected(DelayScheduler.builder().quartzSchedulerName(" "), "quartzSchedulerName");
    assertRejected(
        DelayScheduler.builder().quartzSchedulerName("x".repeat(121)), "quartzSchedulerName");
    assertRejected(DelayScheduler.builder().schema("Bad Schema"), "schema is 'Bad Schema'");
    assertRejected(DelayScheduler.builder().partitions(0), "partitions is 0");
  }

  @Test
  void requires_a_data_source() {
    assertThatThrownBy(() -> DelayScheduler.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource is required");
  }

  @Test
  void rejects_own_scheduler_settings_when_attaching_to_the_applications_scheduler() {
    Scheduler app =
        (Scheduler)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Scheduler.class}, (p, m, a) -> null);
    Properties extra = new Properties();
    extra.setProperty("org.quartz.scheduler.idleWaitTime", "2000");

    assertThatThrownBy(
            () ->
                DelayScheduler.builder()
                    .dataSource(NOWHERE)
                    .quartzScheduler(app)
                    .quartzThreadCount(4)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quartzThreadCount");
    assertThatThrownBy(
            () ->
                DelayScheduler.builder()
                    .dataSource(NOWHERE)
                    .quartzScheduler(app)
                    .quartzProperties(extra)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void quartz_properties_are_copied() {
    Properties extra = new Properties();
    extra.setProperty("org.quartz.scheduler.idleWaitTime", "2000");
    DelayScheduler.Builder builder = DelayScheduler.builder().quartzProperties(extra);
    extra.setProperty("org.quartz.scheduler.idleWaitTime", "9999");

    assertThat(builder.config().quartzProperties())
        .containsEntry("org.quartz.scheduler.idleWaitTime", "2000");
  }

  private static void assertRejected(DelayScheduler.Builder builder, String... parts) {
    var thrown =
        assertThatThrownBy(() -> builder.dataSource(NOWHERE).build())
            .isInstanceOf(IllegalArgumentException.class);
    for (String part : parts) {
      thrown.hasMessageContaining(part);
    }
  }
}
