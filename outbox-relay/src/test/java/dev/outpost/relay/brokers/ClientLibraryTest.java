package dev.outpost.relay.brokers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.brokers.internal.ClientLibrary;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClientLibraryTest {

  @Test
  void a_missing_client_names_the_maven_coordinates_to_add() {
    assertThatThrownBy(
            () ->
                ClientLibrary.require(
                    "org.example.Missing", "KafkaPublisher", "org.apache.kafka:kafka-clients"))
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining(
            "KafkaPublisher needs the broker client org.apache.kafka:kafka-clients")
        .hasMessageContaining(
            "<groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId>");
  }

  @Test
  void a_present_client_passes() {
    assertThatCode(
            () ->
                ClientLibrary.require(
                    "com.rabbitmq.client.ConnectionFactory",
                    "RabbitMqPublisher",
                    "com.rabbitmq:amqp-client"))
        .doesNotThrowAnyException();
  }

  /**
   * Loads the publishers in a class loader whose classpath lacks the broker clients, as in an
   * application that did not add them.
   */
  @Test
  void building_a_publisher_without_its_client_jar_names_the_dependency() throws Exception {
    URL[] withoutClients =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("kafka") && !entry.contains("amqp-client"))
            .map(ClientLibraryTest::url)
            .toArray(URL[]::new);
    try (URLClassLoader loader =
        new URLClassLoader(withoutClients, ClassLoader.getPlatformClassLoader())) {
      for (String[] publisher :
          new String[][] {
            {"dev.outpost.relay.kafka.KafkaPublisher", "org.apache.kafka:kafka-clients"},
            {"dev.outpost.relay.rabbitmq.RabbitMqPublisher", "com.rabbitmq:amqp-client"}
          }) {
        Method builder = loader.loadClass(publisher[0]).getMethod("builder");
        assertThatThrownBy(() -> builder.invoke(null))
            .isInstanceOf(InvocationTargetException.class)
            .cause()
            .satisfies(
                e -> {
                  assertThat(e.getClass().getName()).isEqualTo(OutpostException.class.getName());
                  assertThat(e.getMessage()).contains(publisher[1]).contains("<dependency>");
                });
      }
    }
  }

  private static URL url(String entry) {
    try {
      return new File(entry).toURI().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }
}
