package dev.jetway.sim.openai;

/** The {@code usage} object: token counts of one request. */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
