package dev.outpost.relay.brokers.internal;

import dev.outpost.outbox.OutpostException;

/**
 * Checks that a broker's client library (an optional dependency of outbox-relay) is on the
 * classpath before a publisher for it is built, so that a missing jar gives a message naming the
 * dependency to add instead of a bare {@link NoClassDefFoundError}.
 */
public final class ClientLibrary {

  private ClientLibrary() {}

  /**
   * Requires {@code className}.
   *
   * @param publisher the publisher being built, e.g. {@code KafkaPublisher}
   * @param coordinates the Maven coordinates of the client, {@code groupId:artifactId}
   * @throws OutpostException naming the coordinates when the class is missing
   */
  public static void require(String className, String publisher, String coordinates) {
    try {
      Class.forName(className, false, ClientLibrary.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      String[] parts = coordinates.split(":");
      throw new OutpostException(
          publisher
              + " needs the broker client "
              + coordinates
              + ", which is not on the classpath (outbox-relay declares it optional). Add it: "
              + "<dependency><groupId>"
              + parts[0]
              + "</groupId><artifactId>"
              + parts[1]
              + "</artifactId></dependency> (Gradle: implementation(\""
              + coordinates
              + ":<version>\"))",
          e);
    }
  }
}
