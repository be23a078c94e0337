package dev.outpost.delay;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

/** A global Quartz trigger listener (registered through Quartz properties) noting misfires. */
public class MisfireRecorder extends TriggerListenerSupport {

  static final Set<String> MISFIRED = ConcurrentHashMap.newKeySet();

  @Override
  public String getName() {
    return "misfire-recorder";
  }

  @Override
  public void triggerMisfired(Trigger trigger) {
    MISFIRED.add(trigger.getKey().toString());
  }
}
