package org.pacsmigrator.dicom.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C-STORE SCP: each instance's data set is streamed into a Part 10 file under the work directory while it is
 * hashed. Its first bytes tell its study, and the handler decides whether it may come in before more of it is
 * kept ({@link ReceivedInstanceHandler#admit}); a refused instance is read to its end and dropped. At the end
 * the file is walked by {@link DatasetScanner}: only a data set that is whole and whose SOP Class and Instance
 * UIDs are those of the command is handed to the handler and answered Success. Also serves the C-STOREs of a
 * C-GET on our own associations ({@link #receive}).
 */
public final class StoreService implements DimseService {
    private static final Logger LOG = LoggerFactory.getLogger(StoreService.class);
    /** The most of a data set's beginning held in memory to find its study (its identity is in the first ~1 KB). */
    private static final int HEAD_BYTES = 64 * 1024;
    private static final int SERIES_INSTANCE_UID = 0x0020000E;
    private static final int PROCESSING_FAILURE = 0x0110;
    private static final int OUT_OF_RESOURCES = 0xA700;
    private static final int MAX_LOGGED = 1024;

    private final Path workDirectory;
    private final ReceivedInstanceHandler handler;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    public StoreService(Path workDirectory, ReceivedInstanceHandler handler) {
        this.workDirectory = workDirectory;
        this.handler = handler;
    }

    @Override
    public Set<Integer> commandFields() {
        return Set.of(CommandSet.C_STORE_RQ);
    }

    @Override
    public Request open(Peer peer, CommandSet command, String transferSyntax) throws IOException {
        Reception r = receive(command.string(CommandSet.AFFECTED_SOP_CLASS_UID),
                command.string(CommandSet.AFFECTED_SOP_INSTANCE_UID), transferSyntax, peer.callingAeTitle());
        return new Request() {
            @Override
            public void data(byte[] buffer, int offset, int length) {
                r.data(buffer, offset, length);
            }

            @Override
            public CommandSet complete() {
                return command.response(r.complete());
            }

            @Override
            public void abandon() {
                r.abandon();
            }
        };
    }

    /** The association ended: a handler that records in batches records what it holds. */
    @Override
    public void associationEnded(Peer peer) {
        deliveryEnded();
    }

    public void deliveryEnded() {
        try {
            handler.deliveryEnded();
        } catch (RuntimeException e) {
            LOG.warn("end of delivery not handled: {}", e.toString());
        }
    }

    /** Starts receiving one instance announced by a C-STORE-RQ (ours or on a C-GET association). */
    public Reception receive(String sopClassUid, String sopInstanceUid, String transferSyntax, String sourceAeTitle)
            throws IOException {
        return new Reception(sopClassUid, sopInstanceUid, transferSyntax, sourceAeTitle);
    }

    /** One instance being received. */
    public final class Reception {
        private final String sopClassUid;
        private final String sopInstanceUid;
        private final String transferSyntax;
        private final String sourceAeTitle;
        private final MessageDigest sha = Sha256.newDigest();
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private final long metaLength;
        private Path file;
        private OutputStream out;
        private long dataBytes;
        private IOException writeFailure;
        private Admission admission;
        private String studyInstanceUid = "";

        private Reception(String sopClassUid, String sopInstanceUid, String transferSyntax, String sourceAeTitle)
                throws IOException {
            this.sopClassUid = sopClassUid;
            this.sopInstanceUid = sopInstanceUid;
            this.transferSyntax = transferSyntax;
            this.sourceAeTitle = sourceAeTitle;
            Files.createDirectories(workDirectory);
            file = Files.createTempFile(workDirectory, "rcv-", ".dcm"); // owner-only (rw-------)
            out = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(file), sha), 1 << 16);
            byte[] meta = PartTenHeader.of(sopClassUid, sopInstanceUid, transferSyntax, sourceAeTitle);
            out.write(meta);
            metaLength = meta.length;
        }

        /** The next fragment of the data set. A local write failure is kept and answered at the end. */
        public void data(byte[] buffer, int offset, int length) {
            if (admission != null && admission != Admission.ACCEPTED) {
                return; // refused: read to its end, dropped
            }
            dataBytes += length;
            if (writeFailure == null) {
                try {
                    out.write(buffer, offset, length);
                } catch (IOException e) {
                    writeFailure = e;
                }
            }
            if (admission == null && head.size() < HEAD_BYTES) {
                head.write(buffer, offset, Math.min(length, HEAD_BYTES - head.size()));
                DatasetScanner.Result id = scanHead();
                if (id.complete() && !id.studyInstanceUid().isEmpty()) {
                    studyInstanceUid = id.studyInstanceUid();
                    admission = handler.admit(studyInstanceUid, sopInstanceUid);
                    if (admission != Admission.ACCEPTED) {
                        deleteFile();
                    }
                }
            }
        }

        private DatasetScanner.Result scanHead() {
            try {
                return DatasetScanner.scanHeader(new ByteArrayInputStream(head.toByteArray()), transferSyntax,
                        SERIES_INSTANCE_UID);
            } catch (IOException e) {
                return new DatasetScanner.Result(false, "", "", "", "", "", null);
            }
        }

        /** The data set is complete: checks it, hands it over, returns the C-STORE status. */
        public int complete() {
            try {
                if (admission != null && admission != Admission.ACCEPTED) {
                    return refuse(admission.reason(), "refused before its data set was kept", admission.status());
                }
                if (writeFailure != null) {
                    LOG.warn("instance {} could not be written to the work directory: {}", LogSafe.text(sopInstanceUid),
                            writeFailure.toString());
                    deleteFile();
                    return OUT_OF_RESOURCES;
                }
                out.close();
                out = null;
                DatasetScanner.Result scanned;
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    in.skipNBytes(metaLength);
                    scanned = DatasetScanner.scan(in, dataBytes, transferSyntax);
                } catch (DatasetScanner.InvalidDataSetException e) {
                    deleteFile();
                    return refuse(InstanceRefusal.INCOMPLETE, e.getMessage(), InstanceRefusal.STATUS_CANNOT_UNDERSTAND);
                }
                studyInstanceUid = scanned.studyInstanceUid();
                if (!scanned.sopClassUid().equals(sopClassUid) || !scanned.sopInstanceUid().equals(sopInstanceUid)) {
                    deleteFile();
                    return refuse(InstanceRefusal.MISMATCH, "the data set is SOP instance " + LogSafe.text(scanned.sopInstanceUid())
                            + " of class " + LogSafe.text(scanned.sopClassUid()), InstanceRefusal.STATUS_DOES_NOT_MATCH);
                }
                if (admission == null) {
                    admission = handler.admit(studyInstanceUid, sopInstanceUid);
                    if (admission != Admission.ACCEPTED) {
                        deleteFile();
                        return refuse(admission.reason(), "refused", admission.status());
                    }
                }
                Path done = file;
                file = null;
                try {
                    handler.onReceived(new ReceivedInstance(done, sopClassUid, sopInstanceUid, studyInstanceUid,
                            scanned.seriesInstanceUid(), transferSyntax, sourceAeTitle, Sha256.hex(sha), scanned.patient()));
                    return 0x0000;
                } catch (Exception e) {
                    LOG.warn("received SOP instance {} (study {}) from {} could not be kept: {}",
                            LogSafe.text(sopInstanceUid), LogSafe.text(studyInstanceUid), LogSafe.text(sourceAeTitle),
                            e.toString());
                    Files.deleteIfExists(done);
                    return PROCESSING_FAILURE;
                }
            } catch (IOException e) {
                LOG.warn("received SOP instance {} could not be checked: {}", LogSafe.text(sopInstanceUid), e.toString());
                deleteFile();
                return PROCESSING_FAILURE;
            }
        }

        private int refuse(String category, String detail, int status) {
            InstanceRefusal refusal = new InstanceRefusal(studyInstanceUid, sopInstanceUid, sopClassUid, sourceAeTitle,
                    category, detail, status);
            String key = category + "|" + studyInstanceUid;
            if (logged.size() < MAX_LOGGED && logged.add(key)) {
                LOG.warn("refused SOP instance {} of study {} from {}: {} ({}); further refusals of this study for this "
                                + "reason are not logged", LogSafe.text(sopInstanceUid), LogSafe.text(studyInstanceUid),
                        LogSafe.text(sourceAeTitle), category, detail);
            }
            try {
                handler.refused(refusal);
            } catch (RuntimeException e) {
                LOG.warn("refusal of {} not recorded: {}", LogSafe.text(sopInstanceUid), e.toString());
            }
            return status;
        }

        /** The association ended before the data set did. */
        public void abandon() {
            deleteFile();
        }

        private void deleteFile() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // deleting anyway
                }
                out = null;
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
                file = null;
            }
        }
    }
}
