package dev.jetway.kvcache.event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds msgpack bytes by hand, byte by byte, so tests do not check the codec against itself. */
final class WireBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static WireBytes of() {
        return new WireBytes();
    }

    /** Raw bytes given as hex, spaces allowed: {@code hex("93 cb")}. */
    WireBytes hex(String hex) {
        String s = hex.replace(" ", "");
        for (int i = 0; i < s.length(); i += 2) {
            out.write(Integer.parseInt(s.substring(i, i + 2), 16));
        }
        return this;
    }

    /** A fixstr (length < 32). */
    WireBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0xa0 | b.length);
        out.writeBytes(b);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
