package dev.outpost.relay.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.nio.NioParams;
import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.relay.brokers.internal.PublisherThreads;
import dev.outpost.relay.rabbitmq.Destination;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisherConfig;
import java.io.IOException;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link RabbitMqPublisher}: one connection, a pool of confirm-mode channels. */
public final class ConfirmingRabbitMqPublisher implements RabbitMqPublisher {

  private static final Logger log = LoggerFactory.getLogger(ConfirmingRabbitMqPublisher.class);

  private final RabbitMqPublisherConfig config;
  private final ConnectionFactory factory;
  private final AmqpMessages messages;
  private final PublisherThreads threads = new PublisherThreads("outpost-rabbitmq-publisher");
  private final Deque<ConfirmChannel> idle = new ConcurrentLinkedDeque<>();
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
    Pending[] pendings = new Pending[batch.size()];
    ConfirmChannel channel;
    try {
      channel = acquire();
    } catch (IOException | RuntimeException e) {
      outcome.failFrom(
          0,
          new OutpostException(
              "RabbitMQ at " + config.brokerAddress() + " is not available: " + e.getMessage(),
              e));
      return outcome.stage();
    }
    try {
      publishAll(channel, batch, outcome, pendings);
    } finally {
      release(channel);
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
    return outcome.stage();
  }

  private void publishAll(
      ConfirmChannel channel, List<RelayMessage> batch, BatchOutcome outcome, Pending[] pendings) {
    Set<String> heldBackKeys = new HashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      RelayMessage message = batch.get(i);
      if (message.key() != null && heldBackKeys.contains(message.key())) {
        outcome.complete(i, PublishResult.failed(NotSentException.sameKey(message)));
        continue;
      }
      Destination destination;
      AMQP.BasicProperties properties;
      try {
        destination = messages.destination(message);
        properties = messages.properties(message);
      } catch (AmqpMessages.Unpublishable e) {
        outcome.complete(i, PublishResult.rejected(e));
        continue;
      } catch (RuntimeException e) {
        outcome.complete(i, PublishResult.failed(e));
        if (message.key() != null) {
          heldBackKeys.add(message.key());
        }
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

  private ConfirmChannel acquire() throws IOException {
    if (closed) {
      throw new IllegalStateException(
          "the RabbitMQ publisher is closed; build a new one to publish again");
    }
    String blocked = blockedReason;
    if (blocked != null) {
      throw new IOException(
          "the broker blocks publishing (" + blocked + "), e.g. a memory or disk alarm");
    }
    for (ConfirmChannel channel = idle.pollFirst(); channel != null; channel = idle.pollFirst()) {
      if (channel.usable()) {
        return channel;
      }
      channel.abort();
    }
    return ConfirmChannel.open(connection(), threads.completion());
  }

  private void release(ConfirmChannel channel) {
    if (!closed && channel.usable()) {
      idle.offerFirst(channel);
    } else {
      channel.abort();
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
            "could not connect (" + lastConnectFailure + "); next attempt after the recovery interval");
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
        opened.addShutdownListener(cause -> blockedReason = null);
        connection = opened;
        lastConnectFailure = null;
        log.info("RabbitMQ connection '{}' open to {}", config.connectionName(), config.brokerAddress());
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
    for (ConfirmChannel channel = idle.pollFirst(); channel != null; channel = idle.pollFirst()) {
      channel.abort();
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
