package org.pacsmigrator.forward.rules;

/** What a rule may know beyond the image: the study as indexed and where the image came from. */
public record RuleContext(String indexedStudyInstanceUid, String indexedPatientId, String callingAeTitle) {
}
