package dev.jetway.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare socket speaking HTTP/1.1, for tests that need to read part of a stream or hang up mid-way. */
final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final StringBuilder received = new StringBuilder();
    private boolean closedByPeer;

    RawHttp(SimReplica replica) throws IOException {
        socket = new Socket("127.0.0.1", replica.httpPort());
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    void post(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** Reads until the received text contains {@code marker}; returns everything received so far. */
    String readUntil(String marker) throws IOException {
        byte[] buf = new byte[8192];
        while (!received.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed before '" + marker + "'; got: " + received);
            }
            received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return received.toString();
    }

    /** Whatever arrives within {@code millis} (nothing if the peer is silent). */
    String readFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] buf = new byte[8192];
        try {
            int n = in.read(buf);
            if (n > 0) {
                received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            } else if (n < 0) {
                closedByPeer = true;
            }
        } catch (java.net.SocketTimeoutException silent) {
            // nothing arrived: what the caller wants to know
        }
        return received.toString();
    }

    /** True once a read saw the server close the connection. */
    boolean closedByPeer() {
        return closedByPeer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
