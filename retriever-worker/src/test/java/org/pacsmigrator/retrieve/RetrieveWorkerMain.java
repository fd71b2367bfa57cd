package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * A retriever worker as a separate JVM, so that a test can kill it with SIGKILL mid-study. It
 * retrieves one study by C-GET into a filesystem cache, slowly (a pause after every instance).
 *
 * <p>Arguments: cassandra dc keyspace sourceAe sourceHost sourcePort callingAe cacheDir scratchDir
 * studyUid delayMillisPerInstance leaseTtlSeconds
 */
public final class RetrieveWorkerMain {
    private RetrieveWorkerMain() {
    }

    public static void main(String[] a) throws Exception {
        DicomNode source = new DicomNode(a[3], a[4], Integer.parseInt(a[5]));
        long delay = Long.parseLong(a[10]);
        CassandraStateStore state = CassandraStateStore.open(CassandraSettings.of(a[0], a[1], a[2]));
        AssociationLeases leases = new AssociationLeases(state.session(), state.keyspace(), "child-" + ProcessHandle.current().pid(),
                Duration.ofSeconds(Integer.parseInt(a[11])));
        FileSystemCache cache = new FileSystemCache(Path.of(a[7]));
        RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
        CacheWritingReceiver writer = new CacheWritingReceiver(cache, state, metrics);
        ReceivedInstanceHandler slow = writer.andThen(in -> {
            System.out.println("cached " + in.sopInstanceUid());
            Thread.sleep(delay);
        });
        AssociationGate gate = new AssociationGate(source, leases, AdaptiveLimit.of(1, 1), TimeWindows.always(),
                Duration.ZERO, Duration.ofMinutes(1));
        Retriever retriever = new Retriever(Dicom.client(a[6], DicomTimeouts.defaults()), source, state, slow,
                new RetrieverFixture.RecordingPublisher(), new Topics("child"),
                new RetrieveSettings(true, a[6], true, 3, Duration.ofSeconds(3), Path.of(a[8])), cache, gate, metrics);
        retriever.handle(StudyEvent.of(a[9], "child"));
        System.out.println("done");
        leases.close();
        state.close();
    }
}
