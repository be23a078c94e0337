package dev.outpost.examples.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The shop's settings ({@code shop.*}).
 *
 * @param orderTimeout how long an order may stay unpaid
 * @param simulate orders the simulation places at startup (0: none, serve HTTP)
 * @param rate orders per second the simulation places
 * @param payShare share of orders the simulation pays (some after the timeout)
 * @param duplicateShare share of deliveries the handlers repeat, to show the dedup store at work
 * @param settleTimeout how long the simulation waits for every order to settle
 * @param seed random seed of the simulation
 */
@ConfigurationProperties("shop")
public record ShopProperties(
    Duration orderTimeout,
    int simulate,
    int rate,
    double payShare,
    double duplicateShare,
    Duration settleTimeout,
    long seed) {

  /** Fills in the defaults. */
  public ShopProperties {
    orderTimeout = orderTimeout == null ? Duration.ofMinutes(5) : orderTimeout;
    rate = rate <= 0 ? 500 : rate;
    settleTimeout = settleTimeout == null ? Duration.ofMinutes(2) : settleTimeout;
  }
}
