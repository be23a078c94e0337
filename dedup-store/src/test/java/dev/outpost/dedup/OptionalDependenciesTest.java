package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Micrometer and the broker clients are optional: the store must work without them. */
@ExtendWith(OutpostDatabaseExtension.class)
@dev.outpost.testing.PostgresOnly // class-path isolation test, independent of the database
class OptionalDependenciesTest {

  @Test
  void processes_once_and_counts_without_micrometer_kafka_or_rabbitmq_on_the_class_path(
      TestDatabase db) throws Throwable {
    try (URLClassLoader loader =
        new URLClassLoader(
            classPathWithout(
                "/io/micrometer/", "/org/apache/kafka/", "/com/rabbitmq/", "/io/lettuce/"),
            ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"))
          .isInstanceOf(ClassNotFoundException.class);
      assertThatThrownBy(() -> loader.loadClass("com.rabbitmq.client.Channel"))
          .isInstanceOf(ClassNotFoundException.class);
      assertThatThrownBy(() -> loader.loadClass("org.apache.kafka.clients.consumer.Consumer"))
          .isInstanceOf(ClassNotFoundException.class);
      assertThatThrownBy(() -> loader.loadClass("io.lettuce.core.RedisClient"))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> dedupType = loader.loadClass("dev.outpost.dedup.Dedup");
      Class<?> builderType = loader.loadClass("dev.outpost.dedup.Dedup$Builder");
      // Method handles resolve one method; Class.getMethod would resolve every public method's
      // parameter types, including meterRegistry(MeterRegistry), which is absent here.
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Object builder =
          lookup.findStatic(dedupType, "builder", MethodType.methodType(builderType)).invoke();
      lookup
          .findVirtual(builderType, "schema", MethodType.methodType(builderType, String.class))
          .invoke(builder, db.schema());
      Object dedup =
          lookup
              .findVirtual(builderType, "build", MethodType.methodType(dedupType))
              .invoke(builder);
      Class<?> sqlWork = loader.loadClass("dev.outpost.dedup.SqlWork");
      Object work =
          Proxy.newProxyInstance(loader, new Class<?>[] {sqlWork}, (proxy, method, args) -> null);
      Method processOnce =
          dedupType.getMethod("processOnce", Connection.class, String.class, UUID.class, sqlWork);
      UUID messageId = UUID.randomUUID();

      List<Object> ran = new ArrayList<>();
      for (int delivery = 0; delivery < 2; delivery++) {
        try (Connection tx = isolatedDataSource(loader, db).getConnection()) {
          tx.setAutoCommit(false);
          ran.add(processOnce.invoke(dedup, tx, "no-metrics", messageId, work));
          tx.commit();
        }
      }

      assertThat(ran).containsExactly(true, false);
      Object counts = dedupType.getMethod("counts", String.class).invoke(dedup, "no-metrics");
      assertThat(counts).hasToString("DedupCounts[processed=1, duplicates=1]");
    }
  }

  private static DataSource isolatedDataSource(ClassLoader loader, TestDatabase db)
      throws ReflectiveOperationException {
    Class<?> type = loader.loadClass("org.postgresql.ds.PGSimpleDataSource");
    Object dataSource = type.getConstructor().newInstance();
    type.getMethod("setUrl", String.class).invoke(dataSource, db.jdbcUrl());
    type.getMethod("setUser", String.class).invoke(dataSource, db.user());
    type.getMethod("setPassword", String.class).invoke(dataSource, db.password());
    return (DataSource) dataSource;
  }

  /** This JVM's class path (expanding Surefire's manifest-only jar) minus matching entries. */
  private static URL[] classPathWithout(String... excluded) throws IOException {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      Manifest manifest = null;
      if (entry.endsWith(".jar") && path.toFile().isFile()) {
        try (JarFile jar = new JarFile(path.toFile())) {
          manifest = jar.getManifest();
        }
      }
      String nested = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (nested != null) {
        for (String relative : nested.trim().split("\\s+")) {
          urls.add(new URL(path.toUri().toURL(), relative));
        }
      } else {
        urls.add(path.toUri().toURL());
      }
    }
    urls.removeIf(url -> List.of(excluded).stream().anyMatch(url.toString()::contains));
    return urls.toArray(URL[]::new);
  }
}
