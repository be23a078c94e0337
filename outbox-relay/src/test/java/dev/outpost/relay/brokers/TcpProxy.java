package dev.outpost.relay.brokers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in the test JVM between a client and a broker that can take the broker "down" (drop
 * every connection and refuse new ones) or freeze it (connections stay open, no byte moves: the
 * half-open case).
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean down;
  private volatile boolean frozen;
  private volatile boolean closed;

  /** A proxy on a free local port forwarding to {@code targetHost:targetPort}. */
  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "test-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The local port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Drops every connection and refuses new ones until {@link #up()}. */
  public void down() {
    down = true;
    dropAll();
  }

  /** Accepts and forwards again (also ends a freeze). */
  public void up() {
    down = false;
    unfreeze();
  }

  /** Stops moving bytes on all connections, new ones included, until {@link #unfreeze()}. */
  public void freeze() {
    frozen = true;
  }

  /** Moves bytes again. */
  public void unfreeze() {
    synchronized (gate) {
      frozen = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (down) {
          client.close();
          continue;
        }
        Socket broker = new Socket();
        broker.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
        sockets.add(client);
        sockets.add(broker);
        pump(client, broker, "up");
        pump(broker, client, "down");
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  awaitUnfrozen();
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // connection dropped
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "test-proxy-" + direction + "-" + from.getPort());
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitUnfrozen() throws InterruptedException {
    synchronized (gate) {
      while (frozen && !down && !closed) {
        gate.wait(100);
      }
    }
    if (down || closed) {
      throw new InterruptedException("proxy down");
    }
  }

  private void dropAll() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    closed = true;
    unfreeze();
    closeQuietly(server);
    dropAll();
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
