package dev.outpost.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.Dialect;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.kafka.KafkaPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import dev.outpost.testing.TestDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Properties, back-off for user beans, lifecycle and the migration modes. */
@Timeout(120)
class OutpostAutoConfigurationTest {

  final TestDatabase db = StarterTestDatabase.db();

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DataSourceAutoConfiguration.class,
                  DataSourceTransactionManagerAutoConfiguration.class,
                  FlywayAutoConfiguration.class,
                  OutpostAutoConfiguration.class))
          .withPropertyValues(StarterTestDatabase.properties());

  @Test
  void propertiesReachTheBuilders() {
    runner
        .withPropertyValues(
            "outpost.partitions=16",
            "outpost.relay.threads=2",
            "outpost.relay.batch-size=123",
            "outpost.relay.max-attempts=7",
            "outpost.relay.rate-limit-per-second=50",
            "outpost.relay.backoff-base=2s",
            "outpost.relay.poll-interval=2s",
            "outpost.relay.fast-poll-interval=20ms",
            "outpost.dialect=" + db.dialect().name().toLowerCase(Locale.ROOT),
            "outpost.delay.sweep-interval=500ms",
            "outpost.dedup.retention=3d")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Relay relay = context.getBean(Relay.class);
              assertThat(relay.config().threads()).isEqualTo(2);
              assertThat(relay.config().batchSize()).isEqualTo(123);
              assertThat(relay.config().maxAttempts()).isEqualTo(7);
              assertThat(relay.config().batch().rateLimitPerSecond()).isEqualTo(50);
              assertThat(relay.config().retry().backoffBase()).hasSeconds(2);
              assertThat(relay.config().polling().pollInterval()).hasSeconds(2);
              assertThat(relay.config().polling().fastPollInterval()).hasMillis(20);
              assertThat(context.getBean(OutpostProperties.class).getDialect())
                  .isEqualTo(db.dialect());
              DelayScheduler delays = context.getBean(DelayScheduler.class);
              assertThat(delays.config().sweepInterval()).hasMillis(500);
              assertThat(context.getBean(Outbox.class).config().schema()).isEqualTo(db.schema());
            });
  }

  @Test
  void fastPollIntervalDefaultsToTheBuildersAndALongerOneThanPollIntervalIsRefused() {
    runner
        .withPropertyValues("outpost.relay.poll-interval=5ms")
        .run(
            context ->
                assertThat(context.getBean(Relay.class).config().polling().fastPollInterval())
                    .hasMillis(5));
    runner
        .withPropertyValues(
            "outpost.relay.poll-interval=100ms", "outpost.relay.fast-poll-interval=1s")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fastPollInterval is PT1S"));
  }

  @Test
  void anUnknownDialectIsRefused() {
    runner
        .withPropertyValues("outpost.dialect=oracle")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("outpost.dialect")
                    .hasStackTraceContaining("oracle"));
  }

  @Test
  void outpostModeMigratesAFreshSchemaWithTheDetectedDialectsMigrations() {
    String schema = "sb_fresh_" + Long.toHexString(System.nanoTime());
    try {
      runner
          .withPropertyValues(
              "outpost.schema=" + schema,
              "outpost.relay.enabled=false",
              "outpost.delay.enabled=false")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(OutpostSchemaMigration.class).version()).isNotNull();
                assertThat(outpostTables(schema)).isEqualTo(2);
              });
    } finally {
      dropSchema(schema);
    }
  }

  @Test
  void userBeansWinAndDisabledPartsAreAbsent() {
    Outbox mine = Outbox.builder().schema(db.schema()).maxKeyLength(10).build();
    Publisher publisher = batch -> null;
    runner
        .withBean(Outbox.class, () -> mine)
        .withBean(Publisher.class, () -> publisher)
        .withPropertyValues("outpost.delay.enabled=false", "outpost.dedup.purge-enabled=false")
        .run(
            context -> {
              assertThat(context.getBean(Outbox.class)).isSameAs(mine);
              assertThat(context.getBean(Publisher.class)).isSameAs(publisher);
              assertThat(context.getBean(SpringOutbox.class).outbox()).isSameAs(mine);
              assertThat(context.getBean(OutpostLifecycle.class).components())
                  .containsOnlyKeys(OutpostLifecycle.RELAY);
            });
    runner
        .withPropertyValues("outpost.relay.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Relay.class));
  }

  @Test
  void theRelayRunsWithTheContextAndStopsWhenItCloses() {
    AtomicReference<Relay> relay = new AtomicReference<>();
    runner.run(
        context -> {
          relay.set(context.getBean(Relay.class));
          assertThat(relay.get().health().state()).isEqualTo(RelayHealth.State.RUNNING);
          assertThat(
                  context
                      .getBean(OutpostLifecycle.class)
                      .isRunning(OutpostLifecycle.DELAY_SCHEDULER))
              .isTrue();
        });
    assertThat(relay.get().health().state()).isEqualTo(RelayHealth.State.CLOSED);
  }

  @Test
  void brokerPublishersAreChosenByProperty() {
    runner
        .withPropertyValues(
            "outpost.relay.enabled=false",
            "outpost.publisher.type=kafka",
            "outpost.publisher.kafka.bootstrap-servers=127.0.0.1:1")
        .run(
            context ->
                assertThat(context.getBean(Publisher.class)).isInstanceOf(KafkaPublisher.class));
    runner
        .withPropertyValues(
            "outpost.relay.enabled=false",
            "outpost.publisher.type=rabbitmq",
            "outpost.publisher.rabbitmq.uri=amqp://guest:guest@127.0.0.1:5672",
            "outpost.publisher.rabbitmq.exchange=orders")
        .run(
            context ->
                assertThat(context.getBean(Publisher.class)).isInstanceOf(RabbitMqPublisher.class));
  }

  @Test
  void flywayModeRunsOutpostsMigrationsThroughBootsFlyway() {
    String schema = "sb_flyway_" + Long.toHexString(System.nanoTime());
    try {
      runFlywayMode(schema);
    } finally {
      dropSchema(schema);
    }
  }

  private void runFlywayMode(String schema) {
    runner
        .withPropertyValues(
            "spring.flyway.enabled=true",
            "spring.flyway.locations=classpath:db/none",
            "spring.flyway.schemas=" + schema,
            "outpost.schema=" + schema,
            "outpost.migration.mode=flyway",
            "outpost.relay.enabled=false",
            "outpost.delay.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(OutpostSchemaMigration.class);
              assertThat(
                      db.queryLong(
                          "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                              + schema
                              + "' AND table_name IN ('outbox_message', 'flyway_schema_history')"))
                  .isEqualTo(2);
            });
  }

  @Test
  void aFlywayLocationThatWouldRunOutpostsMigrationsTwiceIsRefused() {
    runner
        .withPropertyValues(
            "spring.flyway.enabled=true",
            "spring.flyway.locations=classpath:dev", // scans dev/outpost/migrations/... too
            "outpost.relay.enabled=false",
            "outpost.delay.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("also finds Outpost's migrations")
                    .hasMessageContaining("outpost.migration.mode=flyway"));
  }

  @Test
  void bootsDefaultFlywayLocationDoesNotFindOutpostsMigrations() {
    assertThat(
            OutpostAutoConfiguration.BootFlywayConfiguration.covers(
                new org.flywaydb.core.api.Location("classpath:db/migration"),
                new org.flywaydb.core.api.Location(
                    dev.outpost.migrations.OutpostMigrations.LOCATION)))
        .isFalse();
  }

  /** Outpost's outbox and delayed-message tables in {@code schema} (2 when migrated). */
  private long outpostTables(String schema) {
    return db.queryLong(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
            + schema
            + "' AND table_name IN ('outbox_message', 'delayed_message')");
  }

  /** Drops a schema a test created (on MySQL/MariaDB a database of the shared server). */
  private void dropSchema(String schema) {
    db.execute(
        db.dialect() == Dialect.POSTGRESQL
            ? "DROP SCHEMA IF EXISTS " + db.quote(schema) + " CASCADE"
            : "DROP DATABASE IF EXISTS " + db.quote(schema));
  }
}
