package dev.outpost.relay.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.nio.NioParams;
import dev.outpost.relay.DestinationUnavailableException;
import dev.outpost.relay.KeyOrderGuard;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.AvailabilityCheck;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.relay.brokers.internal.PublisherThreads;
import dev.outpost.relay.rabbitmq.Destination;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisherConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link RabbitMqPublisher}: one connection, a pool of confirm-mode channels. */
public final class ConfirmingRabbitMqPublisher implements RabbitMqPublisher {

  private static final Logger log = LoggerFactory.getLogger(ConfirmingRabbitMqPublisher.class);

  private final RabbitMqPublisherConfig config;
  private final ConnectionFactory factory;
  private final AmqpMessages messages;
  private final PublisherThreads threads = new PublisherThreads("outpost-rabbitmq-publisher");
  private final ChannelSlot[] slots;
  private final AvailabilityCheck availability;
  private final Object lock = new Object();
  private Connection connection;
  private long lastConnectFailureNanos;
  private Exception lastConnectFailure;
  private volatile String blockedReason;
  private volatile boolean closed;

  /** A publisher for {@code config}; connects on first use. */
  public ConfirmingRabbitMqPublisher(RabbitMqPublisherConfig config) {
    this.config = config;
    this.factory = connectionFactory(config);
    this.messages = new AmqpMessages(config);
    this.availability =
        new AvailabilityCheck(
            this::probe, config.connectTimeout(), "RabbitMQ at " + config.brokerAddress());
    this.slots = new ChannelSlot[config.channels()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new ChannelSlot();
    }
    if (!config.mandatory()) {
      log.warn(
          "RabbitMQ publisher for {} publishes without mandatory: unroutable messages are dropped"
              + " by the broker and count as sent",
          config.brokerAddress());
    }
    if (!config.persistent()) {
      log.warn(
          "RabbitMQ publisher for {} publishes transient messages: confirmed messages can be lost"
              + " on a broker restart",
          config.brokerAddress());
    }
  }

  private static ConnectionFactory connectionFactory(RabbitMqPublisherConfig config) {
    ConnectionFactory factory = config.connectionFactory().clone();
    int connectMillis = (int) config.connectTimeout().toMillis();
    factory.setAutomaticRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(config.recoveryInterval().toMillis());
    factory.setConnectionTimeout(connectMillis);
    factory.setHandshakeTimeout(connectMillis);
    factory.setChannelRpcTimeout(connectMillis);
    // NIO bounds every socket write (a blocked or frozen broker stops reading): a publish waits
    // at most the confirm timeout for room in the write queue instead of blocking forever.
    factory.useNio();
    factory.setNioParams(
        new NioParams(factory.getNioParams())
            .setWriteEnqueuingTimeoutInMs((int) config.confirmTimeout().toMillis()));
    return factory;
  }

  @Override
  public RabbitMqPublisherConfig config() {
    return config;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    BatchOutcome outcome = new BatchOutcome(batch.size(), threads.completion());
    if (batch.isEmpty()) {
      return outcome.stage();
    }
    Pending[] pendings = new Pending[batch.size()];
    // All batches of one outbox partition (so all messages of a key) go through the same channel:
    // RabbitMQ keeps publish order only per channel.
    ChannelSlot slot = slots[Math.floorMod(batch.get(0).partitionNo(), slots.length)];
    try {
      if (!slot.lock.tryLock(config.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        outcome.unavailableFrom(0, unavailable("every publish on its channel is still busy", null));
        return outcome.stage();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome.failFrom(0, unavailable("interrupted waiting for a channel", e));
      return outcome.stage();
    }
    try {
      ConfirmChannel channel;
      try {
        channel = slot.channel();
      } catch (IOException e) {
        // Connection refused or down, or a resource alarm blocks publishers.
        outcome.unavailableFrom(0, unavailable(e.getMessage(), e));
        return outcome.stage();
      } catch (RuntimeException e) {
        outcome.failFrom(0, e);
        return outcome.stage();
      }
      publishAll(channel, batch, outcome, pendings);
    } finally {
      slot.lock.unlock();
    }
    outcome.expireAfter(
        threads.timer(),
        config.confirmTimeout(),
        i -> {
          Pending pending = pendings[i];
          if (pending != null && pending.channel != null) {
            pending.channel.expire(pending);
          }
          outcome.complete(
              i,
              PublishResult.failed(
                  new TimeoutException(
                      "no publisher confirm from RabbitMQ for message "
                          + batch.get(i).messageId()
                          + " within "
                          + config.confirmTimeout().toMillis()
                          + " ms; the outcome is unknown, the relay will send it again")));
        });
    // A confirm timeout or a lost send is the broker's outage when it does not answer a probe.
    return outcome
        .stage()
        .thenApplyAsync(
            results -> availability.resolve(results, ConfirmingRabbitMqPublisher::suspect),
            threads.completionOrCaller());
  }

  private static boolean suspect(Throwable cause) {
    return cause instanceof TimeoutException
        || cause instanceof IOException
        || cause instanceof ShutdownSignalException
        || (cause instanceof NotSentException notSent && !notSent.heldBehindKey());
  }

  /**
   * Opens and closes a channel (one round trip to the broker, bounded by the connect timeout),
   * connecting first when there is no connection.
   */
  @Override
  public Availability probe(Duration timeout) {
    if (closed) {
      return Availability.UNKNOWN;
    }
    if (blockedReason != null) {
      return Availability.UNAVAILABLE;
    }
    try {
      Channel channel = connection().createChannel();
      if (channel == null) {
        return Availability.UNAVAILABLE;
      }
      channel.abort();
      return Availability.AVAILABLE;
    } catch (IOException | RuntimeException e) {
      log.debug("RabbitMQ probe of {} failed: {}", config.brokerAddress(), e.toString());
      return Availability.UNAVAILABLE;
    }
  }

  private DestinationUnavailableException unavailable(String reason, Throwable cause) {
    return new DestinationUnavailableException(
        "RabbitMQ at " + config.brokerAddress() + " is not available: " + reason, cause);
  }

  private void publishAll(
      ConfirmChannel channel, List<RelayMessage> batch, BatchOutcome outcome, Pending[] pendings) {
    KeyOrderGuard guard = new KeyOrderGuard();
    for (int i = 0; i < batch.size(); i++) {
      RelayMessage message = batch.get(i);
      if (guard.heldBack(message)) {
        outcome.complete(i, guard.notSent(message));
        continue;
      }
      Destination destination;
      AMQP.BasicProperties properties;
      try {
        destination = messages.destination(message);
        properties = messages.properties(message);
      } catch (AmqpMessages.Unpublishable e) {
        // Held back too: the relay may park the key of a dead-lettered message.
        outcome.complete(i, PublishResult.rejected(e));
        guard.holdBack(message);
        continue;
      } catch (RuntimeException e) {
        outcome.complete(i, PublishResult.failed(e));
        guard.holdBack(message);
        continue;
      }
      Pending pending = new Pending(outcome, i, message, destination);
      pendings[i] = pending;
      try {
        channel.publish(pending, config.mandatory(), properties, message.payload());
      } catch (IOException | RuntimeException e) {
        outcome.complete(i, PublishResult.failed(e));
        outcome.failFrom(i + 1, NotSentException.rest(message, e));
        return;
      }
    }
  }

  /** One channel and the lock that gives it to one batch at a time. */
  private final class ChannelSlot {
    final ReentrantLock lock = new ReentrantLock();
    private ConfirmChannel channel;

    /** The slot's channel, opened anew when missing or broken; call with the lock held. */
    ConfirmChannel channel() throws IOException {
      if (closed) {
        throw new IllegalStateException(
            "the RabbitMQ publisher is closed; build a new one to publish again");
      }
      String blocked = blockedReason;
      if (blocked != null) {
        throw new IOException(
            "the broker blocks publishing (" + blocked + "), e.g. a memory or disk alarm");
      }
      if (channel != null && channel.usable()) {
        return channel;
      }
      if (channel != null) {
        channel.abort();
        channel = null;
      }
      channel = ConfirmChannel.open(connection(), threads.completion());
      return channel;
    }
  }

  private Connection connection() throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the RabbitMQ publisher is closed");
      }
      if (connection != null) {
        if (connection.isOpen()) {
          return connection;
        }
        throw new IOException(
            "the connection is down ("
                + connection.getCloseReason()
                + "); automatic recovery reconnects every "
                + config.recoveryInterval().toMillis()
                + " ms");
      }
      long sinceFailure = System.nanoTime() - lastConnectFailureNanos;
      if (lastConnectFailure != null && sinceFailure < config.recoveryInterval().toNanos()) {
        throw new IOException(
            "could not connect ("
                + lastConnectFailure
                + "); next attempt after the recovery interval");
      }
      try {
        Connection opened = factory.newConnection(config.connectionName());
        opened.addBlockedListener(
            new BlockedListener() {
              @Override
              public void handleBlocked(String reason) {
                log.warn("RabbitMQ blocks publishing on {}: {}", config.brokerAddress(), reason);
                blockedReason = reason;
              }

              @Override
              public void handleUnblocked() {
                log.info("RabbitMQ unblocks publishing on {}", config.brokerAddress());
                blockedReason = null;
              }
            });
        opened.addShutdownListener(
            cause -> {
              blockedReason = null;
              if (!cause.isInitiatedByApplication()) {
                log.warn(
                    "RabbitMQ connection '{}' to {} lost ({}); batches fail until it recovers",
                    config.connectionName(),
                    config.brokerAddress(),
                    cause.getMessage());
              }
            });
        if (opened instanceof Recoverable recoverable) {
          recoverable.addRecoveryListener(
              new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                  log.info(
                      "RabbitMQ connection '{}' to {} recovered",
                      config.connectionName(),
                      config.brokerAddress());
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {}
              });
        }
        connection = opened;
        lastConnectFailure = null;
        log.info(
            "RabbitMQ connection '{}' open to {}", config.connectionName(), config.brokerAddress());
        return opened;
      } catch (IOException | TimeoutException | RuntimeException e) {
        lastConnectFailure = e;
        lastConnectFailureNanos = System.nanoTime();
        throw new IOException("could not connect: " + e, e);
      }
    }
  }

  @Override
  public void close() {
    Connection toClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = connection;
      connection = null;
    }
    if (toClose != null) {
      int millis = (int) config.closeTimeout().toMillis();
      try {
        toClose.close(millis);
      } catch (IOException | RuntimeException e) {
        toClose.abort(millis);
      }
    }
    threads.close(config.closeTimeout());
  }
}
