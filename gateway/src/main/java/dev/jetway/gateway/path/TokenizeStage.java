package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.ChatTemplate;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.tokenize.ChatTokenizer;
import dev.jetway.gateway.tokenize.RemoteTokenizer;
import dev.jetway.gateway.tokenize.RemoteTokens;
import dev.jetway.scheduler.InferenceRequest;
import java.util.Map;

/**
 * The scheduler's view of the request ({@link InferenceRequest}), with the prompt's token ids from the pool's
 * tokenizer: ids the client sent, the model server's {@code /tokenize} (a network call: the request is suspended and
 * the call made on a virtual thread, off the event loop), an in-process tokenizer, or none (the scheduler's token
 * producer then estimates from the text).
 */
final class TokenizeStage implements RequestStage {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TokenizeStage.class);

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (request.parsed().promptTokens() == null && request.pool().tokenizer() instanceof RemoteTokenizer remote) {
            request.onClientGone(() -> {
                // the call cannot be taken back; the request ends when it returns (resume sees the client gone)
            });
            Thread.startVirtualThread(() -> {
                InferenceRequest inference;
                try {
                    inference = build(request, RemoteTokens.of(remote, request.parsed()));
                } catch (RuntimeException e) {
                    log.error("preparing a request for {} for routing failed", request.modelLabel(), e);
                    request.replyLocally(OpenAiError.internal("could not prepare the request for routing (logged)"));
                    return;
                }
                request.inference(inference);
                request.resume();
            });
            return StageResult.SUSPENDED;
        }
        request.inference(build(request, localTokens(request.parsed(), request.pool())));
        return StageResult.NEXT;
    }

    private static int[] localTokens(ParsedRequest parsed, GatewayPool pool) {
        if (parsed.promptTokens() != null) {
            return parsed.promptTokens();
        }
        if (pool.tokenizer() == null) {
            return null; // the scheduler's token producer estimates from the text
        }
        if (parsed.kind() == ApiKind.CHAT_COMPLETIONS && pool.tokenizer() instanceof ChatTokenizer chat) {
            return chat.encodeChat(parsed.messages(), parsed.addGenerationPrompt());
        }
        if (parsed.kind() == ApiKind.CHAT_COMPLETIONS) {
            return pool.tokenizer().encode(ChatTemplate.render(parsed.messages(), parsed.addGenerationPrompt()));
        }
        return pool.tokenizer().encode(parsed.promptText());
    }

    private static InferenceRequest build(GatewayRequest request, int[] tokens) {
        ParsedRequest parsed = request.parsed();
        InferenceRequest.Builder b = InferenceRequest.builder(request.requestId())
                .model(parsed.model())
                .priority(request.identity().priority())
                .fairnessId(request.identity().fairnessId())
                .prompt(parsed.promptText())
                .tokenIds(tokens)
                .messages(parsed.messages())
                .stream(parsed.stream())
                .maxTokens(parsed.maxTokens())
                .loraAdapter(request.pool().loraAdapterFor(parsed.model()))
                .cacheSalt(parsed.cacheSalt())
                .bodySizeBytes(request.bodyBytes());
        for (Map.Entry<String, String> h : request.http().headers()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.build();
    }
}
