package org.pacsmigrator.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.pacsmigrator.dicom.net.DatasetScanner;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;

/**
 * Strangers and a misbehaving source writing to our storage SCP while a migration runs. A relay in front of the
 * old PACS holds the first C-MOVE request: at that moment its study is being retrieved and its manifest is
 * recorded. Then come a stranger's association, an instance of a study nobody retrieves (sent with the source's
 * AE title), an instance not in the manifest, a truncated data set, a data set that is not the instance its
 * command names, absurd PDU lengths, a command-fragment flood and 200 idle sockets (left open); the C-MOVE goes
 * on afterwards. {@link #answers()} tells how each was answered.
 */
public final class HostileSenders implements AutoCloseable {
    private final OrthancServer oldPacs;
    private final List<SyntheticPacsGenerator.GeneratedStudy> plan;
    private final String migratorAeTitle;
    private final Path scratch;
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final AtomicReference<String> attackedStudy = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Socket> idleSockets = new ArrayList<>();
    private volatile String foreignSop;

    /**
     * @param plan the studies the old PACS holds (their SOP Instance UIDs)
     */
    public HostileSenders(OrthancServer oldPacs, List<SyntheticPacsGenerator.GeneratedStudy> plan, String migratorAeTitle,
                          Path scratch) {
        this.oldPacs = oldPacs;
        this.plan = plan;
        this.migratorAeTitle = migratorAeTitle;
        this.scratch = scratch;
    }

    /** A relay to put in front of the old PACS (the migration's source port); attacks {@code scpPort}. */
    public TcpRelay relay(int scpPort) throws IOException {
        return new TcpRelay(oldPacs.host(), oldPacs.dicomPort(), () -> new MoveWatcher(scpPort));
    }

    /** How each attempt was answered: a C-STORE status, or the PDU type of the association answer. */
    public Map<String, Integer> answers() {
        return answers;
    }

    /** The study being retrieved when the attack ran, null when no C-MOVE was seen. */
    public String attackedStudy() {
        return attackedStudy.get();
    }

    /** The SOP Instance UID of the stranger's instance. */
    public String foreignSop() {
        return foreignSop;
    }

    /** What went wrong in the attack itself (null when it ran through). */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : idleSockets) {
            s.close();
        }
    }

    /** The attack, run while the first C-MOVE request is held: the study is RETRIEVING and its manifest recorded. */
    private void attack(String studyUid, int scpPort) throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = plan.stream()
                .filter(s -> s.studyInstanceUid().equals(studyUid)).findFirst().orElseThrow();
        List<String> sops = study.sopInstanceUids();
        byte[] real = RawDicomPeer.dataSetOf(oldPacs.instanceFile(sops.get(0)));
        String sopClass = sopClassOf(oldPacs.instanceFile(sops.get(0)));
        String source = oldPacs.aeTitle();
        String us = migratorAeTitle;

        try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
            answers.put("stranger association", p.associate("STRANGER", us, sopClass, RawDicomPeer.EXPLICIT_LE).pduType());
        }
        // a stranger's study, sent with the source's AE title
        SyntheticPacsGenerator foreign = new SyntheticPacsGenerator(4242L, 1, LocalDate.of(2024, 3, 5), 1, 1, 1, 1);
        SyntheticPacsGenerator.GeneratedStudy foreignStudy = foreign.plan().findFirst().orElseThrow();
        Path foreignFile = foreign.writeStudy(foreignStudy, Files.createDirectories(scratch.resolve("foreign"))).get(0);
        byte[] foreignBytes = Files.readAllBytes(foreignFile);
        foreignSop = foreignStudy.sopInstanceUids().get(0);
        String newSop = otherUid(sops.get(0), sops);
        String foreignClass = sopClassOf(foreignBytes);
        try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
            if (!p.associate(source, us, foreignClass, RawDicomPeer.EXPLICIT_LE).accepted()) {
                throw new AssertionError("the source's AE title was not accepted");
            }
            answers.put("study not being retrieved", p.store(foreignClass, foreignSop, RawDicomPeer.dataSetOf(foreignBytes)));
            p.release();
        }
        try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
            if (!p.associate(source, us, sopClass, RawDicomPeer.EXPLICIT_LE).accepted()) {
                throw new AssertionError("the source's AE title was not accepted");
            }
            answers.put("not in manifest", p.store(sopClass, newSop, replace(real, sops.get(0), newSop)));
            answers.put("truncated", p.store(sopClass, sops.get(0), Arrays.copyOf(real, real.length * 6 / 10)));
            answers.put("other instance than its command", p.store(sopClass, sops.get(1), real));
            p.release();
        }
        for (long length : new long[] {0x7FFFFFFFL, 0x3FFFFFF0L, 0x18000000L}) {
            try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
                p.sendHeader(0x01, length, 512);
                p.closedByPeer();
            }
        }
        try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
            p.associate(source, us, sopClass, RawDicomPeer.EXPLICIT_LE);
            p.floodCommandFragments(128L << 20);
        }
        for (int i = 0; i < 200; i++) {
            idleSockets.add(new Socket("127.0.0.1", scpPort)); // left open: the migration goes on meanwhile
        }
        try (RawDicomPeer p = RawDicomPeer.connect("127.0.0.1", scpPort, 10_000)) {
            p.associate(source, us, RawDicomPeer.VERIFICATION, RawDicomPeer.IMPLICIT_LE);
            answers.put("echo after the floods", p.echo());
            p.release();
        }
    }

    /** A UID of the same length not among {@code taken} (the data set's encoding stays valid). */
    private static String otherUid(String uid, List<String> taken) {
        for (char c = '1'; c <= '9'; c++) {
            String candidate = uid.substring(0, uid.length() - 1) + c;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free UID next to " + uid);
    }

    private static byte[] replace(byte[] data, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.US_ASCII);
        byte[] b = to.getBytes(StandardCharsets.US_ASCII);
        byte[] copy = data.clone();
        for (int i = 0; i + a.length <= copy.length; i++) {
            if (Arrays.equals(copy, i, i + a.length, a, 0, a.length)) {
                System.arraycopy(b, 0, copy, i, b.length);
            }
        }
        return copy;
    }

    private static String sopClassOf(byte[] partTen) throws Exception {
        byte[] ds = RawDicomPeer.dataSetOf(partTen);
        return DatasetScanner.scan(new ByteArrayInputStream(ds), ds.length,
                RawDicomPeer.EXPLICIT_LE).sopClassUid();
    }

    /**
     * Passes PDUs on; in the caller's direction it recognises a C-MOVE-RQ command and, before passing on the
     * identifier that follows, runs the attack once, for the identifier's study.
     */
    private final class MoveWatcher implements TcpRelay.Link {
        private final int scpPort;
        private boolean moveCommandSeen;

        MoveWatcher(int scpPort) {
            this.scpPort = scpPort;
        }

        @Override
        public void copy(InputStream in, OutputStream out, boolean fromTarget, TcpRelay.Passed passed) throws IOException {
            byte[] header = new byte[6];
            while (in.readNBytes(header, 0, 6) == 6) {
                long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFFL) << 16) | ((header[4] & 0xFFL) << 8)
                        | (header[5] & 0xFFL);
                byte[] body = in.readNBytes((int) length);
                if (!fromTarget && header[0] == 0x04) {
                    watch(body);
                }
                out.write(header);
                out.write(body);
                out.flush();
                passed.bytes(6 + body.length);
            }
        }

        private void watch(byte[] pdu) {
            // command PDV: (0000,0100) US 0x0021 in implicit VR little endian
            byte[] moveRq = {0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x21, 0x00};
            boolean command = pdu.length > 5 && (pdu[5] & 1) != 0;
            if (command) {
                moveCommandSeen = indexOf(pdu, moveRq) >= 0;
                return;
            }
            if (moveCommandSeen && attackedStudy.get() == null) {
                String study = studyUidIn(pdu);
                if (study != null && attackedStudy.compareAndSet(null, study)) {
                    try {
                        attack(study, scpPort);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }
            }
        }

        /** (0020,000D) in an explicit or implicit VR little endian identifier. */
        private static String studyUidIn(byte[] pdu) {
            int at = indexOf(pdu, new byte[] {0x20, 0x00, 0x0D, 0x00});
            if (at < 0) {
                return null;
            }
            int length;
            int value;
            if (pdu[at + 4] == 'U' && pdu[at + 5] == 'I') {
                length = (pdu[at + 6] & 0xff) | (pdu[at + 7] & 0xff) << 8;
                value = at + 8;
            } else {
                length = (pdu[at + 4] & 0xff) | (pdu[at + 5] & 0xff) << 8;
                value = at + 8;
            }
            return new String(pdu, value, length, StandardCharsets.US_ASCII).replace("\0", "").trim();
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            for (int i = 0; i + pattern.length <= data.length; i++) {
                if (Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
