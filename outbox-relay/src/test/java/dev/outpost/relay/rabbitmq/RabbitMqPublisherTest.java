package dev.outpost.relay.rabbitmq;

import static dev.outpost.relay.brokers.TestMessages.await;
import static dev.outpost.relay.brokers.TestMessages.message;
import static dev.outpost.relay.brokers.TestMessages.text;
import static dev.outpost.relay.rabbitmq.RabbitFixture.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.TcpProxy;
import dev.outpost.testing.LocalRabbitMq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RabbitMqPublisherTest {

  private RabbitFixture rabbit;
  private final List<RabbitMqPublisher> publishers = new ArrayList<>();
  private final List<TcpProxy> proxies = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    rabbit = new RabbitFixture();
  }

  @AfterEach
  void cleanUp() throws Exception {
    publishers.forEach(RabbitMqPublisher::close);
    proxies.forEach(TcpProxy::close);
    rabbit.close();
  }

  private RabbitMqPublisher publisher(RabbitMqPublisher.Builder builder) {
    RabbitMqPublisher publisher = builder.build();
    publishers.add(publisher);
    return publisher;
  }

  private RabbitMqPublisher.Builder local() {
    return RabbitMqPublisher.builder().uri(LocalRabbitMq.uri());
  }

  private TcpProxy proxy() throws Exception {
    ConnectionFactory local = LocalRabbitMq.connectionFactory();
    TcpProxy proxy = new TcpProxy(local.getHost(), local.getPort());
    proxies.add(proxy);
    return proxy;
  }

  private RabbitMqPublisher.Builder through(TcpProxy proxy) {
    ConnectionFactory factory = LocalRabbitMq.connectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(proxy.port());
    return RabbitMqPublisher.builder()
        .connectionFactory(factory)
        .recoveryInterval(Duration.ofMillis(200));
  }

  @Test
  void delivers_persistent_messages_with_message_id_headers_and_content_type() throws Exception {
    String queue = rabbit.queue();
    RabbitMqPublisher publisher = publisher(local());
    RelayMessage sent = message(queue, "order-1", "created");

    assertThat(await(publisher.publish(List.of(sent)))).containsExactly(PublishResult.confirmed());

    GetResponse received = rabbit.take(queue, 1).get(0);
    AMQP.BasicProperties properties = received.getProps();
    assertThat(text(received.getBody())).isEqualTo("created");
    assertThat(properties.getMessageId()).isEqualTo(sent.messageId().toString());
    assertThat(properties.getDeliveryMode()).isEqualTo(2);
    assertThat(properties.getContentType()).isEqualTo("text/plain");
    assertThat(properties.getTimestamp().toInstant()).isEqualTo("2025-01-02T03:04:05Z");
    assertThat(header(properties, "traceparent")).isEqualTo(sent.headers().get("traceparent"));
    assertThat(header(properties, "x-origin")).isEqualTo("test");
    assertThat(received.getEnvelope().getRoutingKey()).isEqualTo(queue);
  }

  @Test
  void keeps_per_key_order_in_the_queue_with_concurrent_pipelined_batches() throws Exception {
    String queue = rabbit.queue();
    RabbitMqPublisher publisher = publisher(local());
    int threads = 4;
    int keysPerThread = 5;
    int perKey = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<CompletionStage<List<PublishResult>>>>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(
            pool.submit(
                () -> {
                  List<CompletionStage<List<PublishResult>>> stages = new ArrayList<>();
                  List<RelayMessage> batch = new ArrayList<>();
                  for (int seq = 0; seq < perKey; seq++) {
                    for (int k = 0; k < keysPerThread; k++) {
                      String key = "key-" + thread + "-" + k;
                      batch.add(message(queue, key, key + ":" + seq));
                      if (batch.size() == 50) {
                        stages.add(publisher.publish(List.copyOf(batch)));
                        batch.clear();
                      }
                    }
                  }
                  return stages;
                }));
      }
      for (Future<List<CompletionStage<List<PublishResult>>>> future : work) {
        for (CompletionStage<List<PublishResult>> stage : future.get()) {
          assertThat(await(stage)).allMatch(PublishResult::isConfirmed);
        }
      }
    } finally {
      pool.shutdownNow();
    }

    int total = threads * keysPerThread * perKey;
    List<GetResponse> received = rabbit.take(queue, total);
    Map<String, Integer> last = new HashMap<>();
    for (GetResponse response : received) {
      String[] keyAndSeq = text(response.getBody()).split(":");
      String key = keyAndSeq[0];
      int seq = Integer.parseInt(keyAndSeq[1]);
      assertThat(seq).as("sequence of %s", key).isEqualTo(last.getOrDefault(key, -1) + 1);
      last.put(key, seq);
    }
    assertThat(last)
        .hasSize(threads * keysPerThread)
        .allSatisfy((k, v) -> assertThat(v).isEqualTo(perKey - 1));
  }

  @Test
  void fails_an_unroutable_message_although_the_broker_acks_it() throws Exception {
    String exchange = rabbit.exchange("direct");
    String queue = rabbit.queue();
    rabbit.bind(queue, exchange, "bound");
    RabbitMqPublisher publisher =
        publisher(local().routing(m -> new Destination(exchange, m.topic())));
    RelayMessage routed = message("bound", "k1", "in");
    RelayMessage unroutable = message("nobody-listens", "k2", "lost?");

    List<PublishResult> results = await(publisher.publish(List.of(routed, unroutable)));

    assertThat(results.get(0)).isEqualTo(PublishResult.confirmed());
    assertThat(results.get(1)).isInstanceOf(PublishResult.Failed.class);
    UnroutableMessageException cause =
        (UnroutableMessageException) ((PublishResult.Failed) results.get(1)).cause();
    assertThat(cause.messageId()).isEqualTo(unroutable.messageId());
    assertThat(cause.exchange()).isEqualTo(exchange);
    assertThat(cause.routingKey()).isEqualTo("nobody-listens");
    assertThat(cause.replyCode()).isEqualTo(312);
    assertThat(rabbit.take(queue, 1)).extracting(r -> text(r.getBody())).containsExactly("in");
  }

  @Test
  void fails_nacked_messages_and_confirms_them_when_sent_again() throws Exception {
    String queue = rabbit.queue(Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
    RabbitMqPublisher publisher = publisher(local());
    List<RelayMessage> batch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batch.add(message(queue, null, "m" + i));
    }

    List<PublishResult> results = await(publisher.publish(batch));

    assertThat(results.subList(0, 2)).allMatch(PublishResult::isConfirmed);
    assertThat(results.subList(2, 5))
        .allSatisfy(
            r ->
                assertThat(((PublishResult.Failed) r).cause())
                    .isInstanceOf(NackedMessageException.class)
                    .hasMessageContaining(queue));
    assertThat(rabbit.take(queue, 2))
        .extracting(r -> text(r.getBody()))
        .containsExactly("m0", "m1");

    List<PublishResult> retried = await(publisher.publish(batch.subList(2, 4)));

    assertThat(retried).allMatch(PublishResult::isConfirmed);
    assertThat(rabbit.take(queue, 2))
        .extracting(r -> text(r.getBody()))
        .containsExactly("m2", "m3");
  }

  @Test
  void rejects_a_payload_above_max_message_bytes_without_sending_it() throws Exception {
    String queue = rabbit.queue();
    RabbitMqPublisher publisher = publisher(local().maxMessageBytes(1000));
    RelayMessage small = message(queue, "k", "small");
    RelayMessage huge = message(queue, "k", new byte[1001]);

    List<PublishResult> results = await(publisher.publish(List.of(small, huge)));

    assertThat(results.get(0)).isEqualTo(PublishResult.confirmed());
    assertThat(((PublishResult.Rejected) results.get(1)).cause())
        .hasMessageContaining(huge.messageId().toString())
        .hasMessageContaining("maxMessageBytes = 1000");
    assertThat(rabbit.take(queue, 1)).hasSize(1);
    assertThat(rabbit.count(queue)).isZero();
  }

  @Test
  void fails_messages_to_a_missing_exchange_and_keeps_publishing_on_a_new_channel()
      throws Exception {
    String queue = rabbit.queue();
    String missing = "outpost-test-missing-" + UUID.randomUUID();
    RabbitMqPublisher publisher =
        publisher(
            local()
                .routing(
                    m ->
                        m.key().equals("x")
                            ? new Destination(missing, "r")
                            : Destination.queue(queue)));

    List<PublishResult> results = await(publisher.publish(List.of(message(queue, "x", "1"))));

    assertThat(((PublishResult.Failed) results.get(0)).cause()).hasMessageContaining("NOT_FOUND");
    assertThat(await(publisher.publish(List.of(message(queue, "y", "2")))))
        .containsExactly(PublishResult.confirmed());
  }

  @Test
  void does_not_publish_later_messages_of_a_key_whose_routing_failed() throws Exception {
    String queue = rabbit.queue();
    RabbitMqPublisher publisher =
        publisher(
            local()
                .routing(
                    m -> {
                      if (m.key().equals("bad") && text(m.payload()).equals("1")) {
                        throw new IllegalStateException("no route for this one");
                      }
                      return Destination.queue(queue);
                    }));

    List<PublishResult> results =
        await(
            publisher.publish(
                List.of(
                    message(queue, "bad", "1"),
                    message(queue, "good", "2"),
                    message(queue, "bad", "3"))));

    assertThat(((PublishResult.Failed) results.get(0)).cause())
        .hasMessageContaining("no route for this one");
    assertThat(results.get(1)).isEqualTo(PublishResult.confirmed());
    assertThat(((PublishResult.Failed) results.get(2)).cause())
        .hasMessageContaining("waits behind an earlier message of key 'bad'");
    assertThat(rabbit.take(queue, 1)).extracting(r -> text(r.getBody())).containsExactly("2");
    assertThat(rabbit.count(queue)).isZero();
  }

  @Test
  void routes_with_the_routing_function_and_adds_cloud_events_headers() throws Exception {
    String exchange = rabbit.exchange("topic");
    String queue = rabbit.queue();
    rabbit.bind(queue, exchange, "orders.#");
    RabbitMqPublisher publisher =
        publisher(
            local()
                .exchange(exchange)
                .cloudEvents(true, "/orders-service")
                .cloudEventsType(m -> "com.example." + m.topic()));
    RelayMessage created = message("orders.created", "order-7", "{}");

    assertThat(await(publisher.publish(List.of(created))))
        .containsExactly(PublishResult.confirmed());

    AMQP.BasicProperties properties = rabbit.take(queue, 1).get(0).getProps();
    assertThat(properties.getMessageId()).isEqualTo(created.messageId().toString());
    assertThat(header(properties, "cloudEvents_specversion")).isEqualTo("1.0");
    assertThat(header(properties, "cloudEvents_id")).isEqualTo(created.messageId().toString());
    assertThat(header(properties, "cloudEvents_source")).isEqualTo("/orders-service");
    assertThat(header(properties, "cloudEvents_type")).isEqualTo("com.example.orders.created");
    assertThat(header(properties, "cloudEvents_time")).isEqualTo("2025-01-02T03:04:05.123Z");
    assertThat(header(properties, "cloudEvents_subject")).isEqualTo("order-7");
  }

  @Test
  void
      reports_a_batch_unavailable_at_once_while_the_broker_is_unreachable_and_publishes_once_it_is_back()
          throws Exception {
    String queue = rabbit.queue();
    TcpProxy proxy = proxy();
    proxy.down();
    RabbitMqPublisher publisher = publisher(through(proxy));

    List<PublishResult> refused = await(publisher.publish(List.of(message(queue, "k", "1"))));

    assertThat(((PublishResult.Unavailable) refused.get(0)).cause())
        .hasMessageContaining("not available");
    assertThat(publisher.probe(Duration.ofSeconds(5)))
        .isEqualTo(dev.outpost.relay.Publisher.Availability.UNAVAILABLE);
    proxy.up();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                publisher.probe(Duration.ofSeconds(5))
                    == dev.outpost.relay.Publisher.Availability.AVAILABLE);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> await(publisher.publish(List.of(message(queue, "k", "2")))).get(0).isConfirmed());
    assertThat(rabbit.take(queue, 1)).extracting(r -> text(r.getBody())).containsExactly("2");
  }

  @Test
  void reports_the_unconfirmed_messages_of_a_batch_unavailable_when_the_connection_drops_mid_batch()
      throws Exception {
    String queue = rabbit.queue();
    TcpProxy proxy = proxy();
    RabbitMqPublisher publisher = publisher(through(proxy).confirmTimeout(Duration.ofMinutes(5)));
    assertThat(await(publisher.publish(List.of(message(queue, "k", "warm-up")))))
        .containsExactly(PublishResult.confirmed());
    proxy.freeze();
    List<RelayMessage> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(message(queue, "k", "m" + i));
    }

    CompletableFuture<List<PublishResult>> inFlight =
        publisher.publish(batch).toCompletableFuture();
    assertThat(inFlight).isNotDone();
    proxy.down();

    List<PublishResult> results = await(inFlight);
    assertThat(results)
        .allSatisfy(
            r ->
                assertThat(((PublishResult.Unavailable) r).cause())
                    .hasMessageContaining("channel closed before the broker confirmed"));
    proxy.up();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                await(publisher.publish(List.of(message(queue, "k", "after"))))
                    .get(0)
                    .isConfirmed());
  }

  @Test
  void reports_a_batch_to_a_frozen_broker_unavailable_after_the_confirm_timeout_and_recovers()
      throws Exception {
    String queue = rabbit.queue();
    TcpProxy proxy = proxy();
    RabbitMqPublisher publisher = publisher(through(proxy).confirmTimeout(Duration.ofSeconds(1)));
    assertThat(await(publisher.publish(List.of(message(queue, "k", "warm-up")))))
        .containsExactly(PublishResult.confirmed());
    proxy.freeze();

    List<PublishResult> results =
        await(publisher.publish(List.of(message(queue, "k", "a"), message(queue, "k", "b"))));

    assertThat(results)
        .allSatisfy(
            r ->
                assertThat(((PublishResult.Unavailable) r).cause())
                    .hasMessageContaining("does not answer")
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("outcome is unknown"));
    proxy.unfreeze();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> await(publisher.publish(List.of(message(queue, "k", "c")))).get(0).isConfirmed());
  }

  @Test
  void publishes_again_after_the_broker_closes_the_connection() throws Exception {
    String queue = rabbit.queue();
    String name = "outpost-test-" + UUID.randomUUID();
    RabbitMqPublisher publisher =
        publisher(local().connectionName(name).recoveryInterval(Duration.ofMillis(200)));
    assertThat(await(publisher.publish(List.of(message(queue, "k", "before")))))
        .containsExactly(PublishResult.confirmed());

    assertThat(RabbitCtl.closeConnectionsNamed(name)).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                await(publisher.publish(List.of(message(queue, "k", "after"))))
                    .get(0)
                    .isConfirmed());
    assertThat(rabbit.takeRest(queue))
        .extracting(r -> text(r.getBody()))
        .contains("before", "after");
  }

  @Test
  void closes_once_under_concurrent_publishing_and_fails_later_batches() throws Exception {
    String queue = rabbit.queue();
    RabbitMqPublisher publisher = local().build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<CompletionStage<List<PublishResult>>>>> publishing = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int partition = t;
        publishing.add(
            pool.submit(
                () -> {
                  List<CompletionStage<List<PublishResult>>> stages = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    stages.add(publisher.publish(List.of(message(queue, "k" + partition, "x"))));
                  }
                  return stages;
                }));
      }
      List<Future<?>> closing = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        closing.add(pool.submit(publisher::close));
      }
      for (Future<?> close : closing) {
        close.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      for (Future<List<CompletionStage<List<PublishResult>>>> stages : publishing) {
        for (CompletionStage<List<PublishResult>> stage :
            stages.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
          assertThat(await(stage)).hasSize(1);
        }
      }
    } finally {
      pool.shutdownNow();
    }

    PublishResult after = await(publisher.publish(List.of(message(queue, "k", "late")))).get(0);
    assertThat(((PublishResult.Failed) after).cause()).hasMessageContaining("closed");
  }
}
