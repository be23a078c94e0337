package dev.outpost.rocketmq.internal;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Default RocketMQ client instance names: unique in this JVM, so that two publishers or consumers
 * never share one RocketMQ client (which would share its settings and lifecycle).
 */
public final class InstanceNames {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private InstanceNames() {}

  /** {@code <prefix>-<pid>-<n>}, with {@code n} counting up per JVM. */
  public static String unique(String prefix) {
    return prefix
        + "-"
        + ManagementFactory.getRuntimeMXBean().getPid()
        + "-"
        + INSTANCES.incrementAndGet();
  }
}
