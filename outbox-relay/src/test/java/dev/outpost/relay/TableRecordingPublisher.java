package dev.outpost.relay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Records every delivery in a table (so a relay in a child JVM can be killed and its deliveries
 * still checked), then confirms the batch after a pause that widens the window between "delivered"
 * and "deleted", where a crash makes duplicates.
 */
final class TableRecordingPublisher implements Publisher {

  static final String TABLE = "relay_crash_delivery";
  static final String CREATE =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY"
          + " KEY, message_id uuid NOT NULL, message_key text, sequence bigint NOT NULL,"
          + " pid bigint NOT NULL)";

  private final DataSource dataSource;
  private final Duration pauseAfterDelivery;

  TableRecordingPublisher(DataSource dataSource, Duration pauseAfterDelivery) {
    this.dataSource = dataSource;
    this.pauseAfterDelivery = pauseAfterDelivery;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO "
                    + TABLE
                    + " (message_id, message_key, sequence, pid)"
                    + " VALUES (?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (RelayMessage m : batch) {
        s.setObject(1, m.messageId());
        s.setString(2, m.key());
        s.setLong(3, Long.parseLong(Messages.payload(m)));
        s.setLong(4, ProcessHandle.current().pid());
        s.addBatch();
      }
      s.executeBatch();
      c.commit();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      return CompletableFuture.completedFuture(failedAll(batch.size(), e));
    }
    try {
      TimeUnit.NANOSECONDS.sleep(pauseAfterDelivery.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<PublishResult> results = new ArrayList<>(batch.size());
    batch.forEach(m -> results.add(PublishResult.confirmed()));
    return CompletableFuture.completedFuture(results);
  }

  private static List<PublishResult> failedAll(int size, Exception e) {
    List<PublishResult> results = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      results.add(PublishResult.failed(e));
    }
    return results;
  }
}
