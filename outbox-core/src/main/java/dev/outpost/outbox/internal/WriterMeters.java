package dev.outpost.outbox.internal;

/**
 * What the writer counts. {@link #NONE} without a meter registry; {@link MicrometerWriterMeters}
 * loads Micrometer only when the user passed a registry (Micrometer is an optional dependency).
 */
public interface WriterMeters {

  /** Counts nothing. */
  WriterMeters NONE =
      new WriterMeters() {
        @Override
        public void written(int messages) {}

        @Override
        public void failed() {}
      };

  /** {@code messages} rows were inserted into the caller's transaction (committed or not). */
  void written(int messages);

  /** An insert failed (the database rejected it or did not answer). */
  void failed();
}
