package dev.outpost.spring.boot.console;

import dev.outpost.admin.OutpostConsole;
import dev.outpost.spring.boot.OutpostAutoConfiguration;
import dev.outpost.spring.boot.OutpostProperties;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Mounts Outpost's web console ({@code outpost-admin}) in a Spring MVC application at {@code
 * outpost.console.path} (default {@value OutpostProperties.Console#DEFAULT_PATH}) when the admin
 * module is on the class path. Read-only unless {@code outpost.console.allow-actions=true}; without
 * {@code outpost.console.token} it answers loopback clients only (like the console's own server,
 * which binds to 127.0.0.1), with a token every request must carry it. {@code
 * outpost.console.enabled=false} turns it off.
 */
@AutoConfiguration(after = OutpostAutoConfiguration.class)
@ConditionalOnClass(
    name = {
      "dev.outpost.admin.OutpostConsole",
      "org.springframework.web.servlet.function.RouterFunction"
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "outpost.console.enabled", matchIfMissing = true)
public class OutpostConsoleAutoConfiguration {

  /** The console on the application's data source and schema. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public OutpostConsole outpostConsole(DataSource dataSource, OutpostProperties properties) {
    OutpostProperties.Console console = properties.getConsole();
    OutpostConsole.Builder builder =
        OutpostConsole.builder()
            .dataSource(dataSource)
            .schema(properties.getSchema())
            .allowActions(console.isAllowActions())
            .operator(console.getOperator());
    if (console.getToken() != null && !console.getToken().isBlank()) {
      builder.token(console.getToken());
    }
    return builder.build();
  }

  /** The routes under {@code outpost.console.path}. */
  @Bean
  public RouterFunction<ServerResponse> outpostConsoleRoutes(
      OutpostConsole console, OutpostProperties properties) {
    return ConsoleRoutes.create(console, properties.getConsole());
  }
}
