package org.pacsmigrator.forward;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.text.DicomCharset;
import org.pacsmigrator.dicom.text.LossyText;
import org.pacsmigrator.dicom.text.TextValues;
import org.pacsmigrator.state.PatientDemographics;
import org.pacsmigrator.state.PatientStore;
import org.pacsmigrator.state.StudyRecord;

/**
 * Detects patient identity conflicts before a study is sent. The authority for a study's patient is its
 * images' headers (decoded by their own character set, compared in comparable form, see {@link TextValues}):
 * images of the study that disagree with each other, images that disagree with the study as indexed, and
 * the same PatientID (within its issuer) with other demographics in another study's images. An indexed
 * value that is unknown (it arrived lossy, see {@link LossyText}) or empty is no evidence; one that
 * differs from the images only by what its C-FIND answer's character set could not carry is marked
 * unknown instead. Problems name attributes and UIDs, never values.
 */
final class PatientConflicts {
    /** The patient attributes compared, and whether each is a person name. */
    private static final Map<String, Boolean> COMPARED = Map.of("PatientID", false, "PatientName", true,
            "PatientBirthDate", false, "PatientSex", false);
    private static final List<String> ORDER = List.of("PatientID", "PatientName", "PatientBirthDate", "PatientSex");

    /** What the checks found: conflicts, indexed attributes now known to be lossy, the patient of the images. */
    record Findings(List<String> problems, Set<String> unknown, PatientDemographics patient) {
    }

    private final PatientStore patients;

    PatientConflicts(PatientStore patients) {
        this.patients = patients;
    }

    /** All checks, on the headers of the images about to be sent (in a stable order: the first is the reference). */
    Findings check(StudyRecord study, Map<String, DicomDataset> images) {
        if (images.isEmpty()) {
            return new Findings(List.of(), Set.of(), null);
        }
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>();
        Map.Entry<String, DicomDataset> reference = images.entrySet().iterator().next();
        for (Map.Entry<String, DicomDataset> image : images.entrySet()) {
            List<String> diff = differences(reference.getValue(), image.getValue());
            if (!diff.isEmpty()) {
                problems.add("instance " + image.getKey() + ": " + String.join(", ", diff)
                        + " differ from instance " + reference.getKey() + " of the same study");
            }
        }
        problems.addAll(withIndex(study, reference.getKey(), reference.getValue(), unknown));
        PatientDemographics patient = fromImage(study, reference.getValue());
        problems.addAll(acrossStudies(patient));
        return new Findings(problems, unknown, patient);
    }

    /**
     * The study as indexed against one of its images. Indexed values that are unknown or empty are skipped;
     * those that differ only by what the answer's character set lost are added to {@code unknown}.
     */
    List<String> withIndex(StudyRecord study, String sopInstanceUid, DicomDataset image, Set<String> unknown) {
        DicomCharset answered = DicomCharset.of(study.indexCharacterSet());
        List<String> diff = new ArrayList<>();
        for (String keyword : ORDER) {
            String indexed = indexed(study, keyword);
            boolean personName = COMPARED.get(keyword);
            if (study.unknown(keyword) || indexed == null || indexed.isBlank() || same(indexed, image.get(keyword), personName)) {
                continue;
            }
            if (LossyText.showsLoss(indexed, personName)
                    || LossyText.explainedByLoss(indexed, answered, image.get(keyword), personName)) {
                unknown.add(keyword);
            } else {
                diff.add(keyword);
            }
        }
        return diff.isEmpty() ? List.of()
                : List.of("instance " + sopInstanceUid + ": " + String.join(", ", diff) + " differ from its study as indexed");
    }

    /** The PatientID (within its issuer) was registered from another study's images with other demographics. */
    private List<String> acrossStudies(PatientDemographics mine) {
        if (mine.patientId().isBlank()) {
            return List.of();
        }
        PatientDemographics first = patients.claimPatient(mine);
        if (!first.fromImages() && answeredLossyFormOf(first, mine)) {
            if (patients.replaceAnsweredPatient(mine)) {
                return List.of();
            }
            first = patients.claimPatient(mine); // another study's images replaced it first
        }
        if (first.firstStudyInstanceUid().equals(mine.firstStudyInstanceUid())) {
            return List.of();
        }
        List<String> diff = mine.differencesFrom(first);
        return diff.isEmpty() ? List.of() : List.of("PatientID also used in study " + first.firstStudyInstanceUid()
                + " with different " + String.join(", ", diff));
    }

    /**
     * A patient registered by an older version from a C-FIND answer (character set not kept) that differs from
     * ours only by what that answer may have lost: ours replaces it.
     */
    private static boolean answeredLossyFormOf(PatientDemographics answered, PatientDemographics images) {
        List<String> diff = images.differencesFrom(answered);
        return !diff.isEmpty() && diff.equals(List.of("PatientName"))
                && (LossyText.showsLoss(answered.patientName(), true)
                || LossyText.explainedByLoss(answered.patientName(), DicomCharset.DEFAULT, images.patientName(), true));
    }

    private static List<String> differences(DicomDataset a, DicomDataset b) {
        List<String> diff = new ArrayList<>();
        for (String keyword : ORDER) {
            if (!same(a.get(keyword), b.get(keyword), COMPARED.get(keyword))) {
                diff.add(keyword);
            }
        }
        return diff;
    }

    private static boolean same(String a, String b, boolean personName) {
        return personName ? TextValues.normalisePersonName(a).equals(TextValues.normalisePersonName(b))
                : TextValues.normalise(a).equals(TextValues.normalise(b));
    }

    private static String indexed(StudyRecord s, String keyword) {
        return switch (keyword) {
            case "PatientID" -> s.patientId();
            case "PatientName" -> s.patientName();
            case "PatientBirthDate" -> s.patientBirthDate();
            case "PatientSex" -> s.patientSex();
            default -> throw new IllegalArgumentException(keyword);
        };
    }

    /** The study's patient as its images say (issuer from the image, as the PatientID). */
    private static PatientDemographics fromImage(StudyRecord study, DicomDataset image) {
        return new PatientDemographics(TextValues.normalise(image.get("PatientID")),
                TextValues.normalise(image.get("IssuerOfPatientID")), TextValues.normalisePersonName(image.get("PatientName")),
                TextValues.normalise(image.get("PatientBirthDate")), TextValues.normalise(image.get("PatientSex")),
                study.studyInstanceUid());
    }
}
