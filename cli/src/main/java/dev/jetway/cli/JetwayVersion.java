package dev.jetway.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (or "dev" when run from classes). */
final class JetwayVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"jetway " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
