package dev.strata.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in-process and captures what it prints, for tests. */
public final class StrataCommandProbe {
    public record Result(int exitCode, String out, String err) {}

    private StrataCommandProbe() {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new StrataCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 1;
                }).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
