package dev.outpost.examples.spring;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders {"item":"apple","quantity":1}}, {@code POST /orders/{id}/pay}, {@code GET
 * /orders/{id}}, {@code GET /stock}; Outpost's state is at {@code GET /actuator/outpost}.
 */
@RestController
class ShopController {

  /** The body of {@code POST /orders}. */
  record NewOrder(String item, int quantity) {}

  private final OrderService orders;
  private final JdbcTemplate jdbc;

  ShopController(OrderService orders, JdbcTemplate jdbc) {
    this.orders = orders;
    this.jdbc = jdbc;
  }

  @PostMapping("/orders")
  ResponseEntity<Map<String, Object>> place(@RequestBody NewOrder order) {
    UUID id = orders.place(order.item(), order.quantity());
    return ResponseEntity.status(HttpStatus.CREATED).body(orders.find(id));
  }

  @PostMapping("/orders/{id}/pay")
  ResponseEntity<Map<String, Object>> pay(@PathVariable UUID id) {
    return switch (orders.pay(id)) {
      case PAID, ALREADY_PAID -> ResponseEntity.ok(orders.find(id));
      case TOO_LATE -> ResponseEntity.status(HttpStatus.CONFLICT).body(orders.find(id));
      case UNKNOWN -> ResponseEntity.notFound().build();
    };
  }

  @GetMapping("/orders/{id}")
  ResponseEntity<Map<String, Object>> get(@PathVariable UUID id) {
    Map<String, Object> order = orders.find(id);
    return order.isEmpty() ? ResponseEntity.notFound().build() : ResponseEntity.ok(order);
  }

  @GetMapping("/stock")
  List<Map<String, Object>> stock() {
    return jdbc.queryForList("SELECT item, initial, available FROM stock ORDER BY item");
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<Map<String, String>> badOrder(IllegalArgumentException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
  }
}
