package dev.outpost.spring.boot;

import dev.outpost.common.Dialect;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupPurger;
import dev.outpost.dedup.KafkaDedupConsumer;
import dev.outpost.dedup.RabbitMqDedupConsumer;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.OutboxBacklog;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.api.Location;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of Outpost from {@code outpost.*} properties on the application's {@link
 * DataSource}: schema migration, the outbox writer, the delay scheduler, the dedup store and its
 * purger, the publisher and the relay, their Spring-transaction facades ({@link SpringOutbox},
 * {@link SpringDelayScheduler}, {@link SpringDedup}) and the {@link OutpostLifecycle} that runs
 * them with the context. Every bean backs off when the application defines its own of the same
 * type.
 *
 * <p>Runs on PostgreSQL and on MySQL/MariaDB: each component detects the dialect from the data
 * source (or takes {@code outpost.dialect}), and the migrations are those of that dialect.
 *
 * <p>Each library component is built in exactly one bean method here.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnClass(Outbox.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(OutpostProperties.class)
public class OutpostAutoConfiguration {

  /** Outpost's own migrations, the default ({@code outpost.migration.mode=outpost}). */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      name = "outpost.migration.mode",
      havingValue = "outpost",
      matchIfMissing = true)
  public OutpostSchemaMigration outpostSchemaMigration(
      DataSource dataSource, OutpostProperties properties) {
    return new OutpostSchemaMigration(
        OutpostMigrations.builder()
            .dataSource(dataSource)
            .schema(properties.getSchema())
            .historyTable(properties.getMigration().getHistoryTable())
            .dialect(properties.getDialect())
            .build());
  }

  /** The outbox writer. */
  @Bean
  @ConditionalOnMissingBean
  public Outbox outpostOutbox(
      OutpostProperties properties, ObjectProvider<OutpostMetrics> metrics) {
    Outbox.Builder builder =
        Outbox.builder()
            .schema(properties.getSchema())
            .partitions(properties.getPartitions())
            .dialect(properties.getDialect());
    metrics.ifAvailable(m -> m.bind(builder));
    return builder.build();
  }

  /** The delay scheduler; its sweep runs with the context unless {@code outpost.delay.enabled}. */
  @Bean
  @ConditionalOnMissingBean
  public DelayScheduler outpostDelayScheduler(
      DataSource dataSource,
      Outbox outbox,
      OutpostProperties properties,
      ObjectProvider<OutpostMetrics> metrics) {
    OutpostProperties.Delay delay = properties.getDelay();
    DelayScheduler.Builder builder =
        DelayScheduler.builder()
            .dataSource(dataSource)
            .outboxConfig(outbox.config())
            .sweepInterval(delay.getSweepInterval())
            .batchSize(delay.getBatchSize())
            .maxDelay(delay.getMaxDelay())
            .dialect(properties.getDialect());
    metrics.ifAvailable(m -> m.bind(builder));
    return builder.build();
  }

  /** The dedup store. */
  @Bean
  @ConditionalOnMissingBean
  public Dedup outpostDedup(OutpostProperties properties, ObjectProvider<OutpostMetrics> metrics) {
    Dedup.Builder builder =
        Dedup.builder().schema(properties.getSchema()).dialect(properties.getDialect());
    metrics.ifAvailable(m -> m.bind(builder));
    return builder.build();
  }

  /** The purger of old dedup keys, unless {@code outpost.dedup.purge-enabled=false}. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "outpost.dedup.purge-enabled", matchIfMissing = true)
  public DedupPurger outpostDedupPurger(
      DataSource dataSource, OutpostProperties properties, ObjectProvider<OutpostMetrics> metrics) {
    DedupPurger.Builder builder =
        DedupPurger.builder()
            .dataSource(dataSource)
            .schema(properties.getSchema())
            .retention(properties.getDedup().getRetention())
            .interval(properties.getDedup().getPurgeInterval())
            .dialect(properties.getDialect());
    metrics.ifAvailable(m -> m.bind(builder));
    return builder.build();
  }

  /** The publisher {@code outpost.publisher.type} names (in-process by default). */
  @Bean
  @ConditionalOnMissingBean
  public Publisher outpostPublisher(
      OutpostProperties properties, ObjectProvider<OutpostHandler> handlers) {
    return OutpostPublishers.create(properties.getPublisher(), handlers.orderedStream().toList());
  }

  /** The relay, unless {@code outpost.relay.enabled=false}. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "outpost.relay.enabled", matchIfMissing = true)
  public Relay outpostRelay(
      DataSource dataSource,
      Publisher publisher,
      OutpostProperties properties,
      ObjectProvider<OutpostMetrics> metrics) {
    OutpostProperties.Relay relay = properties.getRelay();
    Relay.Builder builder =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(publisher)
            .schema(properties.getSchema())
            .partitions(properties.getPartitions())
            .threads(relay.getThreads())
            .batchSize(relay.getBatchSize())
            .maxAttempts(relay.getMaxAttempts())
            .backoffBase(relay.getBackoffBase())
            .backoffMax(relay.getBackoffMax())
            .rateLimitPerSecond(relay.getRateLimitPerSecond())
            .pollInterval(relay.getPollInterval())
            .fastPollInterval(relay.getFastPollInterval())
            .publishTimeout(relay.getPublishTimeout())
            .shutdownTimeout(relay.getShutdownTimeout())
            .parkKeyOnDeadLetter(relay.isParkKeyOnDeadLetter())
            .dialect(properties.getDialect());
    metrics.ifAvailable(m -> m.bind(builder));
    return builder.build();
  }

  /** The dead letters of the schema (also without a relay on this node). */
  @Bean
  @ConditionalOnMissingBean
  public DeadLetters outpostDeadLetters(DataSource dataSource, OutpostProperties properties) {
    return DeadLetters.create(dataSource, properties.getSchema());
  }

  /** The outbox backlog per partition. */
  @Bean
  @ConditionalOnMissingBean
  public OutboxBacklog outpostOutboxBacklog(DataSource dataSource, OutpostProperties properties) {
    return OutboxBacklog.create(dataSource, properties.getSchema());
  }

  /** {@link Outbox#send} in the current Spring transaction. */
  @Bean
  @ConditionalOnMissingBean
  public SpringOutbox springOutbox(Outbox outbox, DataSource dataSource) {
    return new SpringOutbox(outbox, dataSource);
  }

  /** Schedule and cancel in the current Spring transaction. */
  @Bean
  @ConditionalOnMissingBean
  public SpringDelayScheduler springDelayScheduler(
      DelayScheduler scheduler, DataSource dataSource) {
    return new SpringDelayScheduler(scheduler, dataSource);
  }

  /** {@code processOnce} in the current Spring transaction. */
  @Bean
  @ConditionalOnMissingBean
  public SpringDedup springDedup(Dedup dedup, DataSource dataSource) {
    return new SpringDedup(dedup, dataSource);
  }

  /**
   * Starts and stops consumers (beans of type {@link KafkaDedupConsumer} and {@link
   * RabbitMqDedupConsumer}), the dedup purger, the delay sweep and the relay with the context.
   */
  @Bean
  @ConditionalOnMissingBean
  public OutpostLifecycle outpostLifecycle(
      OutpostProperties properties,
      ObjectProvider<OutpostSchemaMigration> migration,
      ObjectProvider<Relay> relay,
      ObjectProvider<DelayScheduler> delayScheduler,
      ObjectProvider<DedupPurger> purger,
      ListableBeanFactory beans) {
    migration.ifAvailable(m -> {}); // the tables exist before anything starts
    List<OutpostLifecycle.Component> components = new ArrayList<>();
    for (Map.Entry<String, KafkaDedupConsumer> c :
        beans.getBeansOfType(KafkaDedupConsumer.class).entrySet()) {
      components.add(
          new OutpostLifecycle.Component(
              "consumer:" + c.getKey(), c.getValue()::start, c.getValue()::close));
    }
    for (Map.Entry<String, RabbitMqDedupConsumer> c :
        beans.getBeansOfType(RabbitMqDedupConsumer.class).entrySet()) {
      components.add(
          new OutpostLifecycle.Component(
              "consumer:" + c.getKey(), c.getValue()::start, c.getValue()::close));
    }
    purger.ifAvailable(
        p -> components.add(new OutpostLifecycle.Component("dedup-purger", p::start, p::close)));
    if (properties.getDelay().isEnabled()) {
      delayScheduler.ifAvailable(
          d ->
              components.add(
                  new OutpostLifecycle.Component(
                      OutpostLifecycle.DELAY_SCHEDULER, d::start, d::close)));
    }
    relay.ifAvailable(
        r ->
            components.add(
                new OutpostLifecycle.Component(OutpostLifecycle.RELAY, r::start, r::close)));
    return new OutpostLifecycle(components, properties.getLifecycle().getPhase());
  }

  /** Binds Boot's meter registry to Outpost's components when Micrometer is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class OutpostMetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutpostMetrics outpostMetrics(
        ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
      return new OutpostMetrics(registry);
    }
  }

  /**
   * Boot's Flyway and Outpost's migrations: {@code outpost.migration.mode=flyway} adds Outpost's
   * location for the database's dialect ({@code outpost.dialect}, else detected from Flyway's data
   * source) to Boot's Flyway, so they run with the application's, in its history table; with {@code
   * outpost.migration.mode=outpost} Boot's Flyway must find neither dialect's migrations.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer")
  static class BootFlywayConfiguration {

    @Bean
    FlywayConfigurationCustomizer outpostFlywayLocations(OutpostProperties properties) {
      return configuration -> {
        List<Location> locations = new ArrayList<>(Arrays.asList(configuration.getLocations()));
        switch (properties.getMigration().getMode()) {
          case FLYWAY -> {
            Dialect dialect =
                properties.getDialect() != null
                    ? properties.getDialect()
                    : Dialect.detect(configuration.getDataSource());
            Location outpost = new Location(OutpostMigrations.location(dialect));
            if (locations.stream().noneMatch(l -> covers(l, outpost))) {
              locations.add(outpost);
              configuration.locations(locations.toArray(Location[]::new));
            }
          }
          case OUTPOST -> {
            Location postgresql = new Location(OutpostMigrations.LOCATION);
            Location mysql = new Location(OutpostMigrations.MYSQL_LOCATION);
            if (locations.stream().anyMatch(l -> covers(l, postgresql) || covers(l, mysql))) {
              throw new IllegalStateException(
                  "spring.flyway.locations "
                      + locations
                      + " also finds Outpost's migrations ("
                      + OutpostMigrations.LOCATION
                      + " or "
                      + OutpostMigrations.MYSQL_LOCATION
                      + ": Flyway scans locations recursively), which"
                      + " outpost.migration.mode=outpost runs on their own. Move your migrations"
                      + " to a folder of their own (spring.flyway.locations=classpath:db/migration/app),"
                      + " or set outpost.migration.mode=flyway to run Outpost's with yours (their"
                      + " versions then share your history table).");
            }
          }
          case NONE -> {}
        }
      };
    }

    /** Whether Flyway scanning {@code location} finds the migrations of {@code outpost}. */
    static boolean covers(Location location, Location outpost) {
      if (!location.isClassPath()) {
        return false;
      }
      String root = location.getRootPath();
      String target = outpost.getRootPath();
      return root.isEmpty() || target.equals(root) || target.startsWith(root + "/");
    }
  }
}
