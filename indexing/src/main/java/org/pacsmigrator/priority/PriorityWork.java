package org.pacsmigrator.priority;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.IndexSettings;
import org.pacsmigrator.index.QueryRunner;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.worker.MigrationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The priority sources of a migration's process: the worklist (a Modality Worklist C-FIND to the RIS for the
 * procedures of the next {@code priority.worklist.daysAhead} days) and the list file, both every {@code
 * priority.intervalSeconds}; and "migrate now" ({@link #now}), for the console and the REST call. The old PACS is
 * queried through its gate inside {@code index.windows} (and its pause), "migrate now" outside them too when
 * {@code priority.outsideWindows} is set, and then its studies' events license every stage to pass its windows. A patient already prioritised is not asked for again by the worklist or
 * the list (its studies are queued); "migrate now" always asks.
 */
public final class PriorityWork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PriorityWork.class);

    private final MigrationContext context;
    private final MigrationConfig.Priority settings;
    private final Prioritiser scheduled;
    private final Prioritiser onDemand;
    private final Clock clock;
    private final ZoneId zone;
    private ScheduledExecutorService sources;
    private FileTime listReadAt;
    private String lastProblem;

    private PriorityWork(MigrationContext context, Clock clock) {
        this.context = context;
        this.settings = context.config().priority;
        this.clock = clock;
        IndexSettings index = IndexSettings.from(context.config());
        this.zone = ZoneId.of(context.config().index.timeZone);
        Schedule inWindows = Schedule.serial(index.windows(), index.pause(), Sleeper.real());
        this.scheduled = prioritiser(index, inWindows, false);
        this.onDemand = settings.outsideWindows ? prioritiser(index, Schedule.always(), true) : scheduled;
    }

    public static PriorityWork of(MigrationContext context) {
        return new PriorityWork(context, Clock.systemUTC());
    }

    private Prioritiser prioritiser(IndexSettings index, Schedule turns, boolean anyTime) {
        QueryRunner oldPacs = new QueryRunner(context.sourceClient(), context.sourceGate(), turns, IndexProgress.standalone(),
                index.findResultCap(), index.maxAttempts(), index.retryBackoff());
        return new Prioritiser(context.state(), context.publisher(), context.topics(), oldPacs, anyTime);
    }

    /** "Migrate this patient now": indexed on demand if need be, its studies put before the bulk. */
    public List<Prioritiser.Outcome> now(PriorityRequest request) throws DicomException, InterruptedException {
        return onDemand.prioritise(request);
    }

    /** Starts asking the worklist and reading the list file (if configured), at once and then every interval. */
    public synchronized PriorityWork startSources() {
        if (sources != null || !settings.worklist.configured() && settings.listFile.isBlank()) {
            return this;
        }
        sources = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "priority-sources");
            t.setDaemon(true);
            return t;
        });
        sources.scheduleWithFixedDelay(this::pollSources, 0, settings.intervalSeconds, TimeUnit.SECONDS);
        return this;
    }

    /** One round of the sources; a failure is logged once (until it changes) and the next round tries again. */
    void pollSources() {
        try {
            Set<PriorityRequest> requests = new LinkedHashSet<>();
            if (settings.worklist.configured()) {
                requests.addAll(worklistPatients());
            }
            if (!settings.listFile.isBlank()) {
                requests.addAll(changedList());
            }
            for (PriorityRequest r : requests) {
                if (r.key() == PriorityRequest.Key.PATIENT_ID && context.state().findPriorityPatient(r.value()).isPresent()) {
                    continue;
                }
                scheduled.prioritise(r);
            }
            lastProblem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String problem = e.toString();
            if (!problem.equals(lastProblem)) {
                LOG.warn("priority sources: {}; trying again in {} s", problem, settings.intervalSeconds);
                lastProblem = problem;
            }
        }
    }

    private Set<PriorityRequest> worklistPatients() throws DicomException {
        MigrationConfig.Worklist w = settings.worklist;
        LocalDate today = LocalDate.now(clock.withZone(zone));
        Set<PriorityRequest> out = new LinkedHashSet<>();
        context.dicom().findWorklist(new DicomNode(w.aeTitle, w.host, w.port), today, today.plusDays(w.daysAhead), item -> {
            if (!item.patientId().isEmpty()) {
                out.add(PriorityRequest.patient(item.patientId(), "worklist"));
            }
        });
        return out;
    }

    /** The list file's requests when it changed since it was last read (a list is read once per change). */
    private List<PriorityRequest> changedList() throws Exception {
        Path file = Path.of(settings.listFile);
        FileTime modified = Files.getLastModifiedTime(file);
        if (modified.equals(listReadAt)) {
            return List.of();
        }
        List<PriorityRequest> requests = PriorityList.read(file, "list");
        listReadAt = modified;
        return requests;
    }

    @Override
    public synchronized void close() {
        if (sources != null) {
            sources.shutdownNow();
            try {
                sources.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
