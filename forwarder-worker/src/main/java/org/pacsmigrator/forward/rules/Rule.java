package org.pacsmigrator.forward.rules;

/** A named rule: which images ({@link Condition}), what to do ({@link Action}), and whether problems reject the image. */
record Rule(String name, Condition when, Action action, boolean rejectOnProblem, boolean onPatientIdConflictOnly) {
    boolean appliesTo(org.pacsmigrator.dicom.EditableDataset ds, RuleContext context) {
        return (!onPatientIdConflictOnly || context.patientIdConflict()) && when.test(ds, context);
    }
}
