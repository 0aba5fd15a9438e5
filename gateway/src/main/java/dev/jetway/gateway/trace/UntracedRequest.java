package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.scheduler.SchedulingResult;

/** Tracing off: nothing recorded, nothing allocated, no header touched. */
enum UntracedRequest implements RequestTrace {
    INSTANCE;

    @Override
    public void stageStarted(String stage) {
    }

    @Override
    public void stageEnded() {
    }

    @Override
    public void parsed(ParsedRequest parsed) {
    }

    @Override
    public void identified(String objective, int priority, String fairnessId) {
    }

    @Override
    public void pool(String name) {
    }

    @Override
    public void queued(long nanos) {
    }

    @Override
    public void decided(SchedulingResult result) {
    }

    @Override
    public LegTrace leg(Leg leg, String address, int attempt) {
        return LegTrace.NONE;
    }

    @Override
    public void responded(int status) {
    }

    @Override
    public void firstToken() {
    }

    @Override
    public void generated(long tokens) {
    }

    @Override
    public void failed(OpenAiError error) {
    }

    @Override
    public void ended(boolean clientGone) {
    }
}
