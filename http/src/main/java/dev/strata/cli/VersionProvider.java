package dev.strata.cli;

import picocli.CommandLine.IVersionProvider;

/** Strata's own version from the jar manifest; the native versions are reported by {@code run}. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = StrataCommand.class.getPackage().getImplementationVersion();
        return new String[] {"strata " + (v == null ? "development build" : v)};
    }
}
