package dev.jetway.gateway.path;

import static dev.jetway.gateway.guard.GuardrailDecisions.ALLOWED;
import static dev.jetway.gateway.guard.GuardrailDecisions.CAPPED;
import static dev.jetway.gateway.guard.GuardrailDecisions.DENIED;
import static dev.jetway.gateway.guard.GuardrailDecisions.ERROR_ALLOWED;
import static dev.jetway.gateway.guard.GuardrailDecisions.ERROR_DENIED;
import static dev.jetway.gateway.guard.GuardrailDecisions.FLAGGED;
import static dev.jetway.gateway.guard.GuardrailDecisions.MAX_PROMPT_TOKENS;
import static dev.jetway.gateway.guard.GuardrailDecisions.MAX_TOKENS;
import static dev.jetway.gateway.guard.GuardrailDecisions.MODELS;
import static dev.jetway.gateway.guard.GuardrailDecisions.MODERATION;
import static dev.jetway.gateway.guard.GuardrailDecisions.REDACTED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.GuardrailSettings;
import dev.jetway.gateway.guard.Guardrails;
import dev.jetway.gateway.guard.Moderation;
import dev.jetway.gateway.guard.PromptTexts;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.request.BadRequestException;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.request.RequestParser;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guardrails of jetway.yaml ({@code guardrails}, docs/governance.md), before anything is queued, tokenized or
 * forwarded, in this order:
 * <ol>
 *   <li>the tenant's model allow-list (403 {@code model_not_allowed});</li>
 *   <li>the tenant's {@code max_tokens} cap: more is refused (400 {@code max_tokens_exceeded}), none is set to the
 *       cap;</li>
 *   <li>the tenant's prompt size limit (400 {@code prompt_too_long});</li>
 *   <li>deny rules over every prompt text, as the client sent it (400 {@code content_policy_violation} with the
 *       rule's reason);</li>
 *   <li>redact rules: matches are rewritten in the body, which is then forwarded in place of the client's and parsed
 *       again, so routing (tokens, prefix hashes) sees what the model server gets;</li>
 *   <li>the external moderation check, with the redacted text: the request waits for it off the event loop; flagged
 *       is a 400 {@code content_policy_violation}, no verdict within the timeout follows the fail mode (open: go on;
 *       closed: 503 {@code guardrail_unavailable}).</li>
 * </ol>
 * Every decision is counted ({@code jetway_guardrail_decisions_total{rule,outcome}}) and noted in the audit record.
 * Without {@code guardrails} the stage does nothing; the body is read as a tree only when a rule needs its text or
 * the body must change.
 */
final class GuardStage implements RequestStage {

    private static final Logger log = LoggerFactory.getLogger(GuardStage.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<GuardrailSettings> settings;
    private final RequestParser parser;
    private final GatewayMetrics metrics;
    /** The live configuration's guardrails, compiled; rebuilt when a reload changes them. */
    private volatile Guardrails compiled;

    GuardStage(Supplier<GuardrailSettings> settings, RequestParser parser, GatewayMetrics metrics) {
        this.settings = settings;
        this.parser = parser;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "guard";
    }

    private Guardrails guardrails(GuardrailSettings current) {
        Guardrails g = compiled;
        if (g == null || !g.settings().equals(current)) {
            synchronized (this) {
                g = compiled;
                if (g == null || !g.settings().equals(current)) {
                    g = new Guardrails(current);
                    compiled = g;
                }
            }
        }
        return g;
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        GuardrailSettings current = settings.get();
        if (current == null) {
            return StageResult.NEXT;
        }
        Guardrails g = guardrails(current);
        ParsedRequest parsed = request.parsed();
        String tenant = request.identity().fairnessId();
        GuardrailSettings.Limits limits = g.limitsFor(tenant);
        if (limits.models() != null && !limits.models().contains(parsed.model())) {
            decided(request, MODELS, DENIED);
            return StageResult.reply(OpenAiError.modelNotAllowed(tenant, parsed.model()));
        }
        Integer maxTokens = limits.maxTokens();
        if (maxTokens != null && parsed.maxTokens() > maxTokens) {
            decided(request, MAX_TOKENS, DENIED);
            return StageResult.reply(OpenAiError.overLimit("max_tokens " + parsed.maxTokens() + " is more than the "
                    + maxTokens + " tenant " + tenant + " may ask for", "max_tokens", "max_tokens_exceeded"));
        }
        boolean capTokens = maxTokens != null && parsed.maxTokens() < 0;
        if (!g.readsText() && !capTokens) {
            return StageResult.NEXT;
        }
        JsonNode body;
        try {
            body = JSON.readTree(new ByteBufInputStream(request.http().content().duplicate()));
        } catch (IOException e) {
            // the parse stage read it already: only a bug gets here
            return StageResult.reply(OpenAiError.badRequest("the request body could not be read", null));
        }
        List<String> texts = PromptTexts.texts(body, request.kind());
        Integer maxPrompt = limits.maxPromptTokens();
        if (maxPrompt != null) {
            long chars = 0;
            for (String t : texts) {
                chars += t.length();
            }
            long tokens = PromptTexts.promptTokenIds(body) + chars / 4;
            if (tokens > maxPrompt) {
                decided(request, MAX_PROMPT_TOKENS, DENIED);
                return StageResult.reply(OpenAiError.overLimit("the prompt is about " + tokens + " tokens, more than "
                        + "the " + maxPrompt + " tenant " + tenant + " may send", "messages", "prompt_too_long"));
            }
        }
        for (String text : texts) {
            Guardrails.Rule rule = g.denied(text);
            if (rule != null) {
                decided(request, rule.name(), DENIED);
                return StageResult.reply(OpenAiError.contentPolicy(rule.reason()));
            }
        }
        boolean changed = false;
        for (Guardrails.Rule rule : g.redact()) {
            boolean hit = PromptTexts.rewrite(body, request.kind(),
                    text -> rule.pattern().matcher(text).replaceAll(rule.replacement()));
            if (hit) {
                decided(request, rule.name(), REDACTED);
                changed = true;
            }
        }
        if (capTokens && body instanceof ObjectNode object) {
            object.put("max_tokens", maxTokens);
            decided(request, MAX_TOKENS, CAPPED);
            changed = true;
        }
        if (changed) {
            try {
                byte[] forwarded = JSON.writeValueAsBytes(body);
                request.replaceBody(forwarded, parser.parse(request.kind(), Unpooled.wrappedBuffer(forwarded)));
            } catch (IOException | BadRequestException e) {
                return StageResult.reply(OpenAiError.badRequest("the request cannot be rewritten by the guardrails: "
                        + e.getMessage(), null));
            }
        }
        Moderation moderation = g.moderation();
        if (moderation == null || texts.stream().allMatch(String::isEmpty)) {
            return StageResult.NEXT; // token ids only: no text to check
        }
        return moderate(request, moderation, body);
    }

    private StageResult moderate(GatewayRequest request, Moderation moderation, JsonNode body) {
        CompletableFuture<Moderation.Verdict> check = moderation.check(body, request.kind());
        request.onClientGone(() -> check.cancel(false));
        // always through the task queue, even when the check failed at once: the stage returns first
        check.whenComplete((verdict, failure) -> request.executor().execute(
                () -> moderated(request, moderation, verdict, failure)));
        return StageResult.SUSPENDED;
    }

    private void moderated(GatewayRequest request, Moderation moderation, Moderation.Verdict verdict,
                           Throwable failure) {
        if (request.isEnded()) {
            return;
        }
        if (request.isClientGone()) {
            request.resume(); // the path sees the client gone and ends the request
            return;
        }
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String why = switch (cause) {
                case TimeoutException t -> "no answer within " + moderation.settings().timeout().toMillis() + " ms";
                case java.net.http.HttpTimeoutException t -> "no answer within "
                        + moderation.settings().timeout().toMillis() + " ms";
                case Moderation.ModerationFailed f -> f.getMessage();
                case IOException io -> "the moderation endpoint could not be reached";
                default -> "the check failed";
            };
            if (moderation.settings().failClosed()) {
                decided(request, MODERATION, ERROR_DENIED);
                request.replyLocally(OpenAiError.guardrailUnavailable(why));
            } else {
                decided(request, MODERATION, ERROR_ALLOWED);
                log.debug("{}: moderation check failed ({}); fail-open lets the request through",
                        request.requestId(), why);
                request.resume();
            }
            return;
        }
        if (verdict.flagged()) {
            decided(request, MODERATION, FLAGGED);
            request.replyLocally(OpenAiError.contentPolicy("the request was flagged by the content moderation check"
                    + (verdict.categories().isEmpty() ? "" : ": " + String.join(", ", verdict.categories()))));
            return;
        }
        decided(request, MODERATION, ALLOWED);
        request.resume();
    }

    private void decided(GatewayRequest request, String rule, String outcome) {
        metrics.guardrailDecision(rule, outcome);
        if (request.audit() != null) {
            request.audit().guardrail(rule + ":" + outcome);
        }
    }
}
