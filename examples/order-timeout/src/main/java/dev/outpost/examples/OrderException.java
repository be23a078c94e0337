package dev.outpost.examples;

/** A request the order service refuses, with the HTTP status that says why. */
final class OrderException extends RuntimeException {

  private final int httpStatus;

  OrderException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  static OrderException badRequest(String message) {
    return new OrderException(400, message);
  }

  static OrderException notFound(String message) {
    return new OrderException(404, message);
  }

  static OrderException conflict(String message) {
    return new OrderException(409, message);
  }

  int httpStatus() {
    return httpStatus;
  }
}
