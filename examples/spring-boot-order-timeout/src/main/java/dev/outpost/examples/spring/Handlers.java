package dev.outpost.examples.spring;

import dev.outpost.relay.MessageHandler;
import dev.outpost.spring.boot.OutpostHandler;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Routes the in-process publisher's topics to the consumers ({@code outpost.publisher.type}
 * defaults to in-process). With {@code shop.duplicate-share} above 0 a share of the deliveries is
 * handed over twice, as a broker redelivering would, to show the dedup store skipping them.
 */
@Configuration(proxyBeanMethods = false)
class Handlers {

  static final AtomicLong duplicatesInjected = new AtomicLong();

  @Bean
  OutpostHandler orderCreatedHandler(Consumers consumers, ShopProperties properties) {
    return OutpostHandler.of(
        Topics.ORDER_CREATED, duplicating(consumers::onOrderCreated, properties.duplicateShare()));
  }

  @Bean
  OutpostHandler orderTimeoutHandler(Consumers consumers, ShopProperties properties) {
    return OutpostHandler.of(
        Topics.ORDER_TIMEOUT, duplicating(consumers::onOrderTimeout, properties.duplicateShare()));
  }

  private static MessageHandler duplicating(MessageHandler handler, double share) {
    return message -> {
      handler.handle(message);
      if (share > 0 && ThreadLocalRandom.current().nextDouble() < share) {
        duplicatesInjected.incrementAndGet();
        handler.handle(message);
      }
    };
  }
}
