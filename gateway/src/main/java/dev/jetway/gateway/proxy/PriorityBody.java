package dev.jetway.gateway.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * llm-d's {@code requestHandler.propagatePriority}: the body the model server gets carries the request's resolved
 * priority as its {@code priority} field, in the engine's convention
 * ({@link dev.jetway.scheduler.RequestHandling#enginePriority}); whatever {@code priority} the client sent is
 * replaced, so that only the gateway's objectives decide the engine's order (as llm-d-router #2265 does).
 */
public final class PriorityBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PriorityBody() {
    }

    /** The client's body (a JSON object: the parse stage checked it) with {@code "priority": priority}. */
    public static byte[] with(ByteBuf body, int priority) throws IOException {
        ObjectNode object = PdBodies.read(body);
        object.remove("priority");
        object.put("priority", priority);
        try {
            return JSON.writeValueAsBytes(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serializes", e);
        }
    }
}
