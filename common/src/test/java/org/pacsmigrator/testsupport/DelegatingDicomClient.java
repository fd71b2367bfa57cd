package org.pacsmigrator.testsupport;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.StoreListener;

/** A real client whose operations tests override one by one, to observe them or inject a failure at a chosen moment. */
public class DelegatingDicomClient implements DicomClient {
    private final DicomClient delegate;

    public DelegatingDicomClient(DicomClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public void echo(DicomNode remote) throws DicomException {
        delegate.echo(remote);
    }

    @Override
    public FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch)
            throws DicomException {
        return delegate.find(remote, level, keys, onMatch);
    }

    @Override
    public RetrieveOutcome move(DicomNode remote, QueryLevel level, DicomDataset keys, String destinationAeTitle)
            throws DicomException {
        return delegate.move(remote, level, keys, destinationAeTitle);
    }

    @Override
    public RetrieveOutcome get(DicomNode remote, QueryLevel level, DicomDataset keys, Path workDirectory,
                               ReceivedInstanceHandler handler) throws DicomException {
        return delegate.get(remote, level, keys, workDirectory, handler);
    }

    @Override
    public void store(DicomNode remote, List<Path> files, StoreListener listener) throws DicomException {
        delegate.store(remote, files, listener);
    }

    @Override
    public void storeInstances(DicomNode remote, List<OutgoingInstance> instances, StoreListener listener)
            throws DicomException {
        delegate.storeInstances(remote, instances, listener);
    }
}
