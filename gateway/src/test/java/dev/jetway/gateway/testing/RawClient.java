package dev.jetway.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain socket to the gateway, for what an HTTP client library would not do: trickle, pipeline, stall, HTTP/1.0. */
public final class RawClient implements AutoCloseable {

    public final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    public static String post(String path, String json, String version) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " " + version + "\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n" + json;
    }

    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n";
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Everything until the server closes the connection (or {@code timeout} passes: then what came so far). */
    public String readToEnd(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // what came so far
        } catch (IOException e) {
            if (got.size() == 0) {
                throw e;
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Reads until {@code marker} has arrived (or the connection ends, or the timeout passes). */
    public String readUntil(String marker, Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[4096];
        try {
            int n;
            while (!got.toString(StandardCharsets.UTF_8).contains(marker) && System.nanoTime() < deadline
                    && (n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // what came so far
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Whether the server has closed the connection (a read sees the end) within {@code timeout}. */
    public boolean closedWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        byte[] buf = new byte[16384];
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
