package org.pacsmigrator.state;

/**
 * Life cycle of a study. The order matters: a transition never goes backwards
 * (re-delivery of a Kafka record must not regress state); FAILED can be left by a replay, and a VERIFIED
 * study is reopened (back to INDEXED) when it changed in the old PACS after its migration.
 */
public enum StudyState {
    INDEXED, RETRIEVING, RETRIEVED, FORWARDING, FORWARDED, VERIFIED, FAILED;

    /** True when this state is at or past {@code other} on the success path. */
    public boolean atLeast(StudyState other) {
        return this != FAILED && other != FAILED && ordinal() >= other.ordinal();
    }
}
