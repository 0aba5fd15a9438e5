package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineAdaptersTest {

    @Test
    void recognisesEachEngineFromItsPage() {
        assertThat(EngineAdapters.detect(VllmAdapterTest.PAGE)).isInstanceOf(VllmAdapter.class);
        assertThat(EngineAdapters.detect(SglangAdapterTest.PAGE)).isInstanceOf(SglangAdapter.class);
        assertThat(EngineAdapters.detect(TrtllmServeAdapterTest.PAGE)).isInstanceOf(TrtllmServeAdapter.class);
        assertThat(EngineAdapters.detect(TritonTrtllmAdapterTest.PAGE)).isInstanceOf(TritonTrtllmAdapter.class);
        assertThat(EngineAdapters.detect(TgiAdapterTest.PAGE)).isInstanceOf(TgiAdapter.class);
        assertThat(EngineAdapters.detect(LlamaCppAdapterTest.PAGE)).isInstanceOf(LlamaCppAdapter.class);
    }

    @Test
    void aPageOfNoKnownEngineIsNotRecognised() {
        assertThat(EngineAdapters.detect("")).isNull();
        assertThat(EngineAdapters.detect("# HELP up whether\nup 1\nprocess_cpu_seconds_total 3\n")).isNull();
        // plain Triton without the TensorRT-LLM backend has no LLM signals
        assertThat(EngineAdapters.detect("nv_inference_pending_request_count{model=\"m\"} 2\n")).isNull();
        // a series of the name only in a comment still names the engine
        assertThat(EngineAdapters.detect("# TYPE sglang:num_queue_reqs gauge\n")).isInstanceOf(SglangAdapter.class);
    }

    @Test
    void namesAreWhatJetwayYamlAccepts() {
        assertThat(EngineAdapters.names()).containsExactly("vllm", "sglang", "trtllm-serve", "triton-trtllm", "tgi",
                "llama.cpp", "auto");
        assertThat(EngineAdapters.named("auto")).isNull();
        assertThat(EngineAdapters.named("llama.cpp")).isInstanceOf(LlamaCppAdapter.class);
        assertThatThrownBy(() -> EngineAdapters.named("ollama")).hasMessageContaining("unknown engine ollama");
    }
}
