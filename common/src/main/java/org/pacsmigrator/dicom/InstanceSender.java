package org.pacsmigrator.dicom;

import java.util.List;

/**
 * Stores Part 10 files in the new PACS: by C-STORE over one association, or by STOW-RS requests. The
 * forwarder sends each batch through one, under the new PACS's gate, whatever the protocol.
 */
public interface InstanceSender {

    /**
     * Sends {@code instances} and tells {@code listener} each one's outcome as a C-STORE status (see
     * {@link StoreListener}). Throws when the exchange itself failed; instances reported before that were sent.
     */
    void send(List<OutgoingInstance> instances, StoreListener listener) throws DicomException;

    /** C-STORE to {@code destination}, one association per call. */
    static InstanceSender cStore(DicomClient dicom, DicomNode destination) {
        return new InstanceSender() {
            @Override
            public void send(List<OutgoingInstance> instances, StoreListener listener) throws DicomException {
                dicom.storeInstances(destination, instances, listener);
            }

            @Override
            public String toString() {
                return destination.toString();
            }
        };
    }
}
