package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionerTest {

  @Test
  void hashes_with_murmur3_x86_32_so_partitions_never_change_between_versions() {
    // Published MurmurHash3_x86_32 test vectors for seed 0x9747b28c.
    assertThat(hash("a")).isEqualTo(0x7FA09EA6);
    assertThat(hash("aa")).isEqualTo(0x5D211726);
    assertThat(hash("aaa")).isEqualTo(0x283E0130);
    assertThat(hash("ab")).isEqualTo(0x74875592);
    assertThat(hash("abc")).isEqualTo(0xC84A62DD);
    assertThat(hash("abcd")).isEqualTo(0xF0478627);
    assertThat(hash("aaaa")).isEqualTo(0x5A97808A);
    assertThat(hash("Hello, world!")).isEqualTo(0x24884CBA);
    assertThat(hash("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2FA826CD);
    assertThat(hash("ππππππππ")).isEqualTo(0xD58063C1);
  }

  @Test
  void puts_the_same_key_into_the_same_partition() {
    Partitioner partitioner = new Partitioner(16);
    Partitioner other = new Partitioner(16);

    for (int i = 0; i < 1000; i++) {
      String key = "order-" + i;
      int partition = partitioner.partitionFor(key);
      assertThat(partition).isBetween(0, 15);
      assertThat(partitioner.partitionFor(key)).isEqualTo(partition);
      assertThat(other.partitionFor(key)).isEqualTo(partition);
      assertThat(Partitioner.partitionOfKey(key, 16)).isEqualTo(partition);
    }
  }

  @Test
  void spreads_keys_over_all_partitions() {
    int[] counts = new int[16];
    for (int i = 0; i < 16_000; i++) {
      String key =
          UUID.nameUUIDFromBytes(("customer-" + i).getBytes(StandardCharsets.UTF_8)).toString();
      counts[Partitioner.partitionOfKey(key, 16)]++;
    }

    // 1000 expected per partition; a fair hash stays far inside these bounds.
    for (int count : counts) {
      assertThat(count).isBetween(850, 1150);
    }
  }

  @Test
  void spreads_keyless_messages_round_robin() {
    Partitioner partitioner = new Partitioner(4);
    int[] counts = new int[4];

    for (int i = 0; i < 40; i++) {
      counts[partitioner.partitionFor(null)]++;
    }

    assertThat(counts).containsExactly(10, 10, 10, 10);
  }

  @Test
  void accepts_1_to_1024_partitions() {
    assertThat(new Partitioner(1).partitionFor("anything")).isZero();
    assertThat(new Partitioner(1024).partitions()).isEqualTo(1024);
    assertThatThrownBy(() -> new Partitioner(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions is 0; allowed 1..1024");
    assertThatThrownBy(() -> new Partitioner(1025))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions is 1025; allowed 1..1024");
  }

  private static int hash(String text) {
    return Partitioner.murmur3(text.getBytes(StandardCharsets.UTF_8));
  }
}
