package dev.outpost.relay.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.rabbitmq.NackedMessageException;
import dev.outpost.relay.rabbitmq.UnroutableMessageException;
import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel in confirm mode with its unconfirmed messages by delivery tag. One thread publishes on
 * it at a time (the pool hands it to one batch); acks, nacks, returns and the shutdown arrive on
 * the connection's I/O thread. Once broken (closed, or a confirm timed out) it is never used again:
 * its delivery tags could no longer be trusted.
 */
final class ConfirmChannel implements ConfirmListener, ReturnListener, ShutdownListener {

  private static final Logger log = LoggerFactory.getLogger(ConfirmChannel.class);

  private final Channel channel;
  private final Executor cleanup;
  private final ConcurrentNavigableMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
  private final Map<String, Pending> byCorrelationId = new ConcurrentHashMap<>();
  private final AtomicBoolean aborted = new AtomicBoolean();
  private volatile boolean broken;

  private ConfirmChannel(Channel channel, Executor cleanup) {
    this.channel = channel;
    this.cleanup = cleanup;
  }

  /** Opens a channel on {@code connection} in confirm mode. */
  static ConfirmChannel open(Connection connection, Executor cleanup) throws IOException {
    Channel channel = connection.createChannel();
    if (channel == null) {
      throw new IOException("RabbitMQ has no free channel number on this connection");
    }
    ConfirmChannel confirmChannel = new ConfirmChannel(channel, cleanup);
    channel.addShutdownListener(confirmChannel);
    channel.addConfirmListener(confirmChannel);
    channel.addReturnListener(confirmChannel);
    try {
      channel.confirmSelect();
    } catch (IOException | RuntimeException e) {
      confirmChannel.abort();
      throw e;
    }
    return confirmChannel;
  }

  /** Whether the next batch may publish on it. */
  boolean usable() {
    return !broken && channel.isOpen();
  }

  /**
   * Publishes {@code pending}'s message. The pending entry is registered before the publish because
   * the ack may arrive before basicPublish returns.
   *
   * @throws IOException if the channel is closed or the write did not go through
   */
  void publish(Pending pending, boolean mandatory, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    if (broken) {
      throw new IOException("the channel was closed");
    }
    long tag = channel.getNextPublishSeqNo();
    pending.channel = this;
    pending.deliveryTag = tag;
    unconfirmed.put(tag, pending);
    byCorrelationId.put(pending.correlationId, pending);
    try {
      channel.basicPublish(
          pending.destination.exchange(),
          pending.destination.routingKey(),
          mandatory,
          properties,
          body);
    } catch (IOException | RuntimeException e) {
      forget(pending);
      broken = true;
      throw e;
    }
  }

  /**
   * Gives up on {@code pending} (its confirm did not come in time). The channel is discarded: a
   * confirm arriving later must not be matched with anything.
   */
  void expire(Pending pending) {
    forget(pending);
    broken = true;
    abort();
  }

  @Override
  public void handleAck(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, false);
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, true);
  }

  @Override
  public void handleReturn(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    try {
      String correlationId = properties == null ? null : properties.getMessageId();
      Pending pending = correlationId == null ? null : byCorrelationId.get(correlationId);
      if (pending != null) {
        pending.returned =
            new UnroutableMessageException(
                UUID.fromString(correlationId), exchange, routingKey, replyCode, replyText);
      } else {
        log.warn(
            "RabbitMQ returned a message with unknown message id {} ({} {}, exchange '{}',"
                + " routing key '{}')",
            correlationId,
            replyCode,
            replyText,
            exchange,
            routingKey);
      }
    } catch (RuntimeException e) {
      // The client would close the channel on a listener exception; log it instead.
      log.error("could not handle a RabbitMQ return", e);
    }
  }

  @Override
  public void shutdownCompleted(ShutdownSignalException cause) {
    broken = true;
    OutpostException failure =
        new OutpostException(
            "the RabbitMQ channel closed before the broker confirmed the message ("
                + cause.getMessage()
                + "); the outcome is unknown, it is sent again",
            cause);
    // The connection went down (not a channel error such as a missing exchange): the broker is
    // unavailable, not the message at fault.
    PublishResult result =
        cause.isHardError() && !cause.isInitiatedByApplication()
            ? PublishResult.unavailable(failure)
            : PublishResult.failed(failure);
    for (Long tag : unconfirmed.keySet()) {
      Pending pending = unconfirmed.remove(tag);
      if (pending != null) {
        byCorrelationId.remove(pending.correlationId, pending);
        pending.complete(result);
      }
    }
  }

  private void settle(long deliveryTag, boolean multiple, boolean nack) {
    try {
      if (multiple) {
        NavigableMap<Long, Pending> settled = unconfirmed.headMap(deliveryTag, true);
        for (Pending pending : settled.values()) {
          finish(pending, nack);
        }
        settled.clear();
      } else {
        Pending pending = unconfirmed.remove(deliveryTag);
        if (pending != null) {
          finish(pending, nack);
        }
      }
    } catch (RuntimeException e) {
      log.error("could not handle a RabbitMQ confirm", e);
    }
  }

  private void finish(Pending pending, boolean nack) {
    byCorrelationId.remove(pending.correlationId, pending);
    if (nack) {
      pending.complete(
          PublishResult.failed(
              new NackedMessageException(pending.message.messageId(), pending.destination)));
    } else if (pending.returned != null) {
      pending.complete(PublishResult.failed(pending.returned));
    } else {
      pending.complete(PublishResult.confirmed());
    }
  }

  private void forget(Pending pending) {
    unconfirmed.remove(pending.deliveryTag, pending);
    byCorrelationId.remove(pending.correlationId, pending);
  }

  /** Closes the channel off the caller's thread (closing waits for the broker's close-ok). */
  void abort() {
    broken = true;
    if (!aborted.compareAndSet(false, true)) {
      return;
    }
    Runnable abort =
        () -> {
          try {
            channel.abort();
          } catch (IOException | RuntimeException e) {
            log.debug("aborting a RabbitMQ channel failed: {}", e.toString());
          }
        };
    try {
      cleanup.execute(abort);
    } catch (RejectedExecutionException e) {
      abort.run();
    }
  }
}
