package dev.outpost.admin;

/**
 * The console's answer to a {@link ConsoleRequest}.
 *
 * @param status HTTP status
 * @param contentType content type
 * @param body body bytes
 */
public record ConsoleResponse(int status, String contentType, byte[] body) {}
