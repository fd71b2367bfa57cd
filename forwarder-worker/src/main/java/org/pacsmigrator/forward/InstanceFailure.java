package org.pacsmigrator.forward;

import org.pacsmigrator.topics.FailureCategory;

/** Why one instance of a study was not stored: its category, and what happened ("category: detail" in messages). */
record InstanceFailure(FailureCategory category, String detail) {
    InstanceFailure adding(String more) {
        return new InstanceFailure(category, detail + more);
    }

    @Override
    public String toString() {
        return category.label() + ": " + detail;
    }
}
