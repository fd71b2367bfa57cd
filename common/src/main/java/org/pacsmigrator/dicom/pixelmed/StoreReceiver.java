package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the data set of one incoming C-STORE-RQ, fragment by fragment, into a Part 10 file (meta header
 * plus the bytes exactly as received, so the transfer syntax is kept), then hands it to the handler
 * before the C-STORE-RSP is sent: a failing handler turns into a failure status for that instance.
 */
final class StoreReceiver {
    /** "Processing failure": the instance arrived but could not be kept. */
    static final int PROCESSING_FAILURE = 0x0110;
    private static final Logger LOG = LoggerFactory.getLogger(StoreReceiver.class);

    private final Path workDirectory;
    private final ReceivedInstanceHandler handler;
    private Path file;
    private OutputStream out;
    private java.security.MessageDigest sha;
    private String sopClassUid;
    private String sopInstanceUid;
    private String transferSyntaxUid;
    private String sourceAeTitle;

    StoreReceiver(Path workDirectory, ReceivedInstanceHandler handler) {
        this.workDirectory = workDirectory;
        this.handler = handler;
    }

    void begin(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) throws IOException {
        discard();
        this.sopClassUid = sopClassUid;
        this.sopInstanceUid = sopInstanceUid;
        this.transferSyntaxUid = transferSyntaxUid;
        this.sourceAeTitle = sourceAeTitle;
        Files.createDirectories(workDirectory);
        file = Files.createTempFile(workDirectory, "rcv-", ".dcm");
        sha = org.pacsmigrator.cache.Sha256.newDigest();
        out = new BufferedOutputStream(new java.security.DigestOutputStream(Files.newOutputStream(file), sha), 1 << 16);
        try {
            FileMetaInformation meta = new FileMetaInformation(sopClassUid, sopInstanceUid, transferSyntaxUid, sourceAeTitle);
            DicomOutputStream dout = new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, null);
            meta.getAttributeList().write(dout);
            dout.flush();
        } catch (com.pixelmed.dicom.DicomException e) {
            discard();
            throw new IOException("cannot write meta header for SOP instance " + sopInstanceUid, e);
        }
    }

    boolean active() {
        return out != null;
    }

    void write(byte[] fragment) throws IOException {
        out.write(fragment);
    }

    /** Completes the file and calls the handler; returns the C-STORE-RSP status to send. */
    int finish() {
        Path done = file;
        try {
            out.close();
            out = null;
            file = null;
            DicomFileInfo info = PixelMedFiles.readInfo(done);
            handler.onReceived(new ReceivedInstance(done, sopClassUid, sopInstanceUid, info.studyInstanceUid(),
                    info.seriesInstanceUid(), transferSyntaxUid, sourceAeTitle,
                    org.pacsmigrator.cache.Sha256.hex(sha)));
            return 0x0000;
        } catch (Exception e) {
            LOG.warn("received SOP instance {} (class {}) from {} could not be kept: {}", sopInstanceUid, sopClassUid,
                    sourceAeTitle, e.toString());
            deleteQuietly(done);
            return PROCESSING_FAILURE;
        }
    }

    void deliveryEnded() {
        try {
            handler.deliveryEnded();
        } catch (RuntimeException e) {
            LOG.warn("end of delivery not handled: {}", e.toString());
        }
    }

    /** Drops a partially received file (association aborted mid-instance). */
    void discard() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // deleting anyway
            }
            out = null;
        }
        if (file != null) {
            deleteQuietly(file);
            file = null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
