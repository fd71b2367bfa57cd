package org.pacsmigrator.report;

import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.find.StudyQuery;
import org.pacsmigrator.throttle.AssociationGate;

/**
 * The report's STUDY-level C-FIND: one association per query through the PACS's gate (its windows, pause and
 * share of the global association limit, as the workers'), capped at the PACS's known limit.
 */
final class GatedStudyQuery implements StudyQuery {
    private final DicomClient dicom;
    private final AssociationGate gate;
    private final int findResultCap;

    GatedStudyQuery(DicomClient dicom, AssociationGate gate, int findResultCap) {
        this.dicom = dicom;
        this.gate = gate;
        this.findResultCap = findResultCap;
    }

    @Override
    public Answer find(DicomDataset keys) throws DicomException, InterruptedException {
        List<DicomDataset> matches = new ArrayList<>();
        FindOutcome outcome = gate.call(() -> {
            matches.clear();
            return dicom.find(gate.remote(), QueryLevel.STUDY, keys, matches::add);
        });
        boolean capped = outcome.cappedAt(findResultCap);
        if (!capped && !outcome.success()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                    "report: study-level C-FIND on %s ended with status 0x%04X", gate.remote(), outcome.finalStatus()));
        }
        return new Answer(matches, outcome, capped);
    }
}
