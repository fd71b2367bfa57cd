package org.pacsmigrator.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.StudyManifest;
import org.pacsmigrator.dicom.find.CappedResultException;
import org.pacsmigrator.dicom.find.SplittingFinder;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.state.InstanceCommitment;
import org.pacsmigrator.state.InstanceModification;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.RefusedInstance;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StateStoreException;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.state.UidCollision;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;
import org.pacsmigrator.worker.MigrationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final report of a migration, from the state store and (for the reconciliation) C-FIND of both PACS:
 * {@code report.csv} and {@code report.html} with one row per study, and {@code reconciliation.csv} listing
 * every study, series and instance that is on one side only. {@link #resendMissing} is the action for
 * instances missing in the new PACS: it clears their "stored" marks and hands the study back to the forwarder.
 */
public final class MigrationReport {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationReport.class);
    private static final int READ_ATTEMPTS = 5;
    private static final Backoff READ_BACKOFF = Backoff.ofMillis(1_000, 10_000);
    /** The failure category of a study queued again by {@link #resendMissing} (until the forwarder takes it). */
    public static final String RESEND_CATEGORY = FailureCategory.MISSING_IN_NEW_PACS.label();
    public static final String RESEND_ACTION = FailureCategory.RESEND;
    /** The side of a finding that says a PACS could not be listed completely: the reconciliation proves nothing there. */
    public static final String INCOMPLETE = "reconciliation incomplete";

    /** What was written and what it says. */
    public record Result(long studies, List<Discrepancy> discrepancies, long studiesComplete,
                         Path csv, Path html, Path reconciliationCsv, ControlSection control, Path controlCsv) {
        public long instancesMissingInNew() {
            return discrepancies.stream().filter(d -> d.level().equals("instance") && d.side().equals("missing in new")).count();
        }

        /** A PACS could not be listed completely (a capped answer no split completed): nothing is proven there. */
        public boolean reconciliationIncomplete() {
            return discrepancies.stream().anyMatch(d -> d.side().equals(INCOMPLETE));
        }
    }

    private final StateStore state;
    /** How each PACS is queried (C-FIND or QIDO-RS); null: no reconciliation. */
    private final DicomClient oldPacsClient;
    private final DicomClient newPacsClient;
    private final AssociationGate oldPacs;
    private final AssociationGate newPacs;
    private final Completion criterion;
    private final int parallelStudies;
    private final ReconciliationQueries queries;

    /**
     * {@code oldPacsClient}, {@code newPacsClient}: how each PACS is queried, C-FIND or QIDO-RS; null = no
     * reconciliation (state store only). Every association to a PACS passes its
     * gate ({@code oldPacs}, {@code newPacs}): the time windows, the pause and the global association
     * limit that the retrievers and forwarders respect apply to the report as well.
     * {@code parallelStudies}: studies reconciled at the same time, each holding one association to each
     * PACS while it is queried (and each waiting for a slot of the PACS's global budget).
     * {@code queries}: how capped answers of either PACS are split (the indexer's splitting).
     */
    public MigrationReport(StateStore state, DicomClient oldPacsClient, DicomClient newPacsClient, AssociationGate oldPacs,
                           AssociationGate newPacs, Completion criterion, int parallelStudies, ReconciliationQueries queries) {
        if (parallelStudies < 1) {
            throw new IllegalArgumentException("parallelStudies must be at least 1, not " + parallelStudies);
        }
        this.state = state;
        this.oldPacsClient = oldPacsClient;
        this.newPacsClient = newPacsClient;
        this.oldPacs = oldPacs;
        this.newPacs = newPacs;
        this.criterion = criterion;
        this.parallelStudies = parallelStudies;
        this.queries = queries;
    }

    /**
     * The report of a migration's process: reconciling with {@code parallelStudies} studies at once, through the
     * process's one gate of each PACS (the old one's under the retrieve association policy, the new one's under the
     * forward policy; their limits count the report's associations with every role's).
     */
    public static MigrationReport of(MigrationContext context, int parallelStudies) {
        MigrationConfig c = context.config();
        // each PACS listed the way it is spoken to: C-FIND, or QIDO-RS for a DICOMweb archive
        return new MigrationReport(context.state(), context.sourceClient(), context.destinationClient(),
                context.sourceGate(), context.destinationGate(),
                Completion.of(c.verify.completion), parallelStudies, ReconciliationQueries.of(c));
    }

    /**
     * Why the reconciliation would have to wait for a time window now (the old or new PACS may not be
     * queried at this time), or empty. {@link #write} waits for the windows; a caller that must answer
     * quickly (the console) asks first.
     */
    public Optional<String> closedWindow() {
        if (oldPacsClient == null) {
            return Optional.empty();
        }
        for (AssociationGate gate : List.of(oldPacs, newPacs)) {
            if (!gate.windows().isOpen()) {
                return Optional.of(gate.remote().aeTitle() + " may be queried only in its windows (" + gate.windows()
                        + "); the next opens in " + gate.windows().untilOpen().withNanos(0));
            }
        }
        return Optional.empty();
    }

    /**
     * Builds the report for every known study (and studies of the old PACS in {@code from..to} not indexed). Studies
     * are read day by day (a day's list of UIDs at a time) and their rows written as they come, in the order of their
     * day and UID: memory stays flat whatever the number of studies.
     */
    public Result write(Path directory, LocalDate from, LocalDate to) throws IOException, DicomException {
        // patient IDs and accession numbers: the directory (when created here) and the files are for this user only
        OwnerOnly.createDirectories(directory);
        List<Discrepancy> discrepancies = new ArrayList<>();
        Path csv = directory.resolve("report.csv");
        Path html = directory.resolve("report.html");
        Path recon = directory.resolve("reconciliation.csv");
        StudyRowsWriter rows = new StudyRowsWriter(directory);
        ExecutorService pool = Executors.newFixedThreadPool(parallelStudies, r -> {
            Thread t = new Thread(r, "report-study");
            t.setDaemon(true);
            return t;
        });
        try {
            // In windows of studies, results taken in the order of the days: the report is the same whatever
            // the parallelism, and at most one window of rows is pending at a time.
            List<Future<Optional<StudyRows>>> window = new ArrayList<>();
            for (LocalDate day : state.progressDays()) {
                for (String uid : state.studiesOfDay(day)) {
                    window.add(pool.submit(() -> rowRetried(uid)));
                    if (window.size() == 16 * parallelStudies) {
                        collect(window, rows, discrepancies);
                    }
                }
            }
            collect(window, rows, discrepancies);
            rows.finishCsv(csv);
            if (oldPacsClient != null && from != null && to != null) {
                studyLevel(from, to, discrepancies);
            }
            writeCsv(recon, Discrepancy.HEADER, discrepancies.stream().map(Discrepancy::values).toList());
            ControlSection control = ControlSection.of(state);
            Path controlCsv = directory.resolve("control.csv");
            writeCsv(controlCsv, ControlSection.HEADER, control.rows());
            writeHtml(html, rows, discrepancies, control.html(from, to));
            return new Result(rows.studies(), discrepancies, rows.complete(), csv, html, recon, control, controlCsv);
        } finally {
            pool.shutdownNow();
            rows.delete();
        }
    }

    /**
     * What to do about what is missing in the new PACS, by why its study stopped: a re-send helps only a study
     * that did not stop for a reason that would stop it again.
     */
    static String missingAction(String failureCategory) {
        return FailureCategory.actionFor(failureCategory);
    }

    /**
     * The study's UID collisions as reconciliation lines, each with both patients and the documented choice.
     */
    private void collisions(String studyUid, List<Discrepancy> discrepancies) {
        for (UidCollision c : state.collisionsOf(studyUid)) {
            discrepancies.add(new Discrepancy(c.studyLevel() ? "study" : "instance", FailureCategory.UID_COLLISION.label(),
                    studyUid, "", c.sopInstanceUid(), FailureCategory.UID_COLLISION_ACTION, "PatientIDs " + String.join(" / ", c.patientIds()) + "; "
                    + c.detail() + (c.keptKeys().isEmpty() ? "" : "; kept in the cache as " + String.join(" and ", c.keptKeys()))));
        }
    }

    /**
     * What the storage SCP refused for the study, counted by reason ("none" when nothing); each refused instance is
     * also a reconciliation line with the action for its reason.
     */
    private String refused(String studyUid, List<Discrepancy> discrepancies) {
        Map<String, Integer> counts = new TreeMap<>();
        for (RefusedInstance r : state.refusalsOf(studyUid)) {
            counts.merge(r.category(), 1, Integer::sum);
            discrepancies.add(new Discrepancy("instance", "refused: " + r.category(), studyUid, "", r.sopInstanceUid(),
                    refusalAction(r.category())));
        }
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((reason, n) -> text.append(text.length() == 0 ? "" : "; ").append(reason).append(" (").append(n).append(")"));
        return text.toString();
    }

    private static String refusalAction(String category) {
        return switch (category) {
            case InstanceRefusal.INCOMPLETE ->
                    "check the instance in the old PACS: it was sent cut short or malformed";
            case InstanceRefusal.MISMATCH ->
                    "check the instance in the old PACS: the data set it sent is not the instance its command named";
            default -> "investigate: an instance the old PACS does not list for the study came in (a stranger's, or "
                    + "stored after indexing: re-index the study's day)";
        };
    }

    /** The forwarder's rules that changed this study's images, with how many images each changed. */
    private String rulesApplied(String studyUid) {
        Map<String, Integer> counts = new TreeMap<>();
        for (InstanceModification m : state.modificationsOf(studyUid)) {
            if (!m.changes().isEmpty()) {
                m.rulesApplied().forEach(r -> counts.merge(r, 1, Integer::sum));
            }
        }
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((rule, n) -> text.append(text.length() == 0 ? "" : "; ").append(rule).append(" (").append(n).append(" images)"));
        return text.toString();
    }

    /** One study's report row and its reconciliation findings. */
    private record StudyRows(StudyReportRow row, List<Discrepancy> discrepancies) {
    }

    /** Waits for the window's studies in order, writes their rows and adds their findings. */
    private static void collect(List<Future<Optional<StudyRows>>> window, StudyRowsWriter rows,
                                List<Discrepancy> discrepancies) throws DicomException, IOException {
        try {
            for (Future<Optional<StudyRows>> f : window) {
                Optional<StudyRows> r = f.get();
                if (r.isPresent()) {
                    rows.write(r.get().row());
                    discrepancies.addAll(r.get().discrepancies());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(DicomException.Category.OTHER, "report interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DicomException d) {
                throw d;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        window.clear();
    }

    /**
     * A study's rows, its reads tried again after a state-store failure: a report of a million studies makes millions
     * of reads, and one read timed out on a busy node must not lose the whole report.
     */
    private Optional<StudyRows> rowRetried(String uid) throws DicomException, InterruptedException {
        for (int failures = 1; ; failures++) {
            try {
                Optional<StudyRecord> study = state.findStudy(uid);
                return study.isEmpty() ? Optional.empty() : Optional.of(row(study.get()));
            } catch (StateStoreException e) {
                if (failures >= READ_ATTEMPTS) {
                    throw e;
                }
                LOG.warn("report: study {}: reading its rows failed ({}), trying again", uid, e.getMessage());
                Thread.sleep(READ_BACKOFF.after(failures).toMillis());
            }
        }
    }

    private StudyRows row(StudyRecord s) throws DicomException {
        List<Discrepancy> discrepancies = new ArrayList<>();
        String uid = s.studyInstanceUid();
        List<InstanceRecord> instances = state.instancesOf(uid);
        Map<String, InstanceCommitment> commitments = state.instanceCommitmentsOf(uid);
        StudyStatus status = state.findStudyStatus(uid).orElse(null);
        int retrieved = 0;
        int sent = 0;
        int verified = 0;
        Instant verifiedAt = null;
        for (InstanceRecord i : instances) {
            retrieved += i.retrieved() ? 1 : 0;
            sent += i.forwarded() ? 1 : 0;
            if (i.verified()) {
                verified++;
                verifiedAt = verifiedAt == null || i.verifiedAt().isAfter(verifiedAt) ? i.verifiedAt() : verifiedAt;
            }
        }
        int committed = (int) commitments.values().stream().filter(InstanceCommitment::committed).count();
        int commitFailed = commitments.size() - committed;
        boolean complete = status != null ? status.complete() && s.state() == StudyState.VERIFIED
                : s.state() == StudyState.VERIFIED;
        Instant when = status != null && status.completedAt() != null ? status.completedAt() : verifiedAt;

        Integer oldSeries = null;
        Integer newSeries = null;
        Integer oldCount = null;
        Integer newCount = null;
        int seriesMissing = 0;
        int missing = 0;
        int extra = 0;
        if (oldPacsClient != null) {
            String missingAction = missingAction(s.failureCategory());
            // SOP Instance UID -> series; as many as the state store knows is what a complete answer lists.
            Map<String, String> oldSops = sops(oldPacs, queries.oldPacsCap(), uid, instances.size());
            Map<String, String> newSops = sops(newPacs, queries.newPacsCap(), uid, instances.size());
            Set<String> oldSer = new HashSet<>(oldSops.values());
            Set<String> newSer = new HashSet<>(newSops.values());
            oldSeries = oldSer.size();
            newSeries = newSer.size();
            oldCount = oldSops.size();
            newCount = newSops.size();
            if (!oldSops.isEmpty() && newSops.isEmpty()) {
                discrepancies.add(new Discrepancy("study", "missing in new", uid, "", "", missingAction));
            }
            for (String series : new TreeMap<>(toMap(oldSer)).keySet()) {
                if (!newSer.contains(series)) {
                    seriesMissing++;
                    discrepancies.add(new Discrepancy("series", "missing in new", uid, series, "", missingAction));
                }
            }
            for (String series : new TreeMap<>(toMap(newSer)).keySet()) {
                if (!oldSer.contains(series)) {
                    discrepancies.add(new Discrepancy("series", "extra in new", uid, series, "",
                            "investigate: series not in the old PACS (created in the new one, or changed UIDs by rules)"));
                }
            }
            for (Map.Entry<String, String> e : new TreeMap<>(oldSops).entrySet()) {
                if (!newSops.containsKey(e.getKey())) {
                    missing++;
                    discrepancies.add(new Discrepancy("instance", "missing in new", uid, e.getValue(), e.getKey(), missingAction));
                }
            }
            for (Map.Entry<String, String> e : new TreeMap<>(newSops).entrySet()) {
                if (!oldSops.containsKey(e.getKey())) {
                    extra++;
                    discrepancies.add(new Discrepancy("instance", "extra in new", uid, e.getValue(), e.getKey(),
                            "investigate: instance not in the old PACS"));
                }
            }
        }
        collisions(uid, discrepancies);
        return new StudyRows(new StudyReportRow(s.patientId(), s.issuerOfPatientId(), s.accessionNumber(), s.studyDate(), uid,
                s.state() == null ? "" : s.state().name(), s.expectedSeries(), s.expectedInstances(), instances.size(),
                retrieved, sent, verified, committed, commitFailed, rulesApplied(uid), refused(uid, discrepancies),
                s.failureCategory(), s.failureMessage(),
                criterion.key(), criterion.method(), complete, when,
                oldSeries, newSeries, oldCount, newCount, seriesMissing, missing, extra), discrepancies);
    }

    private static Map<String, Boolean> toMap(Set<String> set) {
        Map<String, Boolean> m = new HashMap<>();
        set.forEach(x -> m.put(x, true));
        return m;
    }

    private DicomClient client(AssociationGate pacs) {
        return pacs == oldPacs ? oldPacsClient : newPacsClient;
    }

    /** The study's instances in one PACS (SOP Instance UID -> series), over one association through its gate. */
    private Map<String, String> sops(AssociationGate pacs, int cap, String studyUid, int expected) throws DicomException {
        Map<String, String> result = new LinkedHashMap<>();
        for (StudyManifest.Entry e : gated(pacs, () -> StudyManifest.query(client(pacs), pacs.remote(), studyUid, expected, cap))) {
            result.put(e.sopInstanceUid(), e.seriesInstanceUid());
        }
        return result;
    }

    private static <T> T gated(AssociationGate gate, AssociationGate.Association<T> association) throws DicomException {
        try {
            return gate.call(association);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(DicomException.Category.OTHER, "report interrupted while waiting for "
                    + gate.remote().aeTitle(), e);
        }
    }

    /**
     * Studies of the date range (and, with the undated pass, without a StudyDate) on either PACS that the state
     * store does not know. Both PACS are listed with the indexer's splitting, so a capped answer is completed;
     * a side that no split completes is a finding of its own, and no finding is drawn from its partial list.
     */
    private void studyLevel(LocalDate from, LocalDate to, List<Discrepancy> discrepancies)
            throws DicomException {
        Predicate<String> known = uid -> state.findStudy(uid).isPresent(); // key reads, not a set of every study
        Optional<Set<String>> inOld = studies(oldPacs, queries.oldPacsCap(), from, to, discrepancies);
        Optional<Set<String>> inNew = studies(newPacs, queries.newPacsCap(), from, to, discrepancies);
        for (String uid : new TreeMap<>(toMap(inOld.orElse(Set.of()))).keySet()) {
            if (!known.test(uid)) {
                String side = inNew.map(n -> n.contains(uid) ? "not indexed (present in new)" : "missing in new (not indexed)")
                        .orElse("not indexed");
                discrepancies.add(new Discrepancy("study", side, uid, "", "", "re-index: run again (a day may have changed)"));
            }
        }
        if (inOld.isEmpty()) {
            return; // what the old PACS holds is not known completely: "extra in new" would be a guess
        }
        for (String uid : new TreeMap<>(toMap(inNew.orElse(Set.of()))).keySet()) {
            if (!inOld.get().contains(uid) && !known.test(uid)) {
                discrepancies.add(new Discrepancy("study", "extra in new", uid, "", "", "check: study not in the old PACS"));
            }
        }
    }

    /** Every StudyInstanceUID of the range (and undated) on one PACS, or empty (and a finding) when not complete. */
    private Optional<Set<String>> studies(AssociationGate pacs, int cap, LocalDate from, LocalDate to,
                                          List<Discrepancy> discrepancies) throws DicomException {
        SplittingFinder finder = new SplittingFinder(new GatedStudyQuery(client(pacs), pacs, cap), List.of("StudyInstanceUID"),
                queries.split());
        Set<String> uids = new HashSet<>();
        try {
            uids.addAll(finder.findRange(from, to).studies().keySet());
            if (queries.undatedStudies()) {
                uids.addAll(finder.findUndated().studies().keySet());
            }
            return Optional.of(uids);
        } catch (CappedResultException e) {
            LOG.warn("report: study-level reconciliation on {} incomplete: {}", pacs.remote(), e.getMessage());
            discrepancies.add(new Discrepancy("study", INCOMPLETE, "", "", "", pacs.remote().aeTitle() + ": lower "
                    + "index.minSplitMinutes or raise the PACS's C-FIND result limit, then write the report again",
                    e.getMessage()));
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(DicomException.Category.OTHER, "report interrupted while querying "
                    + pacs.remote().aeTitle(), e);
        }
    }

    /**
     * The re-send action: for every instance listed as missing in the new PACS whose image is in the cache,
     * clears its stored/verified marks, marks the study FAILED ("missing in new PACS", which the forwarder
     * resumes from) and publishes it to the retrieved topic. Returns the number of studies handed back.
     */
    public static int resendMissing(StateStore state, EventPublisher publisher, Topics topics, List<Discrepancy> discrepancies) {
        Map<String, List<String>> byStudy = new TreeMap<>();
        for (Discrepancy d : discrepancies) {
            if (d.level().equals("instance") && d.side().equals("missing in new")) {
                byStudy.computeIfAbsent(d.studyInstanceUid(), k -> new ArrayList<>()).add(d.sopInstanceUid());
            }
        }
        int studies = 0;
        for (Map.Entry<String, List<String>> e : byStudy.entrySet()) {
            Map<String, InstanceRecord> known = new HashMap<>();
            state.instancesOf(e.getKey()).forEach(i -> known.put(i.sopInstanceUid(), i));
            int cleared = 0;
            for (String sop : e.getValue()) {
                InstanceRecord i = known.get(sop);
                if (i != null && i.retrieved()) {
                    state.clearForwarded(e.getKey(), sop);
                    cleared++;
                }
            }
            if (cleared == 0) {
                LOG.warn("study {}: {} instances missing in the new PACS are not in the cache: retrieve the study again",
                        e.getKey(), e.getValue().size());
                continue;
            }
            state.markFailed(e.getKey(), RESEND_CATEGORY, cleared + " instances missing in the new PACS: re-sending");
            publisher.publish(topics.retrieved(), StudyEvent.of(e.getKey(), "resend"));
            studies++;
        }
        return studies;
    }

    // ---- output ----------------------------------------------------------------------------------

    private static void writeCsv(Path file, String[] header, List<Object[]> rows) throws IOException {
        Path tmp = OwnerOnly.newFile(file.resolveSibling(file.getFileName() + ".tmp"));
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(String.join(",", header));
            w.write("\r\n");
            for (Object[] row : rows) {
                StudyRowsWriter.csvLine(w, row);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String csv(Object value) {
        String s = value == null ? "" : value.toString();
        // A leading =, +, - or @ would be run as a formula by spreadsheets.
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !s.matches("-?\\d+")) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            s = "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    static String html(Object value) {
        String s = value == null ? "" : value.toString();
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void writeHtml(Path file, StudyRowsWriter rows, List<Discrepancy> discrepancies, String controlSection)
            throws IOException {
        Path tmp = OwnerOnly.newFile(file.resolveSibling(file.getFileName() + ".tmp"));
        try (Writer b = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>PACS migration report</title><style>")
                    .append("body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse}")
                    .append("td,th{border:1px solid #ccc;padding:2px 6px}tr.incomplete{background:#fdd}th{background:#eee}")
                    .append("</style></head><body>\n");
            b.append("<h1>PACS migration report</h1>\n<p>Generated ").append(html(Instant.now()))
                    .append(". Old PACS ").append(html(oldPacs.remote())).append(", new PACS ").append(html(newPacs.remote()))
                    .append(". Completion criterion: <b>").append(html(criterion.key())).append("</b>.</p>\n");
            b.append("<p><b>").append(String.valueOf(rows.complete())).append(" of ").append(String.valueOf(rows.studies()))
                    .append(" studies complete</b>; ").append(String.valueOf(discrepancies.size()))
                    .append(" reconciliation findings.</p>\n");
            b.append(controlSection);
            b.append("<h2>Studies</h2>\n<table><tr>");
            for (String h : StudyReportRow.HEADER) {
                b.append("<th>").append(html(h)).append("</th>");
            }
            b.append("</tr>\n");
            rows.copyTable(b);
            b.append("</table>\n<h2>Reconciliation (old PACS versus new PACS)</h2>\n");
            if (discrepancies.isEmpty()) {
                b.append("<p>No differences: every study, series and instance of the old PACS is in the new one, nothing extra.</p>\n");
            } else {
                b.append("<table><tr>");
                for (String h : Discrepancy.HEADER) {
                    b.append("<th>").append(html(h)).append("</th>");
                }
                b.append("</tr>\n");
                for (Discrepancy d : discrepancies) {
                    b.append("<tr>");
                    for (Object v : d.values()) {
                        b.append("<td>").append(html(v)).append("</td>");
                    }
                    b.append("</tr>\n");
                }
                b.append("</table>\n");
            }
            b.append("</body></html>\n");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
