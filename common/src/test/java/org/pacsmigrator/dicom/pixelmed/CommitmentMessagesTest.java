package org.pacsmigrator.dicom.pixelmed;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.SopReference;

/** Encoding of the storage commitment messages, without a network. */
class CommitmentMessagesTest {
    private static final SopReference A = new SopReference("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.1");
    private static final SopReference B = new SopReference("1.2.840.10008.5.1.4.1.1.7", "1.2.3.4.2");

    @Test
    void dictionaryKnowsTheTagsPixelMedLacks() {
        CommitmentMessages.ensureDictionary();
        var dictionary = AttributeList.getDictionary();
        assertThat(dictionary.getTagFromName("TransactionUID")).isEqualTo(CommitmentMessages.TRANSACTION_UID);
        assertThat(dictionary.getTagFromName("FailedSOPSequence")).isEqualTo(CommitmentMessages.FAILED_SOP_SEQUENCE);
        assertThat(dictionary.getTagFromName("EventTypeID")).isEqualTo(CommitmentMessages.EVENT_TYPE_ID);
        assertThat(dictionary.getTagFromName("ActionTypeID")).isEqualTo(CommitmentMessages.ACTION_TYPE_ID);
        assertThat(new String(dictionary.getValueRepresentationFromTag(CommitmentMessages.FAILED_SOP_SEQUENCE))).isEqualTo("SQ");
    }

    @Test
    void actionRequestCommandIsAnNActionOfTypeOneOnTheWellKnownInstanceWithGroupLength() throws Exception {
        byte[] bytes = CommitmentMessages.actionRequestCommand(7);
        // Implicit VR LE: (0000,0000) UL length 4, then the group length value = bytes after this element.
        assertThat(bytes[0]).isZero();
        assertThat(bytes[4]).isEqualTo((byte) 4);
        int groupLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8 | (bytes[10] & 0xff) << 16 | (bytes[11] & 0xff) << 24;
        assertThat(groupLength).isEqualTo(bytes.length - 12);
        AttributeList c = Attributes.decode(bytes, TransferSyntax.ImplicitVRLittleEndian);
        assertThat(Attributes.intValue(c, TagFromName.CommandField, 0)).isEqualTo(0x0130);
        assertThat(Attributes.intValue(c, TagFromName.MessageID, 0)).isEqualTo(7);
        assertThat(Attributes.intValue(c, TagFromName.CommandDataSetType, 0)).isEqualTo(0x0000);
        assertThat(Attributes.intValue(c, CommitmentMessages.ACTION_TYPE_ID, 0)).isEqualTo(1);
        assertThat(Attributes.string(c, TagFromName.RequestedSOPClassUID)).isEqualTo("1.2.840.10008.1.20.1");
        assertThat(Attributes.string(c, TagFromName.RequestedSOPInstanceUID)).isEqualTo("1.2.840.10008.1.20.1.1");
    }

    @Test
    void actionDataSetCarriesTransactionUidAndReferencesInBothTransferSyntaxes() throws Exception {
        AttributeList d = CommitmentMessages.actionRequestDataSet("2.25.99", List.of(A, B));
        for (String ts : List.of(TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian)) {
            AttributeList back = Attributes.decode(Attributes.encode(d, ts), ts);
            assertThat(Attributes.string(back, CommitmentMessages.TRANSACTION_UID)).isEqualTo("2.25.99");
            assertThat(CommitmentMessages.referencesOf(back)).containsExactly(A, B);
        }
    }

    @Test
    void eventReportWithFailuresRoundTripsThroughImplicitVr() throws Exception {
        byte[] command = CommitmentMessages.eventReportCommand(3, 2);
        AttributeList data = CommitmentMessages.eventReportDataSet("2.25.100", "NEWPACS", List.of(A),
                List.of(new CommitmentResult.Failed(B.sopClassUid(), B.sopInstanceUid(), CommitmentResult.NO_SUCH_OBJECT_INSTANCE)));
        // Implicit VR is where an undeclared FailedSOPSequence would come back as opaque bytes.
        String ts = TransferSyntax.ImplicitVRLittleEndian;
        CommitmentResult r = CommitmentMessages.parseEventReport(Attributes.decode(command, ts),
                Attributes.decode(Attributes.encode(data, ts), ts), "NEWPACS", false);
        assertThat(r.transactionUid()).isEqualTo("2.25.100");
        assertThat(r.eventTypeId()).isEqualTo(2);
        assertThat(r.committed()).containsExactly(A);
        assertThat(r.failed()).containsExactly(new CommitmentResult.Failed(B.sopClassUid(), B.sopInstanceUid(), 0x0112));
        assertThat(CommitmentResult.describeReason(0x0112)).isEqualTo("no such object instance");
    }

    @Test
    void eventReportResponseEchoesMessageIdEventTypeAndStatus() throws Exception {
        AttributeList request = Attributes.decode(CommitmentMessages.eventReportCommand(11, 1),
                TransferSyntax.ImplicitVRLittleEndian);
        AttributeList rsp = Attributes.decode(CommitmentMessages.eventReportResponse(request, 0),
                TransferSyntax.ImplicitVRLittleEndian);
        assertThat(Attributes.intValue(rsp, TagFromName.CommandField, 0)).isEqualTo(0x8100);
        assertThat(Attributes.intValue(rsp, TagFromName.MessageIDBeingRespondedTo, 0)).isEqualTo(11);
        assertThat(Attributes.intValue(rsp, TagFromName.Status, -1)).isZero();
        assertThat(Attributes.intValue(rsp, CommitmentMessages.EVENT_TYPE_ID, 0)).isEqualTo(1);
        assertThat(Attributes.intValue(rsp, TagFromName.CommandDataSetType, 0)).isEqualTo(0x0101);
        assertThat(Attributes.string(rsp, TagFromName.AffectedSOPInstanceUID)).isEqualTo("1.2.840.10008.1.20.1.1");
    }
}
