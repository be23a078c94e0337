package dev.outpost.outbox.internal;

/**
 * Keeps jOOQ's start-up logo and "tip of the day" out of the application's log: sets the system
 * properties {@code org.jooq.no-logo} and {@code org.jooq.no-tips} to {@code true} before Outpost
 * renders its first statement, unless the application set them itself (e.g. {@code
 * -Dorg.jooq.no-logo=false} brings the logo back).
 */
public final class QuietJooq {

  private static final String[] PROPERTIES = {"org.jooq.no-logo", "org.jooq.no-tips"};

  private QuietJooq() {}

  /** Sets the properties that are not set yet; cheap and idempotent. */
  public static void apply() {
    for (String property : PROPERTIES) {
      try {
        if (System.getProperty(property) == null) {
          System.setProperty(property, "true");
        }
      } catch (SecurityException e) {
        return; // a security manager forbids it: jOOQ prints its logo, nothing else changes
      }
    }
  }
}
