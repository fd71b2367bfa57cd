package org.pacsmigrator.dicom;

import java.util.List;
import java.util.Set;

/**
 * One instance's attributes, editable by keyword, without exposing the toolkit. Every change is
 * recorded (attribute, old value, new value) so that what a rule did can be shown per instance.
 * Values are decoded strings; multi-valued attributes use a backslash as in DICOM.
 */
public interface EditableDataset {
    /** A recorded change; {@code newValue} null means removed. */
    record Change(String attribute, String oldValue, String newValue) {
        @Override
        public String toString() {
            return attribute + ": '" + (oldValue == null ? "" : oldValue) + "' -> "
                    + (newValue == null ? "(removed)" : "'" + newValue + "'");
        }
    }

    /** The value, or "" when absent. */
    String get(String keyword);

    boolean has(String keyword);

    /** Sets (or adds) a top-level attribute, with the VR the dictionary gives for the keyword. */
    void set(String keyword, String value);

    void remove(String keyword);

    /** Private creator identifiers present (the values of (gggg,00xx), gggg odd). */
    List<String> privateCreators();

    /** Removes private attributes: all when {@code creators} is empty, else those of the given creators. Returns how many. */
    int removePrivateAttributes(Set<String> creators);

    /** Re-encodes every text attribute in UTF-8 (ISO_IR 192) and declares it. Returns true when anything changed. */
    boolean normaliseCharacterSetToUtf8();

    List<Change> changes();
}
