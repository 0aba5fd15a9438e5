package dev.jetway.gateway.audit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A JSON-lines file rotated by size: before a record would take the file past {@code maxBytes} it is renamed to
 * {@code NAME.1} (an older {@code NAME.1} to {@code NAME.2}, and so on; beyond {@code keep} files the oldest is
 * deleted) and a new file is started. A record is never split across files. The file is opened on the first write
 * (appending to what is there), so a slow or blocking file never holds up the gateway's start; after a failed write it
 * is reopened on the next.
 */
final class RotatingJsonlFile implements AuditSink {

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingJsonlFile(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public void write(List<AuditRecord> records, List<byte[]> json) throws IOException {
        try {
            for (byte[] line : json) {
                if (out == null) {
                    open();
                }
                long length = line.length + 1L;
                if (size > 0 && size + length > maxBytes) {
                    rotate();
                }
                out.write(line);
                out.write('\n');
                size += length;
            }
            if (out != null) {
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void open() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = channel.size();
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        if (keep == 0) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // the write already failed; the next one reopens
            }
            out = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
