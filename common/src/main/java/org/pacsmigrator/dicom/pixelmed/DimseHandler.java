package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.CStoreResponseCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.MessageServiceElementCommand;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.pacsmigrator.dicom.net.StoreService;

/**
 * The receiver of our SCU associations: DIMSE responses (C-ECHO/FIND/MOVE/GET-RSP, pending ones included, with
 * their data sets) and the C-STORE-RQs of a C-GET, which go to the same {@link StoreService} as our listener's.
 * PixelMed's own SCU classes hide the final status and sub-operation counts and answer C-STOREs with success
 * before the instance is handled; this class exposes all of it.
 * It extends CompositeResponseHandler only because ReceivedDataHandler's constructor is not public.
 */
final class DimseHandler extends CompositeResponseHandler {
    /** Receives every response command with its data set (or null). */
    interface ResponseListener {
        void onResponse(AttributeList command, AttributeList dataSet) throws Exception;
    }

    private final ResponseListener listener;
    private final StoreService store;
    private StoreService.Reception reception;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private AttributeList responseAwaitingData;
    private CStoreRequestCommandMessage storeRequest;
    private AttributeList finalResponse;
    private Exception failure;

    /**
     * @param listener      responses, or null on an SCP association
     * @param store        where incoming C-STOREs (of a C-GET) go, or null to refuse them
     */
    DimseHandler(ResponseListener listener, StoreService store) {
        this.listener = listener;
        this.store = store;
    }

    AttributeList finalResponse() {
        return finalResponse;
    }

    /** An exception thrown by the listener, which PixelMed would otherwise flatten into an A-P-ABORT message. */
    Exception failure() {
        return failure;
    }

    /** The exchange ended: drops a half-received instance and tells the handler (batched records are written). */
    void cleanup() {
        if (reception != null) {
            reception.abandon();
            reception = null;
        }
        if (store != null) {
            store.deliveryEnded();
        }
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
            } else if (storeRequest != null) {
                byte[] fragment = pdv.getValue();
                reception.data(fragment, 0, fragment.length);
                if (pdv.isLastFragment()) {
                    int status = reception.complete();
                    reception = null;
                    byte[] rsp = new CStoreResponseCommandMessage(storeRequest.getAffectedSOPClassUID(),
                            storeRequest.getAffectedSOPInstanceUID(), storeRequest.getMessageID(), status).getBytes();
                    storeRequest = null;
                    association.send(contextId, rsp, null);
                }
            } else if (responseAwaitingData != null) {
                data.write(pdv.getValue());
                if (pdv.isLastFragment()) {
                    AttributeList dataSet = Attributes.decode(data.toByteArray(), association.getTransferSyntaxForPresentationContextID(contextId));
                    data.reset();
                    AttributeList response = responseAwaitingData;
                    responseAwaitingData = null;
                    deliver(response, dataSet);
                }
            } else {
                throw new DicomNetworkException("unexpected data fragment on presentation context " + (contextId & 0xff));
            }
        }
    }

    private void onCommand(AttributeList list, byte contextId, Association association)
            throws DicomNetworkException, DicomException, IOException {
        int field = Attributes.intValue(list, TagFromName.CommandField, 0xffff);
        if (field == MessageServiceElementCommand.C_STORE_RQ && store != null) {
            storeRequest = new CStoreRequestCommandMessage(list);
            // a C-GET's C-STOREs come from the PACS we called
            reception = store.receive(storeRequest.getAffectedSOPClassUID(), storeRequest.getAffectedSOPInstanceUID(),
                    association.getTransferSyntaxForPresentationContextID(contextId), association.getCalledAETitle().trim());
        } else if ((field & 0x8000) != 0 && listener != null) {
            if (Attributes.intValue(list, TagFromName.CommandDataSetType, 0x0101) != 0x0101) {
                responseAwaitingData = list;
            } else {
                deliver(list, null);
            }
        } else {
            throw new DicomNetworkException("unexpected DIMSE command 0x" + Integer.toHexString(field));
        }
    }

    private void deliver(AttributeList response, AttributeList dataSet) throws DicomNetworkException {
        try {
            listener.onResponse(response, dataSet);
        } catch (Exception e) {
            failure = e;
            throw new DicomNetworkException("response handler failed: " + e);
        }
        if (!isPending(Attributes.intValue(response, TagFromName.Status, 0xffff))) {
            finalResponse = response;
            setDone(true);
        }
    }

    static boolean isPending(int status) {
        return status == 0xFF00 || status == 0xFF01;
    }

    @Override
    protected void evaluateStatusAndSetSuccess(AttributeList list) {
        // unused: sendPDataIndication is overridden
    }
}
