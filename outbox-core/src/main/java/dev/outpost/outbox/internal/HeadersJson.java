package dev.outpost.outbox.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads the {@code headers} column: a flat JSON object of string values. Hand-written so
 * outbox-core needs no JSON library; it reads exactly what it writes (and what PostgreSQL's {@code
 * jsonb} renders back).
 */
public final class HeadersJson {

  private HeadersJson() {}

  /** {@code {"name":"value",...}}. */
  public static String write(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return "{}";
    }
    StringBuilder out = new StringBuilder(32 * headers.size());
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(header.getKey(), out);
      out.append(':');
      quote(header.getValue(), out);
    }
    return out.append('}').toString();
  }

  /**
   * Parses a flat JSON object of strings.
   *
   * @throws IllegalArgumentException if the text is not such an object
   */
  public static Map<String, String> read(String json) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (json == null) {
      return headers;
    }
    Reader reader = new Reader(json);
    reader.skipSpace();
    reader.expect('{');
    reader.skipSpace();
    if (reader.peek() == '}') {
      return headers;
    }
    while (true) {
      reader.skipSpace();
      String name = reader.string();
      reader.skipSpace();
      reader.expect(':');
      reader.skipSpace();
      headers.put(name, reader.string());
      reader.skipSpace();
      char next = reader.next();
      if (next == '}') {
        return headers;
      }
      if (next != ',') {
        throw new IllegalArgumentException("bad headers JSON at " + reader.position + ": " + json);
      }
    }
  }

  private static void quote(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static final class Reader {
    private final String text;
    private int position;

    Reader(String text) {
      this.text = text;
    }

    char peek() {
      if (position >= text.length()) {
        throw new IllegalArgumentException("headers JSON ends early: " + text);
      }
      return text.charAt(position);
    }

    char next() {
      char c = peek();
      position++;
      return c;
    }

    void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException(
            "bad headers JSON, expected '" + c + "' at " + (position - 1) + ": " + text);
      }
    }

    void skipSpace() {
      while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
        position++;
      }
    }

    String string() {
      expect('"');
      // Fast path (the relay reads every message's headers): no escape before the closing quote.
      for (int i = position; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '"') {
          String value = text.substring(position, i);
          position = i + 1;
          return value;
        }
        if (c == '\\') {
          break;
        }
      }
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char escaped = next();
        switch (escaped) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
            position += 4;
          }
          default -> out.append(escaped);
        }
      }
    }
  }
}
