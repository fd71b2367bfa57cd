package org.pacsmigrator.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

/** Runs a tool of the machine (DCMTK's dcmcjpls, dcmodify, ...) that a test needs to succeed. */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code command} to its end; fails the test with its output unless it exits 0. */
    public static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
