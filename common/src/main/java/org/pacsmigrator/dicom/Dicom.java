package org.pacsmigrator.dicom;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicom.net.ContextPolicy;
import org.pacsmigrator.dicom.net.DicomListener;
import org.pacsmigrator.dicom.net.ListenerSettings;
import org.pacsmigrator.dicom.net.StoreService;
import org.pacsmigrator.dicom.pixelmed.PixelMedDicomClient;
import org.pacsmigrator.dicom.pixelmed.PixelMedStorageCommitment;

/** Entry point to the DICOM layer; the only place that knows which toolkit implements it. */
public final class Dicom {
    /** Any calling AE from anywhere: for tests and tools only, never for a migration's listeners. */
    private static final List<AllowedSender> ANYONE = List.of(AllowedSender.parse("*"));

    private Dicom() {
    }

    /** A client that identifies itself with {@code callingAeTitle}. */
    public static DicomClient client(String callingAeTitle, DicomTimeouts timeouts) {
        return new PixelMedDicomClient(callingAeTitle, timeouts);
    }

    /**
     * Starts a storage SCP (the C-MOVE destination) on our own listener with {@code settings}: who may send,
     * how many associations, the ARTIM and idle timers. Received files are first written under
     * {@code workDirectory}; every storage SOP class is accepted in the sender's first transfer syntax.
     */
    public static StorageScp startStorageScp(ListenerSettings settings, Path workDirectory, ReceivedInstanceHandler handler,
                                             MeterRegistry meters) throws IOException {
        DicomListener listener = DicomListener.start(settings, ContextPolicy.anyInFirstTransferSyntax(),
                List.of(new StoreService(workDirectory, handler)), meters);
        return new StorageScp() {
            @Override
            public int port() {
                return listener.port();
            }

            @Override
            public int rejectedForLimit() {
                return listener.rejectedForLimit();
            }

            @Override
            public void close() {
                listener.close();
            }
        };
    }

    /** A storage SCP that accepts any calling AE, with the default limits (tests and tools). */
    public static StorageScp startStorageScp(String aeTitle, String bindAddress, int port, Path workDirectory,
                                             ReceivedInstanceHandler handler) throws IOException {
        return startStorageScp(ListenerSettings.of("storage-scp-" + aeTitle, aeTitle, bindAddress, port, ANYONE),
                workDirectory, handler, null);
    }

    /**
     * Starts a Storage Commitment SCU as {@code settings.aeTitle()} whose report listener (N-EVENT-REPORT on new
     * associations) runs with {@code settings} (normally only the new PACS may report). After a request, a
     * report on the same association is awaited for {@code sameAssociationWait} before releasing it.
     */
    public static StorageCommitment startStorageCommitment(ListenerSettings settings, DicomTimeouts timeouts,
                                                           Duration sameAssociationWait,
                                                           StorageCommitment.Listener listener, MeterRegistry meters)
            throws IOException {
        return PixelMedStorageCommitment.start(settings, timeouts, sameAssociationWait, listener, meters);
    }

    /** A Storage Commitment SCU whose report listener accepts any calling AE (tests and tools). */
    public static StorageCommitment startStorageCommitment(String aeTitle, String bindAddress, int port,
                                                           DicomTimeouts timeouts, Duration sameAssociationWait,
                                                           StorageCommitment.Listener listener) throws IOException {
        return startStorageCommitment(ListenerSettings.of("commitment-" + aeTitle, aeTitle, bindAddress, port, ANYONE),
                timeouts, sameAssociationWait, listener, null);
    }
}
