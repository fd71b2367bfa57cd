package org.pacsmigrator.dicom;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Consumer;

/**
 * The DIMSE-C operations the migrator needs, as a service class user. Implementations open
 * one association per call (C-STORE: one per batch), set TCP_NODELAY on every socket, and
 * never hold more than one instance in memory.
 */
public interface DicomClient {

    /** C-ECHO; throws when the peer cannot be reached or does not answer success. */
    void echo(DicomNode remote) throws DicomException;

    /**
     * Study Root C-FIND at the given level. {@code keys} holds matching keys and the return keys
     * wanted (empty value = return this attribute). Each match is handed to {@code onMatch} as
     * it arrives (streaming), with SpecificCharacterSet applied when decoding strings.
     */
    FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch)
            throws DicomException;

    /**
     * A conversation of C-FINDs with one peer over one association (a study's manifest: its series,
     * then their instances), instead of one association per query. This default opens one per query.
     */
    default FindSession findSession(DicomNode remote) throws DicomException {
        return (level, keys, onMatch) -> find(remote, level, keys, onMatch);
    }

    /** C-FINDs with one peer; {@link #close} releases the association. */
    interface FindSession extends AutoCloseable {
        /** As {@link DicomClient#find}, on the session's association (re-opened if the peer ended it). */
        FindOutcome find(QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch) throws DicomException;

        @Override
        default void close() {
        }
    }

    /**
     * Modality Worklist C-FIND (a RIS or worklist SCP): the procedure steps scheduled from {@code from} to {@code to}
     * (inclusive), each handed to {@code onItem} as it arrives.
     */
    default FindOutcome findWorklist(DicomNode ris, LocalDate from, LocalDate to, Consumer<WorklistItem> onItem)
            throws DicomException {
        throw new DicomException(DicomException.Category.OTHER, "this client sends no Modality Worklist queries");
    }

    /**
     * Study Root C-MOVE of the entity identified by {@code keys} (StudyInstanceUID, plus
     * SeriesInstanceUID / SOPInstanceUID at lower levels) to {@code destinationAeTitle}.
     * Instances arrive at whatever storage SCP the source maps that AE title to.
     */
    RetrieveOutcome move(DicomNode remote, QueryLevel level, DicomDataset keys, String destinationAeTitle)
            throws DicomException;

    /**
     * Study Root C-GET: instances arrive on the same association and are handed to
     * {@code handler} one by one as local files. Every storage SOP class is offered with the
     * SCP role, with explicit and implicit little endian and the common compressed transfer
     * syntaxes, so that the source can keep the original transfer syntax.
     */
    RetrieveOutcome get(DicomNode remote, QueryLevel level, DicomDataset keys, Path workDirectory,
                        ReceivedInstanceHandler handler) throws DicomException;

    /** What {@link #get} is called in logs and failures: C-GET, or the protocol's own retrieve (WADO-RS). */
    default String getOperationName() {
        return "C-GET";
    }

    /**
     * C-STORE the given Part 10 files over one association, negotiating the SOP classes and
     * transfer syntaxes they contain (original transfer syntax preferred, no silent transcoding).
     * {@code listener} gets one callback per file.
     */
    void store(DicomNode remote, List<Path> files, StoreListener listener) throws DicomException;

    /**
     * {@link #store}, told what each file's header holds where the caller knows it (see {@link OutgoingInstance}):
     * those files are not parsed before sending. This default reads every header.
     */
    default void storeInstances(DicomNode remote, List<OutgoingInstance> instances, StoreListener listener)
            throws DicomException {
        store(remote, instances.stream().map(OutgoingInstance::file).toList(), listener);
    }
}
