package org.pacsmigrator.faults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.pacsmigrator.migrator.CliRun;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;

/** Small helpers the scenarios share. */
final class Scenarios {
    private Scenarios() {
    }

    /** Every study of the data set known and none in progress any more (VERIFIED or FAILED). */
    static boolean finished(StateStore state) {
        Map<StudyState, Long> counts = state.countStudiesByState();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return total == FaultEnvironment.STUDIES
                && counts.getOrDefault(StudyState.VERIFIED, 0L) + counts.getOrDefault(StudyState.FAILED, 0L) == total;
    }

    static boolean awaitFinished(StateStore state, int minutes) {
        return Reconciliation.await(() -> finished(state), minutes * 60_000L, 1000);
    }

    static boolean allVerified(StateStore state) {
        return state.countStudiesByState().getOrDefault(StudyState.VERIFIED, 0L) == FaultEnvironment.STUDIES;
    }

    /** FAILED studies by category. */
    static Map<String, Integer> failedByCategory(StateStore state) {
        Map<String, Integer> out = new TreeMap<>();
        for (StudyRecord s : state.allStudies()) {
            if (s.state() == StudyState.FAILED) {
                out.merge(s.failureCategory(), 1, Integer::sum);
            }
        }
        return out;
    }



    /**
     * Waits until {@code trigger} holds, stops a dependency, keeps it down for {@code downMillis}, starts it
     * again. Returns what happened (for the table); throws when the trigger never came.
     */
    static String outage(String what, Supplier<Boolean> trigger, Runnable stop, Runnable start,
                         long downMillis, StateStore state) {
        if (!Reconciliation.await(trigger, 10 * 60_000L, 250)) {
            throw new IllegalStateException("the moment for the outage of " + what + " never came");
        }
        String before = safeCounts(state);
        long t = System.nanoTime();
        stop.run();
        Reconciliation.sleep(downMillis);
        start.run();
        return what + " down " + (System.nanoTime() - t) / 1_000_000_000 + " s (stopped at " + before + ")";
    }

    static String safeCounts(StateStore state) {
        try {
            return state.countStudiesByState().toString();
        } catch (RuntimeException e) {
            return "state store unreachable";
        }
    }

    /** Counts of studies at or past a state (FAILED excluded). */
    static long atLeast(StateStore state, StudyState s) {
        return state.countStudiesByState().entrySet().stream().filter(e -> e.getKey().atLeast(s))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * The operator's answer to dead letters after an outage: {@code replay} of the FAILED studies'
     * categories on every stage, only if all of them are in {@code acceptable}. Returns the categories
     * replayed (empty: nothing failed); throws if a study failed with another category ({@code acceptable}
     * null: any category).
     */
    static Map<String, Integer> replayFailures(StateStore state, Path config, Set<String> acceptable) {
        Map<String, Integer> failed = failedByCategory(state);
        if (failed.isEmpty()) {
            return failed;
        }
        if (acceptable != null && !acceptable.containsAll(failed.keySet())) {
            throw new AssertionError("studies FAILED with unexpected categories: " + failed + " (acceptable: " + acceptable + ")");
        }
        List<String> args = new ArrayList<>(List.of("replay", "--config", config.toString(),
                "--stage", "retrieve,forward,verify"));
        failed.keySet().forEach(c -> {
            args.add("--category");
            args.add(c);
        });
        CliRun replay = CliRun.of(args.toArray(String[]::new));
        if (replay.exit() != 0) {
            throw new AssertionError("replay failed: " + replay.out() + replay.err());
        }
        return failed;
    }

    /** The same row, failed with an extra reason in front. */
    static FaultResults.Row failed(FaultResults.Row row, String reason) {
        return new FaultResults.Row(row.scenario(), row.faults(), row.expected(), row.found(), row.duplicates(), false,
                reason + (row.detail() == null || row.detail().isBlank() ? "" : "; " + row.detail()));
    }
}
