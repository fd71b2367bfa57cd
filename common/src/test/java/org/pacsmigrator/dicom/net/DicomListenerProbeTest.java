package org.pacsmigrator.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.StorageScp;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.testsupport.RawDicomPeer;

/**
 * Our storage SCP (the listener every DICOM service of ours runs on) against a peer that breaks the rules: random
 * bytes, absurd PDU lengths, endless command fragments, idle sockets, strangers, truncated and inconsistent data
 * sets. After each, the listener still answers C-ECHO and the heap has not grown by what the peer announced.
 */
class DicomListenerProbeTest {
    private static final String OUR_AE = "MIGRATOR";
    private static final String SOURCE_AE = "OLDPACS";
    private static final int MAX_ASSOCIATIONS = 4;
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";

    @TempDir
    static Path dir;

    private static StorageScp scp;
    private static final List<ReceivedInstance> received = new CopyOnWriteArrayList<>();
    private static final List<InstanceRefusal> refusals = new CopyOnWriteArrayList<>();
    private static String admittedStudy;
    private static Path image;

    @BeforeAll
    static void start() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(5L, 1, LocalDate.of(2020, 1, 1), 1, 1, 1, 1);
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().findFirst().orElseThrow();
        admittedStudy = study.studyInstanceUid();
        image = generator.writeStudy(study, Files.createDirectories(dir.resolve("images"))).get(0);
        ReceivedInstanceHandler handler = new ReceivedInstanceHandler() {
            @Override
            public void onReceived(ReceivedInstance instance) {
                received.add(instance);
            }

            @Override
            public Admission admit(String studyInstanceUid, String sopInstanceUid) {
                return admittedStudy.equals(studyInstanceUid) ? Admission.ACCEPTED : Admission.STUDY_NOT_RETRIEVING;
            }

            @Override
            public void refused(InstanceRefusal refusal) {
                refusals.add(refusal);
            }
        };
        ListenerSettings settings = ListenerSettings.of("probe-scp", OUR_AE, "127.0.0.1", 0,
                        List.of(AllowedSender.parse(SOURCE_AE + "@127.0.0.0/8")))
                .withLimits(MAX_ASSOCIATIONS, 8, Duration.ofSeconds(2), Duration.ofSeconds(10));
        scp = Dicom.startStorageScp(settings, dir.resolve("scp"), handler, null);
    }

    @AfterAll
    static void stop() {
        scp.close();
    }

    @Test
    void randomBytesCloseTheConnectionAndTheListenerStillAnswers() throws Exception {
        byte[] noise = new byte[64 * 1024];
        new Random(1).nextBytes(noise);
        noise[0] = 0x09; // not an A-ASSOCIATE-RQ
        try (RawDicomPeer peer = connect()) {
            peer.sendRaw(noise);
            assertThat(peer.closedByPeer()).isTrue();
        }
        assertEchoWorks();
    }

    @Test
    void announcedLengthsAreNeverAllocated() throws Exception {
        long before = heapUsedAfterGc();
        for (long length : new long[] {0x7FFFFFFFL, 0x3FFFFFF0L, 0x18000000L}) {
            // as an A-ASSOCIATE-RQ, three at once
            List<RawDicomPeer> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawDicomPeer peer = connect();
                peer.sendHeader(0x01, length, 1024);
                peers.add(peer);
            }
            for (RawDicomPeer peer : peers) {
                assertThat(peer.closedByPeer()).as("A-ASSOCIATE-RQ of %d bytes", length).isTrue();
                peer.close();
            }
            // as a P-DATA-TF on an established association
            try (RawDicomPeer peer = connect()) {
                assertThat(peer.associate(SOURCE_AE, OUR_AE, CT, RawDicomPeer.EXPLICIT_LE).accepted()).isTrue();
                peer.sendHeader(0x04, length, 1024);
                assertThat(peer.closedByPeer()).as("P-DATA-TF of %d bytes", length).isTrue();
            }
            assertEchoWorks();
        }
        assertThat(heapUsedAfterGc() - before).as("heap growth in bytes").isLessThan(8L << 20);
    }

    @Test
    void aFloodOfCommandFragmentsIsCutOff() throws Exception {
        long before = heapUsedAfterGc();
        long sent;
        try (RawDicomPeer peer = connect()) {
            assertThat(peer.associate(SOURCE_AE, OUR_AE, CT, RawDicomPeer.EXPLICIT_LE).accepted()).isTrue();
            sent = peer.floodCommandFragments(256L << 20);
        }
        assertThat(sent).as("bytes sent before the listener aborted").isLessThan(4L << 20);
        assertThat(heapUsedAfterGc() - before).isLessThan(8L << 20);
        assertEchoWorks();
    }

    @Test
    void idleSocketsDoNotStarveTheListener() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(new Socket("127.0.0.1", scp.port()));
            }
            // the newest connection pushes out the oldest that has not completed its request
            assertEchoWorks();
            // and the ARTIM timer (2 s here) closes the rest
            await().atMost(Duration.ofSeconds(15)).until(() -> idle.stream().allMatch(DicomListenerProbeTest::closed));
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        assertEchoWorks();
    }

    @Test
    void aStrangerIsRejectedAsCallingAeNotRecognised() throws Exception {
        try (RawDicomPeer peer = connect()) {
            RawDicomPeer.Answer answer = peer.associate("STRANGER", OUR_AE, CT, RawDicomPeer.EXPLICIT_LE);
            assertThat(answer.pduType()).isEqualTo(3);
            assertThat(List.of(answer.result(), answer.source(), answer.reason())).containsExactly(1, 1, 3);
        }
        try (RawDicomPeer peer = connect()) {
            RawDicomPeer.Answer answer = peer.associate(SOURCE_AE, "NOTUS", CT, RawDicomPeer.EXPLICIT_LE);
            assertThat(List.of(answer.pduType(), answer.reason())).containsExactly(3, 7);
        }
    }

    @Test
    void aboveTheLimitAssociationsAreRejectedAtOnceAsTransient() throws Exception {
        List<RawDicomPeer> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_ASSOCIATIONS; i++) {
                RawDicomPeer peer = connect();
                assertThat(peer.associate(SOURCE_AE, OUR_AE, CT, RawDicomPeer.EXPLICIT_LE).accepted()).isTrue();
                held.add(peer);
            }
            int before = scp.rejectedForLimit();
            try (RawDicomPeer extra = connect()) {
                RawDicomPeer.Answer answer = extra.associate(SOURCE_AE, OUR_AE, CT, RawDicomPeer.EXPLICIT_LE);
                assertThat(List.of(answer.pduType(), answer.result(), answer.source(), answer.reason()))
                        .containsExactly(3, 2, 3, 2); // transient, presentation provider, local limit exceeded
            }
            assertThat(scp.rejectedForLimit()).isEqualTo(before + 1);
        } finally {
            for (RawDicomPeer p : held) {
                p.release();
                p.close();
            }
        }
        assertEchoWorks();
    }

    @Test
    void onlyWholeConsistentAdmittedDataSetsAreAnsweredSuccess() throws Exception {
        byte[] dataSet = RawDicomPeer.dataSetOf(Files.readAllBytes(image));
        DatasetScanner.Result id = identityOf(image);
        String sop = id.sopInstanceUid();
        String sopClass = id.sopClassUid();
        received.clear();
        refusals.clear();
        try (RawDicomPeer peer = connect()) {
            assertThat(peer.associate(SOURCE_AE, OUR_AE, sopClass, RawDicomPeer.EXPLICIT_LE).accepted()).isTrue();
            // cut to 60 %: element lengths promise bytes that never came
            assertThat(peer.store(sopClass, sop, Arrays.copyOf(dataSet, dataSet.length * 6 / 10))).isEqualTo(0xC000);
            // the command names another instance than the data set
            assertThat(peer.store(sopClass, "1.2.3.999", dataSet)).isEqualTo(0xA900);
            // the command names another SOP class than its presentation context
            assertThat(peer.store("1.2.840.10008.5.1.4.1.1.4.1", sop, dataSet)).isEqualTo(0x0122);
            // the whole data set
            assertThat(peer.store(sopClass, sop, dataSet)).isEqualTo(0x0000);
            peer.release();
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0).sopInstanceUid()).isEqualTo(sop);
        assertThat(received.get(0).studyInstanceUid()).isEqualTo(admittedStudy);
        assertThat(received.get(0).sha256()).isEqualTo(Sha256.of(received.get(0).file()));
        assertThat(refusals).extracting(InstanceRefusal::category)
                .containsExactly(InstanceRefusal.INCOMPLETE, InstanceRefusal.MISMATCH);
    }

    @Test
    void anInstanceOfAStudyNotBeingRetrievedIsRefusedBeforeItIsKept() throws Exception {
        List<Path> before = workFiles();
        String old = admittedStudy;
        admittedStudy = "1.2.3.not.this.one";
        received.clear();
        refusals.clear();
        try (RawDicomPeer peer = connect()) {
            DatasetScanner.Result id = identityOf(image);
            assertThat(peer.associate(SOURCE_AE, OUR_AE, id.sopClassUid(), RawDicomPeer.EXPLICIT_LE).accepted()).isTrue();
            assertThat(peer.store(id.sopClassUid(), id.sopInstanceUid(), RawDicomPeer.dataSetOf(Files.readAllBytes(image))))
                    .isEqualTo(0x0124);
            peer.release();
        } finally {
            admittedStudy = old;
        }
        assertThat(received).isEmpty();
        assertThat(refusals).extracting(InstanceRefusal::category).containsExactly(Admission.STUDY_NOT_RETRIEVING.reason());
        assertThat(workFiles()).isEqualTo(before);
    }

    private static List<Path> workFiles() throws IOException {
        try (var files = Files.list(dir.resolve("scp"))) {
            return files.sorted().toList();
        }
    }

    private static DatasetScanner.Result identityOf(Path file) throws Exception {
        byte[] ds = RawDicomPeer.dataSetOf(Files.readAllBytes(file));
        return DatasetScanner.scan(new ByteArrayInputStream(ds), ds.length, RawDicomPeer.EXPLICIT_LE);
    }

    private static void assertEchoWorks() throws Exception {
        try (RawDicomPeer peer = connect()) {
            assertThat(peer.associate(SOURCE_AE, OUR_AE, RawDicomPeer.VERIFICATION, RawDicomPeer.IMPLICIT_LE).accepted())
                    .isTrue();
            assertThat(peer.echo()).isZero();
            peer.release();
        }
    }

    private static RawDicomPeer connect() throws Exception {
        return RawDicomPeer.connect("127.0.0.1", scp.port(), 10_000);
    }

    private static boolean closed(Socket s) {
        try {
            s.setSoTimeout(50);
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
