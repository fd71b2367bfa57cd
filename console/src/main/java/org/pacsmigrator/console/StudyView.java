package org.pacsmigrator.console;

import org.pacsmigrator.state.StudyRecord;

/** A study as the console shows it: identifiers and progress, no patient demographics. */
public record StudyView(String studyInstanceUid, String studyDate, String accessionNumber, String modalities,
                        String state, int expectedInstances, String failureCategory, String failureMessage, int attempts) {

    static StudyView of(StudyRecord s) {
        return new StudyView(s.studyInstanceUid(), s.studyDate(), s.accessionNumber(), s.modalitiesInStudy(),
                s.state() == null ? null : s.state().name(), s.expectedInstances(), s.failureCategory(),
                s.failureMessage(), s.attempts());
    }
}
