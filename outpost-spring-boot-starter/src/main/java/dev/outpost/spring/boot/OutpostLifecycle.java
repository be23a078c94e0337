package dev.outpost.spring.boot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts Outpost's running parts with the application context and stops them with it: consumers,
 * the dedup purger, the delay scheduler's sweep and the relay start in this order and stop in the
 * reverse order (the relay first). The default phase lies below the web server's, so Outpost starts
 * before the server takes requests and stops after the server's graceful shutdown.
 *
 * <p>Outpost's components are not restartable: once stopped (context stop or close) they stay
 * stopped.
 */
public final class OutpostLifecycle implements SmartLifecycle {

  /**
   * Default phase: below Boot's web server ({@code DEFAULT_PHASE - 2048}) and its graceful shutdown
   * ({@code DEFAULT_PHASE - 1024}).
   */
  public static final int DEFAULT_PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  /** The relay's component name. */
  public static final String RELAY = "relay";

  /** The delay scheduler's component name. */
  public static final String DELAY_SCHEDULER = "delay-scheduler";

  private static final Logger log = LoggerFactory.getLogger(OutpostLifecycle.class);

  /**
   * One running part.
   *
   * @param name shown in logs and health ("relay", "delay-scheduler", "consumer:inventory")
   * @param start starts it
   * @param stop stops it (idempotent)
   */
  public record Component(String name, Runnable start, Runnable stop) {}

  private final List<Component> components;
  private final int phase;
  private final Map<String, Boolean> running = new LinkedHashMap<>();
  private boolean started;

  /** Runs {@code components}, started in list order, in {@code phase}. */
  public OutpostLifecycle(List<Component> components, int phase) {
    this.components = List.copyOf(components);
    this.phase = phase;
    for (Component c : this.components) {
      running.put(c.name(), false);
    }
  }

  @Override
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    for (Component c : components) {
      c.start().run();
      running.put(c.name(), true);
      log.info("outpost: started {}", c.name());
    }
  }

  @Override
  public synchronized void stop() {
    List<Component> reversed = new ArrayList<>(components);
    Collections.reverse(reversed);
    for (Component c : reversed) {
      if (!running.get(c.name())) {
        continue;
      }
      try {
        c.stop().run();
        log.info("outpost: stopped {}", c.name());
      } catch (Throwable t) {
        log.warn("outpost: stopping {} failed", c.name(), t);
      }
      running.put(c.name(), false);
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return running.containsValue(true);
  }

  @Override
  public int getPhase() {
    return phase;
  }

  /** Whether the component {@code name} runs; false for an unknown name. */
  public synchronized boolean isRunning(String name) {
    return Boolean.TRUE.equals(running.get(name));
  }

  /** The components' names and whether each runs, in start order. */
  public synchronized Map<String, Boolean> components() {
    return Map.copyOf(running);
  }
}
