package dev.outpost.examples.spring;

import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The order-timeout shop on Spring Boot with the Outpost starter: an order and its timeout are
 * written in one {@code @Transactional} method, paying cancels the timeout in the payment
 * transaction, and an unpaid order's timeout releases its stock exactly once.
 *
 * <pre>
 * java -jar outpost-example-spring-boot.jar                       # embedded PostgreSQL, HTTP on :8080
 * java -jar outpost-example-spring-boot.jar --shop.simulate=2000  # simulation, report, exit code
 * </pre>
 */
@SpringBootApplication
@EnableConfigurationProperties(ShopProperties.class)
public class ShopApplication {

  /** Starts the shop. */
  public static void main(String[] args) {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    SpringApplication app = new SpringApplication(ShopApplication.class);
    boolean simulate = Arrays.stream(args).anyMatch(a -> a.startsWith("--shop.simulate="));
    if (simulate) {
      app.setWebApplicationType(WebApplicationType.NONE); // a run with a report, no server
    }
    ConfigurableApplicationContext context = app.run(args);
    if (simulate) {
      // Closing the context stops Outpost's relay, sweep and purger (SmartLifecycle).
      System.exit(SpringApplication.exit(context));
    }
  }
}
