package org.pacsmigrator.forward.rules;

import org.pacsmigrator.dicom.EditableDataset;

/** A named rule: which images ({@link Condition}), what to do ({@link Action}), and whether problems reject the image. */
record Rule(String name, Condition when, Action action, boolean rejectOnProblem, boolean onPatientIdConflictOnly) {
    boolean appliesTo(EditableDataset ds, RuleContext context) {
        return (!onPatientIdConflictOnly || context.patientIdConflict()) && when.test(ds, context);
    }
}
