package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.ApplicationEntityAttribute;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionaryBase;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.dicom.ValueRepresentation;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.SopReference;

/**
 * Encoding and decoding of the Storage Commitment Push Model messages (PS3.4 J.3, PS3.7 10.1.4/10.1.1):
 * N-ACTION-RQ (action type 1, Referenced SOP Sequence + Transaction UID), its response, and
 * N-EVENT-REPORT-RQ (event type 1 all committed, 2 with failures) with our N-EVENT-REPORT-RSP.
 * Pure functions of attribute lists and bytes: unit-tested without a network.
 */
final class CommitmentMessages {
    static final String PUSH_MODEL_SOP_CLASS = "1.2.840.10008.1.20.1";
    static final String PUSH_MODEL_SOP_INSTANCE = "1.2.840.10008.1.20.1.1";

    static final int N_EVENT_REPORT_RQ = 0x0100;
    static final int N_EVENT_REPORT_RSP = 0x8100;
    static final int N_ACTION_RQ = 0x0130;
    static final int N_ACTION_RSP = 0x8130;
    static final int C_ECHO_RQ = 0x0030;
    static final int NO_DATA_SET = 0x0101;
    static final int DATA_SET_PRESENT = 0x0000;

    /** Missing from PixelMed 20220618's dictionary (declared below). */
    static final AttributeTag COMMAND_GROUP_LENGTH = new AttributeTag(0x0000, 0x0000);
    static final AttributeTag EVENT_TYPE_ID = new AttributeTag(0x0000, 0x1002);
    static final AttributeTag ACTION_TYPE_ID = new AttributeTag(0x0000, 0x1008);
    static final AttributeTag TRANSACTION_UID = new AttributeTag(0x0008, 0x1195);
    static final AttributeTag FAILURE_REASON = new AttributeTag(0x0008, 0x1197);
    static final AttributeTag FAILED_SOP_SEQUENCE = new AttributeTag(0x0008, 0x1198);

    static {
        declare(EVENT_TYPE_ID, "EventTypeID", ValueRepresentation.US);
        declare(ACTION_TYPE_ID, "ActionTypeID", ValueRepresentation.US);
        declare(TRANSACTION_UID, "TransactionUID", ValueRepresentation.UI);
        declare(FAILURE_REASON, "FailureReason", ValueRepresentation.US);
        declare(FAILED_SOP_SEQUENCE, "FailedSOPSequence", ValueRepresentation.SQ);
    }

    private CommitmentMessages() {
    }

    /** Makes sure the dictionary knows the storage commitment tags (idempotent; runs once per class load). */
    static void ensureDictionary() {
        // the static initializer does the work
    }

    /**
     * Adds a tag to PixelMed's shared dictionary so that implicit-VR command sets and data sets decode it
     * with the right VR (an unknown SQ in implicit VR would otherwise be read as UN bytes).
     */
    @SuppressWarnings("unchecked")
    private static void declare(AttributeTag tag, String keyword, byte[] vr) {
        DicomDictionaryBase dictionary = AttributeList.getDictionary();
        try {
            if (dictionary.getValueRepresentationFromTag(tag) != null) {
                return; // a newer PixelMed knows it
            }
            ((Map<Object, Object>) field("valueRepresentationsByTag").get(dictionary)).put(tag, vr);
            ((Map<Object, Object>) field("tagByName").get(dictionary)).put(keyword, tag);
            ((Map<Object, Object>) field("nameByTag").get(dictionary)).put(tag, keyword);
            ((Map<Object, Object>) field("fullNameByTag").get(dictionary)).put(tag, keyword);
            ((Set<Object>) field("tagList").get(dictionary)).add(tag);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ExceptionInInitializerError("cannot declare " + keyword + " in PixelMed's dictionary: " + e);
        }
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = DicomDictionaryBase.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    // ---- N-ACTION ------------------------------------------------------------------------------

    static byte[] actionRequestCommand(int messageId) throws IOException, DicomException {
        AttributeList c = new AttributeList();
        ui(c, TagFromName.RequestedSOPClassUID, PUSH_MODEL_SOP_CLASS);
        us(c, TagFromName.CommandField, N_ACTION_RQ);
        us(c, TagFromName.MessageID, messageId);
        us(c, TagFromName.CommandDataSetType, DATA_SET_PRESENT);
        ui(c, TagFromName.RequestedSOPInstanceUID, PUSH_MODEL_SOP_INSTANCE);
        us(c, ACTION_TYPE_ID, 1);
        return encodeCommand(c);
    }

    /** The N-ACTION information: Transaction UID and one Referenced SOP Sequence item per instance. */
    static AttributeList actionRequestDataSet(String transactionUid, List<SopReference> references)
            throws DicomException {
        AttributeList d = new AttributeList();
        ui(d, TRANSACTION_UID, transactionUid);
        d.put(TagFromName.ReferencedSOPSequence, references(TagFromName.ReferencedSOPSequence, references));
        return d;
    }

    /** Transaction UID and references of an N-ACTION data set (the SCP side; used by tests and tools). */
    static List<SopReference> referencesOf(AttributeList dataSet) {
        List<SopReference> refs = new ArrayList<>();
        for (AttributeList item : items(dataSet, TagFromName.ReferencedSOPSequence)) {
            refs.add(new SopReference(Attributes.string(item, TagFromName.ReferencedSOPClassUID),
                    Attributes.string(item, TagFromName.ReferencedSOPInstanceUID)));
        }
        return refs;
    }

    // ---- N-EVENT-REPORT ------------------------------------------------------------------------

    /** An N-EVENT-REPORT-RQ command set (as a PACS sends it; for tests and for a commitment SCP). */
    static byte[] eventReportCommand(int messageId, int eventTypeId) throws IOException, DicomException {
        AttributeList c = new AttributeList();
        ui(c, TagFromName.AffectedSOPClassUID, PUSH_MODEL_SOP_CLASS);
        us(c, TagFromName.CommandField, N_EVENT_REPORT_RQ);
        us(c, TagFromName.MessageID, messageId);
        us(c, TagFromName.CommandDataSetType, DATA_SET_PRESENT);
        ui(c, TagFromName.AffectedSOPInstanceUID, PUSH_MODEL_SOP_INSTANCE);
        us(c, EVENT_TYPE_ID, eventTypeId);
        return encodeCommand(c);
    }

    /** An N-EVENT-REPORT data set (as a PACS sends it). */
    static AttributeList eventReportDataSet(String transactionUid, String retrieveAe, List<SopReference> committed,
                                            List<CommitmentResult.Failed> failed) throws DicomException {
        AttributeList d = new AttributeList();
        ui(d, TRANSACTION_UID, transactionUid);
        if (retrieveAe != null) {
            ApplicationEntityAttribute ae = new ApplicationEntityAttribute(TagFromName.RetrieveAETitle);
            ae.addValue(retrieveAe);
            d.put(ae);
        }
        if (!committed.isEmpty()) {
            d.put(TagFromName.ReferencedSOPSequence, references(TagFromName.ReferencedSOPSequence, committed));
        }
        if (!failed.isEmpty()) {
            SequenceAttribute seq = new SequenceAttribute(FAILED_SOP_SEQUENCE);
            for (CommitmentResult.Failed f : failed) {
                AttributeList item = new AttributeList();
                ui(item, TagFromName.ReferencedSOPClassUID, f.sopClassUid());
                ui(item, TagFromName.ReferencedSOPInstanceUID, f.sopInstanceUid());
                us(item, FAILURE_REASON, f.failureReason());
                seq.addItem(item);
            }
            d.put(FAILED_SOP_SEQUENCE, seq);
        }
        return d;
    }

    /** Reads the result out of an N-EVENT-REPORT-RQ command and data set. */
    static CommitmentResult parseEventReport(AttributeList command, AttributeList dataSet, String reportingAe,
                                             boolean sameAssociation) {
        int eventType = Attributes.intValue(command, EVENT_TYPE_ID, 0);
        String transactionUid = Attributes.string(dataSet, TRANSACTION_UID);
        List<SopReference> committed = new ArrayList<>();
        for (AttributeList item : items(dataSet, TagFromName.ReferencedSOPSequence)) {
            committed.add(new SopReference(Attributes.string(item, TagFromName.ReferencedSOPClassUID),
                    Attributes.string(item, TagFromName.ReferencedSOPInstanceUID)));
        }
        List<CommitmentResult.Failed> failed = new ArrayList<>();
        for (AttributeList item : items(dataSet, FAILED_SOP_SEQUENCE)) {
            failed.add(new CommitmentResult.Failed(Attributes.string(item, TagFromName.ReferencedSOPClassUID),
                    Attributes.string(item, TagFromName.ReferencedSOPInstanceUID),
                    Attributes.intValue(item, FAILURE_REASON, CommitmentResult.PROCESSING_FAILURE)));
        }
        return new CommitmentResult(transactionUid, reportingAe, eventType, committed, failed, sameAssociation);
    }

    /** Our N-EVENT-REPORT-RSP: success, echoing class, instance and event type. */
    static byte[] eventReportResponse(AttributeList request, int status) throws IOException, DicomException {
        AttributeList c = new AttributeList();
        ui(c, TagFromName.AffectedSOPClassUID, orDefault(Attributes.string(request, TagFromName.AffectedSOPClassUID), PUSH_MODEL_SOP_CLASS));
        us(c, TagFromName.CommandField, N_EVENT_REPORT_RSP);
        us(c, TagFromName.MessageIDBeingRespondedTo, Attributes.intValue(request, TagFromName.MessageID, 0));
        us(c, TagFromName.CommandDataSetType, NO_DATA_SET);
        us(c, TagFromName.Status, status);
        ui(c, TagFromName.AffectedSOPInstanceUID, orDefault(Attributes.string(request, TagFromName.AffectedSOPInstanceUID), PUSH_MODEL_SOP_INSTANCE));
        us(c, EVENT_TYPE_ID, Attributes.intValue(request, EVENT_TYPE_ID, 1));
        return encodeCommand(c);
    }

    /** An N-ACTION-RSP (for tests of the SCU against a scripted peer). */
    static byte[] actionResponse(int messageId, int status) throws IOException, DicomException {
        AttributeList c = new AttributeList();
        ui(c, TagFromName.AffectedSOPClassUID, PUSH_MODEL_SOP_CLASS);
        us(c, TagFromName.CommandField, N_ACTION_RSP);
        us(c, TagFromName.MessageIDBeingRespondedTo, messageId);
        us(c, TagFromName.CommandDataSetType, NO_DATA_SET);
        us(c, TagFromName.Status, status);
        ui(c, TagFromName.AffectedSOPInstanceUID, PUSH_MODEL_SOP_INSTANCE);
        us(c, ACTION_TYPE_ID, 1);
        return encodeCommand(c);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A command set in implicit VR little endian, preceded by its Command Group Length. */
    static byte[] encodeCommand(AttributeList command) throws IOException, DicomException {
        command.remove(COMMAND_GROUP_LENGTH);
        byte[] body = Attributes.encode(command, TransferSyntax.ImplicitVRLittleEndian);
        UnsignedLongAttribute length = new UnsignedLongAttribute(COMMAND_GROUP_LENGTH);
        length.addValue(body.length);
        command.put(length);
        return Attributes.encode(command, TransferSyntax.ImplicitVRLittleEndian);
    }

    private static SequenceAttribute references(AttributeTag tag, List<SopReference> references)
            throws DicomException {
        SequenceAttribute seq = new SequenceAttribute(tag);
        for (SopReference r : references) {
            AttributeList item = new AttributeList();
            ui(item, TagFromName.ReferencedSOPClassUID, r.sopClassUid());
            ui(item, TagFromName.ReferencedSOPInstanceUID, r.sopInstanceUid());
            seq.addItem(item);
        }
        return seq;
    }

    private static List<AttributeList> items(AttributeList list, AttributeTag tag) {
        List<AttributeList> items = new ArrayList<>();
        if (list != null && list.get(tag) instanceof SequenceAttribute seq) {
            for (int i = 0; i < seq.getNumberOfItems(); i++) {
                SequenceItem item = seq.getItem(i);
                if (item != null && item.getAttributeList() != null) {
                    items.add(item.getAttributeList());
                }
            }
        }
        return items;
    }

    private static void ui(AttributeList list, AttributeTag tag, String value) throws DicomException {
        Attribute a = new UniqueIdentifierAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void us(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
