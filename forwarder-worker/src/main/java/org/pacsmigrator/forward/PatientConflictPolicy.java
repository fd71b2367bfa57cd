package org.pacsmigrator.forward;

import java.util.Locale;

/**
 * What the forwarder does with a study that has a patient ID conflict: stop it (category "patient
 * ID conflict"), send it as is (the conflict is recorded per instance), or send it with the rules
 * marked {@code onPatientIdConflict} applied (e.g. move it to another ID domain).
 */
public enum PatientConflictPolicy {
    STOP, SEND, RULE;

    /** From the config value stop, send or rule. */
    public static PatientConflictPolicy of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
