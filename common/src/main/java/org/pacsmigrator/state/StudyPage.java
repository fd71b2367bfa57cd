package org.pacsmigrator.state;

import java.util.List;

/**
 * One page of studies and where the next one starts: {@code next} is the store's paging state as text (opaque to the
 * caller, handed back to get the next page), null when this was the last page.
 */
public record StudyPage(List<StudyRecord> studies, String next) {
    public StudyPage {
        studies = List.copyOf(studies);
    }
}
