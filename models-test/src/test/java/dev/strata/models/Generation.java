package dev.strata.models;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A plain decode loop over the bridge, for tests that check the bridge itself rather than the runtime. */
final class Generation {
    private Generation() {}

    static String generate(LlamaModel model, LlamaContext ctx, String prompt, int maxTokens, SamplingParams sampling) {
        ctx.clearMemory();
        int[] tokens = model.tokenize(prompt, true, false);
        Batch batch = new Batch(Math.max(tokens.length, 1));
        for (int i = 0; i < tokens.length; i++) {
            batch.add(tokens[i], i, 0, i == tokens.length - 1);
        }
        if (ctx.decode(batch) != DecodeStatus.OK) {
            throw new AssertionError("prompt decode failed");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int last = tokens.length - 1;
        try (Sampler sampler = Sampler.create(model, sampling)) {
            for (int pos = tokens.length; pos < tokens.length + maxTokens; pos++) {
                int next = sampler.sample(ctx, last);
                if (model.isEndOfGeneration(next)) {
                    break;
                }
                out.writeBytes(model.tokenPiece(next, false));
                batch.clear();
                last = batch.add(next, pos, 0, true);
                DecodeStatus status = ctx.decode(batch);
                if (status != DecodeStatus.OK) {
                    throw new AssertionError("decode failed: " + status);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
