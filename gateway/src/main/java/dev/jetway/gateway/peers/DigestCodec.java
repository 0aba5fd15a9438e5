package dev.jetway.gateway.peers;

import dev.jetway.scheduler.InFlightCounts;
import dev.jetway.scheduler.sync.EndpointLoad;
import dev.jetway.scheduler.sync.RoutedBlocks;
import dev.jetway.scheduler.sync.RoutingDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A routing digest on the wire: big-endian binary, {@code "JWD1"}, the pool, then the digest's fields (strings as
 * modified UTF-8, keys as 8-byte longs). A digest is cut into parts that each fit the admin port's request limit;
 * the parts share the digest's sequence and load. Decoding checks every count against the bytes left, so a
 * malformed body fails fast instead of allocating, and refuses negative in-flight counts.
 */
final class DigestCodec {

    static final int MAGIC = 0x4A574431;
    /** Encoded bytes per part at most: under the admin port's 64 KiB request limit. */
    static final int MAX_PART_BYTES = 48 * 1024;

    /** One pool's digest as received. */
    record Received(String pool, RoutingDigest digest) {
    }

    private DigestCodec() {
    }

    /** {@code digest} of {@code pool} in parts of at most {@link #MAX_PART_BYTES} (one part at least). */
    static List<byte[]> encode(String pool, RoutingDigest digest) {
        List<byte[]> parts = new ArrayList<>();
        List<RoutedBlocks> part = new ArrayList<>();
        int base = 64 + 2 * pool.length() + 2 * digest.sender().length() + 64 * digest.load().size();
        int size = base;
        for (RoutedBlocks r : digest.routed()) {
            int bytes = 12 + 3 * (r.producer().length() + r.endpointId().length()) + 8 * r.keys().length;
            if (!part.isEmpty() && size + bytes > MAX_PART_BYTES) {
                parts.add(write(pool, digest, part));
                part = new ArrayList<>();
                size = base;
            }
            part.add(r);
            size += bytes;
        }
        parts.add(write(pool, digest, part));
        return parts;
    }

    private static byte[] write(String pool, RoutingDigest digest, List<RoutedBlocks> routed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(pool);
            out.writeUTF(digest.sender());
            out.writeLong(digest.sequence());
            out.writeLong(digest.droppedRecords());
            out.writeInt(routed.size());
            for (RoutedBlocks r : routed) {
                out.writeUTF(r.producer());
                out.writeUTF(r.endpointId());
                out.writeInt(r.keys().length);
                for (long k : r.keys()) {
                    out.writeLong(k);
                }
            }
            out.writeInt(digest.load().size());
            for (EndpointLoad l : digest.load()) {
                out.writeUTF(l.endpointId());
                InFlightCounts c = l.counts();
                out.writeInt(c.requests());
                out.writeLong(c.tokens());
                out.writeLong(c.contextTokens());
                out.writeInt(c.prefills());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads one part; throws {@link IllegalArgumentException} for anything malformed. */
    static Received decode(byte[] body) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (body.length < 4 || in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a Jetway routing digest");
            }
            String pool = in.readUTF();
            String sender = in.readUTF();
            long sequence = in.readLong();
            long dropped = in.readLong();
            int n = count(in, 2 + 2 + 4);
            List<RoutedBlocks> routed = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String producer = in.readUTF();
                String endpoint = in.readUTF();
                long[] keys = new long[count(in, 8)];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = in.readLong();
                }
                routed.add(new RoutedBlocks(producer, endpoint, keys));
            }
            int m = count(in, 2 + 24);
            List<EndpointLoad> load = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                String endpoint = in.readUTF();
                InFlightCounts counts = new InFlightCounts(in.readInt(), in.readLong(), in.readLong(), in.readInt());
                if (counts.requests() < 0 || counts.tokens() < 0 || counts.contextTokens() < 0
                        || counts.prefills() < 0) {
                    // an endpoint made to look emptier than idle would draw every request
                    throw new IllegalArgumentException("routing digest has a negative in-flight count for "
                            + endpoint);
                }
                load.add(new EndpointLoad(endpoint, counts));
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("routing digest has " + in.available() + " trailing bytes");
            }
            return new Received(pool, new RoutingDigest(sender, sequence, routed, load, dropped));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated routing digest", e);
        }
    }

    /** A count of items of at least {@code minBytes} each, which the remaining bytes must be able to hold. */
    private static int count(DataInputStream in, int minBytes) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * minBytes > in.available()) {
            throw new IllegalArgumentException("routing digest count " + n + " exceeds its body");
        }
        return n;
    }
}
