package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.network.PresentationContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomException.Category;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.SopReference;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.dicom.net.ContextPolicy;
import org.pacsmigrator.dicom.net.DicomListener;
import org.pacsmigrator.dicom.net.ListenerSettings;

/**
 * Storage Commitment Push Model SCU on PixelMed's association layer (PixelMed has no commitment classes).
 * Requests go out on a fresh association per transaction; reports are accepted on the same association
 * (for {@code sameAssociationWait} after the N-ACTION-RSP) and on our {@link DicomListener}, where the PACS
 * connects as association requester in the SCP role (Orthanc does this). Sockets set TCP_NODELAY.
 */
public final class PixelMedStorageCommitment implements StorageCommitment {
    private static final AtomicInteger MESSAGE_ID = new AtomicInteger();

    private final String aeTitle;
    private final DicomTimeouts timeouts;
    private final Duration sameAssociationWait;
    private final Listener listener;
    private DicomListener reports;

    private PixelMedStorageCommitment(String aeTitle, DicomTimeouts timeouts, Duration sameAssociationWait, Listener listener) {
        CommitmentMessages.ensureDictionary();
        this.aeTitle = aeTitle;
        this.timeouts = timeouts;
        this.sameAssociationWait = sameAssociationWait;
        this.listener = listener;
    }

    /**
     * Starts the report listener with {@code settings} (who may report: the new PACS) and returns the SCU. The
     * listener accepts the Push Model and Verification, explicit VR little endian preferred.
     */
    public static PixelMedStorageCommitment start(ListenerSettings settings, DicomTimeouts timeouts,
                                                  Duration sameAssociationWait, Listener listener, MeterRegistry meters)
            throws IOException {
        PixelMedStorageCommitment c = new PixelMedStorageCommitment(settings.aeTitle(), timeouts, sameAssociationWait,
                listener);
        ContextPolicy policy = ContextPolicy.only(Set.of(CommitmentMessages.PUSH_MODEL_SOP_CLASS, SOPClass.Verification),
                List.of(PresentationContexts.EXPLICIT_LE, PresentationContexts.IMPLICIT_LE));
        c.reports = DicomListener.start(settings, policy, List.of(new CommitmentReportService(listener)), meters);
        return c;
    }

    @Override
    public String aeTitle() {
        return aeTitle;
    }

    @Override
    public int port() {
        return reports.port();
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
     * Some PACS report right away on the request's association: wait a short while for anything to arrive,
     * then release (most PACS, Orthanc among them, report on a new association instead).
     */
    private CommitmentResult awaitReportOnSameAssociation(Association association) throws Exception {
        if (!Associations.awaitData(association, sameAssociationWait)) {
            Associations.release(association);
            return null;
        }
        CommitmentHandler second = new CommitmentHandler(listener, true);
        association.setReceivedDataHandler(second);
        try {
            association.waitForPDataPDUsUntilHandlerReportsDone();
        } catch (AReleaseException e) {
            return second.result();
        }
        Associations.release(association);
        return second.result();
    }

    @Override
    public void close() {
        reports.close();
    }
}
