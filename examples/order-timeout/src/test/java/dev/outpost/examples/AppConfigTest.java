package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  private static AppConfig parse(String... args) {
    return AppConfig.parse(args, Map.of());
  }

  @Test
  void defaults_to_an_embedded_database_in_process_delivery_and_five_minute_timeouts() {
    AppConfig config = parse();
    assertThat(config.jdbcUrl()).isNull();
    assertThat(config.rabbitmqUri()).isNull();
    assertThat(config.kafkaBootstrap()).isNull();
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.orderTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.simulation()).isFalse();
    assertThat(config.transportName()).isEqualTo("in-process publisher");
  }

  @Test
  void a_simulation_uses_second_timeouts_no_http_and_enough_stock() {
    AppConfig config = parse("--simulate", "10000");
    assertThat(config.orderTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.port()).isEqualTo(-1);
    assertThat(config.initialStock()).isEqualTo(20_000);
    assertThat(config.duplicateShare()).isEqualTo(0.05);
  }

  @Test
  void reads_flags_in_both_spellings_and_lets_flags_win_over_the_environment() {
    AppConfig config =
        AppConfig.parse(
            new String[] {"--order-timeout=750ms", "--rabbitmq-uri", "amqp://u:p@h:5672"},
            Map.of(
                "OUTPOST_RABBITMQ_URI",
                "amqp://other",
                "OUTPOST_JDBC_URL",
                "jdbc:postgresql://x/y"));
    assertThat(config.orderTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.rabbitmqUri()).isEqualTo("amqp://u:p@h:5672");
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://x/y");
    assertThat(config.transportName()).isEqualTo("RabbitMQ amqp://h:5672");
  }

  @Test
  void accepts_mariadb_and_mysql_urls_with_root_as_the_default_user() {
    AppConfig mariadb = parse("--jdbc-url", "jdbc:mariadb://127.0.0.1:3306/shop");
    assertThat(mariadb.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3306/shop");
    assertThat(mariadb.jdbcUser()).isEqualTo("root");
    AppConfig mysql = parse("--jdbc-url", "jdbc:mysql://db:3306/shop", "--jdbc-user", "shop");
    assertThat(mysql.jdbcUser()).isEqualTo("shop");
    assertThat(parse("--jdbc-url", "jdbc:postgresql://h/db").jdbcUser()).isEqualTo("postgres");
    assertThat(parse().jdbcUser()).isEqualTo("postgres");
  }

  @Test
  void hands_mysql_urls_to_the_mariadb_driver_with_its_mysql_scheme_option() {
    assertThat(AppConfig.driverUrl("jdbc:mysql://db:3306/shop"))
        .isEqualTo("jdbc:mysql://db:3306/shop?permitMysqlScheme");
    assertThat(AppConfig.driverUrl("jdbc:mysql://db/shop?useSsl=true"))
        .isEqualTo("jdbc:mysql://db/shop?useSsl=true&permitMysqlScheme");
    assertThat(AppConfig.driverUrl("jdbc:mariadb://db/shop")).isEqualTo("jdbc:mariadb://db/shop");
    assertThat(AppConfig.driverUrl("jdbc:postgresql://db/shop"))
        .isEqualTo("jdbc:postgresql://db/shop");
  }

  @Test
  void reads_numbers_and_durations_from_the_environment() {
    AppConfig config =
        AppConfig.parse(
            new String[0], Map.of("OUTPOST_PORT", "9090", "OUTPOST_ORDER_TIMEOUT", "2m"));
    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.orderTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> AppConfig.parse(new String[0], Map.of("OUTPOST_PORT", "x")))
        .hasMessageContaining("'--port'");
  }

  @Test
  void the_help_text_lists_every_flag_with_its_environment_variable() {
    assertThat(AppConfig.usage())
        .contains("--simulate=N", "--jdbc-url=URL", "[env: OUTPOST_JDBC_URL]", "--help");
  }

  @Test
  void help_returns_no_configuration() {
    assertThat(parse("--simulate", "5", "--help")).isNull();
  }

  @Test
  void rejects_bad_flags_naming_the_flag_the_value_and_what_is_allowed() {
    assertThatThrownBy(() -> parse("--simlate", "5"))
        .hasMessageContaining("Unknown option")
        .hasMessageContaining("'--simlate'")
        .hasMessageContaining("see --help");
    assertThatThrownBy(() -> parse("--simulate"))
        .hasMessageContaining("Missing required parameter for option '--simulate'");
    assertThatThrownBy(() -> parse("--simulate", "ten"))
        .hasMessageContaining("'--simulate'")
        .hasMessageContaining("'ten' is not an int");
    assertThatThrownBy(() -> parse("--order-timeout", "5 minutes"))
        .hasMessageContaining("write e.g. 500ms, 2s, 5m or 1h");
    assertThatThrownBy(() -> parse("--pay-share", "1.5"))
        .hasMessageContaining("--pay-share 1.5 is out of range; allowed 0..1");
    assertThatThrownBy(() -> parse("--port", "70000")).hasMessageContaining("allowed 0..65535");
    assertThatThrownBy(() -> parse("--jdbc-url", "postgres://h/db"))
        .hasMessageContaining("--jdbc-url 'postgres://h/db' is not a supported JDBC URL")
        .hasMessageContaining("jdbc:postgresql://")
        .hasMessageContaining("MariaDB 10.6+ (jdbc:mariadb://")
        .hasMessageContaining("MySQL 8.0+ (jdbc:mysql://");
    assertThatThrownBy(() -> parse("--jdbc-url", "jdbc:oracle:thin:@h:1521/db"))
        .hasMessageContaining("is not a supported JDBC URL");
    assertThatThrownBy(() -> parse("--rabbitmq-uri", "http://h"))
        .hasMessageContaining("must start with amqp://");
    assertThatThrownBy(() -> parse("--rabbitmq-uri", "amqp://h", "--kafka-bootstrap", "h:9092"))
        .hasMessageContaining("choose one broker");
    assertThatThrownBy(() -> parse("--resume", "--simulate", "5"))
        .hasMessageContaining("--resume places no new orders");
  }
}
