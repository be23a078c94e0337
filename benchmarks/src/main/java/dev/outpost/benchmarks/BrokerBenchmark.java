package dev.outpost.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ConnectionFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.Partitioner;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.kafka.KafkaPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import dev.outpost.rocketmq.RocketMqPublisher;
import dev.outpost.testing.EmbeddedRocketMq;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * End-to-end throughput of the relay with broker confirms, next to the broker's own publish rate
 * measured in the same run with its plain client doing the equivalent work:
 *
 * <ol>
 *   <li>(a) plain client: Kafka producer with {@code acks=all}, idempotence, 5 in flight, {@code
 *       linger.ms=5}, send all and flush; RabbitMQ persistent mandatory publishes pipelined on one
 *       channel with asynchronous publisher confirms, until every message is acked;
 *   <li>(b) the Outpost publisher alone: {@code publish()} batches of one outbox partition each, as
 *       many partitions at a time as the relay has threads;
 *   <li>(c) the relay: the messages are committed to the outbox first (not timed), then the relay
 *       starts and drains them; timed from {@code start()} until the outbox is empty.
 * </ol>
 *
 * <p>Every message has a key (1000 keys), a payload of the given size and the headers a traced
 * outbox message has ({@code traceparent}, {@code content-type}) plus the message id. Kafka is a
 * single KRaft node started in this JVM (Kafka's own test kit); RabbitMQ is the broker at {@value
 * #ENV_RABBITMQ_URI} or {@code amqp://guest:guest@127.0.0.1:5672/%2f}, with a durable queue that is
 * deleted at the end. PostgreSQL: {@value BenchDatabase#ENV_URL} (user {@value
 * BenchDatabase#ENV_USER}, password {@value BenchDatabase#ENV_PASSWORD}) or an embedded one; tables
 * in schema {@value #SCHEMA}.
 *
 * <p>After a warm-up round (a fifth of the messages) come the measured rounds; each runs every
 * scenario once, so that bursts of other load on the machine hit all of them alike. Reported: the
 * median rate per scenario and the median of the per-round ratio relay / plain client. Also
 * measured: (0) the relay with a publisher that confirms at once, the database-bound ceiling.
 *
 * <p>RocketMQ is a name server and broker started in this JVM ({@code EmbeddedRocketMq}: {@code
 * SYNC_FLUSH}, 8 queues per topic); (a) is the plain {@code DefaultMQProducer} sending
 * asynchronously with a key selector and at most 1,000 sends in flight, resending what was not
 * {@code SEND_OK}.
 *
 * <p>Args: {@code [messages, default 100000] [kafka|rabbitmq|rocketmq|all, default all] [relay
 * threads, default 4] [batch size, default 500] [payload bytes, default 200] [measured rounds,
 * default 3]}; {@code -Doutpost.bench.kafka.linger.ms=N} sets the Kafka linger of (a)-(c). Not a
 * test.
 */
public final class BrokerBenchmark {

  static final String ENV_RABBITMQ_URI = "OUTPOST_BENCH_RABBITMQ_URI";
  static final String SCHEMA = "outpost_bench_brokers";
  private static final int KEYS = 1000;

  /** {@code -Doutpost.bench.kafka.linger.ms=...} overrides the publisher's linger (default 5). */
  private static final String LINGER_MS = System.getProperty("outpost.bench.kafka.linger.ms");

  private static final int PARTITIONS = 16;
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final DataSource dataSource;
  private final int total;
  private int messages;
  private boolean warmUp;
  private final int threads;
  private final int batchSize;
  private final byte[] payload;
  private final int rounds;
  private final Map<String, List<Double>> rates = new LinkedHashMap<>();

  private BrokerBenchmark(
      DataSource dataSource,
      int messages,
      int threads,
      int batchSize,
      int payloadBytes,
      int rounds) {
    this.dataSource = dataSource;
    this.rounds = rounds;
    this.total = messages;
    this.messages = messages;
    this.threads = threads;
    this.batchSize = batchSize;
    this.payload = new byte[payloadBytes];
    java.util.Arrays.fill(payload, (byte) 'x');
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    String which = args.length > 1 ? args[1] : "all";
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 500;
    int payloadBytes = args.length > 4 ? Integer.parseInt(args[4]) : 200;
    int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 3;
    BenchDatabase.quietLogs();
    try (BenchDatabase database = BenchDatabase.open(Map.of());
        HikariDataSource dataSource = database.pool("outpost-bench", threads + 4)) {
      OutpostMigrations.builder().dataSource(dataSource).schema(SCHEMA).build().migrate();
      BrokerBenchmark benchmark =
          new BrokerBenchmark(dataSource, messages, threads, batchSize, payloadBytes, rounds);
      System.out.printf(
          Locale.ROOT,
          "Broker benchmark: %d messages of %d bytes, %d keys, %d outbox partitions, relay %d"
              + " threads, batch %d, 1 warm-up + %d measured rounds, %s%n",
          messages,
          payloadBytes,
          KEYS,
          PARTITIONS,
          threads,
          batchSize,
          rounds,
          database.embedded() ? "embedded PostgreSQL" : "PostgreSQL at " + database.url());
      benchmark.noOp();
      if (which.equals("all") || which.equals("kafka")) {
        benchmark.kafka();
      }
      if (which.equals("all") || which.equals("rabbitmq")) {
        benchmark.rabbitMq();
      }
      if (which.equals("all") || which.equals("rocketmq")) {
        benchmark.rocketMq();
      }
      benchmark.report();
    }
  }

  /** The relay with a publisher that confirms at once: the database-bound ceiling of (c). */
  private void noOp() throws Exception {
    Publisher confirmAll =
        batch -> {
          List<PublishResult> results = new ArrayList<>(batch.size());
          batch.forEach(m -> results.add(PublishResult.confirmed()));
          return java.util.concurrent.CompletableFuture.completedFuture(results);
        };
    for (int round = 0; round <= rounds; round++) {
      round(round == 0);
      measure(
          "(0) relay, publisher confirming at once (DB only)", () -> relay(confirmAll, "bench"));
    }
  }

  private void kafka() throws Exception {
    try (KafkaClusterTestKit cluster = startKafka()) {
      String bootstrap = cluster.bootstrapServers();
      for (String topic : List.of("bench-plain", "bench-publisher", "bench-relay")) {
        createTopic(bootstrap, topic);
      }
      for (int round = 0; round <= rounds; round++) {
        round(round == 0);
        kafkaRound(bootstrap);
      }
      System.out.printf(
          Locale.ROOT,
          "  records in topics (warm-up + measured): plain %d, publisher %d, relay %d%n",
          records(bootstrap, "bench-plain"),
          records(bootstrap, "bench-publisher"),
          records(bootstrap, "bench-relay"));
    }
  }

  /**
   * Round 0 warms the JVM and the brokers up with a fifth of the messages; the measured rounds
   * follow, each running every scenario once, so that load bursts on the machine hit all alike.
   */
  private void round(boolean warm) {
    warmUp = warm;
    messages = warm ? Math.max(1, total / 5) : total;
  }

  private void kafkaRound(String bootstrap) throws Exception {
    measure("Kafka (a) plain producer, acks=all, idempotent", () -> plainKafka(bootstrap));
    try (KafkaPublisher publisher = kafkaPublisher(bootstrap)) {
      measure(
          "Kafka (b) KafkaPublisher.publish() alone",
          () -> publisherOnly(publisher, "bench-publisher"));
    }
    KafkaPublisher publisher = kafkaPublisher(bootstrap);
    measure("Kafka (c) relay end to end", () -> relay(publisher, "bench-relay"));
  }

  private static KafkaPublisher kafkaPublisher(String bootstrap) {
    KafkaPublisher.Builder builder = KafkaPublisher.builder().bootstrapServers(bootstrap);
    if (LINGER_MS != null) {
      builder.producerProperty(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    }
    return builder.build();
  }

  private void rabbitMq() throws Exception {
    String uri =
        System.getenv().getOrDefault(ENV_RABBITMQ_URI, "amqp://guest:guest@127.0.0.1:5672/%2f");
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    String queue = "outpost-bench-" + UUID.randomUUID();
    try (com.rabbitmq.client.Connection admin = factory.newConnection("outpost-bench-admin");
        Channel channel = admin.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
      try {
        for (int round = 0; round <= rounds; round++) {
          round(round == 0);
          rabbitRound(factory, uri, channel, queue);
        }
      } finally {
        channel.queueDelete(queue);
      }
    }
  }

  private void rabbitRound(ConnectionFactory factory, String uri, Channel channel, String queue)
      throws Exception {
    measure("RabbitMQ (a) plain client, pipelined confirms", () -> plainRabbit(factory, queue));
    System.out.printf(Locale.ROOT, "  queued: %d%n", channel.messageCount(queue));
    channel.queuePurge(queue);
    try (RabbitMqPublisher publisher = RabbitMqPublisher.builder().uri(uri).build()) {
      measure(
          "RabbitMQ (b) RabbitMqPublisher.publish() alone", () -> publisherOnly(publisher, queue));
    }
    System.out.printf(Locale.ROOT, "  queued: %d%n", channel.messageCount(queue));
    channel.queuePurge(queue);
    RabbitMqPublisher publisher = RabbitMqPublisher.builder().uri(uri).build();
    measure("RabbitMQ (c) relay end to end", () -> relay(publisher, queue));
    System.out.printf(Locale.ROOT, "  queued: %d%n", channel.messageCount(queue));
    channel.queuePurge(queue);
  }

  /** (a) Kafka: the plain producer with the publisher's safety settings. */
  private long plainKafka(String bootstrap) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS == null ? "5" : LINGER_MS);
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.partitionsFor("bench-plain");
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        headers.add(
            RelayMessage.MESSAGE_ID_HEADER,
            UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        producer.send(
            new ProducerRecord<>(
                "bench-plain",
                null,
                null,
                key(i).getBytes(StandardCharsets.UTF_8),
                payload,
                headers),
            (metadata, error) -> {
              if (error != null) {
                failed.incrementAndGet();
              }
            });
      }
      producer.flush();
      long elapsed = System.nanoTime() - start;
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " plain Kafka sends failed");
      }
      return elapsed;
    }
  }

  /** (a) RabbitMQ: one channel, persistent mandatory publishes, confirms tracked asynchronously. */
  private long plainRabbit(ConnectionFactory factory, String queue) throws Exception {
    try (com.rabbitmq.client.Connection connection = factory.newConnection("outpost-bench-plain");
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      AtomicLong confirmedUpTo = new AtomicLong();
      AtomicLong nacked = new AtomicLong();
      java.util.concurrent.ConcurrentSkipListSet<Long> outstanding =
          new java.util.concurrent.ConcurrentSkipListSet<>();
      Object done = new Object();
      channel.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              settle(tag, multiple);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              nacked.incrementAndGet();
              settle(tag, multiple);
            }

            private void settle(long tag, boolean multiple) {
              if (multiple) {
                outstanding.headSet(tag, true).clear();
              } else {
                outstanding.remove(tag);
              }
              confirmedUpTo.accumulateAndGet(tag, Math::max);
              if (outstanding.isEmpty()) {
                synchronized (done) {
                  done.notifyAll();
                }
              }
            }
          });
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        AMQP.BasicProperties properties =
            new AMQP.BasicProperties.Builder()
                .messageId(UUID.randomUUID().toString())
                .deliveryMode(2)
                .contentType("application/json")
                .headers(Map.of("traceparent", TRACEPARENT, "content-type", "application/json"))
                .build();
        outstanding.add(channel.getNextPublishSeqNo());
        channel.basicPublish("", queue, true, properties, payload);
      }
      synchronized (done) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!outstanding.isEmpty() && System.nanoTime() < deadline) {
          done.wait(100);
        }
      }
      long elapsed = System.nanoTime() - start;
      if (!outstanding.isEmpty() || nacked.get() > 0) {
        throw new IllegalStateException(
            outstanding.size() + " plain RabbitMQ publishes unconfirmed, " + nacked + " nacked");
      }
      return elapsed;
    }
  }

  /** (b) The publisher alone: one partition's batches in order, threads partitions at a time. */
  private long publisherOnly(Publisher publisher, String topic) throws Exception {
    Partitioner partitioner = Outbox.builder().build().partitioner();
    List<List<RelayMessage>> byPartition = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      byPartition.add(new ArrayList<>());
    }
    Instant now = Instant.now();
    for (int i = 0; i < messages; i++) {
      String key = key(i);
      int partition = partitioner.partitionFor(key);
      byPartition
          .get(partition)
          .add(
              new RelayMessage(
                  i + 1,
                  UUID.randomUUID(),
                  topic,
                  key,
                  partition,
                  payload,
                  Map.of("traceparent", TRACEPARENT, "content-type", "application/json"),
                  now,
                  0));
    }
    publisher.publish(List.of(byPartition.get(0).get(0))).toCompletableFuture().get();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<Long>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        work.add(
            pool.submit(
                () -> {
                  long failed = 0;
                  for (int p = first; p < PARTITIONS; p += threads) {
                    List<RelayMessage> all = byPartition.get(p);
                    for (int from = p == 0 ? 1 : 0; from < all.size(); from += batchSize) {
                      List<RelayMessage> batch =
                          all.subList(from, Math.min(all.size(), from + batchSize));
                      for (PublishResult result :
                          publisher.publish(batch).toCompletableFuture().get(5, TimeUnit.MINUTES)) {
                        failed += result.isConfirmed() ? 0 : 1;
                      }
                    }
                  }
                  return failed;
                }));
      }
      long failed = 0;
      for (Future<Long> future : work) {
        failed += future.get();
      }
      long elapsed = System.nanoTime() - start;
      if (failed > 0) {
        throw new IllegalStateException(failed + " publishes not confirmed");
      }
      return elapsed;
    } finally {
      pool.shutdownNow();
    }
  }

  /** (c) The relay draining a committed backlog; the publisher is closed with the relay. */
  private long relay(Publisher publisher, String topic) throws Exception {
    truncate();
    Outbox outbox = Outbox.builder().schema(SCHEMA).build();
    List<OutboxMessage> chunk = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      chunk.add(
          OutboxMessage.to(topic)
              .key(key(i))
              .payload(payload)
              .header("traceparent", TRACEPARENT)
              .header("content-type", "application/json")
              .build());
      if (chunk.size() == 1000 || i == messages - 1) {
        try (Connection c = dataSource.getConnection()) {
          c.setAutoCommit(false);
          outbox.sendAll(c, chunk);
          c.commit();
        }
        chunk.clear();
      }
    }
    try (Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .schema(SCHEMA)
            .publisher(publisher)
            .closePublisher(true)
            .threads(threads)
            .batchSize(batchSize)
            .build()) {
      long start = System.nanoTime();
      relay.start();
      long deadline = start + TimeUnit.MINUTES.toNanos(10);
      while (backlog() > 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the relay did not drain within 10 minutes");
        }
        Thread.sleep(20);
      }
      long elapsed = System.nanoTime() - start;
      long deadLetters = count("outbox_dead_letter");
      if (deadLetters > 0) {
        throw new IllegalStateException(deadLetters + " messages were dead-lettered");
      }
      return elapsed;
    }
  }

  private void measure(String name, Measured measured) throws Exception {
    long nanos = measured.run();
    double rate = messages / (nanos / 1e9);
    if (!warmUp) {
      rates.computeIfAbsent(name, n -> new ArrayList<>()).add(rate);
    }
    System.out.printf(
        Locale.ROOT,
        "%-10s %-50s %10.0f msgs/s  (%d in %.2f s)%n",
        warmUp ? "warm-up" : "measured",
        name,
        rate,
        messages,
        nanos / 1e9);
  }

  private void report() {
    System.out.println();
    System.out.printf(
        Locale.ROOT, "%-50s %12s  %s%n", "scenario (median of rounds)", "msgs/s", "rounds");
    for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%-50s %12.0f  %s%n",
          entry.getKey(),
          median(entry.getValue()),
          entry.getValue().stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList());
    }
    System.out.println();
    for (String broker : List.of("Kafka", "RabbitMQ", "RocketMQ")) {
      List<Double> plain = rates(broker + " (a)");
      List<Double> publisherOnly = rates(broker + " (b)");
      List<Double> relay = rates(broker + " (c)");
      if (plain == null || relay == null) {
        continue;
      }
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < relay.size(); i++) {
        ratios.add(relay.get(i) / plain.get(i));
      }
      System.out.printf(
          Locale.ROOT,
          "%-8s relay %.0f msgs/s; relay / plain client in the same round: median %.2f %s;"
              + " publisher alone / plain %.2f; target >= %s msgs/s and >= 0.7%n",
          broker,
          median(relay),
          median(ratios),
          ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList(),
          median(publisherOnly) / median(plain),
          broker.equals("Kafka") ? "20k" : "10k");
    }
    List<Double> ceiling = rates("(0)");
    if (ceiling != null) {
      System.out.printf(
          Locale.ROOT,
          "relay ceiling with a publisher that confirms at once (DB only): %.0f msgs/s%n",
          median(ceiling));
    }
    System.out.printf(
        Locale.ROOT,
        "(system load average at the end: %.1f on %d cores)%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
  }

  private List<Double> rates(String prefix) {
    return rates.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String key(int i) {
    return "key-" + (i % KEYS);
  }

  private void truncate() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + SCHEMA + ".outbox_message, " + SCHEMA + ".outbox_dead_letter");
    }
  }

  private long backlog() throws SQLException {
    return count("outbox_message");
  }

  private long count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + SCHEMA + "." + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static KafkaClusterTestKit startKafka() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  private static void createTopic(String bootstrap, String topic) {
    KafkaTopics.createAndAwait(bootstrap, topic, PARTITIONS);
  }

  private static long records(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(1, TimeUnit.MINUTES).values().stream()
          .mapToLong(info -> info.offset())
          .sum();
    }
  }

  private void rocketMq() throws Exception {
    try (EmbeddedRocketMq rocketmq = EmbeddedRocketMq.start()) {
      String namesrv = rocketmq.namesrvAddress();
      for (String topic : List.of("bench-plain", "bench-publisher", "bench-relay")) {
        rocketmq.createTopic(topic, 8);
      }
      for (int round = 0; round <= rounds; round++) {
        round(round == 0);
        measure("RocketMQ (a) plain producer, async sends", () -> plainRocketMq(namesrv));
        try (RocketMqPublisher publisher = rocketMqPublisher(namesrv)) {
          measure(
              "RocketMQ (b) RocketMqPublisher.publish() alone",
              () -> publisherOnly(publisher, "bench-publisher"));
        }
        RocketMqPublisher publisher = rocketMqPublisher(namesrv);
        measure("RocketMQ (c) relay end to end", () -> relay(publisher, "bench-relay"));
      }
    }
  }

  private static RocketMqPublisher rocketMqPublisher(String namesrv) {
    return RocketMqPublisher.builder().namesrvAddress(namesrv).build();
  }

  /** (a) RocketMQ: async sends with a key selector, 1,000 in flight, until all are SEND_OK. */
  private long plainRocketMq(String namesrv) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer("outpost-bench-plain");
    producer.setNamesrvAddr(namesrv);
    producer.setInstanceName("outpost-bench-plain-" + UUID.randomUUID());
    producer.start();
    try {
      producer.send(new Message("bench-plain", payload));
      java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(1000);
      java.util.concurrent.ConcurrentLinkedQueue<Integer> failed =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      long start = System.nanoTime();
      List<Integer> pending = new ArrayList<>(messages);
      for (int i = 0; i < messages; i++) {
        pending.add(i);
      }
      for (int attempt = 0; !pending.isEmpty(); attempt++) {
        if (attempt == 20) {
          throw new IllegalStateException(pending.size() + " plain RocketMQ sends failed");
        }
        for (int i : pending) {
          Message message = new Message("bench-plain", payload);
          message.setKeys(key(i));
          message.putUserProperty("traceparent", TRACEPARENT);
          message.putUserProperty("content-type", "application/json");
          message.putUserProperty(RelayMessage.MESSAGE_ID_HEADER, UUID.randomUUID().toString());
          window.acquire();
          producer.send(
              message,
              (queues, m, key) -> queues.get(Math.floorMod(key.hashCode(), queues.size())),
              key(i),
              new SendCallback() {
                @Override
                public void onSuccess(SendResult result) {
                  if (result.getSendStatus() != SendStatus.SEND_OK) {
                    failed.add(i);
                  }
                  window.release();
                }

                @Override
                public void onException(Throwable error) {
                  failed.add(i);
                  window.release();
                }
              });
        }
        window.acquire(1000);
        window.release(1000);
        pending = new ArrayList<>(failed);
        failed.clear();
      }
      return System.nanoTime() - start;
    } finally {
      producer.shutdown();
    }
  }

  @FunctionalInterface
  private interface Measured {
    long run() throws Exception;
  }
}
