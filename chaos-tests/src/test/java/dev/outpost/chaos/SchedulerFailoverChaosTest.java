package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two delay-scheduler nodes of one Quartz cluster: one in a child JVM, killed with SIGKILL in the
 * middle of a sweep, one in the test JVM. Messages fall due continuously; every one is moved into
 * the outbox exactly once, and the survivor takes the sweep over within the failover bound,
 * measured from the moves themselves (a trigger stamps each outbox insert with the database clock).
 */
class SchedulerFailoverChaosTest {

  /**
   * Quartz declares the killed node dead about 2.5-3.5 s after the kill (check-in 1 s + grace 1.5
   * s); the recovered sweep trigger has then been seen to fire up to 4 s later, through Quartz's
   * misfire handler. Measured 2.5-7 s under load; Quartz's defaults took 15 s and more before the
   * recovery alone. Generous, and still fails the old behaviour.
   */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(5);

  private static final Duration SWEEP_INTERVAL = Duration.ofMillis(200);

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_sweep_node_killed_mid_sweep_is_taken_over_and_each_message_moves_once() throws Exception {
    int messages = Scale.of(100, 1_000);
    Duration spacing = Duration.ofMillis(50);
    int kills = Scale.of(1, 3);
    ChaosPostgres db = ChaosPostgres.shared();
    db.truncateOutpostTables();
    db.execute(
        "CREATE TABLE IF NOT EXISTS chaos_moved (message_id uuid NOT NULL,"
            + " moved_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    db.execute("TRUNCATE chaos_moved");
    db.execute(
        "CREATE OR REPLACE FUNCTION chaos_record_move() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN INSERT INTO chaos_moved (message_id) VALUES (NEW.message_id);"
            + " RETURN NEW; END $$");
    db.execute(
        "CREATE OR REPLACE TRIGGER chaos_moved_trigger AFTER INSERT ON outbox_message"
            + " FOR EACH ROW EXECUTE FUNCTION chaos_record_move()");
    String cluster = "chaos-failover-" + UUID.randomUUID().toString().substring(0, 8);
    List<ChildJvm> nodes = new ArrayList<>();
    List<Instant> killedAt = new ArrayList<>();
    try (DelayScheduler survivor =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .sweepInterval(SWEEP_INTERVAL)
            .quartzSchedulerName(cluster)
            .build()) {
      ChildJvm doomed = SchedulerNode.start("scheduler-0", db, cluster, SWEEP_INTERVAL);
      nodes.add(doomed);
      await().atMost(Duration.ofMinutes(2)).until(() -> doomed.printed("scheduler started"));
      survivor.start();
      Set<UUID> scheduled = schedule(db, survivor, messages, spacing, Duration.ofSeconds(1));

      ChildJvm victim = doomed;
      for (int kill = 1; kill <= kills; kill++) {
        int reached = Math.min(messages, 20 * kill);
        await().atMost(Duration.ofMinutes(2)).until(() -> moved(db) >= reached);
        int sweepsSoFar = sweeps(victim);
        ChildJvm target = victim;
        // Killed while it holds the sweep (its worker is inside a sweep's connection request).
        await()
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> sweeps(target) > sweepsSoFar);
        target.kill();
        killedAt.add(Instant.now());
        // Due from now on, every 50 ms: only the survivor can move them, once it took over.
        scheduled.addAll(schedule(db, survivor, messages, spacing, Duration.ZERO));
        if (kill < kills) {
          victim = SchedulerNode.start("scheduler-" + kill, db, cluster, SWEEP_INTERVAL);
          nodes.add(victim);
          ChildJvm next = victim;
          await().atMost(Duration.ofMinutes(2)).until(() -> next.printed("scheduler started"));
        }
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> db.queryLong("SELECT count(*) FROM delayed_message") == 0);

      List<Move> moves = moves(db);
      Map<UUID, Integer> times = new HashMap<>();
      moves.forEach(m -> times.merge(m.messageId, 1, Integer::sum));
      long movedTwice = times.values().stream().filter(n -> n > 1).count();
      Set<UUID> missing = new HashSet<>(scheduled);
      missing.removeAll(times.keySet());
      List<Duration> takeovers = new ArrayList<>();
      for (Instant kill : killedAt) {
        takeovers.add(takeoverGap(moves, kill));
      }
      Duration worst = takeovers.stream().max(Duration::compareTo).orElseThrow();
      System.out.printf(
          "CHAOS scheduler-failover          scheduled=%d moved=%d missing=%d movedTwice=%d"
              + " kills=%d takeover gaps=%s (bound %d s)%n",
          scheduled.size(),
          times.size(),
          missing.size(),
          movedTwice,
          kills,
          takeovers.stream().map(d -> d.toMillis() + " ms").toList(),
          TAKEOVER_BOUND.toSeconds());
      assertThat(missing).as("due messages never moved").isEmpty();
      assertThat(movedTwice).as("messages moved more than once").isZero();
      assertThat(times.keySet()).as("only scheduled messages moved").isEqualTo(scheduled);
      assertThat(worst).as("takeover gap after a SIGKILL").isLessThanOrEqualTo(TAKEOVER_BOUND);
    } finally {
      nodes.forEach(ChildJvm::close);
      db.execute("DROP TRIGGER IF EXISTS chaos_moved_trigger ON outbox_message");
    }
  }

  private record Move(UUID messageId, Instant movedAt) {}

  /**
   * From the kill to the first move after it: how long sweeping stopped. Messages are due every 50
   * ms from the kill on, so a live sweeper moves one within a sweep interval.
   */
  private static Duration takeoverGap(List<Move> moves, Instant kill) {
    Instant after =
        moves.stream().map(Move::movedAt).filter(at -> at.isAfter(kill)).findFirst().orElse(null);
    assertThat(after).as("moves after the kill at %s", kill).isNotNull();
    return Duration.between(kill, after);
  }

  private static Set<UUID> schedule(
      ChaosPostgres db, DelayScheduler scheduler, int messages, Duration spacing, Duration first)
      throws Exception {
    Set<UUID> ids = new HashSet<>();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      for (int i = 0; i < messages; i++) {
        OutboxMessage message =
            OutboxMessage.to("order-timeout")
                .key("order-" + UUID.randomUUID())
                .payload(("release " + i).getBytes(StandardCharsets.UTF_8))
                .build();
        ids.add(scheduler.schedule(tx, message, first.plus(spacing.multipliedBy(i))).messageId());
      }
      tx.commit();
    }
    return ids;
  }

  private static long moved(ChaosPostgres db) {
    return db.queryLong("SELECT count(*) FROM chaos_moved");
  }

  private static int sweeps(ChildJvm node) {
    try {
      String log = java.nio.file.Files.readString(node.logFile().toPath());
      int count = 0;
      for (int at = log.indexOf(SchedulerNode.SWEEPING);
          at >= 0;
          at = log.indexOf(SchedulerNode.SWEEPING, at + 1)) {
        count++;
      }
      return count;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static List<Move> moves(ChaosPostgres db) throws Exception {
    List<Move> moves = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT message_id, moved_at FROM chaos_moved ORDER BY moved_at")) {
      while (rs.next()) {
        moves.add(
            new Move(
                rs.getObject(1, UUID.class),
                rs.getObject(2, java.time.OffsetDateTime.class).toInstant()));
      }
    }
    return moves;
  }
}
