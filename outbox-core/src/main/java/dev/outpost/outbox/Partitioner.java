package dev.outpost.outbox;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps a message key to one of the outbox's logical partitions: the same key always lands in the
 * same partition (a stable murmur3 hash of its UTF-8 bytes, independent of JVM and version), so the
 * relay can keep per-key order; keyless messages are spread round-robin. Thread-safe.
 */
public final class Partitioner {

  private final int partitions;
  private final AtomicInteger nextKeyless = new AtomicInteger();

  /**
   * A partitioner over {@code partitions} partitions.
   *
   * @throws IllegalArgumentException if {@code partitions} is not in 1..1024
   */
  public Partitioner(int partitions) {
    if (partitions < 1 || partitions > OutboxConfig.MAX_PARTITIONS) {
      throw new IllegalArgumentException(
          "partitions is " + partitions + "; allowed 1.." + OutboxConfig.MAX_PARTITIONS);
    }
    this.partitions = partitions;
  }

  /** The partition count. */
  public int partitions() {
    return partitions;
  }

  /** The partition of {@code key}; for a {@code null} key the next partition round-robin. */
  public int partitionFor(String key) {
    if (key == null) {
      return Math.floorMod(nextKeyless.getAndIncrement(), partitions);
    }
    return partitionOfKey(key, partitions);
  }

  /** The partition of a non-null {@code key} among {@code partitions}. */
  public static int partitionOfKey(String key, int partitions) {
    return Math.floorMod(murmur3(key.getBytes(StandardCharsets.UTF_8)), partitions);
  }

  static int murmur3(byte[] data) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = 0x9747b28c;
    int length = data.length;
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      int k =
          (data[i] & 0xff)
              | (data[i + 1] & 0xff) << 8
              | (data[i + 2] & 0xff) << 16
              | (data[i + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (length & 3) {
      case 3:
        k ^= (data[i + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[i + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[i] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
      // fall through
      default:
        break;
    }
    h ^= length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
