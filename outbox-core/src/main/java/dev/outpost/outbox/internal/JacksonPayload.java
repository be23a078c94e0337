package dev.outpost.outbox.internal;

import java.io.IOException;

/** JSON payloads through Jackson, loaded only when used so Jackson stays an optional dependency. */
public final class JacksonPayload {

  private static final boolean JACKSON_PRESENT = isPresent();

  private JacksonPayload() {}

  /** Writes {@code value} as JSON bytes. */
  public static byte[] write(Object value) {
    if (!JACKSON_PRESENT) {
      throw new IllegalArgumentException(
          "payloadJson needs com.fasterxml.jackson.core:jackson-databind on the classpath; add it"
              + " or serialize the payload yourself with payload(value, serializer)");
    }
    try {
      return Holder.MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "could not write " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
    }
  }

  private static boolean isPresent() {
    try {
      Class.forName(
          "com.fasterxml.jackson.databind.ObjectMapper",
          false,
          JacksonPayload.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static final class Holder {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
        new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
  }
}
