package dev.outpost.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class HeadersJsonTest {

  private static final Map<String, String> TRICKY = tricky();

  @Test
  void writes_a_flat_json_object_in_insertion_order() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("type", "OrderCreated");
    headers.put("content-type", "application/json");

    assertThat(HeadersJson.write(headers))
        .isEqualTo("{\"type\":\"OrderCreated\",\"content-type\":\"application/json\"}");
    assertThat(HeadersJson.write(Map.of())).isEqualTo("{}");
  }

  @Test
  void reads_back_what_it_writes_including_escapes_and_unicode() {
    assertThat(HeadersJson.read(HeadersJson.write(TRICKY))).containsExactlyEntriesOf(TRICKY);
  }

  @Test
  @PostgresOnly // jsonb; MySQL/MariaDB store the headers text as written
  void reads_back_what_postgresql_renders_for_the_jsonb_column(TestDatabase db)
      throws SQLException {
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement("SELECT CAST(? AS jsonb)::text")) {
      statement.setString(1, HeadersJson.write(TRICKY));
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        assertThat(HeadersJson.read(rs.getString(1))).isEqualTo(TRICKY);
      }
    }
  }

  @Test
  void reads_empty_and_missing_headers_as_an_empty_map() {
    assertThat(HeadersJson.read(null)).isEmpty();
    assertThat(HeadersJson.read(" { } ")).isEmpty();
  }

  @Test
  void rejects_text_that_is_not_a_flat_object_of_strings() {
    assertThatThrownBy(() -> HeadersJson.read("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad headers JSON, expected '{'");
    assertThatThrownBy(() -> HeadersJson.read("{\"a\":1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad headers JSON, expected '\"'");
    assertThatThrownBy(() -> HeadersJson.read("{\"a\":\"b\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("headers JSON ends early");
  }

  private static Map<String, String> tricky() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("quote\"d", "back\\slash");
    headers.put("lines", "a\nb\r\tc\b\f");
    headers.put("control", "\u0001\u001f");
    headers.put("unicode", "grüße ✓ 😀");
    headers.put("slash", "a/b");
    headers.put("empty", "");
    return headers;
  }
}
