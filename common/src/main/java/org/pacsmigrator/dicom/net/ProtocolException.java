package org.pacsmigrator.dicom.net;

import java.io.IOException;

/** A peer broke the DICOM upper layer or DIMSE protocol (or a limit of ours): the association is aborted. */
public class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
