package org.pacsmigrator.forward.rules;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pacsmigrator.dicom.EditableDataset;

/**
 * Selects the images a rule applies to; every given criterion must hold, an absent one matches
 * all. Dates are DICOM dates (yyyyMMdd), compared as strings.
 */
record Condition(List<String> modalities, List<String> sopClassUids, String studyDateFrom, String studyDateTo,
                 List<String> callingAeTitles, Map<String, Pattern> matches) {
    static final Condition ALWAYS = new Condition(List.of(), List.of(), null, null, List.of(), Map.of());

    boolean test(EditableDataset ds, RuleContext context) {
        if (!modalities.isEmpty() && !modalities.contains(ds.get("Modality"))) {
            return false;
        }
        if (!sopClassUids.isEmpty() && !sopClassUids.contains(ds.get("SOPClassUID"))) {
            return false;
        }
        String date = ds.get("StudyDate");
        if (studyDateFrom != null && (date.isEmpty() || date.compareTo(studyDateFrom) < 0)) {
            return false;
        }
        if (studyDateTo != null && (date.isEmpty() || date.compareTo(studyDateTo) > 0)) {
            return false;
        }
        if (!callingAeTitles.isEmpty() && !callingAeTitles.contains(context.callingAeTitle())) {
            return false;
        }
        for (Map.Entry<String, Pattern> m : matches.entrySet()) {
            if (!m.getValue().matcher(ds.get(m.getKey())).matches()) {
                return false;
            }
        }
        return true;
    }
}
