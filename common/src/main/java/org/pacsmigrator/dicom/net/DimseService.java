package org.pacsmigrator.dicom.net;

import java.io.IOException;
import java.util.Set;

/**
 * One DIMSE service of our listeners (C-ECHO, C-STORE, N-EVENT-REPORT), registered with a
 * {@link DicomListener} by the request command fields it serves; the listener owns the protocol, the
 * limits and the association, the service only the meaning of its requests.
 */
public interface DimseService {
    /** The request command fields served, e.g. {@link CommandSet#C_STORE_RQ}. */
    Set<Integer> commandFields();

    /**
     * A request arrived on an accepted presentation context; returns how its data set (if any) is taken and
     * the request answered. Called on the association's thread.
     */
    Request open(Peer peer, CommandSet command, String transferSyntax) throws IOException;

    /** An association on which this service served requests has ended (released, aborted or broken). */
    default void associationEnded(Peer peer) {
    }

    /** One request in progress. */
    interface Request {
        /** The next fragment of the request's data set (never called for a request without one). */
        void data(byte[] buffer, int offset, int length) throws IOException;

        /** The data set is complete (or there was none): the response command to send. */
        CommandSet complete() throws IOException;

        /** The association ended before the data set was complete: nothing of it may be kept. */
        void abandon();

        /** A request answered with {@code status} whatever its data set (which, if any, is read and dropped). */
        static Request answering(CommandSet command, int status) {
            return new Request() {
                @Override
                public void data(byte[] buffer, int offset, int length) {
                }

                @Override
                public CommandSet complete() {
                    return command.response(status);
                }

                @Override
                public void abandon() {
                }
            };
        }
    }

    /** Who is on the other side of an association (names as received: log them through {@link LogSafe}). */
    record Peer(String callingAeTitle, String calledAeTitle, String remoteAddress) {
    }
}
