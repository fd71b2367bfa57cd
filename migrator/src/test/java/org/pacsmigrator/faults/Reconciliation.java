package org.pacsmigrator.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStatus;

/**
 * The end of every fault scenario: old PACS against new PACS, and the state store against both.
 *
 * <ul>
 *   <li>every instance of the old PACS that the scenario expects to arrive is in the new PACS, and
 *       nothing else is;</li>
 *   <li>duplicates: C-STOREs the new PACS received more than once for the same SOP Instance UID
 *       (Orthanc keeps one copy, so they are counted from its C-STORE log), at most the scenario's
 *       allowance (0 unless a forwarder is killed mid-association);</li>
 *   <li>the state store: every study of the old PACS is known; each is VERIFIED, or FAILED with one of
 *       the categories the scenario expects for it; its instance rows are exactly the old PACS's
 *       instances of the study; a VERIFIED study's rows are retrieved (with a SHA-256), stored and
 *       verified; a row is marked stored exactly when the instance is in the new PACS; no study the
 *       old PACS does not hold; every VERIFIED study has a complete status from the completion
 *       topology.</li>
 * </ul>
 */
final class Reconciliation {
    /** What the new PACS holds and what it received. */
    interface NewPacs {
        /** SOP Instance UIDs stored (one per instance). */
        List<String> storedSopInstanceUids();

        /** One entry per C-STORE received (duplicates included). */
        List<String> receivedStores();

        static NewPacs of(OrthancServer orthanc) {
            return new NewPacs() {
                @Override
                public List<String> storedSopInstanceUids() {
                    return orthanc.sopInstanceUids();
                }

                @Override
                public List<String> receivedStores() {
                    return orthanc.receivedStores();
                }
            };
        }
    }

    /** What a scenario expects: studies allowed to end FAILED (with which categories), instances never to arrive. */
    static final class Expectation {
        private final Map<String, Set<String>> failures = new HashMap<>();
        private final Set<String> mayFail = new HashSet<>();
        private final Set<String> notSent = new HashSet<>();
        private final Set<String> discarded = new HashSet<>();
        private int allowedDuplicates;
        private boolean statusComplete = true;
        private boolean instancesVerified = true;

        static Expectation allVerified() {
            return new Expectation();
        }

        Expectation studyFails(String studyUid, Set<String> categories) {
            failures.put(studyUid, categories);
            return this;
        }

        /** Any study may end FAILED with one of these categories (a fault whose victims are not known in advance). */
        Expectation anyStudyMayFail(Set<String> categories) {
            mayFail.addAll(categories);
            return this;
        }

        Expectation notSent(Set<String> sopInstanceUids) {
            notSent.addAll(sopInstanceUids);
            return this;
        }

        /**
         * Instances the new PACS acknowledges with C-STORE success but does not keep: never in the new PACS,
         * recorded as stored, never verified (the verifier must catch them).
         */
        Expectation discardedByPacs(Set<String> sopInstanceUids) {
            notSent.addAll(sopInstanceUids);
            discarded.addAll(sopInstanceUids);
            return this;
        }

        Expectation allowDuplicates(int n) {
            allowedDuplicates = n;
            return this;
        }

        /**
         * Whether a VERIFIED study's instances must be marked verified (found in the new PACS); not with
         * {@code verify.completion: sent}, where C-STORE success is the whole proof.
         */
        Expectation requireVerifiedInstances(boolean required) {
            instancesVerified = required;
            return this;
        }

        /** Whether VERIFIED studies must have a complete status from the completion topology (default yes). */
        Expectation requireCompleteStatus(boolean required) {
            statusComplete = required;
            return this;
        }
    }

    private Reconciliation() {
    }

    /** Reconciles and returns the table row (PASS only when every check holds); the row is not appended yet. */
    static FaultResults.Row check(String scenario, String faults, FaultEnvironment env, NewPacs newPacs,
                                  StateStore state, Expectation e) {
        List<String> problems = new ArrayList<>();
        Map<String, GeneratedStudy> studies = new LinkedHashMap<>();
        env.plan().forEach(s -> studies.put(s.studyInstanceUid(), s));

        Set<String> old = new HashSet<>(env.oldPacs().sopInstanceUids());
        if (!old.equals(env.allSopInstanceUids())) {
            problems.add("the old PACS no longer holds the generated data set (" + old.size() + " instances)");
        }
        Set<String> expected = new HashSet<>(old);
        expected.removeAll(e.notSent);
        List<String> stored = newPacs.storedSopInstanceUids();
        Set<String> found = new HashSet<>(stored);
        if (found.size() != stored.size()) {
            problems.add("the new PACS lists " + (stored.size() - found.size()) + " instances twice");
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(found);
        Set<String> extra = new TreeSet<>(found);
        extra.removeAll(expected);
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " instances missing in the new PACS, e.g. " + first(missing));
        }
        if (!extra.isEmpty()) {
            problems.add(extra.size() + " instances in the new PACS that must not be there, e.g. " + first(extra));
        }
        List<String> stores = newPacs.receivedStores();
        Map<String, Integer> storesPerSop = new HashMap<>();
        stores.forEach(s -> storesPerSop.merge(s, 1, Integer::sum));
        int duplicates = stores.size() - storesPerSop.size();
        if (duplicates > e.allowedDuplicates) {
            Set<String> twice = new TreeSet<>();
            storesPerSop.forEach((k, v) -> {
                if (v > 1) {
                    twice.add(k);
                }
            });
            problems.add(duplicates + " duplicate C-STOREs (allowed " + e.allowedDuplicates + "), e.g. " + first(twice));
        }

        // the state store
        Set<String> verifiedStudies = new TreeSet<>();
        Map<String, Integer> failedByCategory = new LinkedHashMap<>();
        for (GeneratedStudy s : studies.values()) {
            String uid = s.studyInstanceUid();
            Optional<StudyRecord> found1 = state.findStudy(uid);
            if (found1.isEmpty()) {
                problems.add("study " + uid + " is missing in the state store");
                continue;
            }
            StudyRecord r = found1.get();
            Set<String> must = e.failures.get(uid);
            if (r.state() == StudyState.FAILED) {
                failedByCategory.merge(r.failureCategory(), 1, Integer::sum);
                boolean accepted = must != null ? must.contains(r.failureCategory())
                        : e.mayFail.contains(r.failureCategory());
                if (!accepted) {
                    problems.add("study " + uid + " FAILED (" + r.failureCategory() + ": " + r.failureMessage() + ")"
                            + (must == null ? "" : ", expected one of " + must));
                }
            } else if (must != null) {
                problems.add("study " + uid + " is " + r.state() + ", expected FAILED with one of " + must);
            } else if (r.state() != StudyState.VERIFIED) {
                problems.add("study " + uid + " is " + r.state() + ", not VERIFIED");
            } else {
                verifiedStudies.add(uid);
            }
            Map<String, InstanceRecord> rows = new HashMap<>();
            for (InstanceRecord i : state.instancesOf(uid)) {
                if (rows.put(i.sopInstanceUid(), i) != null) {
                    problems.add("instance " + i.sopInstanceUid() + " has two rows");
                }
            }
            Set<String> planned = new HashSet<>(s.sopInstanceUids());
            boolean rowsOk = r.state() == StudyState.FAILED ? planned.containsAll(rows.keySet()) : rows.keySet().equals(planned);
            if (!rowsOk) {
                Set<String> lacking = new TreeSet<>(planned);
                lacking.removeAll(rows.keySet());
                Set<String> surplus = new TreeSet<>(rows.keySet());
                surplus.removeAll(planned);
                problems.add("instance rows of study " + uid + " differ from the old PACS: lacking " + first(lacking)
                        + ", surplus " + first(surplus));
            }
            for (InstanceRecord i : rows.values()) {
                if (r.state() == StudyState.VERIFIED && !(i.retrieved() && i.forwarded() && (i.verified() || !e.instancesVerified)
                        && i.sha256() != null && i.sha256().length() == 64)) {
                    problems.add("instance " + i.sopInstanceUid() + " of VERIFIED study " + uid + " is not retrieved/stored/verified"
                            + " (retrieved " + i.retrieved() + ", stored " + i.forwarded() + ", verified " + i.verified() + ")");
                }
                if (e.discarded.contains(i.sopInstanceUid())) {
                    if (i.verified()) {
                        problems.add("instance " + i.sopInstanceUid() + " was discarded by the new PACS but is marked verified");
                    }
                } else if (i.forwarded() != found.contains(i.sopInstanceUid())) {
                    problems.add("instance " + i.sopInstanceUid() + ": state store says stored=" + i.forwarded()
                            + " but the new PACS " + (found.contains(i.sopInstanceUid()) ? "has" : "lacks") + " it");
                }
            }
        }
        for (StudyRecord r : state.allStudies()) {
            if (!studies.containsKey(r.studyInstanceUid())) {
                problems.add("study " + r.studyInstanceUid() + " in the state store is not in the old PACS");
            }
        }
        for (Map.Entry<String, Set<String>> f : e.failures.entrySet()) {
            if (!studies.containsKey(f.getKey())) {
                problems.add("expected failure for unknown study " + f.getKey());
            }
        }
        if (e.statusComplete && !verifiedStudies.isEmpty()) {
            Set<String> incomplete = awaitComplete(state, verifiedStudies, 90_000);
            if (!incomplete.isEmpty()) {
                problems.add(incomplete.size() + " VERIFIED studies have no complete status (completion topology), e.g. "
                        + first(incomplete));
            }
        }

        boolean passed = problems.isEmpty();
        String detail;
        if (passed) {
            detail = failedByCategory.isEmpty() ? "" : "FAILED as expected: " + failedByCategory;
        } else {
            detail = String.join("; ", problems.stream().limit(6).toList())
                    + (problems.size() > 6 ? "; (" + (problems.size() - 6) + " more problems)" : "");
        }
        return new FaultResults.Row(scenario, faults, expected.size(), found.size(), duplicates, passed, detail);
    }

    private static Set<String> awaitComplete(StateStore state, Set<String> studies, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Set<String> incomplete = new TreeSet<>();
            for (String uid : studies) {
                Optional<StudyStatus> status = state.findStudyStatus(uid);
                if (status.isEmpty() || !status.get().complete()) {
                    incomplete.add(uid);
                }
            }
            if (incomplete.isEmpty() || System.currentTimeMillis() > deadline) {
                return incomplete;
            }
            sleep(1000);
        }
    }

    static String first(Set<String> values) {
        return values.isEmpty() ? "[]" : values.size() <= 3 ? values.toString()
                : values.stream().limit(3).toList() + " (+" + (values.size() - 3) + ")";
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until {@code done} is true or the timeout passes; returns whether it became true. */
    static boolean await(Supplier<Boolean> done, long timeoutMillis, long pollMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (Boolean.TRUE.equals(done.get())) {
                    return true;
                }
            } catch (RuntimeException transientError) {
                // a dependency being restarted: ask again
            }
            sleep(pollMillis);
        }
        return false;
    }
}
