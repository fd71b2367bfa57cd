package org.pacsmigrator.dicom.find;

import java.util.List;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.FindOutcome;

/**
 * Sends one STUDY-level C-FIND to one PACS, the way its caller must (the indexer paced and retried,
 * the report through its association gate), and says whether the answer was capped. Splitting a
 * capped answer is {@link SplittingFinder}'s job, not the query's.
 */
@FunctionalInterface
public interface StudyQuery {
    /** The matches of one query and how it ended; {@code capped}: the answer may be truncated. */
    record Answer(List<DicomDataset> matches, FindOutcome outcome, boolean capped) {
    }

    /** Runs the query; a failure status (other than a cap) is thrown, not answered. */
    Answer find(DicomDataset keys) throws DicomException, InterruptedException;
}
