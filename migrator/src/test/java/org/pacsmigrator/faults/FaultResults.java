package org.pacsmigrator.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fault suite's table ({@code target/faults/results.md}): one row per scenario, appended as it
 * ends (passed or not), printed by {@code bench/faults.sh} at the end.
 */
final class FaultResults {
    static final String HEADER = """
            | scenario | faults injected | instances expected | found | duplicates | result |
            |---|---|---:|---:|---:|---|
            """;

    /**
     * One line of the table. {@code expected}, {@code found}, {@code duplicates} are -1 when not applicable;
     * {@code result} is PASS, FAIL or SKIPPED.
     */
    record Row(String scenario, String faults, int expected, int found, int duplicates, String result, String detail) {
        Row(String scenario, String faults, int expected, int found, int duplicates, boolean passed, String detail) {
            this(scenario, faults, expected, found, duplicates, passed ? "PASS" : "FAIL", detail);
        }

        static Row skipped(String scenario, String reason) {
            return new Row(scenario, "not injected", -1, -1, -1, "SKIPPED", reason);
        }

        boolean passed() {
            return "PASS".equals(result);
        }

        String markdown() {
            return "| " + cell(scenario) + " | " + cell(faults) + " | " + number(expected) + " | " + number(found) + " | "
                    + number(duplicates) + " | " + result + (detail == null || detail.isBlank() ? "" : ": " + cell(detail)) + " |";
        }

        private static String number(int n) {
            return n < 0 ? "-" : Integer.toString(n);
        }

        private static String cell(String s) {
            String flat = s == null ? "" : s.replace('\n', ' ').replace("|", "\\|");
            return flat.length() > 900 ? flat.substring(0, 900) + "…" : flat;
        }
    }

    private FaultResults() {
    }

    static Path file() {
        return FaultEnvironment.resultsDirectory().resolve("results.md");
    }

    static synchronized void append(Row row) {
        try {
            Path file = file();
            if (!Files.exists(file)) {
                Files.writeString(file, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(file, row.markdown() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            System.out.println("FAULT SUITE ROW: " + row.markdown());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
