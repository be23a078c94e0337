package dev.outpost.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.store.config.FlushDiskType;
import org.apache.rocketmq.store.config.MessageStoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache RocketMQ (one NameServer and one master Broker) running inside the test JVM, built
 * from the {@code rocketmq-namesrv} and {@code rocketmq-broker} artifacts the way RocketMQ's own
 * integration tests do. Needs {@code org.apache.rocketmq:rocketmq-namesrv} and {@code
 * rocketmq-broker} on the test classpath.
 *
 * <p>Listens on and advertises 127.0.0.1 only, on free ports, with a small store in a temporary
 * directory that {@link #close()} deletes. The broker flushes synchronously ({@code SYNC_FLUSH}),
 * as a deployment that wants "confirmed means on disk" runs it, so flush statuses are meaningful;
 * topics are not created automatically ({@link #createTopic}); retry delays of consumers are 1
 * second at every level (instead of 10 s, 30 s, 1 min, ...), so a poison message reaches the
 * dead-letter queue within seconds.
 *
 * <p>Stopping takes 13-18 seconds (fixed pauses inside RocketMQ), so use {@link #shared()}: one
 * broker per test JVM, stopped at JVM exit. {@link #stopBroker()} and {@link #startBroker()}
 * simulate a broker outage: stopping the broker alone also takes about 14 seconds (it refuses
 * connections from early on), starting it again a few seconds; it comes back on the same port and
 * store, and clients reconnect. Thread-safe.
 */
public final class EmbeddedRocketMq implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedRocketMq.class);
  private static final String CLUSTER = "OutpostTestCluster";
  private static final String BROKER_NAME = "outpost-test-broker";
  private static final String LOOPBACK = "127.0.0.1";
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static EmbeddedRocketMq shared;

  private final Path directory;
  private final NamesrvController namesrv;
  private final String namesrvAddress;
  private BrokerController broker;
  private int brokerPort;
  private int haPort;

  private EmbeddedRocketMq(Path directory, NamesrvController namesrv) {
    this.directory = directory;
    this.namesrv = namesrv;
    this.namesrvAddress = LOOPBACK + ":" + namesrv.getRemotingServer().localListenPort();
  }

  /** The cluster shared by this test JVM, started on first use and stopped at JVM exit. */
  public static synchronized EmbeddedRocketMq shared() {
    if (shared == null) {
      shared = start();
      EmbeddedRocketMq cluster = shared;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(cluster::close, "outpost-test-rocketmq-stop"));
    }
    return shared;
  }

  /**
   * Starts a private NameServer and Broker; close it (which takes 13-18 seconds).
   *
   * @throws IllegalStateException if they do not come up
   */
  public static EmbeddedRocketMq start() {
    // NamesrvStartup and BrokerStartup set this; without it the name server drops the broker's
    // topic routes and producers fail with "No route info".
    System.setProperty(
        RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
    System.setProperty("rocketmq.client.logUseSlf4j", "true");
    Path directory;
    try {
      directory = Files.createTempDirectory("outpost-rocketmq-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NamesrvController namesrv = startNamesrv(directory);
    EmbeddedRocketMq cluster = new EmbeddedRocketMq(directory, namesrv);
    try {
      cluster.startBroker();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static NamesrvController startNamesrv(Path directory) {
    NamesrvConfig config = new NamesrvConfig();
    config.setRocketmqHome(directory.toString());
    config.setKvConfigPath(directory.resolve("namesrv/kvConfig.json").toString());
    config.setConfigStorePath(directory.resolve("namesrv/namesrv.properties").toString());
    NettyServerConfig server = new NettyServerConfig();
    server.setBindAddress(LOOPBACK);
    server.setListenPort(0);
    NamesrvController controller = new NamesrvController(config, server, new NettyClientConfig());
    try {
      if (!controller.initialize()) {
        throw new IllegalStateException("the embedded RocketMQ name server did not initialize");
      }
      controller.start();
    } catch (Exception e) {
      controller.shutdown();
      throw new IllegalStateException("could not start the embedded RocketMQ name server: " + e, e);
    }
    return controller;
  }

  /** The name server address clients connect to ({@code 127.0.0.1:port}). */
  public String namesrvAddress() {
    return namesrvAddress;
  }

  /** The broker's advertised address ({@code 127.0.0.1:port}). */
  public synchronized String brokerAddress() {
    return LOOPBACK + ":" + brokerPort;
  }

  /** The cluster name the broker registers under. */
  public String clusterName() {
    return CLUSTER;
  }

  /**
   * The running broker's store configuration; some values (such as {@code syncFlushTimeout}) take
   * effect at run time. Restore what you change: the broker may be shared.
   *
   * @throws IllegalStateException while the broker is stopped
   */
  public synchronized MessageStoreConfig storeConfig() {
    return running().getMessageStoreConfig();
  }

  /**
   * Creates (or updates) a topic with {@code queues} read and write queues on the broker and waits
   * until the name server serves its route.
   *
   * @throws IllegalStateException if the route does not appear within 30 seconds
   */
  public void createTopic(String topic, int queues) {
    synchronized (this) {
      BrokerController controller = running();
      TopicConfig config =
          new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE);
      controller.getTopicConfigManager().updateTopicConfig(config);
      controller.registerIncrementBrokerData(
          config, controller.getTopicConfigManager().getDataVersion());
    }
    await(
        "route of topic " + topic,
        () -> {
          TopicRouteData route = namesrv.getRouteInfoManager().pickupTopicRouteData(topic);
          return route != null
              && route.getQueueDatas() != null
              && route.getQueueDatas().stream().anyMatch(q -> q.getWriteQueueNums() == queues);
        });
  }

  /**
   * Starts the broker (again after {@link #stopBroker()}: same port, same store) and waits until
   * the name server lists it and every topic it had is routable.
   *
   * @throws IllegalStateException if it does not come up
   */
  public synchronized void startBroker() {
    if (broker != null) {
      return;
    }
    BrokerConfig config = new BrokerConfig();
    config.setRocketmqHome(directory.toString());
    config.setBrokerClusterName(CLUSTER);
    config.setBrokerName(BROKER_NAME);
    config.setBrokerIP1(LOOPBACK);
    config.setBrokerIP2(LOOPBACK);
    config.setNamesrvAddr(namesrvAddress);
    config.setAutoCreateTopicEnable(false);
    config.setAutoCreateSubscriptionGroup(true);
    config.setListenPort(brokerPort);
    // Test machines are small and shared: a send may wait longer for the broker's send thread
    // before the broker answers "busy" (default 200 ms).
    config.setWaitTimeMillsInSendQueue(3_000);
    NettyServerConfig server = new NettyServerConfig();
    server.setBindAddress(LOOPBACK);
    server.setListenPort(brokerPort);
    MessageStoreConfig store = new MessageStoreConfig();
    store.setStorePathRootDir(directory.resolve("store").toString());
    store.setStorePathCommitLog(directory.resolve("store/commitlog").toString());
    store.setMappedFileSizeCommitLog(64 * 1024 * 1024);
    store.setMappedFileSizeTimerLog(8 * 1024 * 1024);
    store.setMaxIndexNum(10_000);
    store.setMaxHashSlotNum(40_000);
    store.setHaListenPort(haPort);
    store.setFlushDiskType(FlushDiskType.SYNC_FLUSH);
    store.setMessageDelayLevel("1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s");
    BrokerController controller =
        new BrokerController(config, server, new NettyClientConfig(), store);
    try {
      if (!controller.initialize()) {
        throw new IllegalStateException("the embedded RocketMQ broker did not initialize");
      }
      controller.start();
    } catch (Exception e) {
      controller.shutdown();
      throw new IllegalStateException("could not start the embedded RocketMQ broker: " + e, e);
    }
    broker = controller;
    brokerPort = controller.getRemotingServer().localListenPort();
    haPort = store.getHaListenPort();
    String address = brokerAddress();
    // start() may skip its first registration; register until the name server lists the broker.
    await(
        "registration of broker " + address,
        () -> {
          controller.registerBrokerAll(true, false, true);
          return namesrv
              .getRouteInfoManager()
              .getAllClusterInfo()
              .getBrokerAddrTable()
              .values()
              .stream()
              .anyMatch(data -> data.getBrokerAddrs().containsValue(address));
        });
    log.info("Embedded RocketMQ broker up at {} (name server {})", address, namesrvAddress);
  }

  /**
   * Stops the broker (the name server keeps running) without deleting its store: producers and
   * consumers see it as down until {@link #startBroker()}.
   */
  public synchronized void stopBroker() {
    BrokerController controller = broker;
    if (controller == null) {
      return;
    }
    broker = null;
    controller.shutdown();
    log.info("Embedded RocketMQ broker stopped");
  }

  @Override
  public synchronized void close() {
    try {
      stopBroker();
    } catch (RuntimeException e) {
      log.warn("embedded RocketMQ broker did not stop cleanly", e);
    }
    try {
      namesrv.shutdown();
    } catch (RuntimeException e) {
      log.warn("embedded RocketMQ name server did not stop cleanly", e);
    }
    deleteQuietly(directory);
  }

  private BrokerController running() {
    if (broker == null) {
      throw new IllegalStateException("the embedded RocketMQ broker is stopped");
    }
    return broker;
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
    throw new IllegalStateException("embedded RocketMQ: no " + what + " within 30 s", last);
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.debug("could not delete {}", directory, e);
    }
  }
}
