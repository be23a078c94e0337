package dev.outpost.delay.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;
import org.quartz.spi.InstanceIdGenerator;

/**
 * Quartz instance ids like Quartz's own {@code AUTO} (host name and start time) plus a per-JVM
 * counter, so two nodes started in the same millisecond in one JVM (tests, benchmarks) still get
 * different ids.
 */
public final class UniqueInstanceIdGenerator implements InstanceIdGenerator {

  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** For Quartz. */
  public UniqueInstanceIdGenerator() {}

  @Override
  public String generateInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + '-' + System.currentTimeMillis() + '-' + SEQUENCE.incrementAndGet();
  }
}
