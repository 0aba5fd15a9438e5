package dev.jetway.gateway.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * A minimal blocking HTTP/1.1 keep-alive client for load generation: writes pre-built request bytes, reads one
 * response (Content-Length or chunked) and returns its status. Cheap enough not to hide the gateway's cost.
 */
final class RawHttpConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] line = new byte[8192];
    private final byte[] skip = new byte[65536];
    long bodyBytes;
    int chunks;

    RawHttpConnection(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 65536);
    }

    static byte[] post(String path, String json) {
        return post(path, json, java.util.Map.of());
    }

    /** A POST with {@code headers} besides host, content type and length. */
    static byte[] post(String path, String json, java.util.Map<String, String> headers) {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder extra = new StringBuilder();
        headers.forEach((k, v) -> extra.append(k).append(": ").append(v).append("\r\n"));
        byte[] head = ("POST " + path + " HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n" + extra
                + "content-length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Sends {@code request} and reads the whole response; returns the status code. */
    int call(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        int n = readLine();
        if (n < 12) {
            throw new IOException("connection closed");
        }
        int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        long length = -1;
        boolean chunked = false;
        while ((n = readLine()) > 0) {
            String h = new String(line, 0, n, java.nio.charset.StandardCharsets.US_ASCII).toLowerCase();
            if (h.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            }
        }
        bodyBytes = 0;
        chunks = 0;
        if (chunked) {
            while (true) {
                n = readLine();
                long size = Long.parseLong(new String(line, 0, n, java.nio.charset.StandardCharsets.US_ASCII).trim(), 16);
                if (size == 0) {
                    readLine();
                    break;
                }
                discard(size);
                readLine();
                bodyBytes += size;
                chunks++;
            }
        } else if (length > 0) {
            discard(length);
            bodyBytes = length;
        }
        return status;
    }

    private void discard(long n) throws IOException {
        while (n > 0) {
            int r = in.read(skip, 0, (int) Math.min(skip.length, n));
            if (r < 0) {
                throw new IOException("connection closed mid-body");
            }
            n -= r;
        }
    }

    private int readLine() throws IOException {
        int n = 0;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            }
            if (n < line.length) {
                line[n++] = (byte) c;
            }
        }
        throw new IOException("connection closed");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
