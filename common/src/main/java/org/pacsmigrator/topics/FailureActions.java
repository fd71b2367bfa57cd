package org.pacsmigrator.topics;

import org.pacsmigrator.state.UidCollision;

/**
 * What an operator does about a study that stopped, by its failure category: one wording for the report's
 * reconciliation, the HTML report and the console. A re-send helps only a study that did not stop for a
 * reason that would stop it again.
 */
public final class FailureActions {
    /** The category of a study queued again because instances were missing in the new PACS. */
    public static final String RESEND_CATEGORY = "missing in new PACS";
    public static final String RESEND = "re-send: pacs-migrator report --resend-missing, then run";
    public static final String PATIENT_ID_CONFLICT = "patient ID conflict";
    /** For what is in the new PACS only. */
    public static final String EXTRA_IN_NEW = "investigate: not in the old PACS (stored in the new PACS by someone else?)";

    private FailureActions() {
    }

    /** The action for a study that stopped under {@code category} (none: re-send what is missing). */
    public static String forCategory(String category) {
        if (category == null || category.isBlank() || category.equals(RESEND_CATEGORY)) {
            return RESEND;
        }
        if (category.equals(PATIENT_ID_CONFLICT)) {
            return "patient ID conflict: set forward.patientIdConflict (send or rule) or add a rule, then "
                    + "replay --category 'patient ID conflict'";
        }
        if (category.equals(UidCollision.CATEGORY)) {
            return UidCollision.ACTION;
        }
        if (StageReplay.RETRIEVE_AGAIN.contains(category)) {
            return "replay --category '" + category + "' (the study is retrieved again)";
        }
        return "the study failed as '" + category + "': remove the cause, then replay --category '" + category + "'";
    }
}
