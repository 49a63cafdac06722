package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.http.Admission;
import dev.strata.http.ApiError;
import dev.strata.http.ModelsDirectory;
import dev.strata.runtime.EmbeddingRequest;
import dev.strata.runtime.Embeddings;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** {@code POST /v1/embeddings}: unit-length vectors from an embedding model, as floats or base64. */
final class EmbeddingsRoute {
    static final String PATH = "/v1/embeddings";
    /** Inputs per request at most, as OpenAI allows. */
    private static final int MAX_INPUTS = 2048;

    private final Serving serving;

    EmbeddingsRoute(Serving serving) {
        this.serving = serving;
    }

    void handle(Context ctx) throws Exception {
        EmbeddingsRequest r = Serving.body(ctx, EmbeddingsRequest.class);
        Params.absent("dimensions", r.dimensions(), "a GGUF embedding model has one output size; leave dimensions unset");
        String format = r.encodingFormat() == null ? "float" : r.encodingFormat();
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.badRequest("encoding_format", "encoding_format must be float or base64, not '" + format + "'");
        }
        EmbeddingRequest request = input(r.input());
        ModelsDirectory.ServedModel served = serving.resolve(r.model());
        Embeddings e;
        try (Admission.Ticket ticket = serving.admission().admit(served.id())) {
            e = serving.withModel(served.id(), model -> {
                if (!model.isEmbeddingModel()) {
                    throw ApiError.badRequest("model", "'" + served.id() + "' does not make embeddings (it does not pool its output);"
                            + " use an embedding model such as all-MiniLM-L6-v2");
                }
                return model.embed(request);
            });
        }
        List<EmbeddingList.Item> items = new ArrayList<>();
        for (int i = 0; i < e.vectors().size(); i++) {
            float[] v = e.vectors().get(i);
            items.add(new EmbeddingList.Item("embedding", i, format.equals("base64") ? base64(v) : v));
        }
        Responses.json(ctx, new EmbeddingList("list", items, served.id(), Usage.ofPrompt(e.promptTokens())));
    }

    /** Little-endian float32, as OpenAI encodes {@code encoding_format: base64}. */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static EmbeddingRequest input(JsonNode in) {
        if (in == null || in.isNull()) {
            throw ApiError.badRequest("input", "input is missing: give a string, an array of strings, or token ids");
        }
        if (in.isTextual()) {
            return EmbeddingRequest.of(List.of(nonEmpty(in.asText())));
        }
        if (!in.isArray() || in.isEmpty()) {
            throw ApiError.badRequest("input", "input must be a string or a non-empty array");
        }
        if (in.size() > MAX_INPUTS) {
            throw ApiError.badRequest("input", "at most " + MAX_INPUTS + " inputs per request, not " + in.size());
        }
        JsonNode first = in.get(0);
        if (first.isTextual()) {
            List<String> texts = new ArrayList<>();
            for (JsonNode t : in) {
                if (!t.isTextual()) {
                    throw ApiError.badRequest("input", "an array input holds only strings, or only token ids");
                }
                texts.add(nonEmpty(t.asText()));
            }
            return EmbeddingRequest.of(texts);
        }
        if (first.isIntegralNumber()) {
            return EmbeddingRequest.ofTokens(List.of(tokens(in)));
        }
        if (first.isArray()) {
            List<int[]> all = new ArrayList<>();
            for (JsonNode t : in) {
                all.add(tokens(t));
            }
            return EmbeddingRequest.ofTokens(all);
        }
        throw ApiError.badRequest("input", "input must be a string, an array of strings, an array of token ids or an array of such arrays");
    }

    private static String nonEmpty(String s) {
        if (s.isEmpty()) {
            throw ApiError.badRequest("input", "an input string must not be empty");
        }
        return s;
    }

    private static int[] tokens(JsonNode arr) {
        if (!arr.isArray() || arr.isEmpty()) {
            throw ApiError.badRequest("input", "a token input must be a non-empty array of token ids");
        }
        int[] out = new int[arr.size()];
        for (int i = 0; i < arr.size(); i++) {
            if (!arr.get(i).isIntegralNumber() || !arr.get(i).canConvertToInt()) {
                throw ApiError.badRequest("input", "token ids are integers");
            }
            out[i] = arr.get(i).asInt();
        }
        return out;
    }
}
