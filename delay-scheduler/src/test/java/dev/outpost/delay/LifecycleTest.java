package dev.outpost.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // PostgreSQL SQL in the test
class LifecycleTest {

  private final TestDatabase db;

  LifecycleTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void clearQuartz() {
    QuartzTables.clear(db);
  }

  private DelayScheduler delay(String name) {
    return DelayScheduler.builder()
        .dataSource(db.dataSource())
        .sweepInterval(Duration.ofMillis(50))
        .quartzSchedulerName(name)
        .build();
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  @Test
  void build_starts_no_threads_and_close_without_start_is_harmless() {
    DelayScheduler delay = delay("outpost-lifecycle-unstarted");

    assertThat(threadsNamed("outpost-quartz-outpost-lifecycle-unstarted")).isZero();
    delay.close();
    delay.close();

    assertThatThrownBy(delay::start).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(delay::runOnce).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void quartz_is_only_available_once_started() throws Exception {
    try (DelayScheduler delay = delay("outpost-lifecycle-quartz")) {
      assertThatThrownBy(delay::quartz)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("start()");
      delay.start();
      delay.start();
      assertThat(delay.quartz().getSchedulerName()).isEqualTo("outpost-lifecycle-quartz");
    }
  }

  @Test
  void repeated_start_and_close_leaves_no_threads_behind() {
    for (int round = 0; round < 3; round++) {
      DelayScheduler delay = delay("outpost-lifecycle-cycle");
      delay.start();
      assertThat(threadsNamed("outpost-quartz-outpost-lifecycle-cycle")).isPositive();
      delay.close();
      delay.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> threadsNamed("outpost-quartz-outpost-lifecycle-cycle") == 0);
  }

  @Test
  void concurrent_close_calls_all_return_and_shut_quartz_down() throws Exception {
    DelayScheduler delay = delay("outpost-lifecycle-concurrent");
    delay.start();
    var quartz = delay.quartz();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      CyclicBarrier barrier = new CyclicBarrier(4);
      List<Future<?>> closes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        closes.add(
            threads.submit(
                () -> {
                  barrier.await();
                  delay.close();
                  return null;
                }));
      }
      for (Future<?> close : closes) {
        close.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> quartz.isShutdown());
  }

  @Test
  void close_restores_the_interrupt_flag_of_an_interrupted_caller() {
    DelayScheduler delay = delay("outpost-lifecycle-interrupt");
    delay.start();
    Thread.currentThread().interrupt();
    try {
      delay.close();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void a_closed_node_hands_its_sweep_trigger_back_for_the_other_nodes() {
    DelayScheduler delay = delay("outpost-lifecycle-handback");
    delay.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                db.queryLong(
                        "SELECT count(*) FROM qrtz_triggers"
                            + " WHERE sched_name = 'outpost-lifecycle-handback'"
                            + " AND trigger_state = 'ACQUIRED'")
                    == 1);

    delay.close();

    assertThat(
            db.queryLong(
                "SELECT count(*) FROM qrtz_triggers"
                    + " WHERE sched_name = 'outpost-lifecycle-handback'"
                    + " AND trigger_state = 'WAITING'"))
        .isEqualTo(1);
  }
}
