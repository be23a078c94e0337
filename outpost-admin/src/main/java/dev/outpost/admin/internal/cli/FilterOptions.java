package dev.outpost.admin.internal.cli;

import dev.outpost.admin.DeadLetterQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Option;

/** The dead-letter filter options. */
final class FilterOptions {

  @Option(names = "--id", description = "Dead-letter id (repeatable)")
  List<Long> ids = new ArrayList<>();

  @Option(names = "--message-id", description = "Message id (repeatable)")
  List<UUID> messageIds = new ArrayList<>();

  @Option(names = "--topic", description = "Only this topic")
  String topic;

  @Option(names = "--key", description = "Only this message key")
  String key;

  @Option(
      names = "--failed-from",
      description = "Failed at or after: ISO-8601 instant or an age like 2h")
  String failedFrom;

  @Option(
      names = "--failed-before",
      description = "Failed before: ISO-8601 instant or an age like 30m")
  String failedBefore;

  @Option(names = "--error", description = "Last error contains this text (case-insensitive)")
  String error;

  DeadLetterQuery query(Instant now) {
    return new DeadLetterQuery(
        ids,
        messageIds,
        topic,
        key,
        Formats.instant(failedFrom, now),
        Formats.instant(failedBefore, now),
        error);
  }

  boolean isEmpty() {
    return ids.isEmpty()
        && messageIds.isEmpty()
        && topic == null
        && key == null
        && failedFrom == null
        && failedBefore == null
        && error == null;
  }
}
