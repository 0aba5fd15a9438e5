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
import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.spi.EngineTokenizers;
import java.time.Duration;
import java.util.List;

/**
 * {@code token-producer} (old name {@code tokenizer}): the request's prompt as tokens, once per request. Token ids
 * the caller already has (the gateway tokenizes with the pool's tokenizer) are used as they are; otherwise the
 * backend turns the prompt text into tokens:
 * <ul>
 *   <li>{@code estimate} (default, llm-d's): 4 UTF-8 bytes per pseudo-token;</li>
 *   <li>{@code jetway-simple-v1} (Jetway): the deterministic tokenizer {@code jetway sim} uses;</li>
 *   <li>{@code engine} (Jetway): the tokenizer given in the {@link SchedulerEnvironment};</li>
 *   <li>{@code vllm} (llm-d's {@code vllm:} block: {@code url}, with {@code modelName} and {@code timeout} 5s): the
 *       model server's own {@code /tokenize} (chat requests as {@code messages}, so its chat template applies),
 *       through the host's {@link EngineTokenizers} (the gateway; the scheduler does no I/O).</li>
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
        if (p.has("udsTokenizerConfig")) {
            throw p.error("udsTokenizerConfig", "selects llm-d's deprecated tokenizer sidecar, which Jetway does not "
                    + "run; use the vllm backend (the model server's /tokenize) instead");
        }
        if (p.has("vllm")) {
            return vllm(name, p, env);
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

    private static TokenProducer vllm(String name, PluginParameters p, SchedulerEnvironment env) {
        JsonNode block = p.raw("vllm");
        PluginParameters v = new PluginParameters(p.pluginName(), p.pluginType() + " vllm", block);
        String url = v.string("url", "http://localhost:8000");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw v.error("url", "must be an http:// or https:// URL, got '" + url + "'");
        }
        v.accept("mmTimeout");
        v.finish();
        String model = p.string("modelName", null);
        String timeoutText = p.string("timeout", "5s");
        Duration timeout = parseTimeout(p, timeoutText);
        p.oneOf("backend", "vllm", List.of("vllm"));
        EngineTokenizers remote = env.services().engineTokenizers();
        if (remote == null) {
            throw p.error("vllm", "asks the model server to tokenize, which needs a host that does I/O (jetway "
                    + "gateway / jetway up); this environment has none");
        }
        return new TokenProducer(name, remote.remote(url, model, timeout));
    }

    private static Duration parseTimeout(PluginParameters p, String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(text.trim());
        if (!m.matches()) {
            throw p.error("timeout", "must be a duration like 500ms or 5s, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
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
        if (tokenizer == ByteEstimateTokenizer.instance()) {
            context.put(PromptTokens.KEY, PromptTokens.estimate(r.promptText()));
            return;
        }
        context.put(PromptTokens.KEY, new PromptTokens(tokenizer.encode(r.promptText()), false, tokenizer.name()));
    }
}
