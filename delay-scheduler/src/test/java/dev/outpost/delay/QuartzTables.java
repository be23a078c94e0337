package dev.outpost.delay;

import dev.outpost.testing.TestDatabase;

/** Empties Quartz's tables, for tests that start Quartz schedulers. */
final class QuartzTables {

  private QuartzTables() {}

  static void clear(TestDatabase db) {
    if (!db.isPostgres()) {
      // Quartz's MySQL tables have foreign keys: no TRUNCATE, children first.
      for (String table :
          new String[] {
            "FIRED_TRIGGERS", "PAUSED_TRIGGER_GRPS", "SCHEDULER_STATE", "LOCKS", "SIMPLE_TRIGGERS",
            "CRON_TRIGGERS", "SIMPROP_TRIGGERS", "BLOB_TRIGGERS", "TRIGGERS", "JOB_DETAILS",
            "CALENDARS"
          }) {
        db.execute("DELETE FROM " + db.quote("QRTZ_" + table));
      }
      return;
    }
    db.execute(
        "TRUNCATE qrtz_fired_triggers, qrtz_paused_trigger_grps, qrtz_scheduler_state,"
            + " qrtz_locks, qrtz_simple_triggers, qrtz_cron_triggers, qrtz_simprop_triggers,"
            + " qrtz_blob_triggers, qrtz_triggers, qrtz_job_details, qrtz_calendars");
  }
}
