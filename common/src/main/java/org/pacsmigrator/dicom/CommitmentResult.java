package org.pacsmigrator.dicom;

import java.util.List;

/**
 * The content of a Storage Commitment N-EVENT-REPORT: which references the PACS committed to keep
 * and which it did not, with the failure reason of each (e.g. 0x0112 "no such object instance").
 *
 * @param transactionUid the TransactionUID of the N-ACTION this answers
 * @param reportingAeTitle the AE that sent the report (the new PACS)
 * @param eventTypeId 1 = all committed, 2 = failures exist
 * @param sameAssociation true when the report arrived on the association of the request
 */
public record CommitmentResult(String transactionUid, String reportingAeTitle, int eventTypeId,
                               List<SopReference> committed, List<Failed> failed, boolean sameAssociation) {

    /** Failure reasons of PS3.4 C.14.1.1 (Failure Reason (0008,1197)). */
    public static final int PROCESSING_FAILURE = 0x0110;
    public static final int NO_SUCH_OBJECT_INSTANCE = 0x0112;
    public static final int RESOURCE_LIMITATION = 0x0213;
    public static final int REFERENCED_SOP_CLASS_NOT_SUPPORTED = 0x0122;
    public static final int CLASS_INSTANCE_CONFLICT = 0x0119;
    public static final int DUPLICATE_TRANSACTION_UID = 0x0131;

    /** A reference the PACS did not commit, and why. */
    public record Failed(String sopClassUid, String sopInstanceUid, int failureReason) {
    }

    public CommitmentResult {
        committed = List.copyOf(committed);
        failed = List.copyOf(failed);
    }

    /** A readable name for a failure reason. */
    public static String describeReason(int reason) {
        return switch (reason) {
            case PROCESSING_FAILURE -> "processing failure";
            case NO_SUCH_OBJECT_INSTANCE -> "no such object instance";
            case RESOURCE_LIMITATION -> "resource limitation";
            case REFERENCED_SOP_CLASS_NOT_SUPPORTED -> "referenced SOP class not supported";
            case CLASS_INSTANCE_CONFLICT -> "class/instance conflict";
            case DUPLICATE_TRANSACTION_UID -> "duplicate transaction UID";
            default -> String.format("failure reason 0x%04X", reason);
        };
    }
}
