package dev.outpost.chaos;

/**
 * The size of a chaos run: {@code short} in every {@code mvn verify} (a few seconds per scenario),
 * {@code long} with {@code -Pchaos-long} (more messages, more faults).
 */
final class Scale {

  static final boolean LONG = "long".equalsIgnoreCase(System.getProperty("chaos.scale", "short"));

  private Scale() {}

  static int of(int shortForm, int longForm) {
    return LONG ? longForm : shortForm;
  }
}
