package org.pacsmigrator.dicomweb;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.StoreListener;

/**
 * The source side of the migration over DICOMweb: C-FIND as QIDO-RS ({@link QidoRsFinder}), C-GET as WADO-RS
 * ({@link WadoRsRetrieval}), C-ECHO as a one-match query. The {@link DicomNode} arguments name the archive for
 * messages only; {@code endpoint} is the peer. There is no C-MOVE over DICOMweb (the retriever uses C-GET's path),
 * and the destination stores by STOW-RS with {@link StowRsSender}, not through this client.
 */
public final class DicomWebClient implements DicomClient {
    private final DicomWebEndpoint endpoint;
    private final QidoRsFinder finder;

    /** @param pageSize QIDO-RS {@code limit}: the matches asked for per page */
    public DicomWebClient(DicomWebEndpoint endpoint, int pageSize) {
        this.endpoint = endpoint;
        this.finder = new QidoRsFinder(endpoint, pageSize);
    }

    @Override
    public void echo(DicomNode remote) throws DicomException {
        try {
            QidoRsListing.probe(endpoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(DicomException.Category.OTHER, "interrupted while probing " + endpoint, e);
        }
    }

    @Override
    public FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch)
            throws DicomException {
        return finder.find(QidoQuery.of(level, keys), onMatch);
    }

    @Override
    public RetrieveOutcome move(DicomNode remote, QueryLevel level, DicomDataset keys, String destinationAeTitle)
            throws DicomException {
        throw new DicomException(DicomException.Category.OTHER, "there is no C-MOVE over DICOMweb: " + endpoint
                + " is retrieved by WADO-RS (C-GET)");
    }

    @Override
    public RetrieveOutcome get(DicomNode remote, QueryLevel level, DicomDataset keys, Path workDirectory,
                               ReceivedInstanceHandler handler) throws DicomException {
        return WadoRsRetrieval.get(endpoint, remote == null ? "" : remote.aeTitle(), level, keys, workDirectory, handler);
    }

    @Override
    public String getOperationName() {
        return "WADO-RS";
    }

    @Override
    public void store(DicomNode remote, List<Path> files, StoreListener listener) throws DicomException {
        throw new DicomException(DicomException.Category.OTHER, "this client does not store: a DICOMweb destination "
                + "is stored to by STOW-RS (StowRsSender)");
    }

    @Override
    public String toString() {
        return "DICOMweb " + endpoint;
    }
}
