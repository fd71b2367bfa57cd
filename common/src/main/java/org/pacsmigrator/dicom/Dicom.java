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
}
