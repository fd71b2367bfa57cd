package org.pacsmigrator.state;

/**
 * The new PACS's answer to the C-STORE of one instance: its status, whether the PACS kept the
 * instance (success or warning), and what the rules changed in the instance sent (null: nothing
 * recorded).
 */
public record StoreOutcome(String sopInstanceUid, int status, boolean stored, InstanceModification modification) {
}
