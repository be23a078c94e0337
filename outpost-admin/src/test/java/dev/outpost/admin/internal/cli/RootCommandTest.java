package dev.outpost.admin.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

class RootCommandTest {

  @Test
  void a_mysql_url_goes_to_the_bundled_mariadb_driver() throws Exception {
    String plain = RootCommand.forBundledDrivers("jdbc:mysql://db:3306/app");
    String withOptions = RootCommand.forBundledDrivers("jdbc:mysql://db:3306/app?useSsl=true");

    assertThat(plain).isEqualTo("jdbc:mysql://db:3306/app?permitMysqlScheme");
    assertThat(withOptions).isEqualTo("jdbc:mysql://db:3306/app?useSsl=true&permitMysqlScheme");
    assertThat(DriverManager.getDriver(plain).getClass().getName())
        .isEqualTo("org.mariadb.jdbc.Driver");
  }

  @Test
  void other_urls_are_left_alone() {
    assertThat(RootCommand.forBundledDrivers("jdbc:postgresql://db:5432/app"))
        .isEqualTo("jdbc:postgresql://db:5432/app");
    assertThat(RootCommand.forBundledDrivers("jdbc:mariadb://db:3306/app"))
        .isEqualTo("jdbc:mariadb://db:3306/app");
    assertThat(RootCommand.forBundledDrivers("jdbc:mysql://db/app?permitMysqlScheme"))
        .isEqualTo("jdbc:mysql://db/app?permitMysqlScheme");
  }
}
