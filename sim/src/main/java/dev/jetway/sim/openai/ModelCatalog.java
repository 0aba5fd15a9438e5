package dev.jetway.sim.openai;

import java.util.Map;

/**
 * The models one replica serves: the base model and its LoRA adapters (vLLM serves an adapter under its own name).
 *
 * @param baseModel   served model name
 * @param loraModules adapter name to path
 * @param maxModelLen prompt + output tokens at most
 * @param createdEpochSeconds when the server started ({@code created} in {@code /v1/models})
 */
public record ModelCatalog(String baseModel, Map<String, String> loraModules, int maxModelLen,
                           long createdEpochSeconds) {

    /** The LoRA adapter a request's {@code model} names, null for the base model; unknown names are a 404. */
    public String loraFor(String model) {
        if (baseModel.equals(model)) {
            return null;
        }
        if (loraModules.containsKey(model)) {
            return model;
        }
        throw ApiError.modelNotFound(model).asException();
    }
}
