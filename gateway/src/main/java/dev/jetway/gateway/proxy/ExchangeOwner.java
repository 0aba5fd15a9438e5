package dev.jetway.gateway.proxy;

/** The client connection an exchange reports back to when it has written its last byte. */
public interface ExchangeOwner {

    /** The response is fully written (or abandoned); {@code keepAlive} says whether the connection may serve another. */
    void exchangeDone(boolean keepAlive);
}
