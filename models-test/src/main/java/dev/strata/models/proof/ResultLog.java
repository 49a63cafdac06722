package dev.strata.models.proof;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The proof's results, one JSON object per line in one file that every case's JVM appends to: a case
 * that crashes its JVM leaves the others' lines intact, and the report names the case as not run.
 *
 * <pre>{@code
 * ResultLog log = new ResultLog(Path.of("/tmp/strata-gpu/results.jsonl"));
 * log.append(result);
 * List<CaseResult> all = log.read();
 * }</pre>
 */
public record ResultLog(Path file) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Appends one result as one line; creates the file and its directory when missing. */
    public void append(CaseResult result) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, JSON.writeValueAsString(result) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Every result in the file, in the order appended; none when the file does not exist. */
    public List<CaseResult> read() throws IOException {
        List<CaseResult> all = new ArrayList<>();
        if (!Files.exists(file)) {
            return all;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                all.add(JSON.readValue(line, CaseResult.class));
            }
        }
        return all;
    }
}
