package dev.jetway.gateway.k8s;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;

/** The custom resources discovery reads. */
public final class InferenceApi {

    /** GIE's InferencePool, the v1 API (GIE v1.0 and later). */
    public static final CustomResourceDefinitionContext INFERENCE_POOL = new CustomResourceDefinitionContext.Builder()
            .withGroup("inference.networking.k8s.io").withVersion("v1").withPlural("inferencepools")
            .withKind("InferencePool").withScope("Namespaced").build();

    /** llm-d's InferenceObjective (moved out of GIE in v1.6; llm-d reconciles only this group when both exist). */
    public static final CustomResourceDefinitionContext INFERENCE_OBJECTIVE =
            new CustomResourceDefinitionContext.Builder().withGroup("llm-d.ai").withVersion("v1alpha2")
                    .withPlural("inferenceobjectives").withKind("InferenceObjective").withScope("Namespaced").build();

    private InferenceApi() {
    }

    static String describe(CustomResourceDefinitionContext ctx) {
        return ctx.getKind() + " (" + ctx.getGroup() + "/" + ctx.getVersion() + ")";
    }
}
