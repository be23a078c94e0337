package dev.outpost.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test (class or method) that exercises PostgreSQL only: LISTEN/NOTIFY, {@code
 * pg_terminate_backend}, plans, or a heavy crash/outage scenario the build runs on one database.
 * The MariaDB run of each module's suite excludes the {@value #TAG} tag.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(PostgresOnly.TAG)
public @interface PostgresOnly {
  /** The JUnit tag. */
  String TAG = "postgresql-only";
}
