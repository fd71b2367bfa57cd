package org.pacsmigrator.dicom;

import java.io.IOException;
import java.nio.file.Path;

/** Entry point to the DICOM layer; the only place that knows which toolkit implements it. */
public final class Dicom {
    private Dicom() {
    }

    /** A client that identifies itself with {@code callingAeTitle}. */
    public static DicomClient client(String callingAeTitle, DicomTimeouts timeouts) {
        return new org.pacsmigrator.dicom.pixelmed.PixelMedDicomClient(callingAeTitle, timeouts);
    }

    /**
     * Starts a storage SCP for {@code aeTitle} bound to {@code bindAddress} (e.g. 127.0.0.1) and
     * {@code port} (0 = any free port). Received files are first written under {@code workDirectory}.
     */
    public static StorageScp startStorageScp(String aeTitle, String bindAddress, int port, Path workDirectory,
                                             ReceivedInstanceHandler handler) throws IOException {
        return org.pacsmigrator.dicom.pixelmed.PixelMedStorageScp.start(aeTitle, bindAddress, port, workDirectory, handler);
    }

    /**
     * Starts a Storage Commitment SCU as {@code aeTitle} whose report listener (N-EVENT-REPORT on new
     * associations) is bound to {@code bindAddress}:{@code port} (0 = any free port). After a request, a
     * report on the same association is awaited for {@code sameAssociationWait} before releasing it.
     */
    public static StorageCommitment startStorageCommitment(String aeTitle, String bindAddress, int port,
                                                           DicomTimeouts timeouts, java.time.Duration sameAssociationWait,
                                                           StorageCommitment.Listener listener) throws IOException {
        return org.pacsmigrator.dicom.pixelmed.PixelMedStorageCommitment.start(aeTitle, bindAddress, port, timeouts,
                sameAssociationWait, listener);
    }
}
