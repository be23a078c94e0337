package dev.outpost.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class WithoutMicrometerTest {

  @Test
  @SuppressWarnings("unchecked")
  void works_when_micrometer_is_not_on_the_classpath(TestDatabase db) throws Exception {
    ClassLoader withoutMicrometer = new HidingMicrometer(getClass().getClassLoader());
    assertThatThrownBy(
            () -> withoutMicrometer.loadClass("io.micrometer.core.instrument.MeterRegistry"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(
            () ->
                withoutMicrometer
                    .loadClass("dev.outpost.delay.internal.MicrometerDelayMetrics")
                    .getDeclaredMethods())
        .as("the loader really hides Micrometer from Outpost's classes")
        .isInstanceOf(NoClassDefFoundError.class);

    Function<DataSource, String> use =
        (Function<DataSource, String>)
            withoutMicrometer
                .loadClass(MicrometerFreeUse.class.getName())
                .getDeclaredConstructor()
                .newInstance();

    assertThat(use.apply(db.dataSource())).contains("moved=0");
  }

  /** Loads Outpost's delay classes afresh and pretends Micrometer does not exist. */
  private static final class HidingMicrometer extends ClassLoader {
    private final ClassLoader parent;

    HidingMicrometer(ClassLoader parent) {
      super("without-micrometer", parent);
      this.parent = parent;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("io.micrometer.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.startsWith("dev.outpost.delay.")) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = parent.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }
  }
}
