package org.pacsmigrator.priority;

import java.util.Locale;

/** Who to put first: a patient by PatientID, or the patient of an accession number; and who asked. */
public record PriorityRequest(Key key, String value, String source) {
    public enum Key {
        PATIENT_ID, ACCESSION_NUMBER;

        /** "patient" / "patientId" or "accession" / "accessionNumber", in any case. */
        public static Key parse(String name) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            return switch (n) {
                case "patient", "patientid" -> PATIENT_ID;
                case "accession", "accessionnumber" -> ACCESSION_NUMBER;
                default -> throw new IllegalArgumentException("unknown key '" + name + "' (patient, accession)");
            };
        }
    }

    public PriorityRequest {
        if (value == null || value.isBlank() || value.length() > 64 || value.contains("\\")) {
            throw new IllegalArgumentException("a PatientID or accession number is 1-64 characters without backslash");
        }
        value = value.strip();
    }

    public static PriorityRequest patient(String patientId, String source) {
        return new PriorityRequest(Key.PATIENT_ID, patientId, source);
    }
}
