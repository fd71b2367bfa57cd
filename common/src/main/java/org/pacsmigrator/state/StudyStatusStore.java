package org.pacsmigrator.state;

import java.util.Optional;

/** The completion status of each study, as computed by the verifier's completion topology. */
public interface StudyStatusStore {

    /** Saves the completion status of a study (written by the completion topology). */
    void saveStudyStatus(StudyStatus status);

    Optional<StudyStatus> findStudyStatus(String studyInstanceUid);

    /** Every study status (a paged full scan). */
    Iterable<StudyStatus> allStudyStatuses();
}
