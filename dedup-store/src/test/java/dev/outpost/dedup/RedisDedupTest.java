package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.RedisServerProcess;
import dev.outpost.testing.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisDedupTest {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> admin;

  private final String prefix = TestRedis.uniqueKeyPrefix();
  private final List<RedisDedup> opened = new ArrayList<>();

  @BeforeAll
  static void connect() {
    client = RedisClient.create(TestRedis.shared().url());
    admin = client.connect();
  }

  @AfterAll
  static void disconnect() {
    admin.close();
    client.shutdown();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RedisDedup::close);
    List<String> keys = redis().keys(prefix + "*");
    if (!keys.isEmpty()) {
      redis().del(keys.toArray(String[]::new));
    }
  }

  @Test
  void runs_the_work_once_and_tells_duplicates() {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();

    List<ProcessOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      outcomes.add(dedup.processOnce("sms", id, runs::incrementAndGet));
    }

    assertThat(runs).hasValue(1);
    assertThat(outcomes)
        .containsExactly(
            ProcessOutcome.PROCESSED,
            ProcessOutcome.DUPLICATE,
            ProcessOutcome.DUPLICATE,
            ProcessOutcome.DUPLICATE,
            ProcessOutcome.DUPLICATE);
    assertThat(dedup.counts("sms")).isEqualTo(new DedupCounts(1, 4));
    assertThat(redis().get(prefix + "sms:" + id)).startsWith("done:");
    assertThat(redis().pttl(prefix + "sms:" + id))
        .isGreaterThan(RedisDedup.DEFAULT_RETENTION.minusMinutes(1).toMillis());
  }

  @Test
  void keys_by_consumer_so_two_consumers_each_run_the_work_once() {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();

    dedup.processOnce("sms", id, runs::incrementAndGet);
    dedup.processOnce("email", id, runs::incrementAndGet);
    dedup.processOnce("sms", id, runs::incrementAndGet);
    dedup.processOnce("email", id, runs::incrementAndGet);

    assertThat(runs).hasValue(2);
    assertThat(dedup.counts())
        .isEqualTo(Map.of("sms", new DedupCounts(1, 1), "email", new DedupCounts(1, 1)));
  }

  @Test
  void tells_a_duplicate_arriving_during_the_work_that_it_is_in_progress_and_does_not_run_it()
      throws Exception {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    CountDownLatch othersDone = new CountDownLatch(threads - 1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ProcessOutcome>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  ProcessOutcome outcome =
                      dedup.processOnce(
                          "sms",
                          id,
                          () -> {
                            runs.incrementAndGet();
                            await(othersDone); // hold the claim until every other call returned
                          });
                  if (outcome != ProcessOutcome.PROCESSED) {
                    othersDone.countDown();
                  }
                  return outcome;
                }));
      }
      List<ProcessOutcome> outcomes = new ArrayList<>();
      for (Future<ProcessOutcome> f : futures) {
        outcomes.add(f.get(60, TimeUnit.SECONDS));
      }

      assertThat(runs).hasValue(1);
      assertThat(outcomes).filteredOn(o -> o == ProcessOutcome.PROCESSED).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o == ProcessOutcome.IN_PROGRESS).hasSize(threads - 1);
      assertThat(dedup.processOnce("sms", id, runs::incrementAndGet))
          .isEqualTo(ProcessOutcome.DUPLICATE);
      assertThat(runs).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void runs_each_of_100_messages_raced_by_8_threads_exactly_once() throws Exception {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(UUID.randomUUID());
    }
    Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (UUID id : ids) {
                    // A redelivery loop: an in-progress claim is retried until it resolves.
                    ProcessOutcome outcome;
                    do {
                      outcome =
                          dedup.processOnce(
                              "sms",
                              id,
                              () ->
                                  runs.computeIfAbsent(id, k -> new AtomicInteger())
                                      .incrementAndGet());
                    } while (outcome == ProcessOutcome.IN_PROGRESS);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(runs).hasSize(100);
    assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    assertThat(dedup.counts("sms")).isEqualTo(new DedupCounts(100, 700));
  }

  @Test
  void releases_the_claim_when_the_work_fails_so_a_redelivery_runs_it() {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();
    IllegalStateException down = new IllegalStateException("SMS gateway down");

    assertThatThrownBy(
            () ->
                dedup.processOnce(
                    "sms",
                    id,
                    () -> {
                      runs.incrementAndGet();
                      throw down;
                    }))
        .isSameAs(down);
    assertThat(redis().exists(prefix + "sms:" + id)).isZero();

    assertThat(dedup.processOnce("sms", id, runs::incrementAndGet))
        .isEqualTo(ProcessOutcome.PROCESSED);
    assertThat(runs).hasValue(2);
    assertThat(dedup.counts("sms")).isEqualTo(new DedupCounts(1, 0));
  }

  @Test
  void wraps_a_checked_exception_of_the_work_and_releases_the_claim() {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    IOException io = new IOException("payment API refused the connection");

    assertThatThrownBy(
            () ->
                dedup.processOnce(
                    "payments",
                    id,
                    (RedisClaim claim) -> {
                      throw io;
                    }))
        .isInstanceOf(DedupException.class)
        .hasCause(io)
        .hasMessageContaining("claim was released");
    assertThat(redis().exists(prefix + "payments:" + id)).isZero();
  }

  @Test
  void hands_the_work_its_claim_with_the_lease_deadline() {
    dev.outpost.testing.MutableClock clock =
        new dev.outpost.testing.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    RedisDedup dedup =
        track(
            RedisDedup.builder()
                .uri(TestRedis.shared().url())
                .keyPrefix(prefix)
                .lease(Duration.ofSeconds(42))
                .clock(clock)
                .build());
    UUID id = UUID.randomUUID();
    List<RedisClaim> claims = new ArrayList<>();

    dedup.processOnce("sms", id, (RedisClaim claim) -> claims.add(claim));

    assertThat(claims)
        .containsExactly(
            new RedisClaim("sms", id, java.time.Instant.parse("2026-01-01T00:00:42Z")));
  }

  @Test
  void a_crash_mid_work_leaves_a_claim_that_expires_after_the_lease_and_is_retried_once()
      throws Exception {
    UUID id = UUID.randomUUID();
    Path effects = Files.createTempFile("outpost-redis-crash", ".log");
    Duration lease = Duration.ofSeconds(5);
    RedisDedup dedup = store(lease);
    dedup.processOnce("warm-up", UUID.randomUUID(), () -> {});

    ChildJvm child =
        ChildJvm.start(
            RedisCrashChild.class,
            TestRedis.shared().url(),
            prefix,
            id.toString(),
            Long.toString(lease.toMillis()),
            effects.toString());
    assertThat(child.awaitExit(120)).as(child.log()).isEqualTo(ChildJvm.CRASH_EXIT_CODE);
    assertThat(Files.readAllLines(effects)).containsExactly("started " + id);
    assertThat(redis().get(prefix + "sms:" + id)).as("the crashed claim").startsWith("processing:");

    AtomicInteger runs = new AtomicInteger();
    List<ProcessOutcome> outcomes = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              ProcessOutcome outcome = dedup.processOnce("sms", id, runs::incrementAndGet);
              outcomes.add(outcome);
              return outcome == ProcessOutcome.PROCESSED;
            });

    assertThat(outcomes.get(0))
        .as("before the lease expired")
        .isEqualTo(ProcessOutcome.IN_PROGRESS);
    assertThat(outcomes.subList(0, outcomes.size() - 1))
        .allMatch(o -> o == ProcessOutcome.IN_PROGRESS);
    assertThat(runs).as("retried once after the lease expired").hasValue(1);
    assertThat(dedup.processOnce("sms", id, runs::incrementAndGet))
        .isEqualTo(ProcessOutcome.DUPLICATE);
    assertThat(runs).hasValue(1);
  }

  @Test
  void a_slow_worker_past_its_lease_cannot_mark_done_over_the_newer_claim() throws Exception {
    Duration lease = Duration.ofMillis(300);
    RedisDedup dedup = store(lease);
    UUID id = UUID.randomUUID();
    String key = prefix + "sms:" + id;
    CountDownLatch slowClaimed = new CountDownLatch(1);
    CountDownLatch letSlowFinish = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<ProcessOutcome> slow =
          pool.submit(
              () ->
                  dedup.processOnce(
                      "sms",
                      id,
                      () -> {
                        runs.incrementAndGet();
                        slowClaimed.countDown();
                        await(letSlowFinish);
                      }));
      await(slowClaimed);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis().get(key) == null);

      assertThat(dedup.processOnce("sms", id, runs::incrementAndGet))
          .isEqualTo(ProcessOutcome.PROCESSED);
      String newer = redis().get(key);
      assertThat(newer).startsWith("done:");

      letSlowFinish.countDown();
      assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(ProcessOutcome.PROCESSED_UNRECORDED);
      assertThat(redis().get(key)).as("the newer mark is untouched").isEqualTo(newer);
      assertThat(redis().pttl(key)).isGreaterThan(lease.toMillis());
      assertThat(runs).as("a lease shorter than the work runs it twice").hasValue(2);
    } finally {
      letSlowFinish.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void a_slow_worker_that_fails_past_its_lease_does_not_release_the_newer_claim() throws Exception {
    Duration lease = Duration.ofMillis(300);
    RedisDedup dedup = store(lease);
    UUID id = UUID.randomUUID();
    String key = prefix + "sms:" + id;
    CountDownLatch slowClaimed = new CountDownLatch(1);
    CountDownLatch letSlowFail = new CountDownLatch(1);
    CountDownLatch newerClaimed = new CountDownLatch(1);
    CountDownLatch letNewerFinish = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<ProcessOutcome> slow =
          pool.submit(
              () ->
                  dedup.processOnce(
                      "sms",
                      id,
                      () -> {
                        slowClaimed.countDown();
                        await(letSlowFail);
                        throw new IllegalStateException("gateway timed out");
                      }));
      await(slowClaimed);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis().get(key) == null);
      Future<ProcessOutcome> newer =
          pool.submit(
              () ->
                  dedup.processOnce(
                      "sms",
                      id,
                      () -> {
                        newerClaimed.countDown();
                        await(letNewerFinish);
                      }));
      await(newerClaimed);
      String newerClaim = redis().get(key);

      letSlowFail.countDown();
      assertThatThrownBy(() -> slow.get(30, TimeUnit.SECONDS))
          .hasRootCauseMessage("gateway timed out");
      assertThat(redis().get(key)).as("the newer claim stays").isEqualTo(newerClaim);
      assertThat(dedup.processOnce("sms", id, () -> {})).isEqualTo(ProcessOutcome.IN_PROGRESS);

      letNewerFinish.countDown();
      assertThat(newer.get(30, TimeUnit.SECONDS)).isEqualTo(ProcessOutcome.PROCESSED);
    } finally {
      letSlowFail.countDown();
      letNewerFinish.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void survives_a_redis_restart_mid_stream_with_a_clear_error_and_nothing_run_twice() {
    String password = "pw-" + UUID.randomUUID();
    try (RedisServerProcess server = RedisServerProcess.startNew(password)) {
      RedisDedup dedup =
          track(
              RedisDedup.builder()
                  .uri(server.url())
                  .keyPrefix(prefix)
                  .commandTimeout(Duration.ofSeconds(1))
                  .connectTimeout(Duration.ofSeconds(1))
                  .build());
      Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
      List<UUID> before = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        UUID id = UUID.randomUUID();
        before.add(id);
        assertThat(dedup.processOnce("sms", id, () -> count(runs, id)))
            .isEqualTo(ProcessOutcome.PROCESSED);
      }

      server.kill();
      UUID during = UUID.randomUUID();
      assertThatThrownBy(() -> dedup.processOnce("sms", during, () -> count(runs, during)))
          .isInstanceOf(DedupException.class)
          .hasMessageContaining("redis://:***@127.0.0.1:" + server.port())
          .hasMessageContaining("the work was not run")
          .hasMessageNotContaining(password);
      assertThat(runs).doesNotContainKey(during);

      server.start();
      // The redelivery of the failed message is retried until Lettuce has reconnected.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptionsInstanceOf(DedupException.class)
          .until(
              () ->
                  dedup.processOnce("sms", during, () -> count(runs, during))
                      == ProcessOutcome.PROCESSED);
      for (UUID id : before) {
        assertThat(dedup.processOnce("sms", id, () -> count(runs, id)))
            .as("appendfsync always kept the done mark of %s", id)
            .isEqualTo(ProcessOutcome.DUPLICATE);
      }
      UUID after = UUID.randomUUID();
      assertThat(dedup.processOnce("sms", after, () -> count(runs, after)))
          .isEqualTo(ProcessOutcome.PROCESSED);

      assertThat(runs).hasSize(22);
      assertThat(runs.values()).allSatisfy(c -> assertThat(c).hasValue(1));
    }
  }

  @Test
  void fails_fast_naming_the_url_without_its_password_when_nothing_listens() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    RedisDedup dedup =
        track(
            RedisDedup.builder()
                .uri("redis://app:hunter2@127.0.0.1:" + port + "/3")
                .keyPrefix(prefix)
                .build());
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> dedup.processOnce("sms", UUID.randomUUID(), runs::incrementAndGet))
        .isInstanceOf(DedupException.class)
        .hasMessageContaining("redis://app:***@127.0.0.1:" + port + "/3")
        .hasMessageNotContaining("hunter2")
        .hasMessageContaining("the work was not run");
    assertThat(runs).hasValue(0);
    assertThat(dedup.redactedUrl()).isEqualTo("redis://app:***@127.0.0.1:" + port + "/3");
    assertThat(dedup.toString()).doesNotContain("hunter2");
  }

  @Test
  void fails_within_the_timeouts_when_redis_accepts_but_never_answers() throws Exception {
    try (ServerSocket frozen = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(frozen.accept()); // hold connections open, never answer
                  }
                } catch (IOException closed) {
                  // test over
                }
              },
              "frozen-redis");
      acceptor.setDaemon(true);
      acceptor.start();
      RedisDedup dedup =
          track(
              RedisDedup.builder()
                  .uri("redis://:secret@127.0.0.1:" + frozen.getLocalPort())
                  .commandTimeout(Duration.ofMillis(500))
                  .connectTimeout(Duration.ofMillis(500))
                  .build());
      AtomicInteger runs = new AtomicInteger();

      assertThatThrownBy(() -> dedup.processOnce("sms", UUID.randomUUID(), runs::incrementAndGet))
          .isInstanceOf(DedupException.class)
          .hasMessageContaining("redis://:***@127.0.0.1:" + frozen.getLocalPort())
          .hasMessageNotContaining("secret");
      assertThat(runs).hasValue(0);
    }
  }

  @Test
  void works_on_the_callers_connection_and_leaves_it_open() {
    RedisDedup dedup = RedisDedup.builder().connection(admin).keyPrefix(prefix).build();
    UUID id = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();

    assertThat(dedup.processOnce("sms", id, runs::incrementAndGet))
        .isEqualTo(ProcessOutcome.PROCESSED);
    dedup.close();
    dedup.close();

    assertThat(admin.isOpen()).isTrue();
    assertThatThrownBy(() -> dedup.processOnce("sms", id, runs::incrementAndGet))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(runs).hasValue(1);
  }

  @Test
  void closes_idempotently_with_or_without_use() {
    RedisDedup unused = RedisDedup.builder().uri(TestRedis.shared().url()).build();
    unused.close();
    unused.close();
    RedisDedup used = store(RedisDedup.DEFAULT_LEASE);
    used.processOnce("sms", UUID.randomUUID(), () -> {});
    used.close();
    used.close();
    assertThatThrownBy(() -> used.processOnce("sms", UUID.randomUUID(), () -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closes_while_8_threads_call_it_without_hanging() throws Exception {
    for (int round = 0; round < 5; round++) {
      RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
      AtomicInteger runs = new AtomicInteger();
      AtomicInteger processed = new AtomicInteger();
      CyclicBarrier start = new CyclicBarrier(9);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          callers.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                      try {
                        if (dedup.processOnce("sms", UUID.randomUUID(), runs::incrementAndGet)
                            == ProcessOutcome.PROCESSED) {
                          processed.incrementAndGet();
                        }
                      } catch (IllegalStateException | DedupException closed) {
                        return null;
                      }
                    }
                    return null;
                  }));
        }
        start.await();
        dedup.close();
        dedup.close();
        for (Future<?> caller : callers) {
          caller.get(60, TimeUnit.SECONDS);
        }
        // A call cut off by close() after its work could only end as PROCESSED_UNRECORDED,
        // which is logged; everything else that ran was recorded.
        assertThat(runs.get() - processed.get()).isBetween(0, 8);
        assertThatThrownBy(() -> dedup.processOnce("sms", UUID.randomUUID(), () -> {}))
            .isInstanceOf(IllegalStateException.class);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void rejects_bad_arguments_before_touching_redis() {
    RedisDedup dedup = store(RedisDedup.DEFAULT_LEASE);
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> dedup.processOnce(" ", id, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer");
    assertThatThrownBy(() -> dedup.processOnce("sms", null, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messageId");
    assertThatThrownBy(() -> dedup.processOnce("sms", id, (Runnable) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("work");
    assertThat(redis().keys(prefix + "*")).isEmpty();
  }

  private RedisDedup store(Duration lease) {
    return track(
        RedisDedup.builder().uri(TestRedis.shared().url()).keyPrefix(prefix).lease(lease).build());
  }

  private RedisDedup track(RedisDedup dedup) {
    opened.add(dedup);
    return dedup;
  }

  private static RedisCommands<String, String> redis() {
    return admin.sync();
  }

  private static void count(Map<UUID, AtomicInteger> runs, UUID id) {
    runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
