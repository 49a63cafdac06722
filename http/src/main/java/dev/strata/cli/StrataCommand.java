package dev.strata.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar strata.jar <command>}: the command line of Strata.
 */
@Command(name = "strata", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run GGUF language models inside the JVM through llama.cpp.",
        subcommands = {RunCommand.class, ServeCommand.class, PlanCommand.class, OverheadCommand.class, PsCommand.class,
                CommandLine.HelpCommand.class})
public final class StrataCommand {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests: no System.exit). */
    public static int execute(String... args) {
        return new CommandLine(new StrataCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
