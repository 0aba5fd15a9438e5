package dev.jetway.gateway.config;

/**
 * Settings of {@code tokenizer: huggingface}: the model's own Hugging Face {@code tokenizer.json}, run in-process
 * (DJL's bindings of the Rust tokenizers library), plus a simple chat template.
 *
 * @param path              the {@code tokenizer.json} (relative to jetway.yaml)
 * @param addSpecialTokens  add the tokenizer's special tokens (e.g. BOS) to completion prompts, as vLLM does (true);
 *                          chat prompts never get them added, the template carries them
 * @param messageTemplate   one message of the chat template, with {@code {role}} and {@code {content}}
 *                          (default {@code <|{role}|>\n{content}\n}, jetway sim's)
 * @param generationPrompt  appended when the request asks for the assistant's turn (default {@code <|assistant|>\n})
 * @param chatPrefix        text before the first message, e.g. a BOS token's text (default empty)
 */
public record HuggingFaceSettings(String path, Boolean addSpecialTokens, String messageTemplate,
                                  String generationPrompt, String chatPrefix) {

    public HuggingFaceSettings {
        addSpecialTokens = addSpecialTokens == null || addSpecialTokens;
        messageTemplate = messageTemplate == null ? "<|{role}|>\n{content}\n" : messageTemplate;
        generationPrompt = generationPrompt == null ? "<|assistant|>\n" : generationPrompt;
        chatPrefix = chatPrefix == null ? "" : chatPrefix;
        if (!messageTemplate.contains("{content}")) {
            throw new IllegalArgumentException("huggingFace.messageTemplate must contain {content}: " + messageTemplate);
        }
    }
}
