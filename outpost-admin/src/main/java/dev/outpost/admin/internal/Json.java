package dev.outpost.admin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.outpost.outbox.OutpostException;

/** The one JSON mapper of the admin (ISO-8601 instants). Thread-safe. */
public final class Json {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Json() {}

  /** The mapper. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** {@code value} as pretty JSON. */
  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new OutpostException("could not write JSON: " + e.getMessage(), e);
    }
  }

  /** {@code value} as compact JSON. */
  public static String compact(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new OutpostException("could not write JSON: " + e.getMessage(), e);
    }
  }
}
