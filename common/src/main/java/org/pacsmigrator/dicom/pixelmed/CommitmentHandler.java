package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.dicom.net.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives what arrives on a storage commitment association: the N-ACTION-RSP to our request, and
 * N-EVENT-REPORT-RQs (on the request's association or on one the PACS opened), which are decoded,
 * handed to the listener and answered with N-EVENT-REPORT-RSP (success once the listener took the
 * result, 0x0110 processing failure if it threw, so the PACS may report again). Also answers C-ECHO.
 * Extends CompositeResponseHandler only because ReceivedDataHandler's constructor is not public.
 */
final class CommitmentHandler extends CompositeResponseHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CommitmentHandler.class);

    private final StorageCommitment.Listener listener;
    private final boolean sameAssociation;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private AttributeList awaitingData;
    private AttributeList actionResponse;
    private CommitmentResult result;

    CommitmentHandler(StorageCommitment.Listener listener, boolean sameAssociation) {
        this.listener = listener;
        this.sameAssociation = sameAssociation;
    }

    AttributeList actionResponse() {
        return actionResponse;
    }

    CommitmentResult result() {
        return result;
    }

    @Override
    public void sendPDataIndication(PDataPDU pdata, Association association)
            throws DicomNetworkException, DicomException, IOException {
        for (Object o : pdata.getPDVList()) {
            PresentationDataValue pdv = (PresentationDataValue) o;
            byte contextId = pdv.getPresentationContextID();
            if (pdv.isCommand()) {
                command.write(pdv.getValue());
                if (pdv.isLastFragment()) {
                    AttributeList list = Attributes.decode(command.toByteArray(), TransferSyntax.ImplicitVRLittleEndian);
                    command.reset();
                    onCommand(list, contextId, association);
                }
            } else {
                data.write(pdv.getValue());
                if (pdv.isLastFragment()) {
                    AttributeList dataSet = Attributes.decode(data.toByteArray(),
                            association.getTransferSyntaxForPresentationContextID(contextId));
                    data.reset();
                    AttributeList cmd = awaitingData;
                    awaitingData = null;
                    if (cmd == null) {
                        throw new DicomNetworkException("unexpected data set on presentation context " + (contextId & 0xff));
                    }
                    onComplete(cmd, dataSet, contextId, association);
                }
            }
        }
    }

    private void onCommand(AttributeList list, byte contextId, Association association)
            throws DicomNetworkException, DicomException, IOException {
        int field = Attributes.intValue(list, TagFromName.CommandField, 0xffff);
        if (field == CommitmentMessages.C_ECHO_RQ) {
            association.send(contextId, Attributes.echoResponse(list), null);
            return;
        }
        if (field != CommitmentMessages.N_ACTION_RSP && field != CommitmentMessages.N_EVENT_REPORT_RQ) {
            throw new DicomNetworkException("unexpected DIMSE command 0x" + Integer.toHexString(field)
                    + " on a storage commitment association");
        }
        if (Attributes.intValue(list, TagFromName.CommandDataSetType, CommitmentMessages.NO_DATA_SET) != CommitmentMessages.NO_DATA_SET) {
            awaitingData = list;
        } else {
            onComplete(list, new AttributeList(), contextId, association);
        }
    }

    private void onComplete(AttributeList cmd, AttributeList dataSet, byte contextId, Association association)
            throws DicomNetworkException, DicomException, IOException {
        int field = Attributes.intValue(cmd, TagFromName.CommandField, 0xffff);
        if (field == CommitmentMessages.N_ACTION_RSP) {
            actionResponse = cmd;
            setDone(true);
            return;
        }
        String reporter = sameAssociation ? association.getCalledAETitle() : association.getCallingAETitle();
        CommitmentResult r = CommitmentMessages.parseEventReport(cmd, dataSet, reporter == null ? "" : reporter.trim(),
                sameAssociation);
        int status = 0x0000;
        try {
            listener.onResult(r);
        } catch (Exception e) {
            LOG.warn("storage commitment report {} from {} not taken: {}", LogSafe.text(r.transactionUid()),
                    LogSafe.text(reporter), e.toString());
            status = 0x0110;
        }
        association.send(contextId, CommitmentMessages.eventReportResponse(cmd, status), null);
        result = r;
        setDone(true);
    }

    @Override
    protected void evaluateStatusAndSetSuccess(AttributeList list) {
        // unused: sendPDataIndication is overridden
    }
}
