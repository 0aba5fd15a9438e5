package dev.jetway.bench.workload;

/**
 * One request a workload issues.
 *
 * @param index     position in the issue order (0-based)
 * @param prompt    the prompt (text and tokens on demand)
 * @param maxTokens output tokens asked for ({@code max_tokens})
 * @param sessionId the group, session or user the request belongs to (for session-affinity routing and reports)
 */
public record WorkloadRequest(long index, Prompt prompt, int maxTokens, String sessionId) {

    public String id() {
        return "req-" + index;
    }
}
