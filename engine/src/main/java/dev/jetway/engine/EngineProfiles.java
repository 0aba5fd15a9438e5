package dev.jetway.engine;

import dev.jetway.engine.EngineProfile.CostCoefficients;
import dev.jetway.engine.EngineProfile.Hardware;
import dev.jetway.engine.EngineProfile.ModelShape;
import dev.jetway.engine.EngineProfile.ModelShape.Moe;
import dev.jetway.engine.EngineProfile.ModelShape.SlidingWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in engine profiles by name. Each number's source is in docs/simulator.md ("Engine model").
 */
public final class EngineProfiles {

    /** H100 SXM: 989 TFLOP/s dense bf16, 3.35 TB/s HBM3 (NVIDIA datasheet). */
    private static final double H100_BF16_FLOPS = 989e12;
    private static final double H100_HBM_BYTES_PER_S = 3.35e12;
    /** One 400 Gb/s NIC per GPU for NIXL KV transfer, as in llm-d's P/D guides. */
    private static final double NIC_BYTES_PER_S_PER_GPU = 50e9;
    /** A100 SXM4 80GB: 312 TFLOP/s dense bf16, 2.039 TB/s HBM2e (NVIDIA A100 datasheet). */
    private static final double A100_BF16_FLOPS = 312e12;
    private static final double A100_HBM_BYTES_PER_S = 2.039e12;
    /** One 200 Gb/s HDR InfiniBand NIC per GPU, as in NVIDIA's DGX A100. */
    private static final double A100_NIC_BYTES_PER_S_PER_GPU = 25e9;

    /** H200 SXM: 989 TFLOP/s dense bf16 (as H100: same Hopper die), 4.8 TB/s HBM3e, 141 GB (NVIDIA H200 datasheet). */
    private static final double H200_BF16_FLOPS = 989e12;
    private static final double H200_HBM_BYTES_PER_S = 4.8e12;
    /**
     * GKE A3 Ultra: one 400 Gb/s RoCE NIC per GPU (8 per node); NIXL over UCX moves ~49.5 GB/s on a 400G link
     * (llm-d's networking blog, 2026-06).
     */
    private static final double H200_NIC_BYTES_PER_S_PER_GPU = 49.5e9;

    /**
     * openai/gpt-oss-120b (model card and config.json): 116.83 B parameters, of which 114.71 B in the experts (128 per
     * layer, top-4, MXFP4: 4.25 bits per value) and 2.12 B in attention and (un)embedding (bf16); 5.13 B active per
     * token; 36 layers alternating full attention and a 128-token sliding window; 64 query and 8 KV heads of 64.
     */
    private static final ModelShape GPT_OSS_120B = new ModelShape("openai/gpt-oss-120b", 116.83e9, 36, 64, 8, 64, 2,
            new Moe(5.13e9, 128, 4, 114.71e9, 4.25 / 8), new SlidingWindow(18, 128));

    /** Qwen3-32B on 2x H100 (TP=2): the replica of llm-d's "57x" precise-prefix-cache experiment. */
    public static final EngineProfile QWEN3_32B_H100_TP2 = new EngineProfile(
            "qwen3-32b-h100-tp2",
            new ModelShape("Qwen/Qwen3-32B", 32.8e9, 64, 64, 8, 128, 2),
            new Hardware("2x H100 SXM 80GB", 2, H100_BF16_FLOPS, H100_HBM_BYTES_PER_S, 2 * NIC_BYTES_PER_S_PER_GPU),
            new CostCoefficients(0.58, 0.80, 8_000_000, 30_000),
            307_328, 40_960,
            "KV 307,328 tokens from llm-d's 73-capacity report; per-step cost so that decoding takes ~22 ms per token "
                    + "at its 3 QPS stage (inference-perf ITL 11-12 ms, x2 for its doubled timestamps); prefill ~16k tok/s "
                    + "from llm-d's peakPrefillThroughput 15928");

    /**
     * Qwen3-32B on 2x A100 80GB (TP=2): the replica above on the previous GPU generation, for heterogeneous pools.
     * Same model, same 2 x 80 GB and so the same KV; datasheet peaks with the H100 profile's efficiencies and overheads.
     */
    public static final EngineProfile QWEN3_32B_A100_TP2 = new EngineProfile(
            "qwen3-32b-a100-tp2",
            QWEN3_32B_H100_TP2.model(),
            new Hardware("2x A100 SXM 80GB", 2, A100_BF16_FLOPS, A100_HBM_BYTES_PER_S, 2 * A100_NIC_BYTES_PER_S_PER_GPU),
            QWEN3_32B_H100_TP2.cost(),
            307_328, 40_960,
            "the H100 profile's model, KV (same 2 x 80 GB) and efficiencies on A100 datasheet peaks (312 TFLOP/s, "
                    + "2.04 TB/s): prefill ~3.2x slower, single-stream decode ~1.4x slower; not measured");

    /** Llama 3.1 8B on one H100. */
    public static final EngineProfile LLAMA_31_8B_H100 = new EngineProfile(
            "llama-3.1-8b-h100",
            new ModelShape("meta-llama/Llama-3.1-8B-Instruct", 8.03e9, 32, 32, 8, 128, 2),
            new Hardware("1x H100 SXM 80GB", 1, H100_BF16_FLOPS, H100_HBM_BYTES_PER_S, NIC_BYTES_PER_S_PER_GPU),
            new CostCoefficients(0.55, 0.80, 2_000_000, 30_000),
            425_984, 131_072,
            "KV derived: 0.9 x 80 GB minus 15 GiB weights and ~5 GiB activations = 52 GiB at 128 KiB/token; "
                    + "timing from datasheet peaks and the same efficiencies as the Qwen3 profile");

    /** Llama 3.1 70B on 4x H100 (TP=4): the replica of llm-d's "37-capacity" report. */
    public static final EngineProfile LLAMA_31_70B_H100_TP4 = new EngineProfile(
            "llama-3.1-70b-h100-tp4",
            new ModelShape("meta-llama/Llama-3.1-70B-Instruct", 70.6e9, 80, 64, 8, 128, 2),
            new Hardware("4x H100 SXM 80GB", 4, H100_BF16_FLOPS, H100_HBM_BYTES_PER_S, 4 * NIC_BYTES_PER_S_PER_GPU),
            new CostCoefficients(0.50, 0.80, 5_000_000, 30_000),
            461_376, 131_072,
            "KV 461,376 tokens from llm-d's 37-capacity report; timing from datasheet peaks, lower MFU for TP=4");

    /**
     * gpt-oss-120b on one H200: the prefill replica of llm-d's P/D guide and the replica of its aggregated baseline.
     * KV: 0.9 x 141 GB - 60.8 GiB weights - ~5 GiB activations = 56.2 GB at 36,864 B per token (the 18
     * full-attention layers); MFU so that a 5,000-token prompt prefills at the guide's calibrated
     * peakPrefillThroughput of 33,821 tok/s; per-step costs of the other one-GPU profile (llama-3.1-8b-h100).
     */
    public static final EngineProfile GPT_OSS_120B_H200_TP1 = new EngineProfile(
            "gpt-oss-120b-h200-tp1",
            GPT_OSS_120B,
            new Hardware("1x H200 SXM 141GB", 1, H200_BF16_FLOPS, H200_HBM_BYTES_PER_S, H200_NIC_BYTES_PER_S_PER_GPU),
            new CostCoefficients(0.38, 0.80, 2_000_000, 30_000),
            1_525_760, 131_072,
            "KV derived: 0.9 x 141 GB - 60.8 GiB weights - ~5 GiB activations = 56.2 GB at 36,864 B/token; MFU from "
                    + "llm-d's P/D guide's peakPrefillThroughput 33,821 tok/s (5,000-token prompts); per-step costs "
                    + "of llama-3.1-8b-h100; not measured");

    /**
     * gpt-oss-120b on 4x H200 (TP=4): the decode replica of llm-d's P/D guide. KV: 4 x 0.9 x 141 GB - 60.8 GiB
     * weights - 4 x ~5 GiB activations = 420.8 GB at 36,864 B per token; the TP-1 MFU with the TP-4 discount of the
     * Llama profiles (0.50 / 0.55) and the per-step costs of the other four-GPU profile (llama-3.1-70b-h100-tp4).
     */
    public static final EngineProfile GPT_OSS_120B_H200_TP4 = new EngineProfile(
            "gpt-oss-120b-h200-tp4",
            GPT_OSS_120B,
            new Hardware("4x H200 SXM 141GB", 4, H200_BF16_FLOPS, H200_HBM_BYTES_PER_S,
                    4 * H200_NIC_BYTES_PER_S_PER_GPU),
            new CostCoefficients(0.345, 0.80, 5_000_000, 30_000),
            11_415_936, 131_072,
            "KV derived: 4 x 0.9 x 141 GB - 60.8 GiB weights - 4 x ~5 GiB activations = 420.8 GB at 36,864 B/token; "
                    + "the TP-1 profile's MFU with the Llama TP-4 discount, per-step costs of llama-3.1-70b-h100-tp4; "
                    + "not measured");

    /**
     * The real-engine tier's replica: Jetway's random-weight "small" Llama (8 layers × 512, 8 heads, 58.5 M parameters,
     * F16, 16 KiB of KV per token) on llama.cpp's llama-server with one CPU thread ({@code -t 1}) of this project's
     * machines (an AMD EPYC vCPU with AVX-512). Fitted to what that server measured here, one replica alone
     * (docs/performance.md, "Real engine (llama.cpp)"): a 1,501-token cold prefill in 1.97 s (762 tok/s, attention
     * included) gives the FLOP/s; a decode step of 10.3 ms (97 tok/s) at 1.5k context, less a 1 ms fixed cost, gives
     * the bandwidth over the 117 MB of weights and 24 MB of KV read per step. KV capacity: two prompts of about
     * 1,700 tokens, what {@code -np 2 --cache-ram 0} retains (llama.cpp keeps one prompt per slot, not paged
     * blocks). What the fit misses: llama.cpp is about 3× slower per token on a short prefill over a long cached
     * context (55 new tokens on 1.5k cached: 237-560 ms measured, ~100 ms modelled), so cached TTFTs come out shorter
     * in the simulator.
     */
    public static final EngineProfile LLAMA_CPP_SMALL_1T = new EngineProfile(
            "llama-cpp-small-1t",
            new ModelShape("jetway/random-small", 58.5e6, 8, 8, 8, 64, 2),
            new Hardware("1 AMD EPYC vCPU (AVX-512), llama.cpp -t 1", 1, 9.8e10, 1.52e10, 1e9),
            new CostCoefficients(1.0, 1.0, 1_000_000, 0),
            4096, 4096,
            "fitted to llama-server de3ff81 -t 1 on the random small model here: 762 tok/s prefill, 97 tok/s decode; "
                    + "KV = the two slots' prompts");

    private static final Map<String, EngineProfile> BY_NAME = index(
            List.of(QWEN3_32B_H100_TP2, LLAMA_31_8B_H100, LLAMA_31_70B_H100_TP4, QWEN3_32B_A100_TP2,
                    GPT_OSS_120B_H200_TP1, GPT_OSS_120B_H200_TP4, LLAMA_CPP_SMALL_1T));

    private EngineProfiles() {
    }

    /** The profile called {@code name}; a clear error listing the known names otherwise. */
    public static EngineProfile byName(String name) {
        EngineProfile profile = BY_NAME.get(name);
        if (profile == null) {
            throw new IllegalArgumentException("unknown engine profile '" + name + "'; known: " + names());
        }
        return profile;
    }

    /** Names of the built-in profiles, in a stable order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The built-in profiles, in a stable order. */
    public static List<EngineProfile> all() {
        return List.copyOf(BY_NAME.values());
    }

    private static Map<String, EngineProfile> index(List<EngineProfile> profiles) {
        Map<String, EngineProfile> map = new LinkedHashMap<>();
        profiles.forEach(p -> map.put(p.name(), p));
        return map;
    }
}
