package org.pacsmigrator.dicomweb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.net.DatasetScanner;
import org.pacsmigrator.dicom.net.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A C-GET done by WADO-RS ({@code GET {base}/studies/{uid}[/series/{uid}[/instances/{uid}]]}), each instance in the
 * archive's own transfer syntax. The multipart answer is read as it streams: each part, a Part 10 file, is written
 * to a temporary file in the work directory while it is hashed, then proven whole ({@link DatasetScanner}) and handed
 * over as the C-STOREs of a C-GET are: only an instance that is whole, the one its meta group names, of what was
 * asked for and admitted by the handler. An answer that breaks off counts what came before it, refuses the instance
 * it cut and then fails as an aborted association does, so that the retriever asks again for what is missing.
 */
final class WadoRsRetrieval {
    private static final Logger LOG = LoggerFactory.getLogger(WadoRsRetrieval.class);
    static final String ACCEPT = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    /** The final status of a retrieve the archive refuses outright (an unknown study): "unable to process". */
    static final int REFUSED = 0xC000;
    /** C-STORE status of an instance not asked for: "refused: not authorized". */
    static final int NOT_AUTHORIZED = 0x0124;
    private static final int SERIES_INSTANCE_UID = 0x0020000E;

    private final DicomWebEndpoint endpoint;
    private final String sourceAeTitle;
    private final Path workDirectory;
    private final ReceivedInstanceHandler handler;
    private final Set<String> logged = new HashSet<>();
    private int completed;
    private int failed;

    /** The answer broke off (connection lost, body ended before its closing boundary, malformed framing). */
    private static final class BrokeOff extends Exception {
        BrokeOff(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private WadoRsRetrieval(DicomWebEndpoint endpoint, String sourceAeTitle, Path workDirectory,
                            ReceivedInstanceHandler handler) {
        this.endpoint = endpoint;
        this.sourceAeTitle = sourceAeTitle;
        this.workDirectory = workDirectory;
        this.handler = handler;
    }

    /** Retrieves what {@code keys} identify at {@code level}; {@link ReceivedInstanceHandler#deliveryEnded} always. */
    static RetrieveOutcome get(DicomWebEndpoint endpoint, String sourceAeTitle, QueryLevel level, DicomDataset keys,
                               Path workDirectory, ReceivedInstanceHandler handler) throws DicomException {
        try {
            return new WadoRsRetrieval(endpoint, sourceAeTitle, workDirectory, handler).run(WadoRsTarget.of(level, keys));
        } finally {
            try {
                handler.deliveryEnded();
            } catch (RuntimeException e) {
                LOG.warn("end of delivery not handled: {}", e.toString());
            }
        }
    }

    private RetrieveOutcome run(WadoRsTarget target) throws DicomException {
        HttpRequest request = endpoint.request(target.path()).header("Accept", ACCEPT).GET().build();
        HttpResponse<InputStream> response = endpoint.sendOrFail(request, "retrieving");
        int status = response.statusCode();
        if (status == 404 || status == 204) {
            closeQuietly(response.body());
            return new RetrieveOutcome(REFUSED, 0, 0, 0);
        }
        if (status != 200) {
            throw DicomWebEndpoint.unexpected(request, response);
        }
        MediaType type = MediaType.parse(response.headers().firstValue("Content-Type").orElse(""));
        String boundary = type.parameter("boundary");
        if (!type.type().equals("multipart/related") || boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            closeQuietly(response.body());
            throw new DicomException(DicomException.Category.OTHER, "WADO-RS " + target.path() + ": the answer is '"
                    + LogSafe.text(type.type()) + "', not multipart/related with a boundary");
        }
        try (InputStream body = new IdleTimeoutInputStream(response.body(), endpoint.requestTimeout())) {
            MultipartReader reader = new MultipartReader(body, boundary);
            while (true) {
                MultipartReader.Part part;
                try {
                    part = reader.next();
                } catch (IOException e) {
                    throw new BrokeOff(e);
                }
                if (part == null) {
                    break;
                }
                receive(part.body(), target);
            }
        } catch (BrokeOff e) {
            // as the DIMSE path fails an association aborted or timed out in the middle of a C-GET
            DicomException.Category category = e.getCause() instanceof HttpTimeoutException
                    ? DicomException.Category.TIMEOUT : DicomException.Category.ASSOCIATION_REJECTED;
            throw new DicomException(category, "WADO-RS " + target.path()
                    + ": the answer broke off after " + completed + " instances (" + failed + " failed): " + e.getMessage(),
                    e.getCause());
        } catch (IOException closing) {
            // the body was read to its closing boundary; what is left of the connection does not matter
        }
        return new RetrieveOutcome(failed == 0 ? 0x0000 : 0xB000, completed, failed, 0);
    }

    /** One part: written while hashed, checked, handed over or refused. */
    private void receive(InputStream part, WadoRsTarget target) throws BrokeOff {
        Path file;
        String sha256;
        try {
            Files.createDirectories(workDirectory);
            file = Files.createTempFile(workDirectory, "wado-", ".dcm"); // owner-only (rw-------)
        } catch (IOException e) {
            LOG.warn("no temporary file for a WADO-RS instance in {}: {}", workDirectory, e.toString());
            failed++;
            return;
        }
        MessageDigest sha = Sha256.newDigest();
        try (OutputStream out = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(file), sha), 1 << 16)) {
            copy(part, out);
        } catch (BrokeOff e) {
            refuseIncomplete(file, "the answer broke off inside it");
            throw e;
        } catch (IOException e) {
            LOG.warn("a WADO-RS instance could not be written to the work directory: {}", e.toString());
            delete(file);
            failed++;
            return;
        }
        sha256 = Sha256.hex(sha);
        check(file, sha256, target);
    }

    /** Copies the part; a failure reading it is the answer's, one writing it ours. */
    private static void copy(InputStream part, OutputStream out) throws IOException, BrokeOff {
        byte[] buffer = new byte[1 << 16];
        while (true) {
            int n;
            try {
                n = part.read(buffer);
            } catch (IOException e) {
                throw new BrokeOff(e);
            }
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
        }
    }

    private void check(Path file, String sha256, WadoRsTarget target) {
        PartTenMeta meta;
        DatasetScanner.Result scanned;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            meta = PartTenMeta.read(in);
            scanned = DatasetScanner.scan(in, Files.size(file) - meta.dataSetOffset(), meta.transferSyntaxUid());
        } catch (IOException | DatasetScanner.InvalidDataSetException e) {
            refuseIncomplete(file, "not a whole Part 10 file: " + e.getMessage());
            return;
        }
        String study = scanned.studyInstanceUid();
        String sop = scanned.sopInstanceUid();
        String sopClass = scanned.sopClassUid();
        if (!meta.sopInstanceUid().equals(sop) || !meta.sopClassUid().equals(sopClass)) {
            refuse(file, study, sop, sopClass, InstanceRefusal.MISMATCH, "its meta group names SOP instance "
                    + LogSafe.text(meta.sopInstanceUid()), InstanceRefusal.STATUS_DOES_NOT_MATCH);
            return;
        }
        if (!target.covers(study, scanned.seriesInstanceUid(), sop)) {
            refuse(file, study, sop, sopClass, InstanceRefusal.NOT_ASKED_FOR, "the answer to " + target.path()
                    + " carried it", NOT_AUTHORIZED);
            return;
        }
        Admission admission = handler.admit(study, sop);
        if (admission != Admission.ACCEPTED) {
            refuse(file, study, sop, sopClass, admission.reason(), "refused", admission.status());
            return;
        }
        try {
            handler.onReceived(new ReceivedInstance(file, sopClass, sop, study, scanned.seriesInstanceUid(),
                    meta.transferSyntaxUid(), sourceAeTitle, sha256, scanned.patient()));
            completed++;
        } catch (Exception e) {
            LOG.warn("retrieved SOP instance {} (study {}) could not be kept: {}", LogSafe.text(sop), LogSafe.text(study),
                    e.toString());
            delete(file);
            failed++;
        }
    }

    /** An instance that is not whole: refused as incomplete, named as far as its first bytes tell. */
    private void refuseIncomplete(Path file, String detail) {
        String study = "";
        String sop = "";
        String sopClass = "";
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            PartTenMeta meta = PartTenMeta.read(in);
            DatasetScanner.Result head = DatasetScanner.scanHeader(in, meta.transferSyntaxUid(), SERIES_INSTANCE_UID);
            study = head.studyInstanceUid();
            sop = head.sopInstanceUid().isEmpty() ? meta.sopInstanceUid() : head.sopInstanceUid();
            sopClass = head.sopClassUid().isEmpty() ? meta.sopClassUid() : head.sopClassUid();
        } catch (IOException e) {
            // too little of it arrived to name it
        }
        refuse(file, study, sop, sopClass, InstanceRefusal.INCOMPLETE, detail, InstanceRefusal.STATUS_CANNOT_UNDERSTAND);
    }

    private void refuse(Path file, String study, String sop, String sopClass, String category, String detail, int status) {
        delete(file);
        failed++;
        if (logged.add(category)) {
            LOG.warn("refused SOP instance {} of study {} from {}: {} ({}); further refusals of this retrieve for this "
                    + "reason are not logged", LogSafe.text(sop), LogSafe.text(study), endpoint, category, detail);
        }
        try {
            handler.refused(new InstanceRefusal(study, sop, sopClass, sourceAeTitle, category, detail, status));
        } catch (RuntimeException e) {
            LOG.warn("refusal of {} not recorded: {}", LogSafe.text(sop), e.toString());
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }
}
