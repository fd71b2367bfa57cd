package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Set;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.dicom.net.CommandSet;
import org.pacsmigrator.dicom.net.DimseService;
import org.pacsmigrator.dicom.net.LogSafe;
import org.pacsmigrator.dicom.net.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N-EVENT-REPORT-RQ on the report listener (the PACS opens an association to us and reports): the data set is
 * held in memory up to a bound (a report names every instance of a request: ~150 bytes each), decoded with
 * PixelMed, handed to the listener and answered (success once taken, 0x0110 when the listener failed, so the
 * PACS may report again).
 */
final class CommitmentReportService implements DimseService {
    private static final Logger LOG = LoggerFactory.getLogger(CommitmentReportService.class);
    /** ~100,000 references; a larger report aborts the association. */
    static final int MAX_REPORT_BYTES = 16 * 1024 * 1024;

    private final StorageCommitment.Listener listener;

    CommitmentReportService(StorageCommitment.Listener listener) {
        this.listener = listener;
    }

    @Override
    public Set<Integer> commandFields() {
        return Set.of(CommandSet.N_EVENT_REPORT_RQ);
    }

    @Override
    public Request open(Peer peer, CommandSet command, String transferSyntax) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        return new Request() {
            @Override
            public void data(byte[] buffer, int offset, int length) throws IOException {
                if (data.size() + length > MAX_REPORT_BYTES) {
                    throw new ProtocolException("storage commitment report larger than " + MAX_REPORT_BYTES + " bytes");
                }
                data.write(buffer, offset, length);
            }

            @Override
            public CommandSet complete() {
                int status = take(peer, command, data.toByteArray(), transferSyntax);
                return command.response(status).putUs(CommandSet.EVENT_TYPE_ID, command.us(CommandSet.EVENT_TYPE_ID, 1));
            }

            @Override
            public void abandon() {
            }
        };
    }

    private int take(Peer peer, CommandSet command, byte[] dataSet, String transferSyntax) {
        CommitmentResult result;
        try {
            AttributeList cmd = Attributes.decode(command.encode(), TransferSyntax.ImplicitVRLittleEndian);
            AttributeList data = dataSet.length == 0 ? new AttributeList() : Attributes.decode(dataSet, transferSyntax);
            result = CommitmentMessages.parseEventReport(cmd, data, peer.callingAeTitle(), false);
        } catch (IOException | DicomException e) {
            LOG.warn("storage commitment report from {} cannot be read: {}", LogSafe.text(peer.callingAeTitle()), e.toString());
            return 0x0110;
        }
        try {
            listener.onResult(result);
            return 0x0000;
        } catch (Exception e) {
            LOG.warn("storage commitment report {} from {} not taken: {}", LogSafe.text(result.transactionUid()),
                    LogSafe.text(peer.callingAeTitle()), e.toString());
            return 0x0110;
        }
    }
}
