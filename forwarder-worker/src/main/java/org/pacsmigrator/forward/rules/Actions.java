package org.pacsmigrator.forward.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.pacsmigrator.dicom.EditableDataset;

/** The rule actions. Each is small and does one thing; {@link RuleSetLoader} builds them from YAML. */
final class Actions {
    private Actions() {
    }

    private static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");

    /** Required attributes, UID syntax, PatientID equal to the indexed value, study consistency. */
    record Validate(List<String> required, boolean uidSyntax, boolean patientIdMatchesIndex, boolean studyMatchesIndex)
            implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            List<String> problems = new ArrayList<>();
            for (String keyword : required) {
                if (ds.get(keyword).isBlank()) {
                    problems.add(keyword + " is missing or empty");
                }
            }
            if (uidSyntax) {
                for (String keyword : List.of("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID")) {
                    String uid = ds.get(keyword);
                    if (!uid.isEmpty() && (uid.length() > 64 || !UID.matcher(uid).matches())) {
                        problems.add(keyword + " is not a valid UID");
                    }
                }
            }
            if (patientIdMatchesIndex && ctx.indexedPatientId() != null && !ds.get("PatientID").equals(ctx.indexedPatientId())) {
                problems.add("PatientID differs from the indexed study's PatientID");
            }
            if (studyMatchesIndex && ctx.indexedStudyInstanceUid() != null
                    && !ds.get("StudyInstanceUID").equals(ctx.indexedStudyInstanceUid())) {
                problems.add("StudyInstanceUID differs from the study it was retrieved with");
            }
            return problems;
        }
    }

    record Set_(Map<String, String> values) implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            values.forEach(ds::set);
            return List.of();
        }
    }

    record Remove(List<String> keywords) implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            keywords.forEach(ds::remove);
            return List.of();
        }
    }

    record Copy(String from, String to) implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            if (ds.has(from)) {
                ds.set(to, ds.get(from));
            }
            return List.of();
        }
    }

    /** Regular-expression replacement in one attribute's value (e.g. fix a misspelling). */
    record Replace(String attribute, Pattern pattern, String replacement) implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            if (ds.has(attribute)) {
                ds.set(attribute, pattern.matcher(ds.get(attribute)).replaceAll(replacement));
            }
            return List.of();
        }
    }

    /**
     * Moves the patient into the new archive's ID domain: a mapping table (old ID to new ID) first,
     * else prefix/suffix; optionally sets IssuerOfPatientID. An ID missing from a table that is
     * marked required is a problem (the image is not sent with an unmapped ID).
     */
    record PatientIdDomain(String prefix, String suffix, String issuer, Map<String, String> mapping, boolean mappingRequired)
            implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            String old = ds.get("PatientID");
            String mapped = mapping.get(old);
            if (mapped == null && mappingRequired) {
                return List.of("PatientID has no entry in the mapping table");
            }
            ds.set("PatientID", mapped != null ? mapped : prefix + old + suffix);
            if (issuer != null) {
                ds.set("IssuerOfPatientID", issuer);
            }
            return List.of();
        }
    }

    /** Removes private attributes: all, or those of the given private creators. */
    record RemovePrivate(Set<String> creators) implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            ds.removePrivateAttributes(creators);
            return List.of();
        }
    }

    record NormaliseCharacterSet() implements Action {
        @Override
        public List<String> apply(EditableDataset ds, RuleContext ctx) {
            ds.normaliseCharacterSetToUtf8();
            return List.of();
        }
    }
}
