package dev.jetway.sim.kvevents;

import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * ZMQ contexts for KV-event publishers and subscribers whose I/O threads report through our log instead of printing
 * stack traces on stderr. Closing a context while a peer's pipe is still being torn down makes JeroMQ's I/O thread
 * fail to signal the closed mailbox ({@link ClosedChannelException}); that is shutdown noise, not a fault, and a
 * user who sees a 20-line trace after "the port is already in use" would blame the wrong thing. (The gateway's
 * subscribers have the same class: the KV-event wire module both share is a pure library without ZMQ.)
 */
public final class ZmqContexts {

    private static final Logger log = LoggerFactory.getLogger(ZmqContexts.class);

    private ZmqContexts() {
    }

    /** A context with {@code ioThreads} I/O threads whose failures are logged, shutdown races at DEBUG. */
    public static ZContext create(int ioThreads) {
        ZContext context = new ZContext(ioThreads);
        Thread.UncaughtExceptionHandler handler = (thread, error) -> {
            if (isShutdownRace(error)) {
                log.debug("zmq thread {}: closed while shutting down", thread.getName(), error);
            } else {
                log.warn("zmq thread {} failed: {}", thread.getName(), error.toString(), error);
            }
        };
        context.setUncaughtExceptionHandler(handler);
        context.setNotificationExceptionHandler(handler);
        return context;
    }

    static boolean isShutdownRace(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClosedChannelException) {
                return true;
            }
        }
        return false;
    }
}
