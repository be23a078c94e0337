package dev.outpost.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Outbox, delay scheduler and dedup join the Spring-managed transaction: {@code @Transactional},
 * {@code TransactionTemplate}, {@code JdbcTemplate} and Boot's jOOQ {@code DSLContext}.
 */
@SpringBootTest(classes = SpringTransactionTest.App.class)
// Closes the context (relay, Quartz) before the JVM's shutdown hooks stop the database.
@DirtiesContext
@Timeout(120)
class SpringTransactionTest {

  static final String TOPIC = "sb.order.created";

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    for (String p : StarterTestDatabase.properties("outpost.relay.poll-interval=100ms")) {
      int eq = p.indexOf('=');
      registry.add(p.substring(0, eq), () -> p.substring(eq + 1));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Shop.class)
  static class App {
    @Bean
    Received received() {
      return new Received();
    }

    @Bean
    OutpostHandler orderCreated(Received received) {
      return OutpostHandler.of(TOPIC, received.messages::add);
    }
  }

  /** What the in-process handler received. */
  static final class Received {
    final List<RelayMessage> messages = new CopyOnWriteArrayList<>();

    Set<String> payloads() {
      Set<String> all = ConcurrentHashMap.newKeySet();
      messages.forEach(m -> all.add(new String(m.payload(), StandardCharsets.UTF_8)));
      return all;
    }
  }

  /** A business service with Spring-managed transactions. */
  @Service
  static class Shop {
    private final JdbcTemplate jdbc;
    private final SpringOutbox outbox;
    private final SpringDelayScheduler delays;
    private final SpringDedup dedup;

    Shop(JdbcTemplate jdbc, SpringOutbox outbox, SpringDelayScheduler delays, SpringDedup dedup) {
      this.jdbc = jdbc;
      this.outbox = outbox;
      this.delays = delays;
      this.dedup = dedup;
    }

    @Transactional
    public void place(String order, boolean fail) {
      jdbc.update("INSERT INTO sb_orders (id) VALUES (?)", order);
      outbox.send(
          OutboxMessage.to(TOPIC)
              .key(order)
              .payload(order.getBytes(StandardCharsets.UTF_8))
              .build());
      delays.schedule(
          OutboxMessage.to("sb.order.timeout").key(order).payload(new byte[] {1}).build(),
          Duration.ofHours(1),
          order);
      if (fail) {
        throw new IllegalStateException("business rule failed after the send");
      }
    }

    @Transactional
    public boolean pay(String order, boolean fail) {
      boolean cancelled = delays.cancel("sb.order.timeout", order);
      if (fail) {
        throw new IllegalStateException("payment failed after the cancel");
      }
      return cancelled;
    }

    @Transactional
    public boolean consume(UUID messageId, Runnable work, boolean fail) {
      boolean ran = dedup.processOnce("sb-consumer", messageId, work);
      if (fail) {
        throw new IllegalStateException("consumer failed after processOnce");
      }
      return ran;
    }
  }

  final TestDatabase db = StarterTestDatabase.db();
  @Autowired Shop shop;
  @Autowired Received received;
  @Autowired SpringOutbox springOutbox;
  @Autowired Outbox outbox;
  @Autowired DelayScheduler delayScheduler;
  @Autowired Relay relay;
  @Autowired TransactionTemplate transactions;
  @Autowired JdbcTemplate jdbc;
  @Autowired DSLContext dsl;
  @Autowired SpringDelayScheduler springDelays;
  @Autowired SpringDedup springDedup;

  @BeforeEach
  void clean() {
    db.execute("CREATE TABLE IF NOT EXISTS sb_orders (id varchar(100) PRIMARY KEY)");
    db.execute("TRUNCATE TABLE sb_orders");
    db.execute("DELETE FROM " + db.qualified("delayed_message"));
    db.execute("DELETE FROM " + db.qualified("dedup_key"));
  }

  @Test
  void aCommittedTransactionalMethodPublishesAndARolledBackOneLeavesNoMessage() {
    String failed = "order-" + UUID.randomUUID();
    String committed = "order-" + UUID.randomUUID();

    assertThatThrownBy(() -> shop.place(failed, true)).isInstanceOf(IllegalStateException.class);
    shop.place(committed, false);

    await().atMost(Duration.ofSeconds(30)).until(() -> received.payloads().contains(committed));
    assertThat(received.payloads()).doesNotContain(failed);
    assertThat(
            jdbc.queryForObject("SELECT count(*) FROM sb_orders WHERE id = ?", Long.class, failed))
        .isZero();
    assertThat(delayScheduler.pending().count()).isEqualTo(1); // the committed order's timeout
    assertThat(relay.health().state()).isEqualTo(RelayHealth.State.RUNNING);
  }

  @Test
  void transactionTemplateJdbcTemplateAndBootsDslContextShareTheTransaction() {
    String viaTemplate = "tpl-" + UUID.randomUUID();
    String viaJooq = "jooq-" + UUID.randomUUID();
    String rolledBack = "rb-" + UUID.randomUUID();

    transactions.executeWithoutResult(
        status -> {
          jdbc.update("INSERT INTO sb_orders (id) VALUES (?)", viaTemplate);
          springOutbox.send(message(viaTemplate));
        });
    transactions.executeWithoutResult(
        status -> {
          // Boot's DSLContext runs on the Spring transaction's connection: the core API joins it.
          dsl.execute("INSERT INTO sb_orders (id) VALUES (?)", viaJooq);
          outbox.send(dsl, message(viaJooq));
        });
    transactions.executeWithoutResult(
        status -> {
          outbox.send(dsl, message(rolledBack));
          springOutbox.send(message(rolledBack));
          status.setRollbackOnly();
        });

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> received.payloads().containsAll(List.of(viaTemplate, viaJooq)));
    assertThat(received.payloads()).doesNotContain(rolledBack);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM sb_orders", Long.class)).isEqualTo(2);
  }

  @Test
  void outsideATransactionEveryFacadeRefuses() {
    assertThatThrownBy(() -> springOutbox.send(message("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SpringOutbox.send was called outside a Spring-managed transaction")
        .hasMessageContaining("@Transactional");
    assertThatThrownBy(() -> springDelays.cancel("t", "k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SpringDelayScheduler.cancel");
    assertThatThrownBy(() -> springDedup.processOnce("c", UUID.randomUUID(), () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SpringDedup.processOnce");
  }

  @Test
  void scheduleAndCancelCommitOrRollBackWithTheBusinessTransaction() {
    String order = "order-" + UUID.randomUUID();
    shop.place(order, false);
    assertThat(delayScheduler.pending().count()).isEqualTo(1);

    assertThatThrownBy(() -> shop.pay(order, true)).isInstanceOf(IllegalStateException.class);
    assertThat(delayScheduler.pending().count()).isEqualTo(1); // the cancel rolled back

    assertThat(shop.pay(order, false)).isTrue();
    assertThat(delayScheduler.pending().count()).isZero();
  }

  @Test
  void aMessageScheduledInATransactionIsDeliveredWhenDue() {
    String order = "due-" + UUID.randomUUID();
    transactions.executeWithoutResult(
        status ->
            springDelays.schedule(
                OutboxMessage.to(TOPIC)
                    .key(order)
                    .payload(order.getBytes(StandardCharsets.UTF_8))
                    .build(),
                Duration.ofMillis(300)));

    await().atMost(Duration.ofSeconds(30)).until(() -> received.payloads().contains(order));
    assertThat(delayScheduler.pending().count()).isZero();
  }

  @Test
  void processOnceRunsAgainAfterARollbackAndNotAfterACommit() {
    UUID messageId = UUID.randomUUID();
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> shop.consume(messageId, runs::incrementAndGet, true))
        .isInstanceOf(IllegalStateException.class);
    assertThat(shop.consume(messageId, runs::incrementAndGet, false)).isTrue();
    assertThat(shop.consume(messageId, runs::incrementAndGet, false)).isFalse();
    assertThat(runs).hasValue(2);
  }

  private static OutboxMessage message(String payload) {
    return OutboxMessage.to(TOPIC)
        .key(payload)
        .payload(payload.getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
