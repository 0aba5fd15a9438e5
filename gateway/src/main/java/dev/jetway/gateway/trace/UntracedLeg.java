package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import io.netty.handler.codec.http.HttpHeaders;

/** Tracing off: the model server gets the client's headers as they are. */
enum UntracedLeg implements LegTrace {
    INSTANCE;

    @Override
    public void inject(HttpHeaders headers) {
    }

    @Override
    public void responded(int status) {
    }

    @Override
    public void firstToken() {
    }

    @Override
    public void failed(OpenAiError error) {
    }

    @Override
    public void end() {
    }
}
