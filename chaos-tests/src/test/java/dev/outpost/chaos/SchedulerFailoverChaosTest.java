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

  /** Design target ≤ 5 s (check-in 1 s + grace 1.5 s + one check-in of the survivor). */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(7);

  private static final Duration SWEEP_INTERVAL = Duration.ofMillis(200);

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_sweep_node_killed_mid_sweep_is_taken_over_and_each_message_moves_once() throws Exception {
    int messages = Scale.of(240, 2_000);
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
      Set<UUID> scheduled = schedule(db, survivor, messages, spacing);

      ChildJvm victim = doomed;
      for (int kill = 1; kill <= kills; kill++) {
        int reached = messages * kill / (kills + 2);
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
   * From the last move before the kill to the first move after it: how long sweeping stopped.
   * Messages fall due every 50 ms, so without a failure the gap is about one sweep.
   */
  private static Duration takeoverGap(List<Move> moves, Instant kill) {
    Instant before = null;
    Instant after = null;
    for (Move m : moves) {
      if (!m.movedAt.isAfter(kill)) {
        before = m.movedAt;
      } else if (after == null) {
        after = m.movedAt;
      }
    }
    assertThat(before).as("moves before the kill at %s", kill).isNotNull();
    assertThat(after).as("moves after the kill at %s", kill).isNotNull();
    return Duration.between(before, after);
  }

  private static Set<UUID> schedule(
      ChaosPostgres db, DelayScheduler scheduler, int messages, Duration spacing) throws Exception {
    Set<UUID> ids = new HashSet<>();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      for (int i = 0; i < messages; i++) {
        OutboxMessage message =
            OutboxMessage.to("order-timeout")
                .key("order-" + i)
                .payload(("release " + i).getBytes(StandardCharsets.UTF_8))
                .build();
        ids.add(
            scheduler
                .schedule(tx, message, Duration.ofSeconds(2).plus(spacing.multipliedBy(i)))
                .messageId());
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
