package dev.jetway.bench.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.bench.config.ApiType;
import dev.jetway.bench.workload.WorkloadRequest;

/** OpenAI request bodies for workload requests. */
final class RequestBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestBodies() {
    }

    static String of(WorkloadRequest request, LiveOptions options) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", options.model());
        String text = request.prompt().text();
        if (options.api() == ApiType.CHAT) {
            ObjectNode message = body.putArray("messages").addObject();
            message.put("role", "user");
            message.put("content", text);
        } else {
            body.put("prompt", text);
        }
        body.put("max_tokens", request.maxTokens());
        body.put("stream", options.streaming());
        if (options.streaming()) {
            body.putObject("stream_options").put("include_usage", true);
        }
        if (options.ignoreEos()) {
            body.put("ignore_eos", true);
        }
        return body.toString();
    }
}
