package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomException.Category;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.SopReference;
import org.pacsmigrator.dicom.StorageCommitment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage Commitment Push Model SCU on PixelMed's association layer (PixelMed has no commitment classes).
 * Requests go out on a fresh association per transaction; reports are accepted on the same association
 * (for {@code sameAssociationWait} after the N-ACTION-RSP) and on our own listener socket, where the PACS
 * connects as association requester in the SCP role (Orthanc does this). Sockets set TCP_NODELAY.
 */
public final class PixelMedStorageCommitment implements StorageCommitment {
    private static final Logger LOG = LoggerFactory.getLogger(PixelMedStorageCommitment.class);
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;
    private static final AtomicInteger MESSAGE_ID = new AtomicInteger();

    /**
     * Accepts the Push Model and Verification contexts (explicit VR little endian preferred), rejects others.
     * PixelMed's acceptor ignores the returned list, so the offered contexts are changed in place.
     */
    private static final PresentationContextSelectionPolicy POLICY = new PresentationContextSelectionPolicy() {
        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber) {
            for (Object o : contexts) {
                PresentationContext pc = (PresentationContext) o;
                String sop = pc.getAbstractSyntaxUID();
                List<?> offered = List.copyOf(pc.getTransferSyntaxUIDs());
                pc.newTransferSyntaxUIDs();
                if (!CommitmentMessages.PUSH_MODEL_SOP_CLASS.equals(sop) && !com.pixelmed.dicom.SOPClass.Verification.equals(sop)) {
                    pc.setResultReason((byte) 3); // abstract syntax not supported
                } else if (offered.contains(PresentationContexts.EXPLICIT_LE)) {
                    pc.addTransferSyntaxUID(PresentationContexts.EXPLICIT_LE);
                    pc.setResultReason((byte) 0);
                } else if (offered.contains(PresentationContexts.IMPLICIT_LE)) {
                    pc.addTransferSyntaxUID(PresentationContexts.IMPLICIT_LE);
                    pc.setResultReason((byte) 0);
                } else {
                    pc.setResultReason((byte) 4); // transfer syntaxes not supported
                }
            }
            return contexts;
        }

        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber, int debugLevel) {
            return applyPresentationContextSelectionPolicy(contexts, associationNumber);
        }
    };

    private final String aeTitle;
    private final DicomTimeouts timeouts;
    private final Duration sameAssociationWait;
    private final Listener listener;
    private SocketAcceptor acceptor;

    private PixelMedStorageCommitment(String aeTitle, DicomTimeouts timeouts, Duration sameAssociationWait, Listener listener) {
        CommitmentMessages.ensureDictionary();
        this.aeTitle = aeTitle;
        this.timeouts = timeouts;
        this.sameAssociationWait = sameAssociationWait;
        this.listener = listener;
    }

    public static PixelMedStorageCommitment start(String aeTitle, String bindAddress, int port, DicomTimeouts timeouts,
                                                  Duration sameAssociationWait, Listener listener) throws IOException {
        PixelMedStorageCommitment c = new PixelMedStorageCommitment(aeTitle, timeouts, sameAssociationWait, listener);
        c.acceptor = SocketAcceptor.start("commitment-scp-" + aeTitle, bindAddress, port, 8, IDLE_TIMEOUT_MILLIS, c::serve);
        return c;
    }

    @Override
    public String aeTitle() {
        return aeTitle;
    }

    @Override
    public int port() {
        return acceptor.port();
    }

    @Override
    public CommitmentResult request(DicomNode pacs, String transactionUid, List<SopReference> references) throws DicomException {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a storage commitment request needs at least one reference");
        }
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        contexts.add(new PresentationContext((byte) 1, CommitmentMessages.PUSH_MODEL_SOP_CLASS,
                new LinkedList<>(List.of(PresentationContexts.EXPLICIT_LE, PresentationContexts.IMPLICIT_LE))));
        Association association = Associations.open("N-ACTION", pacs, aeTitle, contexts, new LinkedList<>(), timeouts);
        CommitmentHandler handler = new CommitmentHandler(listener, true);
        try {
            byte contextId = association.getSuitablePresentationContextID(CommitmentMessages.PUSH_MODEL_SOP_CLASS);
            association.setReceivedDataHandler(handler);
            int messageId = (MESSAGE_ID.incrementAndGet() & 0x7fff) + 1;
            association.send(contextId, CommitmentMessages.actionRequestCommand(messageId), null);
            AttributeList dataSet = CommitmentMessages.actionRequestDataSet(transactionUid, references);
            association.send(contextId, null, Attributes.encode(dataSet,
                    association.getTransferSyntaxForPresentationContextID(contextId)));
            association.waitForPDataPDUsUntilHandlerReportsDone();
            // A report may already have come before the response (rare, but allowed): keep it.
            CommitmentResult early = handler.result();
            AttributeList response = handler.actionResponse();
            if (response == null) {
                throw new DicomException(Category.OTHER, Associations.describe("N-ACTION", pacs, aeTitle) + ": no N-ACTION-RSP");
            }
            int status = Attributes.intValue(response, TagFromName.Status, 0xffff);
            if (status != 0x0000) {
                Associations.release(association);
                throw new DicomException(Category.FAILURE_STATUS, Associations.describe("N-ACTION", pacs, aeTitle)
                        + String.format(": storage commitment request %s refused with status 0x%04X", transactionUid, status));
            }
            if (early != null || sameAssociationWait.isZero() || sameAssociationWait.isNegative()) {
                Associations.release(association);
                return early;
            }
            return awaitReportOnSameAssociation(association);
        } catch (DicomException e) {
            Associations.abortQuietly(association);
            throw e;
        } catch (AReleaseException e) {
            return handler.result(); // the PACS released after answering
        } catch (Exception e) {
            Associations.abortQuietly(association);
            throw Associations.failure("N-ACTION", pacs, aeTitle, e);
        }
    }

    /**
     * Some PACS report right away on the request's association: listen for a short while, then release.
     * PixelMed closes the socket when a read times out, so "nothing came" ends the association by abort
     * (harmless: the N-ACTION was answered, the report then comes on a new association).
     */
    private CommitmentResult awaitReportOnSameAssociation(Association association) throws Exception {
        CommitmentHandler second = new CommitmentHandler(listener, true);
        association.setReceivedDataHandler(second);
        Associations.tune(association, (int) Math.max(1, sameAssociationWait.toMillis()));
        try {
            association.waitForPDataPDUsUntilHandlerReportsDone();
        } catch (AReleaseException e) {
            return second.result();
        } catch (Exception e) {
            if (Associations.categorize(e) != Category.TIMEOUT) {
                throw e;
            }
            Associations.abortQuietly(association);
            return null;
        }
        Associations.release(association);
        return second.result();
    }

    @Override
    public void close() {
        acceptor.close();
    }

    private void serve(Socket socket) {
        CommitmentHandler handler = new CommitmentHandler(listener, false);
        try {
            Association association = AssociationFactory.createNewAssociation(socket, aeTitle, POLICY);
            Associations.buffer(association);
            association.setReceivedDataHandler(handler);
            association.waitForPDataPDUs(-1, false, false, false); // returns by release or abort
        } catch (AReleaseException e) {
            // normal end
        } catch (Exception e) {
            LOG.warn("commitment SCP {}: association from {} ended abnormally: {}", aeTitle, socket.getRemoteSocketAddress(),
                    e.getMessage());
        } finally {
            SocketAcceptor.closeQuietly(socket);
        }
    }
}
