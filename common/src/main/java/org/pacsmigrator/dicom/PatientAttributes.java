package org.pacsmigrator.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image's patient attributes as its header holds them, decoded as {@link DicomFiles#readPatientAttributes}
 * decodes them ("" when absent): picked at receipt and kept on the instance's row so that the forwarder need
 * not parse the image again to check the patient. Patient data: {@link #toString} shows no value.
 */
public record PatientAttributes(String patientId, String issuerOfPatientId, String patientName, String patientBirthDate,
                                String patientSex) {
    /** The keywords, in the order of the components. */
    public static final List<String> KEYWORDS = List.of("PatientID", "IssuerOfPatientID", "PatientName",
            "PatientBirthDate", "PatientSex");

    /** Those of a data set read from the image (absent ones as ""). */
    public static PatientAttributes of(DicomDataset image) {
        return fromMap(image.asMap());
    }

    /** From keyword to value, as {@link #asMap} gives (missing keywords as ""). */
    public static PatientAttributes fromMap(Map<String, String> values) {
        List<String> v = KEYWORDS.stream().map(k -> values.getOrDefault(k, "")).toList();
        return new PatientAttributes(v.get(0), v.get(1), v.get(2), v.get(3), v.get(4));
    }

    /** Keyword to value, every keyword present. */
    public Map<String, String> asMap() {
        List<String> v = List.of(patientId, issuerOfPatientId, patientName, patientBirthDate, patientSex);
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < KEYWORDS.size(); i++) {
            map.put(KEYWORDS.get(i), v.get(i));
        }
        return map;
    }

    /** As a data set of these attributes only, in place of the image's header. */
    public DicomDataset asDataset() {
        return new DicomDataset(asMap());
    }

    @Override
    public String toString() {
        return "PatientAttributes[values not shown]";
    }
}
