package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.internal.OutboxMessageSql.DeadLetterMove;
import dev.outpost.outbox.internal.OutboxMessageSql.Retry;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lease fence on MariaDB, statement by statement: a relay whose lease was taken over changes no
 * row, and a takeover passes over a lease row while its owner finishes a batch. Runs only in the
 * MariaDB run of the suite (the build excludes {@code MariaDb*Test} from the PostgreSQL run).
 */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(60)
class MariaDbFencingTest {

  private static final Duration LEASE = Duration.ofSeconds(10);

  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  private TestDatabase db;
  private LeaseRepository leases;
  private RelayOutboxRepository outbox;

  @BeforeEach
  void setUp(TestDatabase db) throws SQLException {
    this.db = db;
    OutpostSchema schema = OutpostSchema.of(db.dialect(), db.schema());
    this.leases = LeaseRepository.of(schema);
    this.outbox = new RelayOutboxRepository(schema, true);
    try (Connection c = db.dataSource().getConnection()) {
      leases.insertMissing(c, 1);
    }
    Outbox writer = Outbox.builder().schema(db.schema()).partitions(1).build();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      for (String payload : List.of("m1", "m2", "m3")) {
        writer.send(
            c,
            OutboxMessage.to("t")
                .key(payload)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .build());
      }
      c.commit();
    }
  }

  @Test
  void a_stale_fencing_token_deletes_reschedules_and_dead_letters_nothing() throws Exception {
    LeaseToken old = acquire("old", now);
    LeaseToken current = acquire("new", now.plus(LEASE).plusSeconds(1)); // after old expired
    assertThat(current.fencingToken()).isEqualTo(old.fencingToken() + 1);
    List<RelayMessage> window = claim();
    long[] ids = window.stream().mapToLong(RelayMessage::id).toArray();

    try (Connection c = transaction()) {
      assertThat(outbox.deleteConfirmed(c, old, ids)).isZero();
      assertThat(outbox.reschedule(c, old, List.of(new Retry(ids[0], now, "late")))).isZero();
      assertThat(outbox.moveToDeadLetter(c, old, List.of(new DeadLetterMove(ids[1], 3, "x")), now))
          .isZero();
      c.commit();
    }
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message WHERE attempts = 0")).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter")).isZero();

    try (Connection c = transaction()) {
      assertThat(outbox.reschedule(c, current, List.of(new Retry(ids[0], now, "boom"))))
          .isEqualTo(1);
      assertThat(
              outbox.moveToDeadLetter(c, current, List.of(new DeadLetterMove(ids[1], 3, "x")), now))
          .isEqualTo(1);
      assertThat(outbox.deleteConfirmed(c, current, new long[] {ids[2]})).isEqualTo(1);
      c.commit();
    }
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isEqualTo(1);
    assertThat(db.queryLong("SELECT attempts FROM outbox_message")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter WHERE attempts = 3"))
        .isEqualTo(1);
  }

  @Test
  void a_takeover_passes_over_a_lease_row_while_its_owner_finishes_a_batch() throws Exception {
    LeaseToken owner = acquire("owner", now);
    long[] ids = claim().stream().mapToLong(RelayMessage::id).toArray();
    Instant afterExpiry = now.plus(LEASE).plusSeconds(1);

    try (Connection batch = transaction()) {
      assertThat(outbox.deleteConfirmed(batch, owner, ids)).isEqualTo(3); // share-locks the lease
      try (Connection other = db.dataSource().getConnection()) {
        assertThat(leases.acquire(other, "other", afterExpiry, afterExpiry.plus(LEASE), 1))
            .as("the lease row is locked by the owner's open batch")
            .isEmpty();
      }
      batch.commit();
    }
    try (Connection other = db.dataSource().getConnection()) {
      assertThat(leases.acquire(other, "other", afterExpiry, afterExpiry.plus(LEASE), 1))
          .extracting(LeaseToken::fencingToken)
          .containsExactly(owner.fencingToken() + 1);
    }
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void renewal_keeps_only_the_leases_whose_token_still_matches() throws Exception {
    LeaseToken old = acquire("relay", now);
    LeaseToken current = acquire("relay", now.plus(LEASE).plusSeconds(1));
    try (Connection c = db.dataSource().getConnection()) {
      assertThat(leases.renew(c, "relay", List.of(old), now.plus(LEASE.multipliedBy(3)))).isEmpty();
      assertThat(leases.renew(c, "relay", List.of(current), now.plus(LEASE.multipliedBy(3))))
          .containsExactly(0);
      assertThat(leases.release(c, old)).isFalse();
      assertThat(leases.release(c, current)).isTrue();
    }
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease WHERE owner IS NULL")).isEqualTo(1);
  }

  private LeaseToken acquire(String owner, Instant at) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      List<LeaseToken> taken = leases.acquire(c, owner, at, at.plus(LEASE), 1);
      assertThat(taken).hasSize(1);
      return taken.get(0);
    }
  }

  private List<RelayMessage> claim() throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      List<RelayMessage> window = outbox.claimWindow(c, 0, now, 10, 1 << 20);
      assertThat(window).hasSize(3);
      return window;
    }
  }

  private Connection transaction() throws SQLException {
    Connection c = db.dataSource().getConnection();
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    c.setAutoCommit(false);
    return c;
  }
}
