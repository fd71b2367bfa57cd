package org.pacsmigrator.dicom;

import java.util.List;

/**
 * Storage Commitment Push Model as SCU (PS3.4 annex J). {@link #request} sends an N-ACTION
 * (action type 1) with the references and a transaction UID; the result comes as an
 * N-EVENT-REPORT either on the same association (while it is still open) or on a new association
 * that the PACS opens to this AE's report listener. Either way it is handed to the
 * {@link Listener} given at start. A PACS only reports to an AE it knows: register this AE title,
 * host and {@link #port()} in the new PACS.
 */
public interface StorageCommitment extends AutoCloseable {

    /** Receives every commitment report (on whatever association it came). */
    interface Listener {
        void onResult(CommitmentResult result) throws Exception;
    }

    /**
     * Sends the N-ACTION-RQ and waits for the N-ACTION-RSP; throws on a failure status (category
     * FAILURE_STATUS) or a network failure. Returns the report when it came on the same association
     * within the configured wait (it has then also been passed to the listener), else null.
     */
    CommitmentResult request(DicomNode pacs, String transactionUid, List<SopReference> references) throws DicomException;

    /** The AE title used as calling AE and expected as called AE of reports. */
    String aeTitle();

    /** The port of the report listener. */
    int port();

    @Override
    void close();
}
