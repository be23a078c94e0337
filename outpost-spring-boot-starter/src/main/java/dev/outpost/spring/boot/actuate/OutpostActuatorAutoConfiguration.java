package dev.outpost.spring.boot.actuate;

import dev.outpost.common.Dialect;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.OutboxBacklog;
import dev.outpost.relay.Relay;
import dev.outpost.spring.boot.OutpostAutoConfiguration;
import dev.outpost.spring.boot.OutpostLifecycle;
import dev.outpost.spring.boot.OutpostProperties;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Outpost's health indicator ({@code management.health.outpost.enabled}) and {@code outpost}
 * actuator endpoint, when Boot's health and actuator modules are present.
 */
@AutoConfiguration(after = OutpostAutoConfiguration.class)
@ConditionalOnBean(OutpostLifecycle.class)
public class OutpostActuatorAutoConfiguration {

  /** The health indicator, named {@code outpost}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator("outpost")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "outpostHealthIndicator")
    OutpostHealthIndicator outpostHealthIndicator(
        ObjectProvider<Relay> relay,
        ObjectProvider<DelayScheduler> delayScheduler,
        OutpostLifecycle lifecycle,
        OutpostProperties properties,
        DataSource dataSource) {
      Relay r = relay.getIfAvailable();
      // Only PostgreSQL has notifications: on MySQL/MariaDB the relay polls and never listens.
      boolean expectListener =
          r != null
              && r.config().listen()
              && (properties.getDialect() != null
                      ? properties.getDialect()
                      : Dialect.detect(dataSource))
                  == Dialect.POSTGRESQL;
      return new OutpostHealthIndicator(
          r,
          expectListener,
          delayScheduler.getIfAvailable(),
          lifecycle,
          properties.getHealth().getMaxBacklogAge(),
          properties.getHealth().getMaxSweepLateness(),
          Clock.systemUTC());
    }
  }

  /** The {@code outpost} endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  @ConditionalOnAvailableEndpoint(OutpostEndpoint.class)
  static class Endpoint {

    @Bean
    @ConditionalOnMissingBean
    OutpostEndpoint outpostEndpoint(
        OutboxBacklog backlog,
        DeadLetters deadLetters,
        DelayScheduler delayScheduler,
        ObjectProvider<Relay> relay,
        OutpostLifecycle lifecycle) {
      return new OutpostEndpoint(
          backlog,
          deadLetters,
          delayScheduler,
          relay.getIfAvailable(),
          lifecycle,
          Clock.systemUTC());
    }
  }
}
