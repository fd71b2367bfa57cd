package org.pacsmigrator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StateStoreException;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.throttle.AssociationGate;

/**
 * The report reads the studies day by day and writes each row as it comes: every study once, in day order; a read
 * that fails is tried again.
 */
class StreamedReportTest {

    @Test
    void everyStudyIsWrittenOnceInTheOrderOfItsDay(@TempDir Path dir) throws Exception {
        try (CassandraStateStore store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(),
                RealServices.cassandraDatacenter(), RealServices.unique("report_")).withPageSize(3))) {
            try {
                List<String> dates = List.of("20240310", "", "20240309", "20240310", "20240308");
                for (int i = 0; i < dates.size(); i++) {
                    store.insertStudyIfAbsent(StudyRecord.indexed("1.2.50." + i, "P" + i, null, null, null, null, "A" + i,
                            dates.get(i), null, null, "CT", 1, 1));
                }
                store.transition("1.2.50.3", StudyState.VERIFIED, StudyState.INDEXED);
                DicomNode none = new DicomNode("NONE", "127.0.0.1", 1);
                MigrationReport.Result r = new MigrationReport(store, null, null, AssociationGate.unlimited(none, 1),
                        AssociationGate.unlimited(none, 1), Completion.of("sent"), 2, null).write(dir, null, null);

                assertThat(r.studies()).isEqualTo(5);
                assertThat(r.studiesComplete()).isEqualTo(1);
                List<String> uids = Files.readAllLines(r.csv()).stream().skip(1).map(l -> l.split(",")[4]).toList();
                // undated first, then by day, and by UID within a day
                assertThat(uids).containsExactly("1.2.50.1", "1.2.50.4", "1.2.50.2", "1.2.50.0", "1.2.50.3");
                assertThat(Files.readString(r.html())).contains("1 of 5 studies complete").contains("1.2.50.4");
                try (var left = Files.list(dir)) {
                    assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
                }

                // a read that fails once (a timed-out read on a busy node) is tried again: the report is the same
                AtomicInteger failed = new AtomicInteger();
                StateStore flaky = (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
                        new Class<?>[] {StateStore.class}, (proxy, method, args) -> {
                            if (method.getName().equals("instancesOf") && "1.2.50.2".equals(args[0])
                                    && failed.getAndIncrement() == 0) {
                                throw new StateStoreException("state store: read timed out", null);
                            }
                            try {
                                return method.invoke(store, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                Path again = dir.resolve("again");
                MigrationReport.Result retried = new MigrationReport(flaky, null, null, AssociationGate.unlimited(none, 1),
                        AssociationGate.unlimited(none, 1), Completion.of("sent"), 2, null).write(again, null, null);
                assertThat(failed).hasValueGreaterThan(1);
                assertThat(Files.readAllLines(retried.csv())).isEqualTo(Files.readAllLines(r.csv()));
            } finally {
                store.dropKeyspace();
            }
        }
    }
}
