package dev.jetway.cli;

/**
 * Turns "cannot listen on host:port: ..." into a line that also names the flag choosing that port, so a user whose
 * port is taken knows what to change.
 */
final class PortHint {

    private PortHint() {
    }

    /** {@code message}, plus "; choose another with --flag N" when it is about {@code port} or {@code otherPort}. */
    static String of(String message, int port, String flag, int otherPort, String otherFlag) {
        return of(of(message, port, flag), otherPort, otherFlag);
    }

    /**
     * {@code message}, plus "; choose another with FLAG" when it says that the port of the socket it names
     * ({@code "cannot bind the KV-event publisher to ..."}) is taken.
     */
    static String forSocket(String message, String socket, String flag) {
        if (message == null || !message.startsWith("cannot bind the " + socket + " to ")
                || !message.endsWith("the port is already in use")) {
            return message;
        }
        return message + "; choose another with " + flag;
    }

    /** {@code message}, plus "; choose another with --flag N" when it is about {@code port}. */
    static String of(String message, int port, String flag) {
        if (message == null || !message.startsWith("cannot listen on ") || message.contains("; choose another")
                || port <= 0 || !message.contains(":" + port + ":")) {
            return message;
        }
        return message + "; choose another with " + flag + " N (0 = any free port)";
    }
}
