package dev.outpost.delay.internal;

import java.lang.reflect.Method;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Keeps Quartz's start-up banner ("Quartz Scheduler v2.x created", "Scheduler meta-data: ...",
 * "JobStoreTX initialized", ...) out of the application's INFO log. Quartz writes these lines at
 * INFO from a handful of loggers; when the SLF4J backend is Logback and the application configured
 * none of these loggers itself, they are set to WARN. Any other backend, or a level the application
 * set, is left alone; {@code <logger name="org.quartz" level="WARN"/>} (Logback) or its equivalent
 * does the same by hand.
 */
final class QuartzBanner {

  private static final List<String> BANNER_LOGGERS =
      List.of(
          "org.quartz.core.QuartzScheduler",
          "org.quartz.impl.StdSchedulerFactory",
          "org.quartz.impl.jdbcjobstore.JobStoreTX",
          "org.quartz.core.SchedulerSignalerImpl");

  private QuartzBanner() {}

  /** Sets the banner loggers to WARN under Logback unless they have a level already. */
  static void quiet() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
      return;
    }
    try {
      ClassLoader loader = factory.getClass().getClassLoader();
      Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, loader);
      Object warn = levelClass.getField("WARN").get(null);
      for (String name : BANNER_LOGGERS) {
        Object logger = factory.getLogger(name);
        Method getLevel = logger.getClass().getMethod("getLevel");
        if (getLevel.invoke(logger) == null) {
          logger.getClass().getMethod("setLevel", levelClass).invoke(logger, warn);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another Logback version: the banner stays, nothing else changes
    }
  }
}
