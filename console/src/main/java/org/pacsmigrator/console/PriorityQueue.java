package org.pacsmigrator.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.pacsmigrator.priority.PriorityRequest;
import org.pacsmigrator.priority.PriorityWork;
import org.pacsmigrator.state.PriorityPatient;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's side of clinical priority: the queue of prioritised patients with their studies' states, and the
 * requests ("migrate this patient now", a list of patients or accession numbers), run one after another in the
 * background: each queries the old PACS, which may wait for its windows.
 */
public final class PriorityQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PriorityQueue.class);

    private final StateStore state;
    private final PriorityWork work;
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "console-priority");
        t.setDaemon(true);
        return t;
    });

    public PriorityQueue(StateStore state, PriorityWork work) {
        this.state = state;
        this.work = work;
    }

    /** Every prioritised patient, the most recently requested first. */
    public List<PriorityView> patients() {
        List<PriorityView> out = new ArrayList<>();
        for (PriorityPatient p : state.priorityPatients()) {
            out.add(view(p));
        }
        out.sort(Comparator.comparing(PriorityView::requestedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }

    public Optional<PriorityView> patient(String patientId) {
        return state.findPriorityPatient(patientId).map(this::view);
    }

    /** Queues the requests; they run in order, in the background. */
    public void request(List<PriorityRequest> list) {
        for (PriorityRequest r : list) {
            requests.submit(() -> {
                try {
                    work.now(r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("a priority request ({}) failed: {}", r.source(), e.toString());
                }
            });
        }
    }

    private PriorityView view(PriorityPatient p) {
        List<StudyRecord> studies = new ArrayList<>();
        for (String uid : p.studyInstanceUids()) {
            state.findStudy(uid).ifPresent(studies::add);
        }
        studies.sort(Comparator.comparing((StudyRecord s) -> Objects.toString(s.studyDate(), "")
                + Objects.toString(s.studyTime(), "")).reversed());
        boolean complete = !studies.isEmpty() && studies.stream().allMatch(s -> s.state() == StudyState.VERIFIED);
        Instant completedAt = complete ? studies.stream().map(StudyRecord::updatedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null) : null;
        return new PriorityView(p.patientId(), p.source(), p.requestedAt(), studies.stream()
                .map(s -> new PriorityView.Study(s.studyInstanceUid(), s.studyDate(), s.state().name())).toList(),
                complete, completedAt);
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }
}
