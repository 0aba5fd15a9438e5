package dev.jetway.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.jetway.gateway.routing.RoutingTable;

/** {@code GET /v1/models}: the models of every pool (configured, plus what ready endpoints list, e.g. LoRA adapters). */
final class ModelList {

    private ModelList() {
    }

    /** The models {@code visible} lets the caller see (an API key's models). */
    static String json(RoutingTable table, java.util.function.Predicate<String> visible) {
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        boolean first = true;
        for (String id : table.modelIds()) {
            if (!visible.test(id)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"id\":\"");
            JsonStringEncoder.getInstance().quoteAsString(id, sb);
            sb.append("\",\"object\":\"model\",\"created\":0,\"owned_by\":\"jetway\"}");
        }
        return sb.append("]}").toString();
    }
}
