package dev.jetway.scheduler.plugins.producer;

import dev.jetway.kvcache.tokenize.ByteEstimateTokenizer;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PromptTokens;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;

/**
 * {@code token-producer} (old name {@code tokenizer}): the request's prompt as tokens, once per request. Token ids
 * the caller already has (the gateway tokenizes with the pool's tokenizer) are used as they are; otherwise the
 * backend turns the prompt text into tokens:
 * <ul>
 *   <li>{@code estimate} (default, llm-d's): 4 UTF-8 bytes per pseudo-token;</li>
 *   <li>{@code jetway-simple-v1} (Jetway): the deterministic tokenizer {@code jetway sim} uses;</li>
 *   <li>{@code engine} (Jetway): the tokenizer given in the {@link SchedulerEnvironment};</li>
 *   <li>{@code vllm} (llm-d's {@code vllm:} block, vLLM's render endpoints): not built yet — the gateway owns I/O.</li>
 * </ul>
 */
public final class TokenProducer implements DataProducer {

    public static final String TYPE = "token-producer";

    private final String name;
    private final Tokenizer tokenizer;

    public TokenProducer(String name, Tokenizer tokenizer) {
        this.name = name;
        this.tokenizer = tokenizer;
    }

    public static TokenProducer create(String name, PluginParameters p, SchedulerEnvironment env) {
        if (p.has("vllm") || p.has("udsTokenizerConfig")) {
            throw p.error(p.has("vllm") ? "vllm" : "udsTokenizerConfig", "selects tokenization through the model "
                    + "server, which is not built yet in Jetway (the estimate backend works; the gateway passes "
                    + "token ids when it tokenizes)");
        }
        p.accept("modelName");
        String backend = p.oneOf("backend", ByteEstimateTokenizer.NAME,
                List.of(ByteEstimateTokenizer.NAME, SimpleWordTokenizer.NAME, "engine"));
        Tokenizer t = switch (backend) {
            case SimpleWordTokenizer.NAME -> SimpleWordTokenizer.instance();
            case "engine" -> {
                if (env.tokenizer() == null) {
                    throw p.error("backend", "'engine' needs the engine's tokenizer in the scheduler environment, "
                            + "and none was given");
                }
                yield env.tokenizer();
            }
            default -> ByteEstimateTokenizer.instance();
        };
        return new TokenProducer(name, t);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return "backend=" + (tokenizer == ByteEstimateTokenizer.instance() ? "estimate" : tokenizer.name())
                + " (token ids given by the caller take precedence)";
    }

    @Override
    public int stage() {
        return STAGE_TOKENS;
    }

    @Override
    public void produce(SchedulingContext context) {
        InferenceRequest r = context.request();
        if (r.tokenIds() != null) {
            context.put(PromptTokens.KEY, new PromptTokens(r.tokenIds(), false, "request"));
            return;
        }
        boolean estimated = tokenizer == ByteEstimateTokenizer.instance();
        context.put(PromptTokens.KEY, new PromptTokens(tokenizer.encode(r.promptText()), estimated,
                tokenizer.name()));
    }
}
