package dev.outpost.delay;

import java.util.function.Function;
import javax.sql.DataSource;

/** Plain use of the API, loaded by {@link WithoutMicrometerTest} where Micrometer is hidden. */
public final class MicrometerFreeUse implements Function<DataSource, String> {

  @Override
  public String apply(DataSource dataSource) {
    try (DelayScheduler delay = DelayScheduler.builder().dataSource(dataSource).build()) {
      return delay.runOnce().toString();
    }
  }
}
